package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"triade/internal/demo"
	"triade/internal/testenv"
)

// TestProgrammePages: the programme of an organisation of 30 engagements, its
// printable report, the settings page with k, and the demo sponsor's way to
// her organisation's programme from the dashboard, each audited with
// axe-core.
func TestProgrammePages(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	p := testenv.BuildProgramme(t, env, 30)
	base := "/w/" + p.Slug + "/orgs/" + p.OrgID + "/programme"

	hr := b.persona("hr")
	hr.wantStatus("login", hr.login("hr@"+p.Slug+".test", testenv.ProgrammePassword), 200)
	hr.wantStatus("GET programme", hr.open(base), 200)
	hr.wantText("main h1", "Programme de coaching — Acme")
	hr.audit("programme of 30")
	hr.wantStatus("GET print", hr.open(base+"/print"), 200)
	hr.wantText(".lh-name", "Cabinet Programme")
	hr.audit("printable programme")
	hr.wantStatus("GET programme", hr.open(base), 200)
	hr.wantStatus("PDF link", len(hr.attrs(`main a[href$="/programme.pdf"]`, "href")), 1)

	// The same report as a PDF, from the browser's engine.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	form := url.Values{"email": {"hr@" + p.Slug + ".test"}, "password": {testenv.ProgrammePassword}}
	if res, err := c.PostForm(b.base+"/login", form); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", res, err)
	}
	res, err := c.Get(b.base + base + ".pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("GET %s.pdf: %d %s, %d bytes", base, res.StatusCode, res.Header.Get("Content-Type"), len(pdf))
	}

	sp := b.persona("sponsor@demo.test")
	sp.wantStatus("login", sp.login("sponsor@demo.test", demo.Password), 200)
	sp.wantStatus("programme from the dashboard", sp.click(`main a[href$="/programme"]`), 200)
	sp.wantText("main h1", "Programme de coaching — Industries Horizon")
	sp.audit("demo programme")

	ad := b.persona("admin@demo.test")
	ad.wantStatus("login", ad.login("admin@demo.test", demo.Password), 200)
	ad.wantStatus("GET settings", ad.open("/w/demo/settings"), 200)
	ad.audit("settings with k")
	ad.wantStatus("GET orgs", ad.open("/w/demo/orgs"), 200)
	ad.audit("organisations with their programme")
}
