package e2e

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"triade/internal/demo"
)

const (
	signupSubmit = `main form[action="/signup"] button[type="submit"]`
	loginSubmit  = `main form[action="/login"] button[type="submit"]`
)

// TestSignupLoginInviteJourney: a visitor creates a workspace, signs out and
// back in, invites a coach, who joins through the e-mailed single-use link.
func TestSignupLoginInviteJourney(t *testing.T) {
	_, b := setup(t)
	const pw = "un mot de passe solide"
	a := b.persona("admin")

	a.wantStatus("GET /signup", a.open("/signup"), 200)
	a.wantText("h1", "Créer un espace de travail")

	// An empty form comes back with an error beside each field.
	a.wantStatus("empty signup", a.click(signupSubmit), 422)
	a.wantText(".form-error", "Le formulaire n'a pas été enregistré")
	for _, f := range []string{"workspace", "slug", "name", "email", "password"} {
		if a.text("#e-"+f) == "" {
			a.errorf("empty signup: no error text beside %s", f)
		}
		if got := a.attr("#f-"+f, "aria-invalid"); got != "true" {
			a.errorf("empty signup: #f-%s aria-invalid=%q, want true", f, got)
		}
	}
	a.wantText("#e-email", "Saisissez une adresse e-mail valide")
	a.wantText("#e-password", "au moins 10 caractères")
	a.wantText("#e-practice", "coach indépendant ou pour un cabinet")

	// A partly filled form keeps what was typed (never the password).
	a.fill("name", "Alice Martin")
	a.fill("email", "admin.essai.test")
	a.fill("password", "court")
	a.wantStatus("partial signup", a.click(signupSubmit), 422)
	if got := a.value("name"); got != "Alice Martin" {
		a.errorf("partial signup: name field holds %q, want the typed %q", got, "Alice Martin")
	}
	if got := a.value("email"); got != "admin.essai.test" {
		a.errorf("partial signup: e-mail field holds %q, want the typed %q", got, "admin.essai.test")
	}
	if got := a.value("password"); got != "" {
		a.errorf("partial signup: the password came back in the page (%q)", got)
	}
	if got := a.texts("#e-name"); len(got) != 0 {
		a.errorf("partial signup: error beside the valid name: %q", got)
	}
	a.wantText("#e-email", "Saisissez une adresse e-mail valide")
	a.wantText("#e-password", "au moins 10 caractères")
	a.wantText("#e-workspace", "obligatoire")

	// Filled in properly, with the slug left empty: it is derived from the name.
	// A firm: its founder administers and invites the coaches.
	a.fill("workspace", "Cabinet Essai")
	a.tick("practice-firm")
	if got := a.value("slug"); got != "" {
		a.errorf("slug field holds %q before the final submit, want it empty", got)
	}
	a.fill("email", "admin@essai.test")
	a.fill("password", pw)
	// The address is confirmed by e-mail first: the page says the same for an
	// address that already has an account.
	a.wantStatus("signup", a.click(signupSubmit), 200)
	a.wantText("main h1", "Vérifiez votre messagerie")
	a.confirmSignup("admin@essai.test")
	a.wantPath("/w/cabinet-essai/")
	a.wantText("main h1", "Cabinet Essai")
	a.wantText("header .ws-name", "Cabinet Essai")
	a.wantText(".flash", "Votre espace est prêt.")
	a.wantText("header .badge", "Administrateur")

	a.logout()
	a.wantText("header .who", "Se connecter")

	// A wrong password and an unknown address get the same generic answer.
	a.wantStatus("login, wrong password", a.login("admin@essai.test", "pas le bon mot de passe"), 401)
	a.wantPath("/login")
	wrongPassword := a.text(".form-error")
	if !strings.Contains(wrongPassword, "Adresse e-mail ou mot de passe incorrect.") {
		a.errorf("wrong password: message %q, want the generic one", wrongPassword)
	}
	if got := a.value("email"); got != "admin@essai.test" {
		a.errorf("refused login: e-mail field holds %q, want it kept", got)
	}
	if got := a.value("password"); got != "" {
		a.errorf("refused login: the password came back in the page (%q)", got)
	}
	a.wantStatus("login, unknown e-mail", a.login("personne@essai.test", "pas le bon mot de passe"), 401)
	if unknown := a.text(".form-error"); unknown != wrongPassword {
		a.errorf("unknown e-mail says %q, wrong password says %q: they must not differ", unknown, wrongPassword)
	}
	a.wantStatus("login", a.login("admin@essai.test", pw), 200)
	a.wantPath("/w/cabinet-essai/")

	// Invite a coach from the members page.
	a.wantStatus("nav to members", a.click(`header nav a[href="/w/cabinet-essai/members"]`), 200)
	a.wantPath("/w/cabinet-essai/members")
	a.wantText("main h1", "Membres de l'espace")
	a.wantText("main table", "admin@essai.test")
	a.fill("email", "coach@essai.test")
	a.choose("role", "coach")
	a.wantStatus("invite", a.click(`main form[action="/w/cabinet-essai/invitations"] button[type="submit"]`), 200)
	a.wantPath("/w/cabinet-essai/members")
	a.wantText(".flash", "Invitation envoyée.")
	pending := strings.Join(a.texts("main h2 + table tbody tr"), "\n")
	if !strings.Contains(pending, "coach@essai.test") || !strings.Contains(pending, "Coach") {
		a.errorf("pending invitations %q: want coach@essai.test as Coach", pending)
	}

	// The developer outbox shows the e-mail and its link.
	a.wantStatus("GET /dev/mail", a.open("/dev/mail"), 200)
	link, err := chromedp.Run(a.ctx, chromedp.Evaluate[string](`(() => {
		for (const m of document.querySelectorAll('article.mail')) {
			const l = m.querySelector('a[href*="/join/"]');
			if (l && m.textContent.includes('coach@essai.test')) return l.href;
		}
		return '';
	})()`))
	if err != nil || link == "" {
		a.fatalf("no invitation link for coach@essai.test in /dev/mail (%v): %q", err, a.text("main"))
	}
	lu, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, b.base+"/w/cabinet-essai/join/") {
		a.fatalf("invitation link %q: want %s/w/cabinet-essai/join/<token>", link, b.base)
	}

	// The invited coach, in another browser context, takes the invitation up.
	c := b.persona("coach")
	c.wantStatus("open invitation", c.open(link), 200)
	c.wantText("main h1", "Rejoindre Cabinet Essai")
	c.wantText("main .lead", "coach@essai.test")
	c.wantText("main .lead", "Coach")
	joinSubmit := `main form[action="` + lu.Path + `"] button[type="submit"]`
	c.wantStatus("empty join", c.click(joinSubmit), 422)
	c.wantText("#e-name", "obligatoire")
	c.wantText("#e-password", "au moins 10 caractères")
	c.fill("name", "Chloé Coach")
	c.fill("password", pw)
	c.wantStatus("join", c.click(joinSubmit), 200)
	c.wantPath("/w/cabinet-essai/")
	c.wantText("header .badge", "Coach")
	c.wantText("header .who", "Chloé Coach")
	c.wantText(".flash", "Bienvenue dans l'espace.")
	if got, want := c.texts("header nav a"), []string{"Tableau de bord", "Accompagnements", "Membres", "Bibliothèque"}; !slices.Equal(got, want) {
		c.errorf("navigation %q, want %q", got, want)
	}

	// The link served once: neither the coach nor a stranger can use it again.
	c.wantStatus("reopen invitation", c.open(lu.Path), 404)
	c.wantText("main h1", "Lien invalide ou expiré")
	x := b.persona("stranger")
	x.wantStatus("reopen invitation", x.open(lu.Path), 404)
	x.wantText("main h1", "Lien invalide ou expiré")

	// The admin now sees the coach among the members, no longer invited.
	a.wantStatus("members", a.open("/w/cabinet-essai/members"), 200)
	a.wantText("main table", "coach@essai.test")
	if got := a.texts("main h2 + table"); len(got) != 0 {
		a.errorf("pending invitations still listed after the coach joined: %q", got)
	}
}

