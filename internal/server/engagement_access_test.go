package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/password"
	"triade/internal/store"
)

// The people who knock at an engagement's door, in the order of the columns of
// the access matrix below.
//
//   - coach:     lead coach of the demo engagements (coach@demo.test)
//   - coachee:   their coachee (coachee@demo.test)
//   - sponsor:   the company's representative (sponsor@demo.test)
//   - admin:     workspace admin with no part in the engagements (admin@demo.test)
//   - unrelated: a coach of the same workspace with no part in them (created here)
//   - other:     a coach of another workspace (coach@autre.test)
//   - anon:      not signed in
var eaPersonas = [...]string{"coach", "coachee", "sponsor", "admin", "unrelated", "other", "anon"}

var eaEmails = map[string]string{
	"coach": "coach@demo.test", "coachee": "coachee@demo.test", "sponsor": "sponsor@demo.test", "admin": "admin@demo.test",
	"unrelated": "autre.coach@demo.test", "other": "coach@autre.test",
}

const (
	eaFresh = "Prise de poste — direction des achats"
	eaReady = "Leadership d'équipe — site de Lyon"
	eaSpare = "Accompagnement à interrompre"
)

// eaFixture is the seeded demo plus what the access tests need: the ids of the
// engagements and of their objects, a signed-in browser per persona.
type eaFixture struct {
	t       *testing.T
	a       *app
	ctx     context.Context
	tenant  string
	org     string
	users   map[string]string // persona → user id
	ids     map[string]string // placeholder name → id
	clients map[string]*client
}

