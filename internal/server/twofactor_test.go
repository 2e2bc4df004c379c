package server_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"triade/internal/demo"
	"triade/internal/store"
)

var (
	totpSecret   = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`)
	recoveryCode = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)
)

// enrol turns two-factor sign-in on for a signed-in client and returns the
// secret and the recovery codes.
func enrol(t *testing.T, c *client) (string, []string) {
	t.Helper()
	page := c.get("/account/2fa")
	contains(t, page, `src="data:image/png;base64,`, `autocomplete="one-time-code"`)
	m := totpSecret.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", page.body)
	}
	secret := m[1]
	if again := totpSecret.FindStringSubmatch(c.get("/account/2fa").body); again == nil || again[1] != secret {
		t.Fatal("reloading the enrolment page changed the secret")
	}
	if r := c.post("/account/2fa", "code", "000000"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="e-code"`) {
		t.Fatalf("wrong first code: %d", r.status)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	r := c.post("/account/2fa", "code", code)
	if r.status != http.StatusOK {
		t.Fatalf("enrol: %d %s", r.status, r.body)
	}
	var codes []string
	for _, m := range recoveryCode.FindAllStringSubmatch(r.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != store.RecoveryCodes {
		t.Fatalf("%d recovery codes shown, want %d", len(codes), store.RecoveryCodes)
	}
	contains(t, c.get("/account/2fa"), "Codes de secours restants : 10.")
	return secret, codes
}

// signInHalf enters the password and expects the code step.
func signInHalf(t *testing.T, c *client, email string) {
	t.Helper()
	r := c.post("/login", "email", email, "password", demo.Password)
	if r.status != http.StatusSeeOther || r.location != "/login/code" {
		t.Fatalf("password step: %d → %q", r.status, r.location)
	}
	if r := c.get("/account"); r.status != http.StatusSeeOther {
		t.Fatalf("signed in before the code: /account %d", r.status)
	}
}

// TestTwoFactor: enrolment with a first code, sign-in asks for the code after
// the password, a wrong or replayed code is refused, a recovery code works
// once, a password reset keeps the second factor, and nothing of it is
// readable by the request role.
func TestTwoFactor(t *testing.T) {
	a := newApp(t, true)
	me := a.client()
	me.login("coach@demo.test")
	secret, codes := enrol(t, me)

	c := a.client()
	signInHalf(t, c, "coach@demo.test")
	contains(t, c.get("/login/code"), `id="f-code"`)
	if r := c.post("/login/code", "code", "123456"); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", r.status)
	}
	enrolCode, _ := totp.GenerateCode(secret, time.Now())
	if r := c.post("/login/code", "code", enrolCode); r.status != http.StatusUnauthorized {
		t.Errorf("the code used to enrol was accepted again: %d", r.status)
	}
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if r := c.post("/login/code", "code", next); r.status != http.StatusSeeOther {
		t.Fatalf("right code: %d", r.status)
	}
	if r := c.get("/account"); r.status != http.StatusOK {
		t.Fatalf("signed in after the code: /account %d", r.status)
	}
	if r := a.client().post("/login/code", "code", next); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login?") {
		t.Errorf("a code without the password step: %d → %q", r.status, r.location)
	}

	// A recovery code, once.
	rc := a.client()
	signInHalf(t, rc, "coach@demo.test")
	if r := rc.post("/login/code", "code", strings.ToUpper(codes[3])); r.status != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", r.status)
	}
	again := a.client()
	signInHalf(t, again, "coach@demo.test")
	if r := again.post("/login/code", "code", codes[3]); r.status != http.StatusUnauthorized {
		t.Errorf("a spent recovery code: %d", r.status)
	}

	// A password reset does not remove the second factor, and ends the
	// sessions halfway through signing in too.
	half := a.client()
	signInHalf(t, half, "coach@demo.test")
	owner := a.client()
	owner.post("/password/forgot", "email", "coach@demo.test")
	link := linkPath(a.mail("coach@demo.test", "/password/reset/").Link)
	if r := owner.post(link, "password", "nouveau-mot-de-passe"); r.status != http.StatusSeeOther || r.location != "/login/code" {
		t.Fatalf("reset with a second factor: %d → %q", r.status, r.location)
	}
	if r := owner.get("/account"); r.status != http.StatusSeeOther {
		t.Error("a reset signed in without the second factor")
	}
	if r := owner.post("/login/code", "code", codes[4]); r.status != http.StatusSeeOther {
		t.Errorf("code after the reset: %d", r.status)
	}
	if r := half.post("/login/code", "code", codes[5]); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login?") {
		t.Errorf("a half-signed-in session survived the reset: %d → %q", r.status, r.location)
	}

	// The request role reads neither the secret nor a recovery code.
	dump, _ := dumpAsRequestRole(t, a, store.Scope{UserID: a.sqlStr(`SELECT id::text FROM users WHERE email = 'coach@demo.test'`)})
	for tbl, text := range dump {
		for _, s := range append([]string{secret}, codes...) {
			if strings.Contains(text, s) || strings.Contains(html.UnescapeString(text), s) {
				t.Errorf("%s holds the secret or a recovery code %q", tbl, s)
			}
		}
	}
}

// TestWorkspaceRequiresTwoFactor: once an admin requires it, a member without
// a second factor is sent to enrol before reaching the workspace, then back.
func TestWorkspaceRequiresTwoFactor(t *testing.T) {
	a := newApp(t, true)
	admin := a.client()
	admin.login("admin@demo.test")
	contains(t, admin.get("/w/demo/settings"), `action="/w/demo/settings/2fa"`)
	if r := admin.post("/w/demo/settings/2fa", "require", "on"); r.status != http.StatusSeeOther {
		t.Fatalf("require: %d", r.status)
	}
	coachee := a.client()
	coachee.login("coachee@demo.test")
	r := coachee.get("/w/demo/")
	if r.status != http.StatusSeeOther || r.location != "/account/2fa?next=%2Fw%2Fdemo%2F" {
		t.Fatalf("member without a second factor: %d → %q", r.status, r.location)
	}
	if r := coachee.get("/w/autre/"); r.status != http.StatusNotFound {
		t.Errorf("another workspace: %d", r.status)
	}
	page := coachee.get(r.location)
	secret := totpSecret.FindStringSubmatch(page.body)[1]
	code, _ := totp.GenerateCode(secret, time.Now())
	done := coachee.post("/account/2fa", "code", code, "next", "/w/demo/")
	contains(t, done, `href="/w/demo/"`)
	if r := coachee.get("/w/demo/"); r.status != http.StatusOK {
		t.Errorf("after enrolling: %d", r.status)
	}
	// The other workspace of a person is not affected.
	other := a.client()
	other.login("coach@autre.test")
	if r := other.get("/w/autre/"); r.status != http.StatusOK {
		t.Errorf("a workspace that does not require it: %d", r.status)
	}
}