// TestDemoPersonas: each demo account sees its workspace, the navigation of
// its role, and nothing of the other workspace.
func TestDemoPersonas(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		email string
		nav   []string
	}{
		{"admin@demo.test", []string{"Tableau de bord", "Accompagnements", "Membres", "Bibliothèque", "Organisations clientes", "Activité", "Paramètres"}},
		{"coach@demo.test", []string{"Tableau de bord", "Accompagnements", "Membres", "Bibliothèque"}},
		{"coachee@demo.test", []string{"Tableau de bord", "Accompagnements"}},
		{"sponsor@demo.test", []string{"Tableau de bord", "Accompagnements"}},
	}
	for _, tc := range cases {
		p := b.persona(tc.email)
		p.wantStatus("login", p.login(tc.email, demo.Password), 200)
		p.wantPath("/w/demo/")
		p.wantText("main h1", "Cabinet Démo")
		if got := p.texts("header nav a"); !slices.Equal(got, tc.nav) {
			p.errorf("navigation %q, want %q", got, tc.nav)
		}
		for _, item := range p.attrs("header nav a", "href")[1:] {
			p.wantStatus("GET "+item, p.open(item), 200)
		}
		p.wantStatus("GET /w/autre/", p.open("/w/autre/"), 404)
		p.wantText("main h1", "Page introuvable")
	}

	// A deep link opened before signing in leads back to it after.
	d := b.persona("coach@demo.test, deep link")
	d.wantStatus("GET /w/demo/members signed out", d.open("/w/demo/members"), 200)
	d.wantPath("/login")
	d.fill("email", "coach@demo.test")
	d.fill("password", demo.Password)
	d.wantStatus("login", d.click(loginSubmit), 200)
	d.wantPath("/w/demo/members")
	d.wantText("main h1", "Membres de l'espace")

	other := b.persona("coach@autre.test")
	other.wantStatus("login", other.login("coach@autre.test", demo.Password), 200)
	other.wantPath("/w/autre/")
	other.wantText("main h1", "Autre Cabinet")
	other.wantText("header .badge", "Coach")
	other.wantStatus("GET /w/demo/members", other.open("/w/demo/members"), 404)
	other.wantText("main h1", "Page introuvable")
	other.wantStatus("GET /w/demo/", other.open("/w/demo/"), 404)
	other.wantText("main h1", "Page introuvable")
}