func newEAFixture(t *testing.T) *eaFixture {
	t.Helper()
	a := newApp(t, true)
	f := &eaFixture{t: t, a: a, ctx: context.Background(), users: map[string]string{}, ids: map[string]string{}, clients: map[string]*client{}}
	f.tenant = f.q(`SELECT id FROM workspaces WHERE slug = 'demo'`)
	f.org = f.q(`SELECT id FROM client_orgs WHERE tenant_id = $1 AND name = 'Industries Horizon'`, f.tenant)
	for _, p := range []string{"coach", "coachee", "sponsor", "admin", "other"} {
		f.users[p] = f.q(`SELECT id FROM users WHERE email = $1`, eaEmails[p])
	}

	// A member of the workspace with no part in any engagement.
	hash, err := password.Hash(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.env.Store.AddMember(f.ctx, f.scope("admin"), store.NewMember{Email: eaEmails["unrelated"], Name: "Autre Coach",
		PasswordHash: hash, Roles: domain.RoleSet{domain.RoleCoach}})
	if err != nil {
		t.Fatal(err)
	}
	f.users["unrelated"] = u.ID

	f.ids["fresh"] = f.q(`SELECT id FROM engagements WHERE title = $1`, eaFresh)
	f.ids["ready"] = f.q(`SELECT id FROM engagements WHERE title = $1`, eaReady)

	// A third engagement, with the same parties, for the interruption of the matrix.
	st, coach := a.env.Store, f.scope("coach")
	spare, err := st.CreateEngagement(f.ctx, coach, store.NewEngagement{Title: eaSpare, ClientOrgID: f.org, CoachID: f.users["coach"],
		CoacheeID: f.users["coachee"], Sponsors: []store.SponsorChoice{{UserID: f.users["sponsor"], Kind: "hr"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.ids["spare"] = spare

	// Objects of the fresh engagement for the objective and indicator routes:
	// objective A with indicators 1 and 2, objective B.
	fresh := f.ids["fresh"]
	if f.ids["objA"], err = st.AddObjective(f.ctx, coach, fresh, store.Objective{Title: "Objectif A"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"Indicateur 1", "Indicateur 2"} {
		if err := st.AddIndicator(f.ctx, coach, fresh, store.Indicator{ObjectiveID: f.ids["objA"], Kind: "observable", Description: d}); err != nil {
			t.Fatal(err)
		}
	}
	f.ids["ind1"] = f.q(`SELECT id FROM indicators WHERE engagement_id = $1 AND description = 'Indicateur 1'`, fresh)
	f.ids["ind2"] = f.q(`SELECT id FROM indicators WHERE engagement_id = $1 AND description = 'Indicateur 2'`, fresh)
	if f.ids["objB"], err = st.AddObjective(f.ctx, coach, fresh, store.Objective{Title: "Objectif B"}); err != nil {
		t.Fatal(err)
	}

	// Objects of the ready engagement.
	ready := f.ids["ready"]
	f.ids["mid"] = f.q(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'intermediate'`, ready)
	f.ids["framingReady"] = f.q(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, ready)
	f.ids["framingFresh"] = f.q(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, fresh)
	f.ids["objReady"] = f.q(`SELECT id FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, ready)
	f.ids["indReady"] = f.q(`SELECT id FROM indicators WHERE engagement_id = $1 ORDER BY objective_id, position LIMIT 1`, ready)

	for _, p := range eaPersonas {
		c := a.client()
		if p != "anon" {
			c.login(eaEmails[p])
		}
		f.clients[p] = c
	}
	return f
}

// q runs a one-value query as the superuser and returns it as text.
func (f *eaFixture) q(sql string, args ...any) string {
	f.t.Helper()
	var v any
	if err := f.a.env.Super.QueryRow(f.ctx, sql, args...).Scan(&v); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	if b, ok := v.([16]byte); ok { // uuid
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	return fmt.Sprint(v)
}

func (f *eaFixture) scope(p string) store.Scope {
	return store.Scope{TenantID: f.tenant, UserID: f.users[p]}
}

// path replaces {name} by the id of that name.
func (f *eaFixture) path(p string) string {
	for k, v := range f.ids {
		p = strings.ReplaceAll(p, "{"+k+"}", v)
	}
	if strings.Contains(p, "{") {
		f.t.Fatalf("unresolved placeholder in %s", p)
	}
	return p
}

func (f *eaFixture) call(c *client, method, path string, form []string) resp {
	if method == http.MethodGet {
		return c.get(path)
	}
	return c.post(path, form...)
}

// check compares a status with what is expected and, for the refusals, that
// the answer looks as it should.
func (f *eaFixture) check(who, method, path string, r resp, want int) {
	f.t.Helper()
	if r.status != want {
		f.t.Errorf("%-4s %s as %s: %d, want %d", method, path, who, r.status, want)
		return
	}
	switch want {
	case http.StatusNotFound:
		if !strings.Contains(r.body, "Page introuvable") {
			f.t.Errorf("%s %s as %s: 404 without the not-found page", method, path, who)
		}
	case http.StatusSeeOther:
		if who == "anon" && !strings.HasPrefix(r.location, "/login") {
			f.t.Errorf("%s %s as anon: redirected to %q, want /login", method, path, who)
		}
	}
}

// Dates used in the forms, in the browser's datetime-local format.
const (
	eaWhen     = "2026-03-02T10:00"
	eaWhenPast = "2025-11-20T14:30"
)

// TestEngagementAccessMatrix walks every route of an engagement (and the
// engagement list and form) for every persona, and compares the status with
// DESIGN.md's "who sees what": a refused read is 404, a refused write 403, an
// anonymous GET goes to the login page, an anonymous POST is 401; a member of
// the workspace with no part, or anyone from another workspace, finds nothing
// (404) under /e/{id}.
//
// Allowed writes get a valid form and answer 303 (their effect is checked in
// the database at the end); a few rows send an invalid form instead, where the
// allowed persona gets 422 and the others still the refusal (authorization is
// judged before the form). The rows run in order, coach first: the rows that
// depend on an earlier one say so.
//
// Engagements: {fresh} is "Prise de poste" (cadrage, nothing done), {ready} is
// "Leadership d'équipe" (cadrage complete, gate open, intermediate meeting
// {mid}), {spare} is a third engagement with the same parties, interrupted here.
func TestEngagementAccessMatrix(t *testing.T) {
	f := newEAFixture(t)
	fresh, ready := f.ids["fresh"], f.ids["ready"]
	users := f.users
	v := func(sql string, args ...any) string { return f.q(sql, args...) }
	attendees := func(kv ...string) []string {
		return append(kv, "attendees", users["coach"], "attendees", users["coachee"], "attendees", users["sponsor"])
	}

	// The forms. Each is built when it is sent, so it carries the version
	// stored at that moment (a second allowed writer is not a stale save).
	type form func(persona string) []string
	fixed := func(kv ...string) form { return func(string) []string { return kv } }
	var (
		newEngagement = func(p string) []string { // each creator leads; the admin names the demo coach
			coach := users["coach"]
			if p == "unrelated" {
				coach = users["unrelated"]
			}
			return []string{"title", "Nouvel accompagnement " + p, "client_org", f.org, "coach", coach,
				"coachee", users["coachee"], "sponsor", users["sponsor"], "sponsor_kind", "manager"}
		}
		interrupt    = fixed("reason", "Le coaché change de poste.")
		firstMeeting = func(string) []string {
			return []string{"at", eaWhenPast, "stakes", "Enjeux du coach", "draft_objectives", "Objectifs provisoires",
				"version", v(`SELECT version FROM diagnoses WHERE engagement_id = $1`, fresh)}
		}
		framing = func(string) []string {
			return attendees("at", eaWhenPast, "held", "on", "notes", "Réunion de cadrage tenue",
				"version", v(`SELECT version FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, fresh))
		}
		request = func(level, text string) form {
			return func(p string) []string {
				return []string{"body", text + p,
					"version", v(`SELECT version FROM requests WHERE engagement_id = $1 AND level = $2`, fresh, level)}
			}
		}
		validateRequests = fixed("company_ok", "on", "coachee_ok", "on", "coherent", "on", "coherence_comment", "Les deux demandes convergent.")
		updateObjective  = func(string) []string {
			return []string{"title", "Objectif A modifié", "description", "Précisé",
				"version", v(`SELECT version FROM objectives WHERE id = $1`, f.ids["objA"])}
		}
		addIndicator    = fixed("kind", "performance", "description", "Indicateur 3", "baseline", "0", "target", "5", "observation", "Relevé")
		updateIndicator = func(string) []string {
			return []string{"kind", "performance", "description", "Indicateur 1 modifié", "baseline", "1", "target", "2", "observation", "Suivi",
				"version", v(`SELECT version FROM indicators WHERE id = $1`, f.ids["ind1"])}
		}
		contract = func(string) []string {
			return []string{"approach", "Six séances", "sessions_planned", "6", "session_minutes", "90", "start", "2026-04-01",
				"end", "2026-10-01", "confidentiality", "Le contenu reste entre coach et coaché.", "exceptions", "",
				"version", v(`SELECT version FROM contracts WHERE engagement_id = $1`, fresh)}
		}
		synthesisText = func(string) []string {
			return []string{"text", "Texte libre de la synthèse", "version", v(`SELECT synthesis_version FROM engagements WHERE id = $1`, fresh)}
		}
		askMeeting   = func(p string) []string { return []string{"reason", "Point demandé par " + p} }
		intermediate = func(string) []string {
			return attendees("at", eaWhenPast, "held", "on", "notes", "Revue à mi-parcours", "adjustments", "Aucun",
				"version", v(`SELECT version FROM meetings WHERE id = $1`, f.ids["mid"]))
		}
	)

	// The matrix. Rows run top to bottom, each for every persona left to right.
	// 200 read, 303 written (or, for anon, sent to /login), 422 invalid form,
	// 404 not for you, 403 refused write, 401 anonymous write.
	type w [len(eaPersonas)]int
	rows := []struct {
		want         w
		method, path string
		form         form
	}{
		//  coach coachee sponsor admin unrelated other anon
		//    |    |    |    |    |    |    |
		// The workspace's engagement list and the form to open one (valid, then empty).
		{w{200, 200, 200, 200, 200, 404, 303}, "GET", "/w/demo/engagements", nil},
		{w{200, 404, 404, 200, 200, 404, 303}, "GET", "/w/demo/engagements/new", nil},
		// An admin (or a coach) opening an engagement led by someone else must
		// work: the form offers them every coach.
		{w{303, 403, 403, 303, 303, 404, 401}, "POST", "/w/demo/engagements", newEngagement},
		{w{422, 403, 403, 422, 422, 404, 401}, "POST", "/w/demo/engagements", nil},

		// Engagement summary, phase, participants: the coach edits, all parties and the admin read.
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}", nil},
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/", nil},
		// Willingness: the lead coach and the coachee confirm their own, nobody else.
		{w{303, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/willingness", nil},
		// The move to accompagnement, on the ready engagement (its gate is open).
		{w{200, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{ready}/phase/confirm", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{ready}/phase", nil},
		// Interruption: with a reason on the spare engagement, without one on the fresh one.
		{w{200, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{spare}/interrupt/confirm", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{spare}/interrupt", interrupt},
		{w{422, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/interrupt", nil},
		// History: the coach and the admin read it; the coachee and the sponsor do not.
		{w{200, 404, 404, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/history", nil},
		// What the sponsor sees: the coach and the coachee check it; nobody else.
		{w{200, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/as-sponsor", nil},

		// First-meeting diagnosis: the coach edits, the coachee reads, the sponsor and the admin see nothing.
		{w{200, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/first-meeting", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/first-meeting", firstMeeting},
		{w{422, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/first-meeting", fixed("at", "pas une date", "version", "1")},

		// The three-way framing meeting (meeting dates: the summary row).
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/framing", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/framing", framing},

		// Requests: all read; the sponsor writes the company's, the coachee their own, the coach both.
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/requests", nil},
		{w{303, 403, 303, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/requests/company", request("company", "Demande de l'entreprise écrite par ")},
		{w{303, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/requests/coachee", request("coachee", "Demande du coaché écrite par ")},
		{w{422, 403, 422, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/requests/company", fixed("body", "", "version", "1")},
		// The coach validates both requests (written just above) and their coherence.
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/requests/validate", validateRequests},

		// Objectives and indicators: the coach edits, all read.
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/objectives", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/objectives", fixed("title", "Objectif C", "description", "Nouveau")},
		{w{422, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/objectives", nil},
		{w{200, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/objectives/{objA}/edit", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/objectives/{objA}", updateObjective},
		{w{200, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/objectives/{objB}/delete/confirm", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/objectives/{objB}/delete", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/objectives/{objA}/move", fixed("dir", "down")},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/objectives/{objA}/indicators", addIndicator},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/indicators/{ind1}", updateIndicator},
		{w{200, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/indicators/{ind2}/delete/confirm", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/indicators/{ind2}/delete", nil},

		// Contract: the coach edits, all read.
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/contract", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/contract", contract},

		// Synthesis: the coach edits and publishes; coach, coachee and sponsor validate; the admin reads.
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/synthesis", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/synthesis", synthesisText},
		// Publishing makes version 1 of the fresh engagement, read and validated next.
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/synthesis/publish", nil},
		{w{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{fresh}/synthesis/1", nil},
		{w{303, 303, 303, 403, 404, 404, 401}, "POST", "/w/demo/e/{fresh}/synthesis/1/validate", nil},

		// Intermediate meetings, on the ready engagement: the three parties read
		// and ask, the coach schedules and records; the admin sees nothing.
		{w{200, 200, 200, 404, 404, 404, 303}, "GET", "/w/demo/e/{ready}/meetings", nil},
		{w{303, 303, 303, 403, 404, 404, 401}, "POST", "/w/demo/e/{ready}/meetings/ask", askMeeting},
		{w{422, 422, 422, 403, 404, 404, 401}, "POST", "/w/demo/e/{ready}/meetings/ask", nil},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{ready}/meetings/schedule", fixed("at", eaWhen)},
		{w{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{ready}/meetings/{mid}", intermediate},

		// The demo engagement through another workspace's URL: nobody finds it.
		{w{404, 404, 404, 404, 404, 404, 303}, "GET", "/w/autre/e/{fresh}", nil},
		{w{404, 404, 404, 404, 404, 404, 401}, "POST", "/w/autre/e/{fresh}/first-meeting", firstMeeting},
	}

	for _, rt := range rows {
		path := f.path(rt.path)
		for i, p := range eaPersonas {
			var kv []string
			if rt.form != nil {
				kv = rt.form(p)
			}
			r := f.call(f.clients[p], rt.method, path, kv)
			f.check(p, rt.method, rt.path, r, rt.want[i])
		}
	}

	// The writes that were allowed did what they say.
	t.Run("Effects", func(t *testing.T) {
		eq := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %q, want %q", what, got, want)
			}
		}
		eq("engagements opened from the form", v(`SELECT count(*) FROM engagements WHERE title LIKE 'Nouvel accompagnement %'`), "3")
		eq("willingness", v(`SELECT coach_willing_at IS NOT NULL AND coachee_willing_at IS NOT NULL FROM engagements WHERE id = $1`, fresh), "true")
		eq("phase of the ready engagement", v(`SELECT phase FROM engagements WHERE id = $1`, ready), "accompagnement")
		eq("phase of the spare engagement", v(`SELECT phase || ': ' || ended_reason FROM engagements WHERE id = $1`, f.ids["spare"]),
			"interrompu: Le coaché change de poste.")
		eq("phase of the fresh engagement", v(`SELECT phase FROM engagements WHERE id = $1`, fresh), "cadrage")
		eq("diagnosis", v(`SELECT stakes FROM diagnoses WHERE engagement_id = $1`, fresh), "Enjeux du coach")
		eq("framing", v(`SELECT held::text || ' ' || notes FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, fresh), "true Réunion de cadrage tenue")
		eq("company request", v(`SELECT body FROM requests WHERE engagement_id = $1 AND level = 'company'`, fresh), "Demande de l'entreprise écrite par sponsor")
		eq("coachee request", v(`SELECT body FROM requests WHERE engagement_id = $1 AND level = 'coachee'`, fresh), "Demande du coaché écrite par coachee")
		eq("requests validated", v(`SELECT count(*) FROM requests WHERE engagement_id = $1 AND validated_at IS NOT NULL`, fresh), "2")
		eq("coherence", v(`SELECT coherence_ok FROM engagements WHERE id = $1`, fresh), "true")
		eq("objectives, in order", v(`SELECT string_agg(title, ' | ' ORDER BY position) FROM objectives WHERE engagement_id = $1`, fresh),
			"Objectif C | Objectif A modifié")
		eq("indicators", v(`SELECT string_agg(description, ' | ' ORDER BY description) FROM indicators WHERE engagement_id = $1`, fresh),
			"Indicateur 1 modifié | Indicateur 3")
		eq("contract", v(`SELECT sessions_planned FROM contracts WHERE engagement_id = $1`, fresh), "6")
		eq("synthesis text", v(`SELECT synthesis_text FROM engagements WHERE id = $1`, fresh), "Texte libre de la synthèse")
		eq("synthesis validations", v(`SELECT string_agg(part, ',' ORDER BY part) FROM synthesis_validations WHERE engagement_id = $1 AND number = 1`, fresh),
			"coach,coachee,sponsor")
		eq("meeting requests", v(`SELECT count(*) FROM meeting_requests WHERE engagement_id = $1`, ready), "4")
		eq("intermediate meetings", v(`SELECT count(*) FROM meetings WHERE engagement_id = $1 AND kind = 'intermediate'`, ready), "2")
		eq("intermediate meeting noted", v(`SELECT held::text || ' ' || notes FROM meetings WHERE id = $1`, f.ids["mid"]), "true Revue à mi-parcours")
	})

	// The list shows each person their own engagements; a member with no part
	// sees none of these.
	t.Run("List", func(t *testing.T) {
		contains(t, f.clients["coachee"].get("/w/demo/engagements"), "Prise de poste", "site de Lyon")
		contains(t, f.clients["admin"].get("/w/demo/engagements"), "Prise de poste", "site de Lyon")
		r := f.clients["unrelated"].get("/w/demo/engagements")
		for _, title := range []string{"Prise de poste", "site de Lyon", eaSpare} {
			if strings.Contains(r.body, title) {
				t.Errorf("the unrelated coach's list shows %q", title)
			}
		}
	})

	// Ids of another engagement of the same coach, in this engagement's URL: the
	// object does not belong to it, so it is not found, and nothing changes. The
	// framing meeting is not an intermediate meeting either: the intermediate
	// meeting route must not reach it (it would record the framing meeting as
	// held without the sponsor check of /framing).
	t.Run("ForeignIDs", func(t *testing.T) {
		coach := f.clients["coach"]
		snapshot := func() string {
			return v(`SELECT (SELECT count(*) FROM objectives WHERE engagement_id = $1) || ' ' ||
				(SELECT count(*) FROM indicators WHERE engagement_id = $1) || ' ' ||
				(SELECT string_agg(version::text, ',' ORDER BY id) FROM meetings WHERE engagement_id IN ($1, $2))`, ready, fresh)
		}
		before := snapshot()
		for _, rt := range []struct {
			path string
			form []string
		}{
			{"/w/demo/e/{fresh}/objectives/{objReady}", []string{"title", "Détourné", "version", "1"}},
			{"/w/demo/e/{fresh}/objectives/{objReady}/delete", nil},
			{"/w/demo/e/{fresh}/objectives/{objReady}/move", []string{"dir", "down"}},
			{"/w/demo/e/{fresh}/objectives/{objReady}/indicators", []string{"kind", "observable", "description", "Détourné"}},
			{"/w/demo/e/{fresh}/indicators/{indReady}", []string{"kind", "observable", "description", "Détourné", "version", "1"}},
			{"/w/demo/e/{fresh}/indicators/{indReady}/delete", nil},
			{"/w/demo/e/{fresh}/meetings/{mid}", []string{"notes", "Détourné", "version", v(`SELECT version FROM meetings WHERE id = $1`, f.ids["mid"])}},
			{"/w/demo/e/{fresh}/meetings/{framingReady}", []string{"notes", "Détourné", "version", v(`SELECT version FROM meetings WHERE id = $1`, f.ids["framingReady"])}},
			{"/w/demo/e/{fresh}/meetings/{framingFresh}", []string{"at", eaWhenPast, "held", "on", "notes", "Tenue sans représentant",
				"version", v(`SELECT version FROM meetings WHERE id = $1`, f.ids["framingFresh"])}},
		} {
			r := coach.post(f.path(rt.path), rt.form...)
			f.check("coach", "POST", rt.path, r, http.StatusNotFound)
		}
		if r := coach.get(f.path("/w/demo/e/{spare}/synthesis/1")); r.status != http.StatusNotFound {
			t.Errorf("GET a synthesis version that does not exist: %d, want 404", r.status)
		}
		if after := snapshot(); before != after {
			t.Errorf("objects changed through the URLs of an engagement they do not belong to: %s → %s", before, after)
		}
	})
}

// eaVersion returns the value of the hidden version field of the form that
// posts to action.
func eaVersion(t *testing.T, body, action string) string {
	t.Helper()
	i := strings.Index(body, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("no form posting to %s", action)
	}
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body[i:])
	if m == nil {
		t.Fatalf("the form posting to %s has no version", action)
	}
	return m[1]
}

// eaPosts lists every POST route of an engagement with a valid form, for an
// engagement like the ready one (objectives, indicators, a synthesis version 1,
// an intermediate meeting).
func eaPosts(f *eaFixture, id string) []struct {
	path string
	form []string
} {
	v := func(sql string) string { return f.q(sql, id) }
	obj := v(`SELECT id FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`)
	ind := v(`SELECT id FROM indicators WHERE engagement_id = $1 ORDER BY objective_id, position LIMIT 1`)
	mid := v(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'intermediate' LIMIT 1`)
	base := "/w/demo/e/" + id
	return []struct {
		path string
		form []string
	}{
		{base + "/willingness", nil},
		{base + "/phase", nil},
		{base + "/interrupt", []string{"reason", "Une seconde fois"}},
		{base + "/first-meeting", []string{"at", eaWhenPast, "stakes", "x", "draft_objectives", "y", "version", v(`SELECT version FROM diagnoses WHERE engagement_id = $1`)}},
		{base + "/framing", []string{"at", eaWhenPast, "notes", "x", "version", v(`SELECT version FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`)}},
		{base + "/requests/company", []string{"body", "x", "version", v(`SELECT version FROM requests WHERE engagement_id = $1 AND level = 'company'`)}},
		{base + "/requests/coachee", []string{"body", "x", "version", v(`SELECT version FROM requests WHERE engagement_id = $1 AND level = 'coachee'`)}},
		{base + "/requests/validate", []string{"company_ok", "on", "coachee_ok", "on", "coherent", "on", "coherence_comment", "x"}},
		{base + "/objectives", []string{"title", "x"}},
		{base + "/objectives/" + obj, []string{"title", "x", "version", f.q(`SELECT version FROM objectives WHERE id = $1`, obj)}},
		{base + "/objectives/" + obj + "/delete", nil},
		{base + "/objectives/" + obj + "/move", []string{"dir", "down"}},
		{base + "/objectives/" + obj + "/indicators", []string{"kind", "observable", "description", "x"}},
		{base + "/indicators/" + ind, []string{"kind", "observable", "description", "x", "version", f.q(`SELECT version FROM indicators WHERE id = $1`, ind)}},
		{base + "/indicators/" + ind + "/delete", nil},
		{base + "/contract", []string{"approach", "x", "sessions_planned", "3", "session_minutes", "60", "version", v(`SELECT version FROM contracts WHERE engagement_id = $1`)}},
		{base + "/synthesis", []string{"text", "x", "version", v(`SELECT synthesis_version FROM engagements WHERE id = $1`)}},
		{base + "/synthesis/publish", nil},
		{base + "/synthesis/1/validate", nil},
		{base + "/meetings/ask", []string{"reason", "x"}},
		{base + "/meetings/schedule", []string{"at", eaWhen}},
		{base + "/meetings/" + mid, []string{"at", eaWhenPast, "notes", "x", "version", f.q(`SELECT version FROM meetings WHERE id = $1`, mid)}},
	}
}

// TestClosedEngagementIsReadOnly: once interrupted, an engagement refuses every
// write (403) — even from its coach — while every page still reads, says it is
// read-only, and offers no form that writes to it; the history records the move.
func TestClosedEngagementIsReadOnly(t *testing.T) {
	f := newEAFixture(t)
	id := f.ids["ready"]
	base := "/w/demo/e/" + id
	coach := f.clients["coach"]

	const reason = "Départ du coaché vers une autre société"
	if r := coach.post(base+"/interrupt", "reason", reason); r.status != http.StatusSeeOther {
		t.Fatalf("interrupt: %d", r.status)
	}
	if got := f.q(`SELECT phase || ' / ' || ended_reason || ' / ' || (ended_by = $2)::text FROM engagements WHERE id = $1`, id, f.users["coach"]); got != "interrompu / "+reason+" / true" {
		t.Fatalf("after the interruption: %s", got)
	}
	snapshot := func() string {
		return f.q(`SELECT (SELECT count(*) FROM events WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM objectives WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM indicators WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM meeting_requests WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM synthesis_versions WHERE engagement_id = $1) || ' ' ||
			(SELECT sum(version) FROM requests WHERE engagement_id = $1) || ' ' ||
			(SELECT version FROM diagnoses WHERE engagement_id = $1) || ' ' ||
			(SELECT version FROM contracts WHERE engagement_id = $1) || ' ' ||
			(SELECT synthesis_version FROM engagements WHERE id = $1) || ' ' ||
			(SELECT sum(version) FROM meetings WHERE engagement_id = $1)`, id)
	}
	before := snapshot()

	t.Run("Writes", func(t *testing.T) {
		for _, rt := range eaPosts(f, id) {
			r := coach.post(rt.path, rt.form...)
			if r.status != http.StatusForbidden {
				t.Errorf("POST %s on the interrupted engagement: %d, want 403", strings.TrimPrefix(rt.path, base), r.status)
			}
		}
		// The other parties are refused too.
		for _, p := range []string{"coachee", "sponsor"} {
			for _, path := range []string{"/meetings/ask", "/synthesis/1/validate"} {
				if r := f.clients[p].post(base+path, "reason", "x"); r.status != http.StatusForbidden {
					t.Errorf("POST %s as %s on the interrupted engagement: %d, want 403", path, p, r.status)
				}
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("the interrupted engagement changed: %s → %s", before, after)
		}
	})

	// A write to a read-only engagement is refused whatever the form holds: the
	// refusal comes before the form is judged (as it does for a person without
	// the right), so an empty form is a 403 too, not a 422.
	t.Run("WritesWithEmptyForms", func(t *testing.T) {
		for _, rt := range eaPosts(f, id) {
			r := coach.post(rt.path)
			if r.status != http.StatusForbidden {
				t.Errorf("POST %s (empty form) on the interrupted engagement: %d, want 403", strings.TrimPrefix(rt.path, base), r.status)
			}
		}
		if after := snapshot(); after != before {
			t.Errorf("the interrupted engagement changed: %s → %s", before, after)
		}
	})

	t.Run("Reads", func(t *testing.T) {
		for _, path := range []string{"", "/history", "/first-meeting", "/framing", "/requests", "/objectives", "/contract",
			"/synthesis", "/synthesis/1", "/meetings"} {
			r := coach.get(base + path)
			if r.status != http.StatusOK {
				t.Errorf("GET %s on the interrupted engagement: %d, want 200", path, r.status)
				continue
			}
			if !strings.Contains(r.body, "lecture seule") {
				t.Errorf("GET %s: no read-only notice", path)
			}
			if strings.Contains(r.body, `action="`+base) {
				t.Errorf("GET %s: the page still offers a form that writes to the engagement", path)
			}
		}
		contains(t, coach.get(base), "Accompagnement interrompu : il est en lecture seule.", reason)
		for _, p := range []string{"coachee", "sponsor", "admin"} {
			contains(t, f.clients[p].get(base), "lecture seule")
		}
	})

	t.Run("History", func(t *testing.T) {
		r := coach.get(base + "/history")
		contains(t, r, "Passage de la phase « Cadrage » à « Interrompu »", "Coach Démo")
		contains(t, f.clients["admin"].get(base+"/history"), "Passage de la phase « Cadrage » à « Interrompu »")
	})
}

// TestRLSMatchesHandlers: the "—" cells of the matrix are refused by the
// handlers (404) and by PostgreSQL itself, through the application role with
// the person's scope.
func TestRLSMatchesHandlers(t *testing.T) {
	f := newEAFixture(t)
	fresh, ready := f.ids["fresh"], f.ids["ready"]
	count := func(p, sql string, args ...any) int {
		t.Helper()
		var n int
		err := f.a.env.Store.Tx(f.ctx, f.scope(p), func(tx pgx.Tx) error { return tx.QueryRow(f.ctx, sql, args...).Scan(&n) })
		if err != nil {
			t.Fatalf("%s as %s: %v", sql, p, err)
		}
		return n
	}
	status := func(p, path string) int { return f.clients[p].get(path).status }

	t.Run("Diagnosis", func(t *testing.T) {
		if s := status("sponsor", "/w/demo/e/"+ready+"/first-meeting"); s != http.StatusNotFound {
			t.Errorf("GET first-meeting as sponsor: %d, want 404", s)
		}
		if n := count("sponsor", `SELECT count(*) FROM diagnoses`); n != 0 {
			t.Errorf("the sponsor's scope sees %d diagnoses, want 0", n)
		}
		if n := count("admin", `SELECT count(*) FROM diagnoses`); n != 0 {
			t.Errorf("the admin's scope sees %d diagnoses, want 0", n)
		}
		if s := status("admin", "/w/demo/e/"+ready+"/first-meeting"); s != http.StatusNotFound {
			t.Errorf("GET first-meeting as admin: %d, want 404", s)
		}
		// The same query does see them for the parties who may: the zero above is RLS.
		all := f.q(`SELECT count(*) FROM diagnoses WHERE tenant_id = $1`, f.tenant) // the demo coach coaches them all
		if n := count("coach", `SELECT count(*) FROM diagnoses`); fmt.Sprint(n) != all {
			t.Errorf("the coach's scope sees %d diagnoses, want %s", n, all)
		}
		if n := count("coachee", `SELECT count(*) FROM diagnoses WHERE engagement_id = $1`, ready); n != 1 {
			t.Errorf("the coachee's scope sees %d diagnoses of the ready engagement, want 1", n)
		}
		// Nor can the sponsor write it.
		err := f.a.env.Store.Tx(f.ctx, f.scope("sponsor"), func(tx pgx.Tx) error {
			tag, err := tx.Exec(f.ctx, `UPDATE diagnoses SET stakes = 'réécrit' WHERE engagement_id = $1`, fresh)
			if err == nil && tag.RowsAffected() != 0 {
				t.Errorf("the sponsor's scope updated %d diagnoses", tag.RowsAffected())
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("History", func(t *testing.T) {
		for _, p := range []string{"coachee", "sponsor"} {
			if s := status(p, "/w/demo/e/"+ready+"/history"); s != http.StatusNotFound {
				t.Errorf("GET history as %s: %d, want 404", p, s)
			}
			if n := count(p, `SELECT count(*) FROM events WHERE engagement_id = $1`, ready); n != 0 {
				t.Errorf("the %s's scope sees %d events of the engagement, want 0", p, n)
			}
		}
		for _, p := range []string{"coach", "admin"} {
			if n := count(p, `SELECT count(*) FROM events WHERE engagement_id = $1`, ready); n == 0 {
				t.Errorf("the %s's scope sees no event of the engagement", p)
			}
		}
	})

	t.Run("MeetingRequests", func(t *testing.T) {
		if s := status("admin", "/w/demo/e/"+ready+"/meetings"); s != http.StatusNotFound {
			t.Errorf("GET meetings as admin: %d, want 404", s)
		}
		if n := count("admin", `SELECT count(*) FROM meeting_requests`); n != 0 {
			t.Errorf("the admin's scope sees %d meeting requests, want 0", n)
		}
		if n := count("sponsor", `SELECT count(*) FROM meeting_requests WHERE engagement_id = $1`, ready); n != 1 {
			t.Errorf("the sponsor's scope sees %d meeting requests, want 1", n)
		}
	})
}

// TestStaleSaveShowsConflict: a save based on a version someone else replaced
// overwrites nothing; it shows the current text beside the person's own in a
// form they can merge and send again.
func TestStaleSaveShowsConflict(t *testing.T) {
	f := newEAFixture(t)
	id := f.ids["fresh"]
	base := "/w/demo/e/" + id
	action := base + "/requests/company"
	coach := f.clients["coach"]
	stored := func() string {
		return f.q(`SELECT body FROM requests WHERE engagement_id = $1 AND level = 'company'`, id)
	}

	page := coach.get(base + "/requests")
	if page.status != http.StatusOK {
		t.Fatalf("requests page: %d", page.status)
	}
	ver := eaVersion(t, page.body, action)

	const textA = "Texte A : piloter les achats sans arbitrage"
	const textB = "Texte B : réduire les délais de commande"
	if r := coach.post(action, "body", textA, "version", ver); r.status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.status)
	}
	r := coach.post(action, "body", textB, "version", ver)
	if r.status != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", r.status)
	}
	contains(t, r, "Modification concurrente", textA, textB, `action="`+action+`"`)
	if !regexp.MustCompile(`<textarea[^>]*name="body"[^>]*>\s*` + regexp.QuoteMeta(textB) + `\s*</textarea>`).MatchString(r.body) {
		t.Error("the conflict page does not keep the person's text in an editable field")
	}
	if got := stored(); got != textA {
		t.Fatalf("after the stale save the database holds %q, want %q", got, textA)
	}

	merged := textA + " ; " + textB
	ver2 := eaVersion(t, r.body, action)
	if ver2 == ver {
		t.Errorf("the conflict page carries the stale version %s", ver)
	}
	if r := coach.post(action, "body", merged, "version", ver2); r.status != http.StatusSeeOther {
		t.Fatalf("merged save: %d", r.status)
	}
	if got := stored(); got != merged {
		t.Fatalf("after the merged save the database holds %q, want %q", got, merged)
	}
}

// TestCadrageGate: the move to accompagnement waits for its gate; the overview
// says what is missing; once open, the coach moves and the history shows it.
func TestCadrageGate(t *testing.T) {
	f := newEAFixture(t)
	coach := f.clients["coach"]

	fresh := "/w/demo/e/" + f.ids["fresh"]
	if r := coach.post(fresh + "/phase"); r.status != http.StatusConflict {
		t.Errorf("move with the gate closed: %d, want 409", r.status)
	}
	if got := f.q(`SELECT phase FROM engagements WHERE id = $1`, f.ids["fresh"]); got != "cadrage" {
		t.Errorf("after a refused move the phase is %s", got)
	}
	overview := coach.get(fresh)
	contains(t, overview, "Pour passer à l", "manquant :", "Il manque encore les éléments marqués ✗.",
		"Le coach a confirmé sa volonté de travailler ensemble", "La réunion tripartite de cadrage a eu lieu",
		"Au moins un objectif, chacun avec au moins un indicateur", "Le contrat est complet")
	if strings.Contains(overview.body, `href="`+fresh+`/phase/confirm"`) {
		t.Error("the overview offers the move while the gate is closed")
	}

	ready := "/w/demo/e/" + f.ids["ready"]
	overview = coach.get(ready)
	if strings.Contains(overview.body, "manquant :") || !strings.Contains(overview.body, `href="`+ready+`/phase/confirm"`) {
		t.Error("the ready engagement's overview does not show an open gate with the move")
	}
	if r := coach.post(ready + "/phase"); r.status != http.StatusSeeOther || r.location != ready {
		t.Fatalf("move with the gate open: %d → %q", r.status, r.location)
	}
	if got := f.q(`SELECT phase FROM engagements WHERE id = $1`, f.ids["ready"]); got != "accompagnement" {
		t.Fatalf("phase after the move: %s", got)
	}
	contains(t, coach.get(ready+"/history"), "Passage de la phase « Cadrage » à « Accompagnement »")
}
