package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"triade/internal/demo"
)

func TestLogin(t *testing.T) {
	a := newApp(t, true)

	t.Run("SameErrorForUnknownEmailAndWrongPassword", func(t *testing.T) {
		c := a.client()
		unknown := c.post("/login", "email", "nobody@demo.test", "password", "whatever-123")
		wrong := c.post("/login", "email", "coach@demo.test", "password", "wrong-password")
		if unknown.status != http.StatusUnauthorized || wrong.status != http.StatusUnauthorized {
			t.Fatalf("statuses %d, %d; want 401 both", unknown.status, wrong.status)
		}
		contains(t, unknown, "Adresse e-mail ou mot de passe incorrect.", `value="nobody@demo.test"`)
		contains(t, wrong, "Adresse e-mail ou mot de passe incorrect.")
	})

	t.Run("RenewsTokenAndSetsSafeCookie", func(t *testing.T) {
		c := a.client()
		c.get("/login")
		c.post("/lang", "lang", "fr", "next", "/") // may create a session
		before := c.cookie("triade_session")
		r := c.post("/login", "email", "Coach@Demo.test ", "password", demo.Password)
		if r.status != http.StatusSeeOther || r.location != "/w/demo/" {
			t.Fatalf("login: %d → %q", r.status, r.location)
		}
		after := c.cookie("triade_session")
		if after == "" || after == before {
			t.Fatalf("session token not renewed at login (%q → %q)", before, after)
		}
		sc := r.header.Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax"} {
			if !strings.Contains(sc, want) {
				t.Errorf("cookie %q lacks %s", sc, want)
			}
		}
		if strings.Contains(sc, "Secure") {
			t.Errorf("cookie over plain http should not be Secure: %q", sc)
		}
		if got := c.get("/w/demo/"); got.status != http.StatusOK {
			t.Fatalf("dashboard after login: %d", got.status)
		}
		r = c.post("/logout")
		if r.status != http.StatusSeeOther || c.cookie("triade_session") == after {
			t.Fatalf("logout: %d, token kept", r.status)
		}
		if got := c.get("/w/demo/"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, "/login?next=") {
			t.Fatalf("after logout the workspace should send to login, got %d %q", got.status, got.location)
		}
	})

	t.Run("RateLimitedPerAccount", func(t *testing.T) {
		c := a.client()
		for i := 0; i < 5; i++ {
			c.post("/login", "email", "sponsor@demo.test", "password", "bad-password-x")
		}
		r := c.post("/login", "email", "sponsor@demo.test", "password", demo.Password)
		if r.status != http.StatusTooManyRequests {
			t.Fatalf("6th attempt on one account: %d, want 429", r.status)
		}
		contains(t, r, "Trop de tentatives")
		// Another account from the same address is not blocked by this one.
		if r := c.post("/login", "email", "coachee@demo.test", "password", demo.Password); r.status != http.StatusSeeOther {
			t.Fatalf("other account: %d", r.status)
		}
	})

	t.Run("NextStaysOnSite", func(t *testing.T) {
		c := a.client()
		r := c.post("/login", "email", "admin@demo.test", "password", demo.Password, "next", "//evil.example/x")
		if r.location != "/w/demo/" {
			t.Fatalf("redirected to %q", r.location)
		}
	})
}

