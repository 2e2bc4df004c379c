package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"triade/internal/demo"
	"triade/internal/password"
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

	r = c.post("/signup", "workspace", "Cabinet Démo", "slug", "demo", "name", "Jeanne", "email", "jeanne@essai.test", "password", "un-long-mot-de-passe", "practice", "firm")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("taken slug: %d", r.status)
	}
	contains(t, r, "Cette adresse est déjà prise.")
	a.env.Super.QueryRow(context.Background(), `SELECT count(*) FROM users WHERE email = 'jeanne@essai.test'`).Scan(&users)
	if users != 0 {
		t.Fatal("the account was stored although the workspace was refused (not all-or-nothing)")
	}

	r = c.post("/signup", "workspace", "Cabinet Été", "name", "Jeanne", "email", "jeanne@essai.test", "password", "un-long-mot-de-passe", "practice", "firm")
	if r.status != http.StatusOK {
		t.Fatalf("sign-up: %d", r.status)
	}
	contains(t, r, "Vérifiez votre messagerie")
	if r = c.followSignup("jeanne@essai.test"); r.location != "/w/cabinet-ete/" {
		t.Fatalf("sign-up confirmed → %q", r.location)
	}
	page := c.get("/w/cabinet-ete/")
	contains(t, page, "Cabinet Été", "Votre espace est prêt.", "Administrateur")

	// A signed-in person creates a second workspace and gets the switcher.
	r = c.post("/signup", "workspace", "Deuxième cabinet", "slug", "deuxieme", "practice", "solo")
	if r.status != http.StatusSeeOther {
		t.Fatalf("second workspace: %d %s", r.status, r.body)
	}
	contains(t, c.get("/w/deuxieme/"), "Changer d&#39;espace", "/w/cabinet-ete/")
}

// followSignup opens the newest sign-up confirmation sent to addr and confirms it.
func (c *client) followSignup(addr string) resp {
	c.a.t.Helper()
	link := linkPath(c.a.mail(addr, "/signup/confirm/").Link)
	if r := c.get(link); r.status != http.StatusOK || !strings.Contains(r.body, `method="post"`) {
		c.a.t.Fatalf("confirmation page: %d", r.status)
	}
	r := c.post(link)
	if r.status != http.StatusSeeOther {
		c.a.t.Fatalf("confirming the sign-up: %d %s", r.status, r.body)
	}
	return r
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
	resets := a.mails("coachee@demo.test", "/password/reset/")
	n := len(resets)
	var link string
	if n > 0 {
		link = resets[0].Link
	}
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
	link = a.mail("sponsor@demo.test", "/password/reset/").Link
	a.env.Super.Exec(ctx, `UPDATE password_resets SET expires_at = now() - interval '1 second'`)
	if r := c.get(link[strings.Index(link, "/password/reset/"):]); r.status != http.StatusNotFound {
		t.Fatalf("expired link: %d", r.status)
	}
}

// TestSignupDoesNotRevealAccounts: signing up with an address that has an
// account answers exactly as with a new one; the owner of the address is told
// by e-mail. Nothing exists until the new address confirms, and a confirmation
// link works once.
func TestSignupDoesNotRevealAccounts(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	known := a.client().post("/signup", "workspace", "Espace A", "slug", "espace-a", "name", "X", "email", "coach@demo.test", "password", "un-long-mot-de-passe", "practice", "solo")
	fresh := a.client().post("/signup", "workspace", "Espace A", "slug", "espace-a", "name", "X", "email", "neuve@essai.test", "password", "un-long-mot-de-passe", "practice", "solo")
	if known.status != http.StatusOK || known.status != fresh.status || known.body != fresh.body {
		t.Fatalf("sign-up answers differ: %d and %d\n%s\n---\n%s", known.status, fresh.status, known.body, fresh.body)
	}
	contains(t, fresh, "Vérifiez votre messagerie")
	var n int
	a.env.Super.QueryRow(ctx, `SELECT count(*) FROM workspaces WHERE slug = 'espace-a'`).Scan(&n)
	a.env.Super.QueryRow(ctx, `SELECT count(*) + $1 FROM users WHERE email = 'neuve@essai.test'`, n).Scan(&n)
	if n != 0 {
		t.Fatal("sign-up stored something before the address was confirmed")
	}
	m := a.mail("coach@demo.test", "/login")
	if !strings.Contains(m.Body, "déjà un compte") {
		t.Errorf("the account's owner is not told of the attempt: %q", m.Body)
	}
	if len(a.mails("coach@demo.test", "/signup/confirm/")) != 0 {
		t.Error("an address with an account received a sign-up link")
	}

	c := a.client()
	link := linkPath(a.mail("neuve@essai.test", "/signup/confirm/").Link)
	if r := c.followSignup("neuve@essai.test"); r.location != "/w/espace-a/" {
		t.Fatalf("confirmed sign-up → %q", r.location)
	}
	contains(t, c.get("/w/espace-a/"), "Espace A")
	if r := a.client().post(link); r.status != http.StatusNotFound {
		t.Errorf("second use of the confirmation link: %d, want 404", r.status)
	}
	if r := a.client().get(link[:len(link)-4] + "AAAA"); r.status != http.StatusNotFound {
		t.Errorf("altered confirmation link: %d, want 404", r.status)
	}
	// An hour later the link is dead.
	a.client().post("/signup", "workspace", "Espace B", "slug", "espace-b", "name", "Y", "email", "tardive@essai.test", "password", "un-long-mot-de-passe", "practice", "solo")
	late := linkPath(a.mail("tardive@essai.test", "/signup/confirm/").Link)
	a.env.Store.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
	if r := a.client().get(late); r.status != http.StatusNotFound {
		t.Errorf("expired confirmation link: %d, want 404", r.status)
	}
}

