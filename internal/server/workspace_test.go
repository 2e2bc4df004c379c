package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestWorkspaceAccess walks the workspace routes of the platform for every kind
// of visitor. A refused read is 404, a refused write 403, anonymous → login.
func TestWorkspaceAccess(t *testing.T) {
	a := newApp(t, true)
	type want map[string]int // persona → status
	routes := []struct {
		method, path string
		form         []string
		want         want
	}{
		{"GET", "/w/demo/", nil, want{"admin": 200, "coach": 200, "coachee": 200, "sponsor": 200, "other": 404, "anon": 303}},
		{"GET", "/w/demo/members", nil, want{"admin": 200, "coach": 200, "coachee": 404, "sponsor": 404, "other": 404, "anon": 303}},
		{"GET", "/w/demo/orgs", nil, want{"admin": 200, "coach": 404, "coachee": 404, "sponsor": 404, "other": 404, "anon": 303}},
		{"POST", "/w/demo/orgs", []string{"name", ""}, want{"admin": 422, "coach": 403, "coachee": 403, "sponsor": 403, "other": 404, "anon": 401}},
		{"POST", "/w/demo/invitations", []string{"email", "", "role", "coachee"}, want{"admin": 422, "coach": 422, "coachee": 403, "sponsor": 403, "other": 404, "anon": 401}},
		{"POST", "/w/demo/invitations", []string{"email", "x@y.test", "role", "admin"}, want{"admin": 303, "coach": 403}},
		{"GET", "/w/autre/", nil, want{"admin": 404, "coach": 404, "other": 200}},
		{"GET", "/w/nowhere/", nil, want{"admin": 404, "anon": 303}},
	}
	personas := map[string]string{"admin": "admin@demo.test", "coach": "coach@demo.test", "coachee": "coachee@demo.test", "sponsor": "sponsor@demo.test", "other": "coach@autre.test", "anon": ""}
	clients := map[string]*client{}
	for p, email := range personas {
		clients[p] = a.client()
		if email != "" {
			clients[p].login(email)
		}
	}
	for _, rt := range routes {
		for p, status := range rt.want {
			c := clients[p]
			var r resp
			if rt.method == "GET" {
				r = c.get(rt.path)
			} else {
				r = c.post(rt.path, rt.form...)
			}
			if r.status != status {
				t.Errorf("%s %s as %s: %d, want %d", rt.method, rt.path, p, r.status, status)
			}
			if status == 404 && !strings.Contains(r.body, "Page introuvable") {
				t.Errorf("%s %s as %s: 404 without the not-found page", rt.method, rt.path, p)
			}
		}
	}
}

func TestInvitation(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	admin := a.client()
	admin.login("admin@demo.test")

	r := admin.post("/w/demo/invitations", "email", "Nouvelle.Coachee@Client.test", "name", "Nouvelle", "role", "coachee")
	if r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	contains(t, admin.get("/w/demo/members"), "nouvelle.coachee@client.test", "Invitation envoyée.")
	r = admin.post("/w/demo/invitations", "email", "coach@demo.test", "role", "coach")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "déjà membre") {
		t.Fatalf("inviting a member: %d", r.status)
	}

	var link string
	link = a.mail("nouvelle.coachee@client.test", "").Link
	path := link[strings.Index(link, "/w/demo/join/"):]
	guest := a.client()
	page := guest.get(path)
	contains(t, page, "Rejoindre Cabinet Démo", "nouvelle.coachee@client.test", `value="Nouvelle"`)
	if r := guest.post(path, "name", "Nouvelle", "password", "court"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", r.status)
	}
	if r := guest.post(path, "name", "Nouvelle Coachée", "password", "mot-de-passe-solide"); r.status != http.StatusSeeOther || r.location != "/w/demo/" {
		t.Fatalf("accept: %d %q", r.status, r.location)
	}
	contains(t, guest.get("/w/demo/"), "Nouvelle Coachée", "Coaché")
	if r := a.client().get(path); r.status != http.StatusNotFound {
		t.Fatalf("second use of the link: %d, want 404", r.status)
	}

	// An existing account joins with one click once signed in.
	admin.post("/w/demo/invitations", "email", "coach@autre.test", "role", "coach")
	link = a.mail("coach@autre.test", "").Link
	path = link[strings.Index(link, "/w/demo/join/"):]
	other := a.client()
	contains(t, other.get(path), "connectez-vous")
	if r := other.post(path); r.status != http.StatusForbidden {
		t.Fatalf("accepting without signing in: %d", r.status)
	}
	other.login("coach@autre.test")
	if r := other.post(path); r.status != http.StatusSeeOther {
		t.Fatalf("one-click join: %d", r.status)
	}
	contains(t, other.get("/w/demo/"), "Cabinet Démo", "Changer d&#39;espace")

	// An expired invitation is refused.
	admin.post("/w/demo/invitations", "email", "tard@client.test", "role", "sponsor")
	a.env.Super.Exec(ctx, `UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = 'tard@client.test'`)
	link = a.mail("tard@client.test", "").Link
	if r := a.client().get(link[strings.Index(link, "/w/demo/join/"):]); r.status != http.StatusNotFound {
		t.Fatalf("expired invitation: %d", r.status)
	}

	// A coach may invite coachees and sponsors, not admins.
	coach := a.client()
	coach.login("coach@demo.test")
	if r := coach.post("/w/demo/invitations", "email", "s@client.test", "role", "sponsor"); r.status != http.StatusSeeOther {
		t.Fatalf("coach invites sponsor: %d", r.status)
	}
}

