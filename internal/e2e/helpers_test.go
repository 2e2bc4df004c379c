package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"triade/internal/pdf"
	"triade/internal/server"
	"triade/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// journeyTimeout bounds a whole journey, browser included, so nothing can
// hang. It is a bound, not a speed target: on two busy cores a journey that
// takes 40 s alone can take several times that, and must still pass.
const journeyTimeout = 10 * time.Minute

// stepTimeout bounds one lookup of an element that should already be on the
// loaded page. Only a missing element waits this long: it is generous so that
// a starved browser is never mistaken for a missing element.
const stepTimeout = 30 * time.Second

// auditTimeout bounds one axe-core audit (injecting a 500 kB script and
// running every rule), again generous for a machine under load.
const auditTimeout = 2 * time.Minute

// journeyContext is the test's context, ended at journeyTimeout or a minute
// before the test binary's own deadline, whichever comes first, so that a hang
// fails the one test with a message rather than killing the whole binary.
func journeyContext(t *testing.T) (context.Context, context.CancelFunc) {
	end := time.Now().Add(journeyTimeout)
	if d, ok := t.Deadline(); ok && d.Add(-time.Minute).Before(end) {
		end = d.Add(-time.Minute)
	}
	return context.WithDeadline(t.Context(), end)
}

// setup starts Triade on a fresh database and a headless Chromium in front of
// it. It skips under -short or without Chromium (and fails without it in CI).
func setup(t *testing.T) (*testenv.Env, *browser) {
	t.Helper()
	chrome := findChromium(t)
	env := testenv.New(t)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	printer := pdf.New(chrome)
	t.Cleanup(printer.Close)
	app := server.New(server.Config{BaseURL: base, Dev: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PDF: printer}, env.Store)
	srv.Config.Handler = app
	srv.Start()
	t.Cleanup(srv.Close) // runs after the browser is gone (cleanups run last-in first-out)
	return env, startBrowser(t, chrome, base)
}

// startBrowser starts a headless Chromium that lives until the end of the test
// or journeyContext's bound, whichever comes first.
func startBrowser(t *testing.T, chrome, base string) *browser {
	t.Helper()
	ctx, cancel := journeyContext(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		// A French-speaking visitor: the pages' default language.
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Flag("accept-lang", "fr-FR,fr"),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() { bcancel(); acancel(); cancel() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chrome, err)
	}
	b := &browser{t: t, ctx: bctx, base: base}
	t.Cleanup(func() {
		if b.audits > 0 {
			t.Logf("axe-core audited %d page(s)", b.audits)
		}
	})
	return b
}

// findChromium returns the browser's path. It skips the test under -short or
// when there is none, except in CI, where a missing browser is a failure.
func findChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser journey: skipped under -short")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "Chromium not found: install it (apt-get install chromium)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser is one Chromium; each persona in it has its own cookie jar.
type browser struct {
	t      *testing.T
	ctx    context.Context
	base   string
	audits int // pages audited
	shots  int // screenshots taken (E2E_SCREENSHOTS)
}

// persona opens a tab in a new browser context (its own cookies and storage).
func (b *browser) persona(name string) *persona {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("%s: open a browser context: %v", name, err)
	}
	p := &persona{t: b.t, name: name, ctx: ctx, base: b.base, b: b}
	if err := chromedp.Listen(ctx, p.count); err != nil {
		b.t.Fatalf("%s: listen to the tab: %v", name, err)
	}
	return p
}

// count tallies the persona's navigations from the browser's own network
// events, so the figures do not depend on how a test reaches a page: every
// top-level document request is a page load (a redirect continues the same
// request, so a form posted then redirected is one load), and a posted one is
// also a form submission. The development outbox stands for the person's
// mail client: reading it is not a page of the app.
func (p *persona) count(ev any) {
	req, ok := ev.(*network.EventRequestWillBeSent)
	if !ok || req.Type != network.ResourceTypeDocument || req.RedirectResponse != nil || req.Request == nil {
		return
	}
	if u, err := url.Parse(req.Request.URL); err == nil && strings.HasPrefix(u.Path, "/dev/mail") {
		return
	}
	p.loads.Add(1)
	if req.Request.Method == "POST" {
		p.submits.Add(1)
	}
}

// dashboard is the path of the persona's dashboard, the first link of the
// header's navigation.
func (p *persona) dashboard() string {
	if p.home == "" {
		return "/w/demo/"
	}
	return p.home
}

// effort is what the persona did so far: form submissions and page loads.
func (p *persona) effort() (submits, loads int) {
	return int(p.submits.Load()), int(p.loads.Load())
}

