package e2e

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"triade/internal/demo"
)

// A phone held upright: the narrowest screen the pages are made for.
const phoneWidth, phoneHeight = 390, 844

// maxPhonePages bounds the crawl of one persona: the demo has a few dozen
// kinds of pages per person, and a bound keeps a link loop from running forever.
const maxPhonePages = 150

// TestPhone visits every page the coach, the coachee and the sponsor of the
// demo can reach from their dashboard, and their account, on a 390 × 844
// screen, and fails on any page wider than the screen (a horizontal scroll).
// Each page is audited by axe-core as every persona page is.
func TestPhone(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"coach@demo.test", "coachee@demo.test", "sponsor@demo.test"} {
		p := b.persona(email + " on a phone")
		p.phone()
		p.wantStatus("login", p.login(email, demo.Password), 200)
		pages := p.crawl("/w/demo/", maxPhonePages, p.wantFits)
		p.wantStatus("GET /account", p.open("/account"), 200) // outside the workspace, not crawled
		p.wantFits("/account")
		t.Logf("%s: %d pages fit the screen or were reported", p.name, len(pages))
	}
}

// phone makes the persona's tab a 390 × 844 touch screen.
func (p *persona) phone() {
	p.t.Helper()
	_, err := chromedp.Call(p.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: phoneWidth, Height: phoneHeight, DeviceScaleFactor: 1, Mobile: true})
	if err != nil {
		p.fatalf("emulate a phone: %v", err)
	}
}

// pageWidths is the document's full width and the width of its viewport.
type pageWidths struct{ Scroll, Client int }

// wantFits fails when the page scrolls sideways, and logs its width.
func (p *persona) wantFits(path string) {
	p.t.Helper()
	w, err := chromedp.Run(p.ctx, chromedp.Evaluate[pageWidths](
		`({Scroll: document.documentElement.scrollWidth, Client: document.documentElement.clientWidth})`))
	if err != nil {
		p.fatalf("measure %s: %v", path, err)
	}
	p.t.Logf("%s: %s is %d px wide on a %d px screen", p.name, path, w.Scroll, w.Client)
	if w.Scroll > w.Client {
		wide, _ := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](overflowing))
		p.errorf("%s is %d px wide on a %d px screen: it scrolls sideways; too wide: %q", path, w.Scroll, w.Client, wide)
	}
}

// overflowing names the innermost elements that reach past the screen's right
// edge, so that a failure says what to fix.
const overflowing = `(() => {
	const cw = document.documentElement.clientWidth;
	const over = e => e.getBoundingClientRect().right > cw + 0.5;
	return [...document.body.querySelectorAll('*')]
		.filter(e => over(e) && ![...e.children].some(over))
		.slice(0, 5)
		.map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ /g, '.') : '') +
			' ' + Math.round(e.getBoundingClientRect().right) + 'px: ' + (e.innerText || '').slice(0, 40));
})()`

// crawl opens the pages reachable from start by same-site GET links under
// start, breadth first, at most limit of them, calls check on each and returns
// their paths. Pages of the same kind (the same path but for identifiers) are
// visited three times at most, so that the bound reaches every kind of page
// rather than every action of one engagement; every engagement's overview is
// visited, since each phase shows other tabs. Downloads (calendar files) are left
// out: they are not pages.
func (p *persona) crawl(start string, limit int, check func(path string)) []string {
	p.t.Helper()
	prefix := start
	seen := map[string]bool{start: true}
	kinds := map[string]int{}
	queue := []string{start}
	var pages []string
	for len(queue) > 0 && len(pages) < limit {
		path := queue[0]
		queue = queue[1:]
		pages = append(pages, path)
		p.wantStatus("GET "+path, p.open(path), 200)
		check(path)
		for _, href := range p.attrs("a[href]:not([download])", "href") { // a download is no page
			next, ok := p.pagePath(href, prefix)
			if !ok || seen[next] {
				continue
			}
			seen[next] = true
			if kind := identifiers.ReplaceAllString(next, "{id}"); kinds[kind] < 3 || overview.MatchString(next) {
				kinds[kind]++
				queue = append(queue, next)
			}
		}
	}
	return pages
}

// identifiers are the parts of a path that name one record.
var identifiers = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f-]{27}|/[0-9]+(/|$)`)

// overview is the path of an engagement's overview.
var overview = regexp.MustCompile(`/e/[0-9a-f-]{36}/?$`)

// pagePath turns a link into a path under prefix, or reports it is not one
// of the pages to visit.
func (p *persona) pagePath(href, prefix string) (string, bool) {
	u, err := url.Parse(href)
	if err != nil || (u.Host != "" && p.base != u.Scheme+"://"+u.Host) {
		return "", false
	}
	path := u.Path
	// (a calendar file of what the company sees names it in its query)
	if !strings.HasPrefix(path, prefix) || strings.Contains(u.RequestURI(), "/ics/") || strings.Contains(path, "/calendar/") {
		return "", false
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return path, true
}