func TestClientOrgs(t *testing.T) {
	a := newApp(t, true)
	admin := a.client()
	admin.login("admin@demo.test")
	if r := admin.post("/w/demo/orgs", "name", "Banque Exemple"); r.status != http.StatusSeeOther {
		t.Fatalf("add org: %d", r.status)
	}
	r := admin.post("/w/demo/orgs", "name", "Banque Exemple")
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "porte déjà ce nom") || !strings.Contains(r.body, `value="Banque Exemple"`) {
		t.Fatalf("duplicate org: %d", r.status)
	}
	contains(t, admin.get("/w/demo/orgs"), "Banque Exemple", "Industries Horizon")
}

func TestPlatformHTTP(t *testing.T) {
	a := newApp(t, false)
	c := a.client()
	t.Run("SecurityHeaders", func(t *testing.T) {
		r := c.get("/login")
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "same-origin",
		} {
			if !strings.Contains(r.header.Get(h), want) {
				t.Errorf("%s = %q, want %q", h, r.header.Get(h), want)
			}
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Error("CSP lacks frame-ancestors 'none'")
		}
		// The one script is a file of the site: no inline code, no eval.
		if csp := r.header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe") {
			t.Errorf("CSP relaxed: %q", csp)
		}
		if !strings.Contains(r.body, `<script src="/static/app.js?v=`) || strings.Contains(r.body, "<script>") {
			t.Error("the page does not load its one script file, or has inline code")
		}
	})
	t.Run("CrossOriginPostRefused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", a.srv.URL+"/login", strings.NewReader("email=a@b.c&password=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := c.do(req); r.status != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d, want 403", r.status)
		}
	})
	t.Run("BodyLimit", func(t *testing.T) {
		r := c.post("/login", "email", strings.Repeat("a", 2<<20), "password", "x")
		if r.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("2 MiB form: %d, want 413", r.status)
		}
	})
	t.Run("Health", func(t *testing.T) {
		if r := c.get("/healthz"); r.status != 200 {
			t.Fatalf("healthz %d", r.status)
		}
		if r := c.get("/readyz"); r.status != 200 {
			t.Fatalf("readyz %d", r.status)
		}
	})
	t.Run("StaticCached", func(t *testing.T) {
		page := c.get("/login").body
		i := strings.Index(page, "/static/app.css?v=")
		href := page[i : i+strings.Index(page[i:], `"`)]
		r := c.get(href)
		if r.status != 200 || !strings.Contains(r.header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(r.header.Get("Content-Type"), "text/css") {
			t.Fatalf("stylesheet: %d %q %q", r.status, r.header.Get("Cache-Control"), r.header.Get("Content-Type"))
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		r := c.get("/nope")
		if r.status != 404 || !strings.Contains(r.body, "Page introuvable") {
			t.Fatalf("unknown path: %d", r.status)
		}
	})
	t.Run("Language", func(t *testing.T) {
		req, _ := http.NewRequest("GET", a.srv.URL+"/login", nil)
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		r := c.do(req)
		if !strings.Contains(r.body, `<html lang="en">`) || !strings.Contains(r.body, "Log in") {
			t.Fatal("Accept-Language en not honoured")
		}
		if r := c.get("/login"); !strings.Contains(r.body, `<html lang="fr">`) {
			t.Fatal("French is not the default")
		}
		c.post("/lang", "lang", "en", "next", "/login")
		if r := c.get("/login"); !strings.Contains(r.body, `<html lang="en">`) {
			t.Fatal("language switch not kept")
		}
	})
}
