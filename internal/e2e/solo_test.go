package e2e

import (
	"strings"
	"testing"
)

// confirmSignup opens the sign-up confirmation e-mailed to addr (in the
// development outbox) and confirms it.
func (p *persona) confirmSignup(addr string) {
	p.t.Helper()
	p.wantStatus("GET /dev/mail", p.open("/dev/mail"), 200)
	var confirm string
	for _, m := range p.outbox() {
		if m.To == addr && strings.Contains(m.Href, "/signup/confirm/") {
			confirm = m.Href
			break
		}
	}
	if confirm == "" {
		p.fatalf("no confirmation e-mail to %s in the outbox", addr)
	}
	p.wantStatus("open the confirmation link", p.open(confirm), 200)
	p.wantStatus("confirm", p.click(`main form button[type="submit"]`), 200)
}

// TestSoloCoachJourney: an independent coach signs up alone, is administrator
// and coach, finds the starter library and edits it, and opens her first
// engagement with its client organisation typed in the same form; a refused
// form keeps everything typed.
func TestSoloCoachJourney(t *testing.T) {
	_, b := setup(t)
	a := b.persona("solo")
	a.wantStatus("GET /signup", a.open("/signup"), 200)
	a.fill("workspace", "Nadia Coaching")
	a.tick("practice-solo")
	a.fill("name", "Nadia Solo")
	a.fill("email", "nadia@solo.test")
	a.fill("password", "un mot de passe solide")
	a.wantStatus("signup", a.click(signupSubmit), 200)
	a.confirmSignup("nadia@solo.test")
	a.wantPath("/w/nadia-coaching/")
	a.wantText("header .badge", "Administrateur, Coach")
	a.wantText("main", "Mes accompagnements")

	// The starter library, which the coach edits.
	a.wantStatus("library", a.open("/w/nadia-coaching/library"), 200)
	a.wantText("main", "Fenêtre de Johari")
	a.wantText("main", "Luft et H. Ingham")
	a.fill("title", "Écoute active")
	a.fill("reference", "C. Rogers, 1951")
	a.wantStatus("add to the library", a.click(`main form[action="/w/nadia-coaching/library"] button[type="submit"]`), 200)
	a.wantText(".flash", "Apport ajouté")
	a.wantText("main", "Écoute active")
	// Editing an item in place: a refused edit comes back open, as typed.
	item := strings.TrimPrefix(a.attr("main article.card", "id"), "item-")
	a.openDetails("#item-"+item+" details", "Modifier")
	a.fill("lib-"+item+"-title", "")
	a.fill("lib-"+item+"-reference", "Référence retouchée")
	save := `main form[action="/w/nadia-coaching/library/` + item + `"] button[type="submit"]`
	a.wantStatus("empty title", a.click(save), 422)
	a.wantText("#e-lib-"+item+"-title", "obligatoire")
	if got := a.value("lib-" + item + "-reference"); got != "Référence retouchée" {
		a.errorf("refused edit: the reference holds %q, want the typed one", got)
	}
	a.fill("lib-"+item+"-title", "États du moi (Berne)")
	a.wantStatus("edit the item", a.click(save), 200)
	a.wantText(".flash", "Apport enregistré")
	a.wantText("main", "États du moi (Berne)")

	// The first engagement: no organisation yet, typed in the form.
	a.wantStatus("new engagement", a.open("/w/nadia-coaching/engagements/new"), 200)
	a.fill("title", "Prise de poste")
	a.fill("new_coachee_name", "Paul Neuf")
	a.fill("new_coachee_email", "paul@laiterie.test")
	a.fill("new_sponsor_name", "Rita RH")
	a.fill("new_sponsor_email", "rita@laiterie.test")
	submit := `main form[action="/w/nadia-coaching/engagements"] button[type="submit"]`
	a.wantStatus("engagement without organisation", a.click(submit), 422)
	a.wantText("#e-client_org", "saisissez le nom d'une nouvelle")
	for name, want := range map[string]string{"title": "Prise de poste", "new_coachee_name": "Paul Neuf", "new_sponsor_email": "rita@laiterie.test"} {
		if got := a.value(name); got != want {
			a.errorf("refused engagement: %s holds %q, want the typed %q", name, got, want)
		}
	}
	a.fill("new_client_org", "Laiterie Moderne")
	a.wantStatus("open the engagement", a.click(submit), 200)
	if !strings.HasPrefix(a.path(), "/w/nadia-coaching/e/") {
		a.fatalf("after opening the engagement: %s", a.path())
	}
	a.wantText("main", "Laiterie Moderne")
}
