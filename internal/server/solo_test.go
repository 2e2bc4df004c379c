package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// roles returns a member's roles in a workspace, as the database holds them.
func (a *app) roles(slug, email string) string {
	a.t.Helper()
	return a.sqlStr(`SELECT array_to_string(m.roles, ',') FROM memberships m
		JOIN workspaces w ON w.id = m.tenant_id JOIN users u ON u.id = m.user_id WHERE w.slug = $1 AND u.email = $2`, slug, email)
}

// signUp creates a workspace as a new visitor who chose the kind of
// practice, and confirms it from the e-mail.
func (c *client) signUp(workspace, slug, email, practice string) {
	c.a.t.Helper()
	r := c.post("/signup", "workspace", workspace, "slug", slug, "name", "Nadia Solo", "email", email, "password", "un-long-mot-de-passe", "practice", practice)
	if r.status != http.StatusOK {
		c.a.t.Fatalf("sign-up: %d %s", r.status, r.body)
	}
	if r = c.followSignup(email); r.location != "/w/"+slug+"/" {
		c.a.t.Fatalf("sign-up confirmed → %q", r.location)
	}
}

// TestSignupAsksIndependentOrFirm: the sign-up form asks the kind of
// practice; without an answer it comes back with the message beside the
// question and everything typed kept.
func TestSignupAsksIndependentOrFirm(t *testing.T) {
	a := newApp(t, false)
	c := a.client()
	contains(t, c.get("/signup"), `name="practice" value="solo"`, `name="practice" value="firm"`)
	r := c.post("/signup", "workspace", "Cabinet Sans Réponse", "name", "Nadia", "email", "nadia@essai.test", "password", "un-long-mot-de-passe")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("sign-up without the kind of practice: %d", r.status)
	}
	contains(t, r, `id="e-practice"`, "Dites si vous créez l&#39;espace en coach indépendant ou pour un cabinet.",
		`value="Cabinet Sans Réponse"`, `value="Nadia"`, `value="nadia@essai.test"`)
	r = c.post("/signup", "workspace", "Cabinet", "practice", "firm")
	if !strings.Contains(r.body, `id="practice-firm" name="practice" value="firm" checked`) {
		t.Error("the practice chosen is not kept when the form comes back")
	}
	if len(a.mails("nadia@essai.test", "/signup/confirm/")) != 0 {
		t.Error("a refused sign-up sent a confirmation")
	}
}

// TestSoloCoachStartsAlone: an independent coach signs up, is administrator
// and coach, works from the coach's dashboard with the workspace's figures
// below, finds the starter library and adds to it, and opens her first
// engagement with its client organisation typed in the same form.
func TestSoloCoachStartsAlone(t *testing.T) {
	a := newApp(t, false)
	c := a.client()
	c.signUp("Nadia Coaching", "nadia", "nadia@solo.test", "solo")
	if got := a.roles("nadia", "nadia@solo.test"); got != "admin,coach" {
		t.Fatalf("an independent coach's roles: %q, want admin,coach", got)
	}

	home := c.get("/w/nadia/")
	contains(t, home, "Retrouvez ici vos accompagnements", "<h2>Mes accompagnements</h2>", "Administrateur, Coach",
		"<h2>Membres</h2>", `href="/w/nadia/library"`, `href="/w/nadia/orgs"`)

	lib := c.get("/w/nadia/library")
	contains(t, lib, "Triangle dramatique de Karpman", "Fenêtre de Johari", "Modèle GROW", "Doran", `action="/w/nadia/library"`)
	if r := c.post("/w/nadia/library", "title", "Écoute active", "summary", "Reformuler.", "reference", "C. Rogers, 1951"); r.status != http.StatusSeeOther {
		t.Fatalf("adding to the library: %d", r.status)
	}
	contains(t, c.get("/w/nadia/library"), "Écoute active", "C. Rogers, 1951")

	// The first engagement: no organisation exists; the form takes a new one.
	form := c.get("/w/nadia/engagements/new")
	contains(t, form, `name="new_client_org"`, "Nadia Solo — nadia@solo.test")
	typed := []string{"title", "Prise de poste", "new_coachee_name", "Paul Neuf", "new_coachee_email", "paul@laiterie.test",
		"new_sponsor_name", "Rita RH", "new_sponsor_email", "rita@laiterie.test", "new_sponsor_kind", "hr"}
	coach := a.userID("nadia@solo.test")
	r := c.post("/w/nadia/engagements", append(typed, "coach", coach)...)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("an engagement without organisation: %d", r.status)
	}
	contains(t, r, `id="e-client_org"`, "Choisissez une organisation ou saisissez le nom d&#39;une nouvelle.",
		`value="Prise de poste"`, `value="Paul Neuf"`, `value="paul@laiterie.test"`, `value="Rita RH"`, `value="rita@laiterie.test"`)
	if n := a.sqlStr(`SELECT count(*)::text FROM engagements`); n != "0" {
		t.Fatalf("a refused engagement stored %s engagements", n)
	}
	r = c.post("/w/nadia/engagements", append(typed, "coach", coach, "new_client_org", "Laiterie Moderne")...)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/w/nadia/e/") {
		t.Fatalf("opening the engagement with a new organisation: %d %s", r.status, r.body)
	}
	if got := a.sqlStr(`SELECT o.name FROM engagements e JOIN client_orgs o ON o.tenant_id = e.tenant_id AND o.id = e.client_org_id
		WHERE e.title = 'Prise de poste'`); got != "Laiterie Moderne" {
		t.Errorf("the engagement's organisation: %q", got)
	}
	contains(t, c.get(r.location), "Prise de poste")
	contains(t, c.get("/w/nadia/"), "Prise de poste")
}