// logEffort writes the persona's form submissions and page loads to the test
// log.
func (p *persona) logEffort() {
	p.t.Helper()
	s, l := p.effort()
	p.t.Logf("%s: %d submissions, %d page loads", p.name, s, l)
}

// persona is a person at a browser tab. Every page it reaches is audited.
type persona struct {
	t     *testing.T
	name  string
	ctx   context.Context
	base  string
	b     *browser
	jsOff bool   // the page runs no script: the audit turns scripts on for itself
	home  string // the dashboard's path; the demo workspace's when empty

	submits, loads atomic.Int64 // form submissions and page loads; see count
}

// disableJavaScript turns page scripts off in the persona's tab, as a person
// who browses without JavaScript.
func (p *persona) disableJavaScript() {
	p.t.Helper()
	p.setScripts(false)
	p.jsOff = true
}

func (p *persona) setScripts(on bool) {
	p.t.Helper()
	_, err := chromedp.Call(p.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
	if err != nil {
		p.fatalf("turn scripts on=%v: %v", on, err)
	}
}

func (p *persona) fatalf(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("%s: "+format, append([]any{p.name}, args...)...)
}

func (p *persona) errorf(format string, args ...any) {
	p.t.Helper()
	p.t.Errorf("%s: "+format, append([]any{p.name}, args...)...)
}

// open navigates to a path of the app (or an absolute URL), audits the page
// and returns the HTTP status.
func (p *persona) open(path string) int {
	p.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = p.base + path
	}
	resp, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(u))
	if err != nil {
		p.fatalf("open %s: %v", path, err)
	}
	p.audit("GET " + path)
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// click clicks what the selector finds, waits for the page it leads to, audits
// it and returns its HTTP status (the final one, after redirects).
func (p *persona) click(sel string) int {
	p.t.Helper()
	p.find(sel)
	resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		p.fatalf("click %s: %v", sel, err)
	}
	p.audit("after clicking " + sel)
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// find fails the test at once if no element matches the selector.
func (p *persona) find(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Query(chromedp.CSS(sel))); err != nil {
		p.fatalf("no element %q on %s: %v", sel, p.url(), err)
	}
}

// fill types into the form field #f-<name>, replacing what it held.
func (p *persona) fill(name, value string) {
	p.t.Helper()
	sel := chromedp.ID("f-" + name)
	p.find("#f-" + name)
	if err := chromedp.Do(p.ctx, chromedp.Clear(sel), chromedp.SendKeys(sel, value)); err != nil {
		p.fatalf("fill #f-%s: %v", name, err)
	}
}

// choose picks an option of the select #f-<name> by its value.
func (p *persona) choose(name, value string) {
	p.t.Helper()
	p.find("#f-" + name)
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.ID("f-"+name), value)); err != nil {
		p.fatalf("choose %s in #f-%s: %v", value, name, err)
	}
}

