package server_test

import (
	"html"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
	"triade/internal/store"
)

// The access matrix of the accompagnement and bouclage phases, in the style of
// TestEngagementAccessMatrix (same personas, same fixture, same statuses):
// 200 read, 303 written (or, for anon, sent to /login), 422 invalid form,
// 404 not for you, 403 refused write, 401 anonymous write. A 0 cell means the
// persona is not sent in that row (the row's comment says why and where it is).

// paw is one row's expected statuses, in the order of eaPersonas:
// coach, coachee, sponsor, admin, unrelated, other, anon.
type paw [len(eaPersonas)]int

// paForm builds a row's form when it is sent, for the persona sending it.
type paForm func(persona string) []string

type paRow struct {
	want         paw
	method, path string
	form         paForm
}

func paFixed(kv ...string) paForm { return func(string) []string { return kv } }

// The demo engagements of these phases.
const (
	paAcc  = "Conduite du changement — service client"    // accompagnement
	paBou  = "Prise de fonction — responsable qualité"    // bouclage, evaluation half done
	paClos = "Management transversal — projet ERP"        // clos, report v1 validated by all three
	paStop = "Orientation de carrière — mobilité interne" // interrompu
)

// Texts the tests write, to find them again (or not) on the pages.
const (
	paNewNote        = "Note privée du coach : hypothèse sur le besoin de reconnaissance, à vérifier."
	paCoachComment   = "Commentaire du coach sur l'action partagée, pour le coaché seul."
	paJournal        = "Journal du coaché : j'ai réuni l'équipe pour co-construire le plan."
	paNewAction      = "Action ajoutée par le coaché entre deux séances"
	paAnalysis5      = "Analyse de la séance 5 notée par le coach."
	paDecision5      = "Décision de la séance 5 : tester la délégation."
	paSynthesisText  = "Synthèse présentée par le coaché : je décide et je délègue."
	paCoachRewrite   = "Synthèse réécrite par le coach (ne doit jamais être enregistrée)."
	paFeedback       = "Retour du représentant : l'équipe qualité s'est stabilisée."
	paReadOnlyNotice = "Cet accompagnement est clos ou interrompu : plus rien ne peut y être modifié."
)

// paFixture is the access tests' fixture (TestEngagementAccessMatrix's, with
// its "unrelated" coach) plus the ids of the later-phase demo engagements and
// of their objects.
func paFixture(t *testing.T) *eaFixture {
	t.Helper()
	f := newEAFixture(t)
	st := f.a.env.Store
	id := func(title string) string { return f.q(`SELECT id FROM engagements WHERE title = $1`, title) }
	f.ids["acc"], f.ids["bou"], f.ids["clos"], f.ids["stop"] = id(paAcc), id(paBou), id(paClos), id(paStop)

	// Accompagnement: session 1 (held, with content, a private note, ratings,
	// a situation, options, the Karpman input) and session 5 (planned).
	acc := f.ids["acc"]
	session := func(n int) string {
		return f.q(`SELECT id FROM coaching_sessions WHERE engagement_id = $1 AND number = $2`, acc, n)
	}
	f.ids["accS1"], f.ids["accS5"] = session(1), session(5)
	lib := func(title string) string {
		return f.q(`SELECT id FROM library_items WHERE tenant_id = $1 AND title = $2`, f.tenant, title)
	}
	f.ids["accKarpman"], f.ids["accDelegation"] = lib("Triangle dramatique de Karpman"), lib("Leadership situationnel")
	f.ids["accObj"] = f.q(`SELECT id FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, acc)
	f.ids["accFraming"] = f.q(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, acc)
	f.ids["accMid"] = f.q(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'intermediate' LIMIT 1`, acc)
	action := func(title string) string {
		return f.q(`SELECT id FROM actions WHERE engagement_id = $1 AND title = $2`, acc, title)
	}
	f.ids["actShared"] = action("Réunir les deux chefs d'atelier")
	f.ids["actUnshared"] = action("Co-construire le plan de charge")
	f.ids["actToShare"] = action("Répéter la présentation avec les chefs d'atelier")
	if got := f.q(`SELECT (shared_at IS NOT NULL)::text FROM actions WHERE id = $1`, f.ids["actShared"]); got != "true" {
		t.Fatalf("the demo's first action is not shared (%s)", got)
	}

	// Bouclage: its two first indicators (the first assessed by both, the
	// second by the coach alone), a recommendation to delete, an action of the
	// coachee (the route needs one), a session, the intermediate meeting.
	bou := f.ids["bou"]
	f.ids["bouObj"] = f.q(`SELECT id FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, bou)
	f.ids["bouInd1"] = f.q(`SELECT id FROM indicators WHERE objective_id = $1 ORDER BY position LIMIT 1`, f.ids["bouObj"])
	f.ids["bouInd2"] = f.q(`SELECT id FROM indicators WHERE objective_id = $1 ORDER BY position OFFSET 1 LIMIT 1`, f.ids["bouObj"])
	if err := st.AddRecommendation(f.ctx, f.scope("coach"), bou, store.Recommendation{Body: "Préconisation à retirer", Carrier: "other"}); err != nil {
		t.Fatal(err)
	}
	f.ids["bouRid"] = f.q(`SELECT id FROM recommendations WHERE engagement_id = $1 AND body = 'Préconisation à retirer'`, bou)
	aid, err := st.AddAction(f.ctx, f.scope("coachee"), bou, store.NewAction{Title: "Action de bouclage du coaché"})
	if err != nil {
		t.Fatal(err)
	}
	f.ids["bouAid"] = aid
	f.ids["bouSid"] = f.q(`SELECT id FROM coaching_sessions WHERE engagement_id = $1 AND number = 1`, bou)
	f.ids["bouMid"] = f.q(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'intermediate' LIMIT 1`, bou)
	return f
}