// TestPasswordResetEndsSessions: using a reset link signs out every session of
// the person and voids their other reset links.
func TestPasswordResetEndsSessions(t *testing.T) {
	a := newApp(t, true)
	thief := a.client()
	thief.login("coachee@demo.test")
	if r := thief.get("/account"); r.status != http.StatusOK {
		t.Fatalf("account: %d", r.status)
	}
	owner := a.client()
	owner.post("/password/forgot", "email", "coachee@demo.test")
	first := linkPath(a.mail("coachee@demo.test", "/password/reset/").Link)
	owner.post("/password/forgot", "email", "coachee@demo.test")
	second := linkPath(a.mail("coachee@demo.test", "/password/reset/").Link)
	if first == second {
		t.Fatal("two requests gave the same link")
	}
	if r := owner.get(first); r.status != http.StatusNotFound {
		t.Errorf("an older reset link still works after a newer one was sent: %d", r.status)
	}
	if r := owner.post(second, "password", "nouveau-mot-de-passe"); r.status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.status)
	}
	if r := thief.get("/account"); r.status != http.StatusSeeOther {
		t.Errorf("a session opened before the reset still works: %d", r.status)
	}
	if r := owner.get("/account"); r.status != http.StatusOK {
		t.Errorf("the reset's own new session: %d", r.status)
	}
}

// TestPasswordChange: on the account page, with the current password; the
// other sessions end, this one goes on; pending reset links stop working.
func TestPasswordChange(t *testing.T) {
	a := newApp(t, true)
	me, other := a.client(), a.client()
	me.login("coach@demo.test")
	other.login("coach@demo.test")
	a.client().post("/password/forgot", "email", "coach@demo.test")
	pending := linkPath(a.mail("coach@demo.test", "/password/reset/").Link)

	contains(t, me.get("/account"), `action="/account/password"`, `autocomplete="current-password"`)
	r := me.post("/account/password", "current_password", "pas-le-bon", "new_password", "court")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong current password: %d", r.status)
	}
	contains(t, r, `id="e-current_password"`, `id="e-new_password"`, "Ce n&#39;est pas votre mot de passe actuel.")
	if r := other.get("/account"); r.status != http.StatusOK {
		t.Fatalf("a refused change ended a session: %d", r.status)
	}
	if r := me.post("/account/password", "current_password", demo.Password, "new_password", "un-tout-nouveau-mot"); r.status != http.StatusSeeOther {
		t.Fatalf("change: %d", r.status)
	}
	contains(t, me.get("/account"), "Votre mot de passe a été changé.")
	if r := other.get("/account"); r.status != http.StatusSeeOther {
		t.Errorf("another session survived the change: %d", r.status)
	}
	if r := a.client().get(pending); r.status != http.StatusNotFound {
		t.Errorf("a reset link sent before the change still works: %d", r.status)
	}
	if r := a.client().post("/login", "email", "coach@demo.test", "password", demo.Password); r.status != http.StatusUnauthorized {
		t.Errorf("old password: %d", r.status)
	}
	if r := a.client().post("/login", "email", "coach@demo.test", "password", "un-tout-nouveau-mot"); r.status != http.StatusSeeOther {
		t.Errorf("new password: %d", r.status)
	}
}

// TestUnpepperedHashUpgraded: an account whose hash predates the server key's
// pepper still signs in, and its hash is replaced by a peppered one.
func TestUnpepperedHashUpgraded(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	old, err := password.Hash(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	a.env.Super.Exec(ctx, `UPDATE users SET password_hash = $1 WHERE email = 'sponsor@demo.test'`, old)
	a.client().login("sponsor@demo.test")
	var now string
	a.env.Super.QueryRow(ctx, `SELECT password_hash FROM users WHERE email = 'sponsor@demo.test'`).Scan(&now)
	if now == old || !strings.HasPrefix(now, "p1$argon2id$") {
		t.Fatalf("hash after sign-in: %q", now)
	}
	if ok, _ := argon2id.ComparePasswordAndHash(demo.Password, now[2:]); ok {
		t.Fatal("the new hash opens with the password alone")
	}
	a.client().login("sponsor@demo.test")
}

// TestForgotAnswersAfterAFloor: a reset request for a known address does a few
// more queries than for an unknown one; both answer no sooner than a fixed
// delay that covers that work, so that timing does not tell them apart.
func TestForgotAnswersAfterAFloor(t *testing.T) {
	a := newApp(t, true)
	c := a.client()
	for _, addr := range []string{"coachee@demo.test", "inconnu@demo.test"} {
		start := time.Now()
		if r := c.post("/password/forgot", "email", addr); r.status != http.StatusOK {
			t.Fatalf("forgot %s: %d", addr, r.status)
		}
		if d := time.Since(start); d < 55*time.Millisecond {
			t.Errorf("forgot %s answered in %v, under the floor: timing would tell known addresses from unknown ones", addr, d)
		}
	}
}
