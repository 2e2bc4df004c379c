package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"triade/internal/demo"
)

// press clicks an "add" button of the session record. With a row to clone,
// the page's script adds the row in place (no page load: chromedp would wait
// for one forever); without, or without JavaScript, the form goes to the
// server, whose page must answer 200.
func (p *persona) press(sel string) {
	p.t.Helper()
	p.find(sel)
	inPlace := !p.jsOff && evalJS[bool](p, "page script", fmt.Sprintf(`(() => {
		const b = document.querySelector(%q);
		return !!b.parentNode.querySelector(':scope > fieldset');
	})()`, sel))
	if !inPlace {
		p.wantStatus("press "+sel, p.click(sel), 200)
		return
	}
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.fatalf("click %s: %v", sel, err)
	}
	p.audit("after pressing " + sel)
}

// leaveWarns asks the page whether leaving it now would warn: it sends the
// beforeunload event a navigation sends and reads whether the page asked to
// stay.
const leaveWarns = `(() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; })()`

// TestEnhancements: with JavaScript on, (a) leaving a page whose form was typed
// into warns, and a submit lifts the warning; (b) on the session record, "add
// a situation" brings an empty row at once, without a page load, numbered after
// the others, with what was typed left as it was; the saved row reaches the
// server like one added without JavaScript.
func TestEnhancements(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	var sess string
	err := env.Super.QueryRow(context.Background(), `SELECT '/w/demo/e/' || e.id || '/sessions/' || s.id FROM coaching_sessions s
		JOIN engagements e ON e.id = s.engagement_id WHERE e.title = 'Conduite du changement — service client' AND s.status = 'held'
		ORDER BY s.number LIMIT 1`).Scan(&sess)
	if err != nil {
		t.Fatal(err)
	}
	c := b.persona("coach, with JavaScript")
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	c.wantStatus("open the session", c.open(sess), 200)
	record := `main form[action="` + sess + `/record"] `

	// (a) Nothing typed yet: leaving does not warn.
	if evalJS[bool](c, "page script", leaveWarns) {
		c.errorf("an untouched page warns on leaving")
	}
	const analysis = "Analyse tapée avant d'ajouter une situation, jamais perdue."
	c.write("analysis", analysis)
	if !evalJS[bool](c, "page script", leaveWarns) {
		c.errorf("leaving after typing into the record does not warn")
	}

	// (b) Add a situation: no page load (a marker set on the page survives).
	n := evalJS[int](c, "page script", `document.querySelectorAll('#situations > fieldset').length`)
	if n == 0 {
		t.Fatal("the demo session has no situation row to start from")
	}
	evalJS[bool](c, "page script", `(window.stillHere = true)`)
	c.press(record + `button[value="add-situation"]`)
	if !evalJS[bool](c, "page script", `window.stillHere === true`) {
		c.errorf("adding a situation reloaded the page")
	}
	if got := evalJS[int](c, "page script", `document.querySelectorAll('#situations > fieldset').length`); got != n+1 {
		c.errorf("%d situation rows after the add, want %d", got, n+1)
	}
	title := fmt.Sprintf("sit-%d-title", n)
	c.wantValue(title, "")
	c.wantValue(fmt.Sprintf("sit-%d-context", n), "")
	c.wantValue("analysis", analysis)
	if got := evalJS[string](c, "page script", `document.querySelector('`+record+`input[name="n_sit"]').value`); got != fmt.Sprint(n+1) {
		c.errorf("n_sit = %q, want %d", got, n+1)
	}
	if got := evalJS[string](c, "page script", `document.querySelector("#situations > fieldset:last-of-type legend").textContent.trim()`); got != fmt.Sprintf("Situation %d", n+1) {
		c.errorf("the new row's legend reads %q", got)
	}
	if got := evalJS[string](c, "page script", `document.activeElement.id`); got != "f-"+title {
		c.errorf("focus on %q after the add, want the new row's first field", got)
	}
	if !evalJS[bool](c, "page script", leaveWarns) {
		c.errorf("after the add, leaving no longer warns")
	}

	// Saving sends the new row to the server, which keeps it; the page it
	// answers has nothing unsaved.
	const sit = "Situation ajoutée sans rechargement"
	c.fill(title, sit)
	c.wantStatus("save", c.click(record+`button[value="save"]`), 200)
	c.wantText(".flash", "Modifications enregistrées")
	// (the server renumbers the rows it keeps: the empty one is dropped)
	titles := evalJS[[]string](c, "page script", `[...document.querySelectorAll('#situations input[name$=".title"]')].map(i => i.value)`)
	if !slices.Contains(titles, sit) {
		c.errorf("the situation added in place was not saved: titles %q", titles)
	}
	c.wantValue("analysis", analysis)
	if evalJS[bool](c, "page script", leaveWarns) {
		c.errorf("after the save, leaving still warns")
	}

	// What the company sees, framed, audited like every page.
	eng := sess[:strings.Index(sess, "/sessions/")]
	c.wantStatus("what the company sees", c.open(eng+"/as-sponsor"), 200)
	c.wantText(".seen-as", "Ce que voit Sponsor Démo")
	if n := evalJS[int](c, "page script", `document.querySelectorAll('main form').length`); n != 0 {
		c.errorf("what the company sees offers %d forms", n)
	}
}