// paStrs runs a query of one text column as the superuser.
func paStrs(f *eaFixture, sql string, args ...any) []string {
	f.t.Helper()
	rows, err := f.a.env.Super.Query(f.ctx, sql, args...)
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// paShows reports whether a page shows a text, raw or HTML-escaped (templ
// escapes the apostrophe).
func paShows(body, text string) bool {
	return strings.Contains(body, text) || strings.Contains(body, html.EscapeString(text))
}

func paRun(f *eaFixture, rows []paRow) {
	f.t.Helper()
	for _, rt := range rows {
		path := f.path(rt.path)
		for i, p := range eaPersonas {
			if rt.want[i] == 0 {
				continue
			}
			var kv []string
			if rt.form != nil {
				kv = rt.form(p)
			}
			r := f.call(f.clients[p], rt.method, path, kv)
			f.check(p, rt.method, rt.path, r, rt.want[i])
		}
	}
}

// TestAccompagnementAccessMatrix: sessions, their parts, private notes,
// autonomy ratings, intersession actions and the library, for every persona,
// on the demo engagement in accompagnement ({acc}: 4 of 8 sessions held, the
// fifth planned, actions in every status, the first one shared).
func TestAccompagnementAccessMatrix(t *testing.T) {
	f := paFixture(t)
	acc := f.ids["acc"]
	v := func(sql string, args ...any) string { return f.q(sql, args...) }
	seededNote := v(`SELECT body FROM private_notes WHERE session_id = $1`, f.ids["accS1"])
	seededComment := v(`SELECT body FROM action_comments WHERE action_id = $1 LIMIT 1`, f.ids["actShared"])

	// What the sponsor and the admin must not see, checked before any write.
	t.Run("ConfidentialBefore", func(t *testing.T) {
		coach, coachee, sponsor, admin := f.clients["coach"], f.clients["coachee"], f.clients["sponsor"], f.clients["admin"]
		s1 := f.path("/w/demo/e/{acc}/sessions/{accS1}")
		analysis := v(`SELECT analysis FROM session_contents WHERE session_id = $1`, f.ids["accS1"])

		// The coach's private note: on the coach's page, never on the coachee's.
		if r := coach.get(s1); !paShows(r.body, seededNote) {
			t.Errorf("the coach's session page lacks their private note %q", seededNote)
		}
		if r := coachee.get(s1); r.status != http.StatusOK || paShows(r.body, seededNote) {
			t.Errorf("the coachee's session page (status %d) shows the coach's private note", r.status)
		} else if !paShows(r.body, analysis) {
			t.Errorf("the coachee's session page lacks the session's analysis %q", analysis)
		}

		// The session list: dates and counts, no content, no link to a session.
		for _, p := range []string{"sponsor", "admin"} {
			r := f.clients[p].get(f.path("/w/demo/e/{acc}/sessions"))
			if r.status != http.StatusOK {
				t.Errorf("sessions as %s: %d", p, r.status)
				continue
			}
			contains(t, r, "4 / 8")
			if strings.Contains(r.body, s1) {
				t.Errorf("the %s's session list links to a session page", p)
			}
			if paShows(r.body, analysis) || paShows(r.body, seededNote) {
				t.Errorf("the %s's session list shows session content", p)
			}
		}

		// The sponsor's actions: the shared one only.
		r := sponsor.get(f.path("/w/demo/e/{acc}/actions"))
		if !paShows(r.body, "Réunir les deux chefs d'atelier") {
			t.Errorf("the sponsor's actions (status %d) lack the shared action", r.status)
		}
		for _, title := range paStrs(f, `SELECT title FROM actions WHERE engagement_id = $1 AND shared_at IS NULL`, acc) {
			if paShows(r.body, title) {
				t.Errorf("the sponsor's actions show the unshared action %q", title)
			}
		}
		if r := coachee.get(f.path("/w/demo/e/{acc}/actions")); !paShows(r.body, "Co-construire le plan de charge") {
			t.Error("the coachee's actions lack an unshared action")
		}

		// The shared action's page: no coach comment for the sponsor.
		shared := f.path("/w/demo/e/{acc}/actions/{actShared}")
		if r := coach.get(shared); !paShows(r.body, seededComment) {
			t.Errorf("the coach's action page lacks their comment %q", seededComment)
		}
		if r := sponsor.get(shared); r.status != http.StatusOK || paShows(r.body, seededComment) {
			t.Errorf("the sponsor's shared action page (status %d) shows the coach's comment", r.status)
		}
		if r := admin.get(shared); r.status != http.StatusNotFound {
			t.Errorf("the admin's shared action page: %d, want 404", r.status)
		}
	})

	contentVersion := func(sid string) string {
		return v(`SELECT version FROM session_contents WHERE session_id = $1`, f.ids[sid])
	}
	var (
		sessionMeta = func(string) []string {
			return []string{"at", eaWhen, "minutes", "75", "status", "planned", "cancel_reason", "",
				"version", v(`SELECT version FROM coaching_sessions WHERE id = $1`, f.ids["accS5"])}
		}
		sessionContent = func(string) []string {
			return []string{"analysis", paAnalysis5, "scenarios", "Mise en situation", "decision", paDecision5, "version", contentVersion("accS5")}
		}
		autonomy = func(p string) []string {
			return map[string][]string{"coach": {"score", "5", "word", "autonome"}, "coachee": {"score", "4", "word", "confiant"}}[p]
		}
		library = func(p string) []string {
			return []string{"title", "Fiche ajoutée par " + p, "summary", "Résumé", "reference", "Référence"}
		}
	)

	rows := []paRow{
		//  coach coachee sponsor admin unrelated other anon
		//    |    |    |    |    |    |    |
		// The session list (dates, counts): the parties and the admin read it.
		{paw{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{acc}/sessions", nil},
		// Planning a session: the coach alone (valid form, then an empty one).
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/sessions", paFixed("at", eaWhen, "minutes", "90")},
		{paw{422, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/sessions", nil},
		// A session's page (its content): the coach and the coachee only.
		{paw{200, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/sessions/{accS1}", nil},
		{paw{200, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/sessions/{accS5}", nil},
		// Editing the session and its parts: the coach alone.
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/sessions/{accS5}", sessionMeta},
		// The whole record on one form: content, a situation, an option, an
		// input, a plan line and the private note (the coach, its author, alone).
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/sessions/{accS5}/record", func(p string) []string {
			in := "input." + f.ids["accDelegation"]
			return append(sessionContent(p), "op", "save", "n_sit", "1", "sit.0.title", "Situation apportée en séance 5", "sit.0.context", "Contexte",
				"n_opt", "1", "opt.0.body", "Option envisagée en séance 5", in, "on", in+".note", "Pour la délégation",
				"n_act", "1", "act.0.title", "Action du plan de la séance 5", "act.0.objective", f.ids["accObj"], "act.0.due", "2026-12-15",
				"note", paNewNote)
		}},
		{paw{422, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/sessions/{accS5}/record", func(p string) []string {
			return append(sessionContent(p), "op", "save", "n_sit", "1", "sit.0.context", "Une situation sans titre")
		}},
		// Autonomy: the coach and the coachee each rate for themselves.
		{paw{303, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/sessions/{accS1}/autonomy", autonomy},
		{paw{422, 422, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/sessions/{accS1}/autonomy", paFixed("score", "9")},

		// Intersession actions: the coachee edits, the coach reads and
		// comments, the sponsor reads what is shared, the admin sees nothing.
		{paw{200, 200, 200, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/actions", nil},
		{paw{403, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/actions", func(string) []string {
			return []string{"title", paNewAction, "objective", f.ids["accObj"], "due", "2026-12-20"}
		}},
		{paw{403, 422, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/actions", nil},
		{paw{200, 200, 200, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/actions/{actShared}", nil},
		{paw{200, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/actions/{actUnshared}", nil},
		{paw{403, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/actions/{actUnshared}/status", paFixed("status", "in_progress")},
		{paw{403, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/actions/{actUnshared}/journal", paFixed("did", paJournal, "happened", "Accord", "learnt", "Écouter")},
		{paw{404, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/actions/{actToShare}/share/confirm", nil},
		{paw{403, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/actions/{actToShare}/share", paFixed("share", "on")},
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{acc}/actions/{actShared}/comments", paFixed("body", paCoachComment)},

		// A meeting as an .ics download: each person's own meetings. Sessions
		// are the coach's and the coachee's; the framing meeting is the three
		// attendees'; the admin attends none.
		{paw{200, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/ics/session/{accS1}", nil},
		{paw{200, 200, 200, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/ics/framing/{accFraming}", nil},
		{paw{200, 200, 200, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/ics/intermediate/{accMid}", nil},
		{paw{404, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{acc}/ics/session/{accFraming}", nil},

		// The workspace's library: coaches and the admin read and keep it.
		{paw{200, 404, 404, 200, 200, 404, 303}, "GET", "/w/demo/library", nil},
		{paw{303, 403, 403, 303, 303, 404, 401}, "POST", "/w/demo/library", library},
		{paw{422, 403, 403, 422, 422, 404, 401}, "POST", "/w/demo/library", nil},
	}
	paRun(f, rows)

	t.Run("Effects", func(t *testing.T) {
		eq := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %q, want %q", what, got, want)
			}
		}
		s1, s5 := f.ids["accS1"], f.ids["accS5"]
		eq("sessions", v(`SELECT count(*) FROM coaching_sessions WHERE engagement_id = $1`, acc), "7") // the demo's 6 (one cancelled) and the one planned here
		eq("session 5", v(`SELECT minutes || ' ' || status FROM coaching_sessions WHERE id = $1`, s5), "75 planned")
		eq("session 5 content", v(`SELECT analysis || ' | ' || decision FROM session_contents WHERE session_id = $1`, s5), paAnalysis5+" | "+paDecision5)
		eq("session 5 parts", v(`SELECT (SELECT count(*) FROM session_situations WHERE session_id = $1) || ' ' ||
			(SELECT count(*) FROM session_options WHERE session_id = $1) || ' ' ||
			(SELECT count(*) FROM session_inputs WHERE session_id = $1) || ' ' ||
			(SELECT count(*) FROM actions WHERE session_id = $1)`, s5), "1 1 1 1")
		eq("private note", v(`SELECT string_agg(body, ' | ') FROM private_notes WHERE session_id = $1`, s5), paNewNote)
		eq("autonomy", v(`SELECT string_agg(part || '=' || score || ' ' || word, ', ' ORDER BY part) FROM autonomy_ratings WHERE session_id = $1`, s1),
			"coach=5 autonome, coachee=4 confiant")
		eq("action added by the coachee", v(`SELECT count(*) FROM actions WHERE engagement_id = $1 AND title = $2 AND created_by = $3`, acc, paNewAction, f.users["coachee"]), "1")
		eq("status", v(`SELECT status FROM actions WHERE id = $1`, f.ids["actUnshared"]), "in_progress")
		eq("journal", v(`SELECT count(*) FROM journal_entries WHERE action_id = $1 AND did = $2`, f.ids["actUnshared"], paJournal), "1")
		eq("shared", v(`SELECT (shared_at IS NOT NULL)::text FROM actions WHERE id = $1`, f.ids["actToShare"]), "true")
		eq("comment", v(`SELECT count(*) FROM action_comments WHERE action_id = $1 AND body = $2 AND author_id = $3`, f.ids["actShared"], paCoachComment, f.users["coach"]), "1")
		eq("library", v(`SELECT string_agg(title, ', ' ORDER BY title) FROM library_items WHERE tenant_id = $1 AND title LIKE 'Fiche ajoutée par %'`, f.tenant),
			"Fiche ajoutée par admin, Fiche ajoutée par coach, Fiche ajoutée par unrelated")
	})

	t.Run("ConfidentialAfter", func(t *testing.T) {
		s1, s5 := f.path("/w/demo/e/{acc}/sessions/{accS1}"), f.path("/w/demo/e/{acc}/sessions/{accS5}")
		if r := f.clients["coach"].get(s5); !paShows(r.body, paNewNote) {
			t.Error("the coach's session page lacks their new private note")
		}
		if r := f.clients["coachee"].get(s5); paShows(r.body, paNewNote) {
			t.Error("the coachee's session page shows the coach's private note")
		}
		if r := f.clients["coachee"].get(s1); paShows(r.body, seededNote) {
			t.Error("the coachee's session page shows the coach's private note")
		}
		shared := f.path("/w/demo/e/{acc}/actions/{actShared}")
		if r := f.clients["coachee"].get(shared); !paShows(r.body, paCoachComment) {
			t.Error("the coachee does not see the coach's comment on their action")
		}
		r := f.clients["sponsor"].get(shared)
		if r.status != http.StatusOK || paShows(r.body, paCoachComment) || paShows(r.body, seededComment) {
			t.Errorf("the sponsor's shared action page (status %d) shows a coach comment", r.status)
		}
		// The action the coachee just shared reaches the sponsor; the others still do not.
		if r := f.clients["sponsor"].get(f.path("/w/demo/e/{acc}/actions/{actToShare}")); r.status != http.StatusOK {
			t.Errorf("the sponsor's page of the action just shared: %d, want 200", r.status)
		}
		list := f.clients["sponsor"].get(f.path("/w/demo/e/{acc}/actions"))
		for _, title := range []string{paNewAction, "Co-construire le plan de charge", "Action du plan de la séance 5"} {
			if paShows(list.body, title) {
				t.Errorf("the sponsor's actions show the unshared action %q", title)
			}
		}
		if !paShows(list.body, "Répéter la présentation avec les chefs d'atelier") {
			t.Error("the sponsor's actions lack the action just shared")
		}

		// Sharing is revocable: taken back, the action is the coachee's alone again.
		toShare := f.path("/w/demo/e/{acc}/actions/{actToShare}")
		if r := f.clients["coachee"].post(toShare + "/share"); r.status != http.StatusSeeOther {
			t.Fatalf("the coachee takes the action back: %d", r.status)
		}
		if r := f.clients["sponsor"].get(toShare); r.status != http.StatusNotFound {
			t.Errorf("the sponsor's page of an action taken back: %d, want 404", r.status)
		}
		if r := f.clients["sponsor"].get(f.path("/w/demo/e/{acc}/actions")); paShows(r.body, "Répéter la présentation avec les chefs d'atelier") {
			t.Error("the sponsor's actions still show the action taken back")
		}
		if got := v(`SELECT string_agg(kind, ',' ORDER BY id) FROM events WHERE engagement_id = $1 AND kind LIKE 'action.%shared'`, acc); !strings.HasSuffix(got, "action.shared,action.unshared") {
			t.Errorf("the share and its withdrawal are not both in the history: %s", got)
		}
	})
}

// TestAccompagnementForeignIDs: ids of another engagement of the same parties
// in this engagement's URLs are not found (404, as TestEngagementAccessMatrix's
// ForeignIDs asks of the cadrage routes), and nothing changes.
func TestAccompagnementForeignIDs(t *testing.T) {
	f := paFixture(t)
	coach, coachee := f.clients["coach"], f.clients["coachee"]
	snapshot := func() string {
		return f.q(`SELECT (SELECT count(*) FROM private_notes) || ' ' || (SELECT count(*) FROM session_situations) || ' ' ||
			(SELECT count(*) FROM session_options) || ' ' || (SELECT count(*) FROM action_comments) || ' ' ||
			(SELECT count(*) FROM journal_entries) || ' ' || (SELECT count(*) FROM autonomy_ratings) || ' ' ||
			(SELECT count(*) FROM evaluations) || ' ' || (SELECT count(*) FROM recommendations) || ' ' ||
			(SELECT count(*) FROM actions) || ' ' || (SELECT count(shared_at) FROM actions) || ' ' ||
			(SELECT sum(version) FROM coaching_sessions) || ' ' || (SELECT sum(version) FROM session_contents) || ' ' ||
			(SELECT string_agg(status, ',' ORDER BY id) FROM actions)`)
	}
	before := snapshot()
	for _, rt := range []struct {
		c    *client
		path string
		form []string
	}{
		// The bouclage engagement's session, action, recommendation in the
		// accompagnement engagement's URLs, and the other way round.
		{coach, "/w/demo/e/{acc}/sessions/{bouSid}", []string{"at", eaWhen, "minutes", "60", "status", "planned", "version", "1"}},
		{coach, "/w/demo/e/{acc}/sessions/{bouSid}/record", []string{"analysis", "Détourné", "version", "1", "n_sit", "1", "sit.0.title", "Détourné"}},
		{coach, "/w/demo/e/{acc}/sessions/{bouSid}/autonomy", []string{"score", "3"}},
		{coachee, "/w/demo/e/{acc}/sessions/{bouSid}/autonomy", []string{"score", "3"}},
		{coach, "/w/demo/e/{bou}/sessions/{accS1}/autonomy", []string{"score", "3"}},
		{coachee, "/w/demo/e/{bou}/sessions/{accS1}/autonomy", []string{"score", "3"}},
		{coach, "/w/demo/e/{acc}/actions/{bouAid}/comments", []string{"body", "Détourné"}},
		{coachee, "/w/demo/e/{acc}/actions/{bouAid}/status", []string{"status", "done"}},
		{coachee, "/w/demo/e/{acc}/actions/{bouAid}/journal", []string{"did", "Détourné"}},
		{coachee, "/w/demo/e/{acc}/actions/{bouAid}/share", []string{"share", "on"}},
		{coach, "/w/demo/e/{bou}/evaluation/{ind1}", []string{"assessment", "reached"}},
	} {
		r := rt.c.post(f.path(rt.path), rt.form...)
		who := "coach"
		if rt.c == coachee {
			who = "coachee"
		}
		f.check(who, "POST", rt.path, r, http.StatusNotFound)
	}
	for _, path := range []string{"/w/demo/e/{acc}/sessions/{bouSid}", "/w/demo/e/{acc}/actions/{bouAid}", "/w/demo/e/{bou}/ics/session/{accS1}"} {
		f.check("coach", "GET", path, coach.get(f.path(path)), http.StatusNotFound)
	}
	if after := snapshot(); after != before {
		t.Errorf("objects changed through the URLs of an engagement they do not belong to: %s → %s", before, after)
	}
}

// TestBouclageAccessMatrix: the evaluation, the final meeting, the coachee's
// synthesis, recommendations, feedback and the final report on the demo
// engagement in bouclage ({bou}); then the report's three validations close it,
// after which every write is refused and every page still reads.
func TestBouclageAccessMatrix(t *testing.T) {
	f := paFixture(t)
	bou := f.ids["bou"]
	base := "/w/demo/e/" + bou
	v := func(sql string, args ...any) string { return f.q(sql, args...) }
	synthesis := func() string {
		return v(`SELECT body || ' / v' || version FROM coachee_syntheses WHERE engagement_id = $1`, bou)
	}
	// The coachee's self-assessment as seeded (first indicator).
	selfEvidence := v(`SELECT evidence FROM evaluations WHERE indicator_id = $1 AND part = 'coachee'`, f.ids["bouInd1"])

	// The coach cannot write the coachee's synthesis, even with a valid form.
	t.Run("CoachCannotWriteTheSynthesis", func(t *testing.T) {
		before := synthesis()
		r := f.clients["coach"].post(base+"/closing/synthesis", "body", paCoachRewrite,
			"version", v(`SELECT version FROM coachee_syntheses WHERE engagement_id = $1`, bou))
		if r.status != http.StatusForbidden {
			t.Errorf("the coach's synthesis: %d, want 403", r.status)
		}
		if after := synthesis(); after != before {
			t.Errorf("the coach's refused attempt changed the coachee's synthesis: %q → %q", before, after)
		}
	})

	var (
		evaluation = func(p string) []string {
			return []string{"reached", "3 par mois", "assessment", "partly", "evidence", "Preuve apportée par " + p}
		}
		finalMeeting = func(string) []string {
			return []string{"at", eaWhenPast, "held", "on", "notes", "Réunion finale tenue", "attendees", f.users["coach"],
				"attendees", f.users["coachee"], "attendees", f.users["sponsor"],
				"version", v(`SELECT version FROM meetings WHERE engagement_id = $1 AND kind = 'final'`, bou)}
		}
		coacheeSynthesis = func(p string) []string {
			text := paSynthesisText
			if p != "coachee" {
				text = "Synthèse réécrite par " + p
			}
			return []string{"body", text, "version", v(`SELECT version FROM coachee_syntheses WHERE engagement_id = $1`, bou)}
		}
		recommendation = func(p string) []string {
			return []string{"body", "Préconisation de " + p, "carrier", "hr", "due", "2027-03-01"}
		}
	)

	before := []paRow{
		//  coach coachee sponsor admin unrelated other anon
		//    |    |    |    |    |    |    |
		// Evaluation: the coach and the coachee, each their own assessment.
		{paw{200, 200, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{bou}/evaluation", nil},
		{paw{303, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/evaluation/{bouInd2}", evaluation},
		{paw{422, 422, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/evaluation/{bouInd2}", paFixed("assessment", "peut-être")},
		{paw{422, 422, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/evaluation", nil},
		// The final three-way meeting: all parties and the admin read it.
		{paw{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{bou}/closing", nil},
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/closing/meeting", finalMeeting},
		// The coachee's synthesis: the coachee alone (the coach cannot edit it).
		{paw{403, 303, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/closing/synthesis", coacheeSynthesis},
		// Recommendations: the coach and the sponsor; the coach removes.
		{paw{303, 403, 303, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/closing/recommendations", recommendation},
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/closing/recommendations/{bouRid}/delete", nil},
		// The sponsor's feedback: the sponsor alone.
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/closing/note", paFixed("note", "Deux séances non tenues, d'un commun accord.")},
		{paw{422, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/closing/note", nil},
		{paw{403, 403, 303, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/closing/feedback", paFixed("body", paFeedback)},
		// The report list, before any report.
		{paw{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{bou}/report", nil},
		// A comment on a synthesis version: the sponsor alone.
		{paw{403, 403, 303, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/synthesis/1/comment", paFixed("body", "Commentaire sur la synthèse")},
	}
	paRun(f, before)

	// Before any report, the coachee's self-assessment reaches the sponsor
	// (and the admin) nowhere.
	t.Run("SelfAssessmentHiddenBeforeTheReport", func(t *testing.T) {
		if n := v(`SELECT count(*) FROM report_versions WHERE engagement_id = $1`, bou); n != "0" {
			t.Fatalf("%s report versions already", n)
		}
		evidence := []string{selfEvidence, "Preuve apportée par coachee"}
		own := f.clients["coachee"].get(base + "/evaluation")
		for _, e := range evidence {
			if !paShows(own.body, e) {
				t.Errorf("the coachee's evaluation page lacks their evidence %q", e)
			}
		}
		for _, p := range []string{"sponsor", "admin"} {
			if r := f.clients[p].get(base + "/evaluation"); r.status != http.StatusNotFound {
				t.Errorf("GET /evaluation as %s: %d, want 404", p, r.status)
			}
			for _, path := range []string{"", "/closing", "/report", "/sessions", "/actions", "/objectives", "/synthesis", "/synthesis/1", "/meetings"} {
				r := f.clients[p].get(base + path)
				for _, e := range evidence {
					if paShows(r.body, e) {
						t.Errorf("GET %s as %s (status %d) shows the coachee's self-assessment %q", path, p, r.status, e)
					}
				}
			}
			for _, path := range []string{"/w/demo/", "/w/demo/engagements"} {
				r := f.clients[p].get(path)
				for _, e := range evidence {
					if paShows(r.body, e) {
						t.Errorf("GET %s as %s shows the coachee's self-assessment %q", path, p, e)
					}
				}
			}
		}
	})

	after := []paRow{
		//  coach coachee sponsor admin unrelated other anon
		//    |    |    |    |    |    |    |
		// The final report: the coach publishes, all read, the sponsor comments.
		{paw{303, 403, 403, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/report/publish", nil},
		{paw{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{bou}/report/1", nil},
		// The version's page frame for print; its comparison with the version
		// before (none for a first version); its PDF (no PDF engine here).
		{paw{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{bou}/report/1/print.css", nil},
		{paw{404, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{bou}/report/1/diff", nil},
		{paw{404, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{bou}/report/1/pdf", nil},
		{paw{200, 200, 200, 200, 404, 404, 303}, "GET", "/w/demo/e/{bou}/synthesis/1/print.css", nil},
		{paw{404, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{bou}/synthesis/1/diff", nil},
		{paw{404, 404, 404, 404, 404, 404, 303}, "GET", "/w/demo/e/{bou}/synthesis/1/pdf", nil},
		{paw{403, 403, 303, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/report/1/comment", paFixed("body", "Commentaire du représentant sur le rapport")},
		// Validation by the three parties. The sponsor's (the third) would
		// close the engagement: it is sent in the Closing subtest below.
		{paw{303, 303, 0, 403, 404, 404, 401}, "POST", "/w/demo/e/{bou}/report/1/validate", nil},
	}
	paRun(f, after)

	t.Run("Effects", func(t *testing.T) {
		eq := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %q, want %q", what, got, want)
			}
		}
		eq("evaluations of the second indicator", v(`SELECT string_agg(part || ': ' || evidence, ' | ' ORDER BY part) FROM evaluations WHERE indicator_id = $1`, f.ids["bouInd2"]),
			"coach: Preuve apportée par coach | coachee: Preuve apportée par coachee")
		eq("final meeting", v(`SELECT held::text || ' ' || notes FROM meetings WHERE engagement_id = $1 AND kind = 'final'`, bou), "true Réunion finale tenue")
		eq("coachee synthesis", v(`SELECT body FROM coachee_syntheses WHERE engagement_id = $1`, bou), paSynthesisText)
		eq("recommendations", v(`SELECT string_agg(body, ' | ' ORDER BY body) FROM recommendations WHERE engagement_id = $1`, bou),
			"Préconisation de coach | Préconisation de sponsor")
		eq("feedback", v(`SELECT string_agg(body, ' | ') FROM sponsor_feedback WHERE engagement_id = $1`, bou), paFeedback)
		eq("report versions", v(`SELECT count(*) FROM report_versions WHERE engagement_id = $1`, bou), "1")
		eq("comments", v(`SELECT string_agg(document || ' ' || number, ', ' ORDER BY document) FROM document_comments WHERE engagement_id = $1`, bou), "report 1, synthesis 1")
		eq("report validations", v(`SELECT string_agg(part, ',' ORDER BY part) FROM report_validations WHERE engagement_id = $1 AND number = 1`, bou), "coach,coachee")
		eq("phase", v(`SELECT phase FROM engagements WHERE id = $1`, bou), "bouclage")
	})

	// The coach still cannot touch the synthesis the coachee wrote.
	t.Run("CoachCannotOverwriteTheSynthesis", func(t *testing.T) {
		before := synthesis()
		r := f.clients["coach"].post(base+"/closing/synthesis", "body", paCoachRewrite,
			"version", v(`SELECT version FROM coachee_syntheses WHERE engagement_id = $1`, bou))
		if r.status != http.StatusForbidden {
			t.Errorf("the coach's synthesis: %d, want 403", r.status)
		}
		if after := synthesis(); after != before || !strings.HasPrefix(after, paSynthesisText) {
			t.Errorf("the coachee's synthesis after the coach's attempt: %q (before %q)", after, before)
		}
	})

	// A new version, validated by the three parties through HTTP: the third
	// validation closes the engagement.
	closed := t.Run("Closing", func(t *testing.T) {
		coach, coachee, sponsor := f.clients["coach"], f.clients["coachee"], f.clients["sponsor"]
		phase := func() string { return v(`SELECT phase FROM engagements WHERE id = $1`, bou) }
		if r := coach.post(base + "/report/publish"); r.status != http.StatusSeeOther || r.location != base+"/report/2" {
			t.Fatalf("publish version 2: %d → %q", r.status, r.location)
		}
		// Version 1 is no longer the current one.
		if r := sponsor.post(base + "/report/1/validate"); r.status != http.StatusConflict {
			t.Errorf("the sponsor validating version 1 after version 2: %d, want 409", r.status)
		}
		for i, c := range []*client{coach, coachee, sponsor} {
			who := []string{"coach", "coachee", "sponsor"}[i]
			if r := c.post(base + "/report/2/validate"); r.status != http.StatusSeeOther {
				t.Fatalf("validation of version 2 by the %s: %d", who, r.status)
			}
			want := "bouclage"
			if i == 2 {
				want = "clos"
			}
			if got := phase(); got != want {
				t.Fatalf("after the %s's validation the phase is %s, want %s", who, got, want)
			}
		}
		if got := v(`SELECT string_agg(part, ',' ORDER BY part) FROM report_validations WHERE engagement_id = $1 AND number = 2`, bou); got != "coach,coachee,sponsor" {
			t.Errorf("validations of version 2: %s", got)
		}
		if got := v(`SELECT count(*) FROM events WHERE engagement_id = $1 AND kind = 'phase.moved' AND data->>'from' = 'bouclage' AND data->>'to' = 'clos'`, bou); got != "1" {
			t.Errorf("phase moves to clos in the history: %s, want 1", got)
		}
		for _, p := range []string{"coach", "admin"} {
			contains(t, f.clients[p].get(base+"/history"), "Passage de la phase « Bouclage » à « Clos »")
		}
	})
	if !closed {
		t.Fatal("the engagement did not close: the read-only checks would mean nothing")
	}

	routes := paEngagementRoutes(t)
	params := map[string]string{"slug": "demo", "id": bou, "sid": f.ids["bouSid"], "aid": f.ids["bouAid"], "iid": f.ids["bouInd1"],
		"oid": f.ids["bouObj"], "level": "company", "mid": f.ids["bouMid"], "n": "1", "rid": v(`SELECT id FROM recommendations WHERE engagement_id = $1 LIMIT 1`, bou),
		"kind": "situation", "item": f.ids["bouSid"]}
	snapshot := func() string {
		return v(`SELECT (SELECT count(*) FROM events WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM recommendations WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM evaluations WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM report_versions WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM report_validations WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM document_comments WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM coaching_sessions WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM actions WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM journal_entries WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM private_notes WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM autonomy_ratings WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM objectives WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM indicators WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM meeting_requests WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM synthesis_versions WHERE engagement_id = $1) || ' ' ||
			(SELECT version FROM coachee_syntheses WHERE engagement_id = $1) || ' ' ||
			(SELECT sum(version) FROM meetings WHERE engagement_id = $1) || ' ' ||
			(SELECT count(*) FROM sponsor_feedback WHERE engagement_id = $1) || ' ' ||
			(SELECT phase FROM engagements WHERE id = $1)`, bou)
	}

	// Every POST route under /e/{id}, as routes.go lists them: refused with
	// the read-only message for every party and the admin, before any form is
	// read (the forms are empty); unchanged database.
	t.Run("ClosedRefusesEveryWrite", func(t *testing.T) {
		before := snapshot()
		n := 0
		for _, rt := range routes {
			if rt.method != http.MethodPost {
				continue
			}
			n++
			path := paFill(t, rt.pattern, params)
			for i, p := range eaPersonas {
				want := paw{403, 403, 403, 403, 404, 404, 401}[i]
				r := f.clients[p].post(path)
				if r.status != want {
					t.Errorf("POST %s as %s on the closed engagement: %d, want %d", rt.pattern, p, r.status, want)
					continue
				}
				if want == http.StatusForbidden && !strings.Contains(r.body, paReadOnlyNotice) {
					t.Errorf("POST %s as %s on the closed engagement: 403 without the read-only message", rt.pattern, p)
				}
			}
		}
		if n < 40 {
			t.Errorf("only %d POST routes found under /e/{id} in routes.go", n)
		}
		if after := snapshot(); after != before {
			t.Errorf("the closed engagement changed: %s → %s", before, after)
		}
	})

	// Every GET route under /e/{id} still reads for its readers (and stays
	// hidden from the others).
	t.Run("ClosedStillReads", func(t *testing.T) {
		all := []string{"coach", "coachee", "sponsor", "admin"}
		readers := map[string][]string{
			"":                         all,
			"/history":                 {"coach", "admin"},
			"/first-meeting":           {"coach", "coachee"},
			"/framing":                 all,
			"/requests":                all,
			"/objectives":              all,
			"/contract":                all,
			"/synthesis":               all,
			"/synthesis/{n}":           all,
			"/meetings":                {"coach", "coachee", "sponsor"},
			"/sessions":                all,
			"/sessions/{sid}":          {"coach", "coachee"},
			"/actions":                 {"coach", "coachee", "sponsor"},
			"/actions/{aid}":           {"coach", "coachee"}, // the coachee's unshared action
			"/evaluation":              {"coach", "coachee"},
			"/closing":                 all,
			"/report":                  all,
			"/report/{n}":              all,
			"/report/{n}/print.css":    all,
			"/synthesis/{n}/print.css": all,
			// A first version has nothing before it; no PDF engine here.
			"/report/{n}/diff":    nil,
			"/synthesis/{n}/diff": nil,
			"/report/{n}/pdf":     nil,
			"/synthesis/{n}/pdf":  nil,
			// Pages that only lead to a write: nobody, once closed.
			"/phase/confirm":                   nil,
			"/interrupt/confirm":               nil,
			"/objectives/{oid}/edit":           nil,
			"/objectives/{oid}/delete/confirm": nil,
			"/indicators/{iid}/delete/confirm": nil,
			"/actions/{aid}/share/confirm":     nil,
			// The framing meeting as an .ics download: its three attendees.
			"/ics/{kind}/{mid}": {"coach", "coachee", "sponsor"},
			// What the sponsor sees, still shown to the coach and the coachee.
			"/as-sponsor": {"coach", "coachee"},
		}
		ics := map[string]string{}
		for k, val := range params {
			ics[k] = val
		}
		ics["kind"], ics["mid"] = "framing", v(`SELECT id FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, bou)
		for _, rt := range routes {
			if rt.method != http.MethodGet {
				continue
			}
			rest := strings.TrimSuffix(strings.TrimPrefix(rt.pattern, paEngagementPrefix), "/")
			who, ok := readers[rest]
			if !ok {
				t.Errorf("GET %s: route not in this test's table of readers", rt.pattern)
				continue
			}
			path := paFill(t, rt.pattern, params)
			if rest == "/ics/{kind}/{mid}" {
				path = paFill(t, rt.pattern, ics)
			}
			for _, p := range eaPersonas {
				want := http.StatusNotFound
				switch {
				case p == "anon":
					want = http.StatusSeeOther
				case slices.Contains(who, p):
					want = http.StatusOK
				}
				r := f.clients[p].get(path)
				if r.status != want {
					t.Errorf("GET %s as %s on the closed engagement: %d, want %d", rt.pattern, p, r.status, want)
				}
				page := strings.HasPrefix(r.header.Get("Content-Type"), "text/html")
				if want == http.StatusOK && page && !strings.Contains(r.body, "lecture seule") {
					t.Errorf("GET %s as %s: no read-only notice", rt.pattern, p)
				}
			}
		}
		if r := f.clients["coach"].get(base + "/report/2"); r.status != http.StatusOK {
			t.Errorf("GET the validated report as coach: %d", r.status)
		}
	})
}

// TestReportHasNoSessionContent: the final report carries the indicators and
// the recommendations, never what was said in the sessions, a private note or
// the coachee's journal.
func TestReportHasNoSessionContent(t *testing.T) {
	f := paFixture(t)
	// Session content, private notes, journals and comments: the texts that
	// must never reach a report.
	secrets := func(scope string, args ...any) []string {
		var out []string
		for _, q := range []string{
			`SELECT analysis FROM session_contents WHERE %s`, `SELECT scenarios FROM session_contents WHERE %s`,
			`SELECT decision FROM session_contents WHERE %s`, `SELECT title FROM session_situations WHERE %s`,
			`SELECT context FROM session_situations WHERE %s`, `SELECT body FROM session_options WHERE %s`,
			`SELECT note FROM session_inputs WHERE %s`, `SELECT body FROM private_notes WHERE %s`,
			`SELECT did FROM journal_entries WHERE %s`, `SELECT happened FROM journal_entries WHERE %s`,
			`SELECT learnt FROM journal_entries WHERE %s`, `SELECT body FROM action_comments WHERE %s`,
		} {
			for _, s := range paStrs(f, strings.Replace(q, "%s", scope, 1), args...) {
				if s != "" {
					out = append(out, s)
				}
			}
		}
		return out
	}
	check := func(t *testing.T, id, number string, forbidden []string) {
		t.Helper()
		for _, p := range []string{"sponsor", "admin", "coach", "coachee"} {
			r := f.clients[p].get("/w/demo/e/" + id + "/report/" + number)
			if r.status != http.StatusOK {
				t.Errorf("GET report %s as %s: %d", number, p, r.status)
				continue
			}
			for _, d := range paStrs(f, `SELECT description FROM indicators WHERE engagement_id = $1`, id) {
				if !paShows(r.body, d) {
					t.Errorf("the report as %s lacks the indicator %q", p, d)
				}
			}
			recs := paStrs(f, `SELECT body FROM recommendations WHERE engagement_id = $1`, id)
			if len(recs) == 0 {
				t.Fatal("the engagement has no recommendation")
			}
			for _, rc := range recs {
				if !paShows(r.body, rc) {
					t.Errorf("the report as %s lacks the recommendation %q", p, rc)
				}
			}
			for _, s := range forbidden {
				if paShows(r.body, s) {
					t.Errorf("the report as %s shows %q", p, s)
				}
			}
		}
	}

	// The demo's closed engagement. It has no session content of its own, so
	// the texts of every engagement of the workspace are looked for.
	t.Run("Closed", func(t *testing.T) {
		id := f.ids["clos"]
		own := secrets("engagement_id = $1", id)
		all := secrets("tenant_id = $1", f.tenant)
		t.Logf("closed engagement: %d session texts of its own, %d in the workspace", len(own), len(all))
		if len(all) == 0 {
			t.Fatal("no session content in the demo: the check would mean nothing")
		}
		check(t, id, "1", all)
	})

	// The engagement with sessions, notes and journals, moved to bouclage and
	// reported through HTTP.
	t.Run("FromAccompagnement", func(t *testing.T) {
		id := f.ids["acc"]
		base := "/w/demo/e/" + id
		coach, coachee := f.clients["coach"], f.clients["coachee"]
		own := secrets("engagement_id = $1", id)
		if len(own) < 10 {
			t.Fatalf("only %d session texts in the accompagnement engagement", len(own))
		}
		steps := []struct {
			c    *client
			path string
			form []string
		}{
			{coach, "/phase", nil},
			{coach, "/closing/recommendations", []string{"body", "Point mensuel avec le manager", "carrier", "manager"}},
			{coachee, "/closing/synthesis", []string{"body", "Ma synthèse de fin d'accompagnement", "version", "1"}},
			{coach, "/report/publish", nil},
		}
		for _, s := range steps {
			if r := s.c.post(base+s.path, s.form...); r.status != http.StatusSeeOther {
				t.Fatalf("POST %s: %d", s.path, r.status)
			}
		}
		check(t, id, "1", own)
	})
}

// paEngagementPrefix is where an engagement's routes live.
const paEngagementPrefix = "/w/{slug}/e/{id}"

type paRoute struct{ method, pattern string }

// paEngagementRoutes lists the routes under /w/{slug}/e/{id}. The server does
// not expose its chi router (server.Server has no Routes()/Router() method),
// so unless it one day does, they are read from routes.go.
func paEngagementRoutes(t *testing.T) []paRoute {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []paRoute
	for _, rt := range paParseRoutes(string(src)) {
		if strings.HasPrefix(rt.pattern, paEngagementPrefix+"/") || rt.pattern == paEngagementPrefix {
			out = append(out, rt)
		}
	}
	if len(out) == 0 {
		t.Fatal("no route under /w/{slug}/e/{id} in routes.go")
	}
	return out
}

// paParseRoutes reads r.Get/r.Post/… calls, nested in r.Route blocks, from the
// source of a chi route map.
func paParseRoutes(src string) []paRoute {
	reStr := regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`")
	reRoute := regexp.MustCompile(`\br\.Route\("([^"]*)"`)
	reMethod := regexp.MustCompile(`\br\.(Get|Post|Put|Patch|Delete)\("([^"]*)"`)
	type frame struct {
		prefix string
		depth  int
	}
	var (
		out   []paRoute
		stack []frame
		depth int
	)
	for _, line := range strings.Split(src, "\n") {
		// Blank the strings (same length) to find the comment and count braces.
		bare := reStr.ReplaceAllStringFunc(line, func(s string) string { return `"` + strings.Repeat("x", len(s)-2) + `"` })
		if i := strings.Index(bare, "//"); i >= 0 {
			line, bare = line[:i], bare[:i]
		}
		prefix := ""
		for _, fr := range stack {
			prefix += fr.prefix
		}
		for _, m := range reMethod.FindAllStringSubmatch(line, -1) {
			out = append(out, paRoute{strings.ToUpper(m[1]), prefix + m[2]})
		}
		if m := reRoute.FindStringSubmatch(line); m != nil {
			stack = append(stack, frame{m[1], depth + 1})
		}
		depth += strings.Count(bare, "{") - strings.Count(bare, "}")
		for len(stack) > 0 && depth < stack[len(stack)-1].depth {
			stack = stack[:len(stack)-1]
		}
	}
	return out
}

// paFill replaces the {params} of a route pattern.
func paFill(t *testing.T, pattern string, params map[string]string) string {
	t.Helper()
	return regexp.MustCompile(`\{([^/}]+)\}`).ReplaceAllStringFunc(pattern, func(s string) string {
		v, ok := params[s[1:len(s)-1]]
		if !ok {
			t.Fatalf("route %s: no value for %s", pattern, s)
		}
		return v
	})
}

// paMatch finds the route a concrete path (or a row's path with its
// placeholders) takes: among the patterns that match, the one with the most
// static segments, as chi prefers them.
func paMatch(routes []paRoute, method, path string) (paRoute, bool) {
	norm := func(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }
	segs := norm(path)
	best, bestStatic, found := paRoute{}, -1, false
	for _, rt := range routes {
		if rt.method != method {
			continue
		}
		ps := norm(rt.pattern)
		if len(ps) != len(segs) {
			continue
		}
		static, ok := 0, true
		for i, s := range ps {
			switch {
			case strings.HasPrefix(s, "{"):
			case s == segs[i]:
				static++
			default:
				ok = false
			}
		}
		if ok && static > bestStatic {
			best, bestStatic, found = rt, static, true
		}
	}
	return best, found
}

// TestEveryRouteIsInTheMatrix: every route under /w/{slug}/e/{id} is sent by a
// row of one of the access matrices of this package (rows written
// `{w{…}, "METHOD", "path", …}` or `{paw{…}, …}` in its _test.go files). A new
// route fails here until a matrix says who may use it.
func TestEveryRouteIsInTheMatrix(t *testing.T) {
	// The router itself, if the server ever exposes it; else routes.go.
	var routes []paRoute
	a := newApp(t, false)
	var h any = a.srv.Config.Handler
	var mux chi.Routes
	switch s := h.(type) {
	case interface{ Routes() chi.Routes }:
		mux = s.Routes()
	case interface{ Router() chi.Router }:
		mux = s.Router()
	case chi.Routes:
		mux = s
	}
	if mux != nil {
		err := chi.Walk(mux, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			if strings.HasPrefix(route, paEngagementPrefix) {
				routes = append(routes, paRoute{method, route})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	} else {
		t.Log("server.Server does not expose its chi router: routes read from routes.go")
		routes = paEngagementRoutes(t)
	}

	// The rows of the matrices.
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	reRow := regexp.MustCompile(`^\s*\{(?:w|paw)\{[^}]*\},\s*"(GET|POST)",\s*"([^"]+)"`)
	rePlaceholder := regexp.MustCompile(`\{[^/}]+\}`)
	covered := map[paRoute][]string{}
	rows := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(src), "\n") {
			m := reRow.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			rows++
			// A row's placeholders stand for ids: "x" is no static segment.
			path := rePlaceholder.ReplaceAllString(m[2], "x")
			if rt, ok := paMatch(routes, m[1], path); ok {
				covered[rt] = append(covered[rt], file)
			}
		}
	}
	if rows < 50 {
		t.Fatalf("only %d matrix rows found", rows)
	}
	var missing []string
	for _, rt := range routes {
		if _, ok := covered[rt]; !ok {
			missing = append(missing, rt.method+" "+rt.pattern)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("route not in any access matrix: %s", m)
	}
	t.Logf("%d routes under %s, %d matrix rows, %d routes covered", len(routes), paEngagementPrefix, rows, len(covered))
}

// TestAccompagnementBouclageFixture: the demo engagements are in the phases
// these tests assume.
func TestAccompagnementBouclageFixture(t *testing.T) {
	f := paFixture(t)
	for key, want := range map[string]domain.Phase{"acc": domain.PhaseAccompagnement, "bou": domain.PhaseBouclage,
		"clos": domain.PhaseClos, "stop": domain.PhaseInterrompu} {
		if got := f.q(`SELECT phase FROM engagements WHERE id = $1`, f.ids[key]); got != string(want) {
			t.Errorf("%s: phase %s, want %s", key, got, want)
		}
	}
}