// text is the visible text of the first element that matches the selector.
func (p *persona) text(sel string) string {
	p.t.Helper()
	p.find(sel)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// texts is the visible text of every element that matches the selector.
func (p *persona) texts(sel string) []string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	js := fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.innerText.trim())`, sel)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		p.fatalf("texts of %s: %v", sel, err)
	}
	return out
}

// attrs is an attribute of every element that matches the selector.
func (p *persona) attrs(sel, name string) []string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	all, err := chromedp.Run(ctx, chromedp.AttributesAll(chromedp.CSSAll(sel)))
	if err != nil {
		p.fatalf("attributes of %s: %v", sel, err)
	}
	out := make([]string, len(all))
	for i, m := range all {
		out[i] = m[name]
	}
	return out
}

// value is the current value of the form field #f-<name>.
func (p *persona) value(name string) string {
	p.t.Helper()
	p.find("#f-" + name)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-"+name)))
	if err != nil {
		p.fatalf("value of #f-%s: %v", name, err)
	}
	return v
}

// attr is an attribute of the first element that matches the selector.
func (p *persona) attr(sel, name string) string {
	p.t.Helper()
	p.find(sel)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		p.fatalf("attribute %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// url is the address of the page.
func (p *persona) url() string {
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return u
}

// path is the path of the page's address.
func (p *persona) path() string {
	p.t.Helper()
	u, err := url.Parse(p.url())
	if err != nil {
		p.fatalf("page address: %v", err)
	}
	return u.Path
}

// wantPath fails unless the page is at path.
func (p *persona) wantPath(path string) {
	p.t.Helper()
	if got := p.path(); got != path {
		p.fatalf("on %s, want %s (page says: %.300q)", got, path, p.text("main"))
	}
}

// wantStatus fails unless got is want.
func (p *persona) wantStatus(what string, got, want int) {
	p.t.Helper()
	if got != want {
		p.errorf("%s: HTTP status %d, want %d", what, got, want)
	}
}

// wantText fails unless the element's text contains want.
func (p *persona) wantText(sel, want string) {
	p.t.Helper()
	if got := p.text(sel); !strings.Contains(got, want) {
		p.errorf("%s on %s: text %q, want it to contain %q", sel, p.path(), got, want)
	}
}

// login signs in through the login form and returns the final HTTP status.
func (p *persona) login(email, password string) int {
	p.t.Helper()
	p.wantStatus("GET /login", p.open("/login"), 200)
	p.fill("email", email)
	p.fill("password", password)
	return p.click(`main form[action="/login"] button[type="submit"]`)
}

// logout presses the logout button in the header.
func (p *persona) logout() {
	p.t.Helper()
	p.wantStatus("logout", p.click(`header form[action="/logout"] button`), 200)
	p.wantPath("/")
}

// audit runs axe-core on the current page; see audit.
func (p *persona) audit(when string) {
	p.t.Helper()
	if p.jsOff {
		// axe-core is a script: let it run on the page as rendered without one.
		p.setScripts(true)
		defer p.setScripts(false)
	}
	if audit(p.t, p.ctx, p.name+", "+when) {
		p.b.audits++
	}
	p.screenshot()
}

// screenshot saves the page as a PNG in $E2E_SCREENSHOTS, when it is set, so
// a person can look at what the journeys saw.
func (p *persona) screenshot() {
	p.t.Helper()
	dir := os.Getenv("E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.errorf("screenshot: %v", err)
		return
	}
	p.b.shots++
	clean := strings.NewReplacer("/", "_", " ", "_", ",", "", "@", "_at_")
	name := fmt.Sprintf("%s-%02d-%s.png", clean.Replace(p.t.Name()), p.b.shots, clean.Replace(p.name))
	if err := os.MkdirAll(dir, 0o755); err == nil {
		err = os.WriteFile(filepath.Join(dir, name), png, 0o644)
	}
	if err != nil {
		p.errorf("screenshot: %v", err)
	}
}

var axeScript = sync.OnceValues(func() (string, error) {
	path := os.Getenv("AXE_JS")
	if path == "" {
		return "", errors.New("AXE_JS is not set (run `make axe`, then AXE_JS=$PWD/.cache/axe/node_modules/axe-core/axe.min.js)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("AXE_JS: %w (run `make axe`)", err)
	}
	return string(b), nil
})

var axeWarned sync.Map // test name → already warned

type axeViolation struct {
	ID, Impact, Help, HelpURL string
	Nodes                     []struct{ Target, HTML, Summary string }
	Count                     int
}

const axeRun = `(async () => {
	const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
	return r.violations.map(v => ({
		ID: v.id, Impact: v.impact || '', Help: v.help, HelpURL: v.helpUrl, Count: v.nodes.length,
		Nodes: v.nodes.slice(0, 4).map(n => ({
			Target: n.target.map(x => Array.isArray(x) ? x.join(' >>> ') : String(x)).join(', '),
			HTML: n.html, Summary: n.failureSummary || ''})),
	}));
})()`

// audit runs axe-core (WCAG 2.0–2.2 A and AA rules) on the page of ctx and
// fails the test, without stopping it, for each violation. Without axe-core it
// fails in CI, and elsewhere warns once and skips only the audit.
func audit(t testing.TB, ctx context.Context, where string) (ran bool) {
	t.Helper()
	src, err := axeScript()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core audit impossible: %v", err)
		}
		if _, warned := axeWarned.LoadOrStore(t.Name(), true); !warned {
			t.Logf("WARNING: no accessibility audit in this test: %v", err)
		}
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, auditTimeout)
	defer cancel()
	page, _ := chromedp.Run(ctx, chromedp.Location())
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== 'undefined'`))
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src))
	}
	if err != nil {
		t.Fatalf("axe-core: inject on %s (%s): %v", page, where, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core: run on %s (%s): %v", page, where, err)
	}
	if len(vs) == 0 {
		return true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "axe-core: %d violation(s) on %s (%s):", len(vs), page, where)
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  - %s [%s] %s (%s)", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n      at %s: %s", n.Target, n.HTML)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n        %s", strings.ReplaceAll(n.Summary, "\n", "\n        "))
			}
		}
		if v.Count > len(v.Nodes) {
			fmt.Fprintf(&b, "\n      … and %d more", v.Count-len(v.Nodes))
		}
	}
	t.Error(b.String())
	return true
}