// TestLanguageSwitch: the footer's language buttons, for a visitor (a cookie)
// and for a signed-in person (stored on the account).
func TestLanguageSwitch(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	const english = `footer form[action="/lang"] button[value="en"]`

	v := b.persona("visitor")
	v.wantStatus("GET /", v.open("/"), 200)
	if got := v.attr("html", "lang"); got != "fr" {
		v.errorf("default language %q, want fr", got)
	}
	v.wantText("header .who", "Se connecter")
	v.wantStatus("switch to English", v.click(english), 200)
	v.wantPath("/")
	if got := v.attr("html", "lang"); got != "en" {
		v.errorf("after switching: html lang=%q, want en", got)
	}
	v.wantText(`header .who a[href="/login"]`, "Log in")
	if got := v.attr(english, "aria-pressed"); got != "true" {
		v.errorf("English button aria-pressed=%q, want true", got)
	}
	v.wantStatus("GET /login", v.open("/login"), 200)
	v.wantText("main h1", "Log in")

	// Signed in, the choice goes on the account: it follows the person into a
	// browser that has never seen the language cookie.
	p := b.persona("admin")
	p.wantStatus("login", p.login("admin@demo.test", demo.Password), 200)
	p.wantPath("/w/demo/")
	p.wantText("header nav", "Tableau de bord")
	p.wantStatus("switch to English", p.click(english), 200)
	p.wantPath("/w/demo/")
	if got := p.attr("html", "lang"); got != "en" {
		p.errorf("after switching: html lang=%q, want en", got)
	}
	p.wantText("header nav", "Dashboard")
	p.logout()
	p.wantStatus("login again", p.login("admin@demo.test", demo.Password), 200)
	p.wantText("header nav", "Dashboard")

	q := b.persona("admin, another browser")
	q.wantStatus("GET /login", q.open("/login"), 200)
	if got := q.attr("html", "lang"); got != "fr" {
		q.errorf("new browser before login: html lang=%q, want fr", got)
	}
	q.fill("email", "admin@demo.test")
	q.fill("password", demo.Password)
	q.wantStatus("login", q.click(loginSubmit), 200)
	q.wantPath("/w/demo/")
	if got := q.attr("html", "lang"); got != "en" {
		q.errorf("after login on another browser: html lang=%q, want en (stored on the account)", got)
	}
	q.wantText("header nav", "Dashboard")
	q.wantStatus("GET /account", q.open("/account"), 200)
	if got := q.value("locale"); got != "en" {
		q.errorf("account language %q, want en", got)
	}
}

// TestWorksWithoutJavaScript: sign-in, navigation and sign-out with scripts off.
func TestWorksWithoutJavaScript(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	p := b.persona("admin, no JavaScript")
	p.disableJavaScript()
	// Scripts are really off: a page's own script does not run.
	if _, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(`data:text/html,<title>off</title><script>document.title = "on"</script>`)); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(p.ctx, chromedp.Title()); err != nil || got != "off" {
		t.Fatalf("JavaScript still runs in the page (title %q, %v)", got, err)
	}

	p.wantStatus("login, wrong password", p.login("admin@demo.test", "pas le bon mot de passe"), 401)
	p.wantText(".form-error", "Adresse e-mail ou mot de passe incorrect.")
	p.fill("password", demo.Password)
	p.wantStatus("login", p.click(loginSubmit), 200)
	p.wantPath("/w/demo/")
	p.wantText("main h1", "Cabinet Démo")
	p.wantStatus("nav to members", p.click(`header nav a[href="/w/demo/members"]`), 200)
	p.wantPath("/w/demo/members")
	p.wantText("main table", "coach@demo.test")
	p.logout()
	p.wantText("header .who", "Se connecter")
}