// TestFirmFounderGivesHerselfTheCoachRole: a firm's founder is administrator
// only; she gives herself the coach role from the members page and then
// coaches. A coach cannot give roles (403, and nothing changes).
func TestFirmFounderGivesHerselfTheCoachRole(t *testing.T) {
	a := newApp(t, false)
	c := a.client()
	c.signUp("Cabinet Conseil", "conseil", "fondatrice@conseil.test", "firm")
	if got := a.roles("conseil", "fondatrice@conseil.test"); got != "admin" {
		t.Fatalf("a firm founder's roles: %q, want admin", got)
	}
	home := c.get("/w/conseil/")
	contains(t, home, "Vous administrez cet espace")
	if strings.Contains(home.body, "<h2>Mes accompagnements</h2>") {
		t.Error("an administrator who does not coach gets the coach's list")
	}
	me := a.userID("fondatrice@conseil.test")
	members := c.get("/w/conseil/members")
	contains(t, members, `action="/w/conseil/members/`+me+`/roles"`, `id="c-roles-`+me+`-coach"`)

	// None ticked: refused beside the roles, as typed.
	r := c.post("/w/conseil/members/" + me + "/roles")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("no role: %d", r.status)
	}
	contains(t, r, `id="e-roles-`+me+`"`, "Cochez au moins un rôle.")
	// Giving up the last admin role is refused.
	r = c.post("/w/conseil/members/"+me+"/roles", "roles", "coach")
	contains(t, r, "L&#39;espace doit garder au moins un administrateur.")
	if !strings.Contains(r.body, `id="c-roles-`+me+`-coach" name="roles" value="coach" checked`) {
		t.Error("the roles typed are not kept when the change is refused")
	}
	if got := a.roles("conseil", "fondatrice@conseil.test"); got != "admin" {
		t.Fatalf("refused changes left the roles %q", got)
	}

	r = c.post("/w/conseil/members/"+me+"/roles", "roles", "admin", "roles", "coach")
	if r.status != http.StatusSeeOther {
		t.Fatalf("the admin adds the coach role to herself: %d", r.status)
	}
	if got := a.roles("conseil", "fondatrice@conseil.test"); got != "admin,coach" {
		t.Fatalf("roles after: %q", got)
	}
	contains(t, c.get("/w/conseil/"), "<h2>Mes accompagnements</h2>", "Administrateur, Coach")
	if r := c.post("/w/conseil/library", "title", "Fiche du cabinet"); r.status != http.StatusSeeOther {
		t.Errorf("the admin, now coach, adds to the library: %d", r.status)
	}
}

// TestCoachCannotGrantRoles: only an administrator gives roles; a coach is
// refused (403), for herself as for others, and nothing changes.
func TestCoachCannotGrantRoles(t *testing.T) {
	a := newApp(t, true)
	c := a.client()
	c.login("coach@demo.test")
	coach, sponsor := a.userID("coach@demo.test"), a.userID("sponsor@demo.test")
	for _, uid := range []string{coach, sponsor} {
		if r := c.post("/w/demo/members/"+uid+"/roles", "roles", "admin", "roles", "coach"); r.status != http.StatusForbidden {
			t.Errorf("a coach giving roles: %d, want 403", r.status)
		}
	}
	if strings.Contains(c.get("/w/demo/members").body, `/roles"`) {
		t.Error("the coach's members page offers the roles form")
	}
	if got := a.roles("demo", "coach@demo.test") + " " + a.roles("demo", "sponsor@demo.test"); got != "coach sponsor" {
		t.Errorf("roles after the refusals: %q", got)
	}
}
