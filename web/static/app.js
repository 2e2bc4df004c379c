// Triade's small progressive enhancement. Every page works without it; it only
// adds, on top:
//  (a) a warning before leaving a page whose forms hold unsaved changes;
//  (b) on the session record, "add a row" without a round trip, by cloning the
//      last row of its section; with no row to clone, the button still submits
//      the form and the server adds the row (the path without JavaScript).
(function () {
  'use strict';

  // (a) Forms typed into and not submitted. Submitting a form takes it off
  // the list (it is being saved); leaving with another one dirty still warns.
  var dirty = new Set();
  function mark(e) {
    var f = e.target && e.target.form;
    if (f && f.method.toLowerCase() === 'post') dirty.add(f);
  }
  document.addEventListener('input', mark);
  document.addEventListener('change', mark);
  document.addEventListener('submit', function (e) { dirty.delete(e.target); });
  window.addEventListener('beforeunload', function (e) {
    if (dirty.size > 0) {
      e.preventDefault();
      e.returnValue = '';
    }
  });

  // (b) Rows of the session record: situations, options, action plan lines.
  var kinds = { 'add-situation': 'sit', 'add-option': 'opt', 'add-action': 'act' };

  // renumber rewrites a row's index k to n in an attribute value: the names
  // (sit.0.title), the ids (sit-0-title, e-sit-0-title) and the remove button.
  function renumber(value, kind, k, n) {
    return value
      .split(kind + '.' + k + '.').join(kind + '.' + n + '.')
      .split(kind + '-' + k + '-').join(kind + '-' + n + '-')
      .replace(new RegExp('^(remove-[a-z]+-)' + k + '$'), '$1' + n);
  }

  function addRow(button) {
    var form = button.form;
    var kind = kinds[button.value];
    var count = form && form.elements['n_' + kind];
    var rows = button.parentNode.querySelectorAll(':scope > fieldset');
    if (!count || rows.length === 0) return false; // the server adds it
    var k = rows.length - 1, n = rows.length;
    var row = rows[k].cloneNode(true);
    row.querySelectorAll('*').forEach(function (el) {
      ['id', 'name', 'for', 'aria-describedby'].forEach(function (a) {
        if (el.hasAttribute(a)) el.setAttribute(a, renumber(el.getAttribute(a), kind, k, n));
      });
      if (el.tagName === 'BUTTON') el.value = renumber(el.value, kind, k, n);
      if (el.classList.contains('error')) el.remove();
      el.classList.remove('invalid');
      if (el.getAttribute('aria-invalid') === 'true') el.setAttribute('aria-invalid', 'false');
      if (el.tagName === 'TEXTAREA') el.value = '';
      if (el.tagName === 'SELECT') el.selectedIndex = 0;
      if (el.tagName === 'INPUT') {
        if (el.type === 'radio' || el.type === 'checkbox') {
          el.checked = false;
          if (el.name === 'chosen') el.value = String(n);
        } else {
          el.value = '';
        }
      }
    });
    // The legend and the remove button's hidden text number the row from 1.
    row.querySelectorAll('legend, button .visually-hidden').forEach(function (el) {
      el.textContent = el.textContent.replace(/\d+(?=\D*$)/, String(n + 1));
    });
    rows[k].after(row);
    count.value = String(n + 1);
    dirty.add(form);
    var first = row.querySelector('input:not([type=hidden]), textarea, select');
    if (first) first.focus();
    return true;
  }

  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('form.record button[name=op]');
    if (b && kinds[b.value] && addRow(b)) e.preventDefault();
  });
})();
