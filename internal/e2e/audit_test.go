package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// recorder stands in for the test given to audit, keeping what it reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }

// TestAuditCatchesViolations checks the checker: a page with known faults
// must fail the audit, with the rule and the element named, so that a clean
// audit of the journeys means something.
func TestAuditCatchesViolations(t *testing.T) {
	chrome := findChromium(t)
	if _, err := axeScript(); err != nil {
		audit(t, t.Context(), "") // fails in CI, warns elsewhere
		t.Skip("no axe-core: nothing to check")
	}
	b := startBrowser(t, chrome, "")
	p := b.persona("checker")
	const page = `data:text/html;charset=utf-8,<!doctype html><title>t</title><main><img src="x.png"><input id="q" type="text"></main>`
	if err := chromedp.Do(p.ctx, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	if !audit(r, p.ctx, "self-test") {
		t.Fatal("the audit did not run")
	}
	report := strings.Join(r.errs, "\n")
	t.Logf("the report of a faulty page:\n%s", report)
	for _, want := range []string{"html-has-lang", "image-alt", "label", `<img src="x.png">`, "#q"} {
		if !strings.Contains(report, want) {
			t.Errorf("audit report lacks %q:\n%s", want, report)
		}
	}
}