func TestSignup(t *testing.T) {
	a := newApp(t, true)
	c := a.client()

	r := c.post("/signup", "workspace", "", "name", "Jeanne", "email", "pas-une-adresse", "password", "court")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid sign-up: %d", r.status)
	}
	contains(t, r, `id="e-workspace"`, `id="e-email"`, `id="e-password"`, `value="Jeanne"`, `value="pas-une-adresse"`)
	var users int
	a.env.Super.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE name = 'Jeanne'`).Scan(&users)
	if users != 0 {
		t.Fatal("a refused sign-up stored an account")
	}

	r = c.post("/signup", "workspace", "Cabinet Démo", "slug", "demo", "name", "Jeanne", "email", "jeanne@essai.test", "password", "un-long-mot-de-passe")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("taken slug: %d", r.status)
	}
	contains(t, r, "Cette adresse est déjà prise.")
	a.env.Super.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email = 'jeanne@essai.test'`).Scan(&users)
	if users != 0 {
		t.Fatal("the account was stored although the workspace was refused (not all-or-nothing)")
	}

	r = c.post("/signup", "workspace", "Cabinet Été", "name", "Jeanne", "email", "jeanne@essai.test", "password", "un-long-mot-de-passe")
	if r.status != http.StatusSeeOther || r.location != "/w/cabinet-ete/" {
		t.Fatalf("sign-up: %d → %q", r.status, r.location)
	}
	page := c.get("/w/cabinet-ete/")
	contains(t, page, "Cabinet Été", "Votre espace est prêt.", "Administrateur")

	r = a.client().post("/signup", "workspace", "Second", "name", "X", "email", "coach@demo.test", "password", "un-long-mot-de-passe")
	contains(t, r, "Un compte existe déjà pour cette adresse")

	// A signed-in person creates a second workspace and gets the switcher.
	r = c.post("/signup", "workspace", "Deuxième cabinet", "slug", "deuxieme")
	if r.status != http.StatusSeeOther {
		t.Fatalf("second workspace: %d %s", r.status, r.body)
	}
	contains(t, c.get("/w/deuxieme/"), "Changer d&#39;espace", "/w/cabinet-ete/")
}

func TestPasswordReset(t *testing.T) {
	a := newApp(t, true)
	c := a.client()
	ctx := context.Background()

	r := c.post("/password/forgot", "email", "inconnu@demo.test")
	if r.status != http.StatusOK {
		t.Fatalf("unknown address: %d", r.status)
	}
	known := c.post("/password/forgot", "email", "coachee@demo.test")
	if known.body != strings.Replace(r.body, "inconnu@demo.test", "coachee@demo.test", -1) && !strings.Contains(known.body, "Si un compte existe") {
		t.Fatalf("answers differ for known and unknown addresses")
	}
	var link string
	var n int
	a.env.Super.QueryRow(ctx, `SELECT link, count(*) OVER () FROM outbox WHERE to_addr = 'coachee@demo.test' AND link LIKE '%/password/reset/%' ORDER BY id DESC LIMIT 1`).Scan(&link, &n)
	if n != 1 || !strings.Contains(link, "/password/reset/") {
		t.Fatalf("reset mail: %d mails, link %q", n, link)
	}
	var jobs int
	a.env.Super.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'send_mail'`).Scan(&jobs)
	if jobs < 1 {
		t.Fatal("no delivery job queued with the e-mail")
	}
	path := link[strings.Index(link, "/password/reset/"):]
	if r := c.get(path); r.status != http.StatusOK {
		t.Fatalf("reset form: %d", r.status)
	}
	if r := c.post(path, "password", "court"); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", r.status)
	}
	if r := c.post(path, "password", "nouveau-mot-de-passe"); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.status)
	}
	if r := c.get(path); r.status != http.StatusNotFound {
		t.Fatalf("used link: %d, want 404", r.status)
	}
	c2 := a.client()
	if r := c2.post("/login", "email", "coachee@demo.test", "password", "nouveau-mot-de-passe"); r.status != http.StatusSeeOther {
		t.Fatalf("login with new password: %d", r.status)
	}

	// An hour later the link is dead.
	c.post("/password/forgot", "email", "sponsor@demo.test")
	a.env.Super.QueryRow(ctx, `SELECT link FROM outbox WHERE to_addr = 'sponsor@demo.test' AND link LIKE '%/password/reset/%'`).Scan(&link)
	a.env.Super.Exec(ctx, `UPDATE password_resets SET expires_at = now() - interval '1 second'`)
	if r := c.get(link[strings.Index(link, "/password/reset/"):]); r.status != http.StatusNotFound {
		t.Fatalf("expired link: %d", r.status)
	}
}
