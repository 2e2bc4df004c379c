package server_test

// Hostile input: what a person (or a script) can send that no form offers.
// Each answer is a clear error page or the form again, with a message beside
// the field and the rest of the person's input kept, and nothing is stored
// half-way.

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"triade/internal/demo"
	"triade/internal/store"
)

// Messages of the French catalog the answers must show.
const (
	hiTooLarge     = "Ce que vous avez envoyé dépasse la taille permise."
	hiTooLong      = "Ce texte est trop long."
	hiRequired200  = "Ce champ est obligatoire (200 caractères au plus)."
	hiBadDate      = "Saisissez une date valide (entre 2000 et 2100)."
	hiBadMoment    = "Saisissez une date et une heure valides."
	hiUnknownOrg   = "Cette organisation n'existe pas dans l'espace."
	hiInvalidPick  = "Choisissez une des valeurs proposées."
	hiNotFound     = "Page introuvable"
	hiConflict     = "Modification concurrente"
	hiStaleSession = "Cette séance a été modifiée entre-temps : vérifiez les valeurs puis enregistrez à nouveau."
	hiBadRequest   = "Requête invalide"
)

type hiCase struct {
	name   string
	who    string
	path   string   // {name} is replaced by the fixture's id of that name
	form   []string // a value "{name}" is replaced by that id
	ctype  string   // with body: a raw request instead of a form
	body   string
	status []int    // acceptable statuses (the first is the expected one)
	field  string   // the message must show beside this field (id "e-<field>")
	msg    string   // the message expected (beside the field, or on the page)
	vague  []string // messages that would not say what is wrong with this input
	keep   []string // fields whose input must come back on the page
	table  string   // rows that must not change: table …
	where  string   // … and condition
	check  func(t *testing.T, r resp)
}

var hiFieldError = regexp.MustCompile(`<p class="error" id="e-([^"]+)">([^<]*)</p>`)

// hiMessage is the message beside a field, or "" (and whether there is one).
func hiMessage(body, field string) (string, bool) {
	for _, m := range hiFieldError.FindAllStringSubmatch(body, -1) {
		if m[1] == field {
			return html.UnescapeString(m[2]), true
		}
	}
	return "", false
}

func TestHostileInput(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	z := fzNew(t)
	ctx, ids := z.ctx, z.ids
	coach := store.Scope{TenantID: ids["tenant"], UserID: ids["u:coach"]}

	// Versions: the contract saved once more (its previous version is stale),
	// objective B edited twice (its version is not objective A's).
	c := z.as(t, "coach")
	if r := c.post(z.fill("/w/demo/e/{fresh}/contract"), "approach", "Approche", "version", z.q(t, `SELECT version FROM contracts WHERE engagement_id = '{fresh}'`)); r.status != http.StatusSeeOther {
		t.Fatalf("contract: %d", r.status)
	}
	v := z.q(t, `SELECT version FROM contracts WHERE engagement_id = '{fresh}'`)
	n, _ := strconv.Atoi(v)
	ids["vContract"], ids["vContractStale"] = v, strconv.Itoa(n-1)
	objB, err := z.env.Store.AddObjective(ctx, coach, ids["fresh"], store.Objective{Title: "Objectif B"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		if err := z.env.Store.UpdateObjective(ctx, coach, ids["fresh"], store.Objective{ID: objB, Title: "Objectif B" + strconv.Itoa(i), Version: i}); err != nil {
			t.Fatal(err)
		}
	}
	ids["objB"], ids["vObjB"] = objB, z.q(t, `SELECT version FROM objectives WHERE id = $1`, objB)
	ids["vSid"] = z.q(t, `SELECT version FROM coaching_sessions WHERE id = '{sid}'`)
	n, _ = strconv.Atoi(ids["vSid"])
	ids["vSidStale"] = strconv.Itoa(n - 1)
	ids["vRequest"] = z.q(t, `SELECT version FROM requests WHERE engagement_id = '{fresh}' AND level = 'coachee'`)
	ids["vSynthesis"] = z.q(t, `SELECT synthesis_version FROM engagements WHERE id = '{fresh}'`)
	ids["vContent"] = z.q(t, `SELECT version FROM session_contents WHERE session_id = '{sid}'`)
	ids["vDiagnosis"] = z.q(t, `SELECT version FROM diagnoses WHERE engagement_id = '{fresh}'`)
	// The coachee's request saved once more: the version before is stale.
	if r := z.as(t, "coachee").post(z.fill("/w/demo/e/{fresh}/requests/coachee"), "body", "Ma demande", "version", ids["vRequest"]); r.status != http.StatusSeeOther {
		t.Fatalf("request: %d", r.status)
	}
	ids["vRequestStale"] = ids["vRequest"]

	big := strings.Repeat("x", 2<<20)        // over the 1 MiB limit on bodies
	long := strings.Repeat("é", 100000)      // 100k characters: over every text limit
	badUTF8 := "Déléguer \xff\xfe davantage" // not UTF-8
	unprocessable := []int{http.StatusUnprocessableEntity}
	fresh, acc, bou := "/w/demo/e/{fresh}", "/w/demo/e/{acc}", "/w/demo/e/{bou}"
	contract := func(kv ...string) []string {
		form := map[string]string{"approach": "Approche gardée", "sessions_planned": "8", "session_minutes": "90", "start": "2026-03-02",
			"end": "2026-09-30", "confidentiality": "Confidentialité gardée", "exceptions": "", "version": "{vContract}"}
		for i := 0; i+1 < len(kv); i += 2 {
			form[kv[i]] = kv[i+1]
		}
		var out []string
		for _, k := range []string{"approach", "sessions_planned", "session_minutes", "start", "end", "confidentiality", "exceptions", "version"} {
			out = append(out, k, form[k])
		}
		return out
	}
	contractKeep := []string{"approach", "sessions_planned", "session_minutes", "start", "end", "confidentiality"}
	without := func(keep []string, name string) []string {
		var out []string
		for _, k := range keep {
			if k != name {
				out = append(out, k)
			}
		}
		return out
	}

	cases := []hiCase{
		// Oversized bodies: a 413 page that says so, nothing stored.
		{name: "oversized login", who: "anon", path: "/login", form: []string{"email", big, "password", "x"},
			status: []int{http.StatusRequestEntityTooLarge}, msg: hiTooLarge},
		{name: "oversized sign-up", who: "anon", path: "/signup", form: []string{"workspace", big, "name", "A", "email", "a@fuzz.test", "password", "un mot de passe long", "practice", "solo"},
			status: []int{http.StatusRequestEntityTooLarge}, msg: hiTooLarge, table: "workspaces", where: "true"},
		{name: "oversized contract", who: "coach", path: fresh + "/contract", form: contract("approach", big),
			status: []int{http.StatusRequestEntityTooLarge}, msg: hiTooLarge, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "oversized synthesis", who: "coach", path: fresh + "/synthesis", form: []string{"text", big, "version", "{vSynthesis}"},
			status: []int{http.StatusRequestEntityTooLarge}, msg: hiTooLarge, table: "engagements", where: "id = '{fresh}'"},
		{name: "oversized journal", who: "coachee", path: acc + "/actions/{aid}/journal", form: []string{"did", big},
			status: []int{http.StatusRequestEntityTooLarge}, msg: hiTooLarge, table: "journal_entries", where: "engagement_id = '{acc}'"},
		{name: "oversized organisation", who: "admin", path: "/w/demo/orgs", form: []string{"name", big},
			status: []int{http.StatusRequestEntityTooLarge}, msg: hiTooLarge, table: "client_orgs", where: "tenant_id = '{tenant}'"},
		{name: "oversized document comment", who: "sponsor", path: bou + "/synthesis/1/comment", form: []string{"body", big},
			status: []int{http.StatusRequestEntityTooLarge}, msg: hiTooLarge, table: "document_comments", where: "true"},

		// Invalid UTF-8: the form again, a message beside the field that says
		// what is wrong (not "too long"), nothing stored.
		{name: "invalid UTF-8 in the contract", who: "coach", path: fresh + "/contract", form: contract("approach", badUTF8),
			status: unprocessable, field: "approach", vague: []string{hiTooLong}, keep: without(contractKeep, "approach"),
			table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "invalid UTF-8 in an objective", who: "coach", path: fresh + "/objectives", form: []string{"title", badUTF8, "description", "Description gardée"},
			status: unprocessable, field: "new-title", vague: []string{hiTooLong, hiRequired200}, keep: []string{"description"},
			table: "objectives", where: "engagement_id = '{fresh}'"},
		{name: "invalid UTF-8 in a journal entry", who: "coachee", path: acc + "/actions/{aid}/journal", form: []string{"did", badUTF8, "happened", "Gardé", "learnt", "Appris"},
			status: unprocessable, field: "did", vague: []string{hiTooLong}, keep: []string{"happened", "learnt"},
			table: "journal_entries", where: "engagement_id = '{acc}'"},
		{name: "invalid UTF-8 in a situation", who: "coach", path: acc + "/sessions/{sid}/record", form: []string{"n_sit", "1", "sit.0.title", badUTF8, "sit.0.context", "Contexte gardé", "version", "{vContent}"},
			status: unprocessable, field: "sit-0-title", vague: []string{hiTooLong}, keep: []string{"sit.0.context"},
			table: "session_situations", where: "engagement_id = '{acc}'"},
		{name: "invalid UTF-8 in a recommendation", who: "coach", path: bou + "/closing/recommendations", form: []string{"body", badUTF8, "carrier", "coachee", "due", "2026-12-31"},
			status: unprocessable, field: "rec-body", vague: []string{hiTooLong}, keep: []string{"due"},
			table: "recommendations", where: "engagement_id = '{bou}'"},
		{name: "invalid UTF-8 in a sign-up", who: "anon", path: "/signup", form: []string{"workspace", "Cabinet gardé", "slug", "", "name", badUTF8, "email", "garde@fuzz.test", "password", "un mot de passe long", "practice", "solo"},
			status: unprocessable, field: "name", vague: []string{hiRequired200}, keep: []string{"workspace", "email"}, table: "workspaces", where: "true"},

		// NUL bytes: PostgreSQL cannot store them; the form must say so, not fail.
		{name: "NUL byte in the contract", who: "coach", path: fresh + "/contract", form: contract("approach", "a\x00b"),
			status: unprocessable, field: "approach", keep: contractKeep, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "NUL byte in a journal entry", who: "coachee", path: acc + "/actions/{aid}/journal", form: []string{"did", "a\x00b", "happened", "Gardé"},
			status: unprocessable, field: "did", keep: []string{"did", "happened"}, table: "journal_entries", where: "engagement_id = '{acc}'"},
		{name: "NUL byte in a login", who: "anon", path: "/login", form: []string{"email", "coach\x00@demo.test", "password", "x"},
			status: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity}, keep: []string{"email"}},
		{name: "NUL byte in an invitation", who: "admin", path: "/w/demo/invitations", form: []string{"email", "nul@fuzz.test", "name", "Nom\x00", "role", "coachee", "client_org", ""},
			status: unprocessable, field: "name", vague: []string{hiTooLong}, keep: []string{"email", "name"}, table: "invitations", where: "tenant_id = '{tenant}'"},

		// 100k-character texts: too long, said beside the field, input kept.
		{name: "100k characters in the contract", who: "coach", path: fresh + "/contract", form: contract("approach", long),
			status: unprocessable, field: "approach", msg: hiTooLong, keep: contractKeep, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "100k characters in the synthesis", who: "coach", path: fresh + "/synthesis", form: []string{"text", long, "version", "{vSynthesis}"},
			status: unprocessable, field: "text", msg: hiTooLong, keep: []string{"text"}, table: "engagements", where: "id = '{fresh}'"},
		{name: "100k characters in a journal entry", who: "coachee", path: acc + "/actions/{aid}/journal", form: []string{"did", long, "happened", "Gardé"},
			status: unprocessable, field: "did", msg: hiTooLong, keep: []string{"did", "happened"}, table: "journal_entries", where: "engagement_id = '{acc}'"},
		{name: "100k characters in an objective", who: "coach", path: fresh + "/objectives", form: []string{"title", long, "description", "Description gardée"},
			status: unprocessable, field: "new-title", keep: []string{"title", "description"}, table: "objectives", where: "engagement_id = '{fresh}'"},
		{name: "100k characters in a recommendation", who: "coach", path: bou + "/closing/recommendations", form: []string{"body", long, "carrier", "hr", "due", "2026-12-31"},
			status: unprocessable, field: "rec-body", msg: hiTooLong, keep: []string{"body", "due"}, table: "recommendations", where: "engagement_id = '{bou}'"},
		{name: "100k characters in a session's content", who: "coach", path: acc + "/sessions/{sid}/record", form: []string{"analysis", long, "scenarios", "Scénarios gardés", "decision", "", "version", "{vContent}"},
			status: unprocessable, field: "analysis", msg: hiTooLong, keep: []string{"analysis", "scenarios"}, table: "session_contents", where: "engagement_id = '{acc}'"},

		// Dates out of range or impossible.
		{name: "contract starting in year 1", who: "coach", path: fresh + "/contract", form: contract("start", "0001-01-01"),
			status: unprocessable, field: "start", msg: hiBadDate, keep: contractKeep, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "contract ending in 9999", who: "coach", path: fresh + "/contract", form: contract("end", "9999-12-31"),
			status: unprocessable, field: "end", msg: hiBadDate, keep: contractKeep, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "contract starting on 30 February", who: "coach", path: fresh + "/contract", form: contract("start", "2026-02-30"),
			status: unprocessable, field: "start", msg: hiBadDate, keep: contractKeep, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "session at month 13, 25:61", who: "coach", path: acc + "/sessions/{sid}", form: []string{"at", "2026-13-01T25:61", "minutes", "75", "status", "cancelled", "cancel_reason", "Raison gardée", "version", "{vSid}"},
			status: unprocessable, field: "meta-at", msg: hiBadMoment, keep: []string{"at", "minutes", "cancel_reason"}, table: "coaching_sessions", where: "engagement_id = '{acc}'"},
		{name: "session planned in year 1", who: "coach", path: acc + "/sessions", form: []string{"at", "0001-01-01T00:00", "minutes", "75"},
			status: unprocessable, field: "at", msg: hiBadMoment, keep: []string{"at", "minutes"}, table: "coaching_sessions", where: "engagement_id = '{acc}'"},
		{name: "recommendation due in 1999", who: "coach", path: bou + "/closing/recommendations", form: []string{"body", "Recommandation gardée", "carrier", "hr", "due", "1999-12-31"},
			status: unprocessable, field: "rec-due", msg: hiBadDate, keep: []string{"body", "due"}, table: "recommendations", where: "engagement_id = '{bou}'"},
		{name: "action due in 2101", who: "coachee", path: acc + "/actions", form: []string{"title", "Action gardée", "description", "", "objective", "", "due", "2101-01-01"},
			status: unprocessable, field: "due", msg: hiBadDate, keep: []string{"title", "due"}, table: "actions", where: "engagement_id = '{acc}'"},
		{name: "first meeting in 9999", who: "coach", path: fresh + "/first-meeting", form: []string{"at", "9999-12-31T23:59", "stakes", "Enjeux gardés", "draft_objectives", "", "version", "{vDiagnosis}"},
			status: unprocessable, field: "at", msg: hiBadMoment, keep: []string{"at", "stakes"}, table: "diagnoses", where: "engagement_id = '{fresh}'"},

		// Foreign ids in URLs and hidden fields: not found or refused beside
		// the field, nothing changed.
		{name: "indicator on another engagement's objective", who: "coach", path: fresh + "/objectives/{objReady}/indicators",
			form: []string{"kind", "observable", "description", "Indicateur détourné"}, status: []int{http.StatusNotFound}, msg: hiNotFound,
			table: "indicators", where: "true"},
		{name: "invalid indicator on another engagement's objective", who: "coach", path: fresh + "/objectives/{objReady}/indicators",
			form: []string{"kind", "observable", "description", ""}, status: []int{http.StatusNotFound}, msg: hiNotFound,
			table: "indicators", where: "true"},
		{name: "evaluation of another engagement's indicator", who: "coach", path: bou + "/evaluation/{indAcc}",
			form: []string{"reached", "3", "assessment", "reached", "evidence", ""}, status: []int{http.StatusNotFound}, msg: hiNotFound,
			table: "evaluations", where: "true"},
		{name: "malformed objective id in the URL", who: "coach", path: fresh + "/objectives/%FF/indicators",
			form: []string{"kind", "observable", "description", "Indicateur"}, status: []int{http.StatusNotFound}, msg: hiNotFound,
			table: "indicators", where: "true"},
		{name: "NUL byte as the objective id in the URL", who: "coach", path: fresh + "/objectives/%00/indicators",
			form: []string{"kind", "observable", "description", "Indicateur"}, status: []int{http.StatusNotFound}, msg: hiNotFound,
			table: "indicators", where: "true"},
		{name: "malformed action id in the URL", who: "coachee", path: acc + "/actions/%FF%FE/journal",
			form: []string{"did", "Fait"}, status: []int{http.StatusNotFound}, msg: hiNotFound, table: "journal_entries", where: "true"},
		{name: "engagement with another workspace's organisation", who: "coach", path: "/w/demo/engagements",
			form:   []string{"title", "Titre gardé", "client_org", "{foreignOrg}", "coach", "{u:coach}", "coachee", "{u:coachee}", "sponsor", "{u:sponsor}", "sponsor_kind", "hr"},
			status: unprocessable, field: "client_org", msg: hiUnknownOrg, keep: []string{"title"}, table: "engagements", where: "true"},
		{name: "engagement with another workspace's organisation and a new sponsor", who: "coach", path: "/w/demo/engagements",
			form: []string{"title", "Titre gardé", "client_org", "{foreignOrg}", "coach", "{u:coach}", "coachee", "{u:coachee}",
				"new_sponsor_name", "Sponsor Gardé", "new_sponsor_email", "sponsor.garde@fuzz.test", "new_sponsor_kind", "manager"},
			status: unprocessable, field: "client_org", msg: hiUnknownOrg, keep: []string{"title", "new_sponsor_name", "new_sponsor_email"},
			table: "users", where: "true"},
		{name: "engagement with a malformed organisation id", who: "coach", path: "/w/demo/engagements",
			form:   []string{"title", "Titre gardé", "client_org", "not-a-uuid", "coach", "{u:coach}", "coachee", "{u:coachee}", "sponsor", "{u:sponsor}", "sponsor_kind", "hr"},
			status: unprocessable, field: "client_org", keep: []string{"title"}, table: "engagements", where: "true"},
		{name: "engagement with another workspace's coachee", who: "coach", path: "/w/demo/engagements",
			form:   []string{"title", "Titre gardé", "client_org", "{org}", "coach", "{u:coach}", "coachee", "{u:other}", "sponsor", "{u:sponsor}", "sponsor_kind", "hr"},
			status: unprocessable, keep: []string{"title"}, table: "engagements", where: "true"},
		{name: "invitation to another workspace's organisation", who: "admin", path: "/w/demo/invitations",
			form:   []string{"email", "garde@fuzz.test", "name", "Nom gardé", "role", "coachee", "client_org", "{foreignOrg}"},
			status: unprocessable, field: "client_org", msg: hiUnknownOrg, keep: []string{"email", "name"}, table: "invitations", where: "true"},
		{name: "invitation with a malformed organisation id", who: "admin", path: "/w/demo/invitations",
			form:   []string{"email", "garde@fuzz.test", "name", "Nom gardé", "role", "coachee", "client_org", "' OR 1=1 --"},
			status: unprocessable, field: "client_org", keep: []string{"email", "name"}, table: "invitations", where: "true"},
		{name: "action plan of another engagement's session", who: "coach", path: acc + "/sessions/{bouSid}/actions",
			form: []string{"title", "Action détournée", "objective", "", "due", ""}, status: []int{http.StatusNotFound}, msg: hiNotFound,
			table: "actions", where: "true"},
		{name: "action plan with another engagement's objective", who: "coach", path: acc + "/sessions/{sid}/record",
			form:   []string{"n_act", "1", "act.0.title", "Action gardée", "act.0.objective", "{objReady}", "act.0.due", "2026-12-01", "version", "{vContent}"},
			status: unprocessable, field: "act-0-objective", msg: hiInvalidPick, keep: []string{"act.0.title", "act.0.due"}, table: "actions", where: "true"},
		{name: "objective saved with another objective's version", who: "coach", path: fresh + "/objectives/{objA}",
			form:   []string{"title", "Titre gardé", "description", "Description gardée", "version", "{vObjB}"},
			status: []int{http.StatusConflict}, msg: hiConflict, keep: []string{"title", "description"}, table: "objectives", where: "true"},

		// Stale versions: the conflict page, with the person's text.
		{name: "stale contract", who: "coach", path: fresh + "/contract", form: contract("approach", "Mon approche", "version", "{vContractStale}"),
			status: []int{http.StatusConflict}, msg: hiConflict, keep: []string{"approach", "confidentiality"}, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "contract version beyond int32", who: "coach", path: fresh + "/contract", form: contract("approach", "Mon approche", "version", "2147483648"),
			status: []int{http.StatusConflict, http.StatusUnprocessableEntity}, keep: []string{"approach"}, table: "contracts", where: "engagement_id = '{fresh}'"},
		{name: "stale session", who: "coach", path: acc + "/sessions/{sid}", form: []string{"at", "2026-03-02T10:00", "minutes", "75", "status", "cancelled", "cancel_reason", "Raison gardée", "version", "{vSidStale}"},
			status: []int{http.StatusConflict}, msg: hiStaleSession, keep: []string{"at", "minutes", "cancel_reason"}, table: "coaching_sessions", where: "engagement_id = '{acc}'"},
		{name: "stale request refused for length keeps its version", who: "coachee", path: fresh + "/requests/coachee", form: []string{"body", long, "version", "{vRequestStale}"},
			status: unprocessable, field: "req-coachee", msg: hiTooLong, keep: []string{"body"}, table: "requests", where: "engagement_id = '{fresh}'",
			check: func(t *testing.T, r resp) {
				// Sent again after shortening, the text must still meet the
				// other person's save: the form carries the version it was
				// based on, not the current one.
				want := `name="version" value="` + ids["vRequestStale"] + `"`
				if !strings.Contains(r.body, want) {
					t.Errorf("the re-rendered request form lost the version it was based on (want %s)", want)
				}
			}},

		// Bodies that are not forms: 400, never 500.
		{name: "malformed escape in a form body", who: "coach", path: fresh + "/objectives", ctype: "application/x-www-form-urlencoded", body: "title=%zz&description=x",
			status: []int{http.StatusBadRequest}, msg: hiBadRequest, table: "objectives", where: "true"},
		{name: "semicolons in a form body", who: "coachee", path: acc + "/actions/{aid}/journal", ctype: "application/x-www-form-urlencoded", body: "did=a;happened=b",
			status: []int{http.StatusBadRequest}, msg: hiBadRequest, table: "journal_entries", where: "true"},
		{name: "malformed content type", who: "anon", path: "/login", ctype: ";;;", body: "email=coach%40demo.test&password=x",
			status: []int{http.StatusBadRequest, http.StatusUnsupportedMediaType}},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before string
			if tc.table != "" {
				before = z.snapshot(t, tc.table, tc.where)
			}
			form := make([]string, len(tc.form))
			for i, v := range tc.form {
				form[i] = z.pick(v)
			}
			c := z.as(t, tc.who)
			var r resp
			if tc.ctype != "" {
				req, _ := http.NewRequest(http.MethodPost, z.srv.URL+z.fill(tc.path), strings.NewReader(tc.body))
				req.Header.Set("Content-Type", tc.ctype)
				r = c.do(req)
			} else {
				r = c.post(z.fill(tc.path), form...)
			}
			if r.status != tc.status[0] && !hiContainsInt(tc.status[1:], r.status) {
				t.Errorf("status %d, want %d\nserver log: %s\npage: %s", r.status, tc.status[0], z.log, fzExcerpt(r.body))
			}
			if testing.Verbose() {
				t.Logf("status %d errors: %v", r.status, hiFieldError.FindAllString(r.body, -1))
			}
			if r.status >= 400 && !strings.Contains(r.body, "<main") {
				t.Errorf("status %d without a page", r.status)
			}
			if tc.field != "" {
				msg, ok := hiMessage(r.body, tc.field)
				switch {
				case !ok:
					t.Errorf("no message beside the field %s", tc.field)
				case tc.msg != "" && msg != tc.msg:
					t.Errorf("message beside %s: %q, want %q", tc.field, msg, tc.msg)
				}
				for _, vague := range tc.vague {
					if ok && msg == vague {
						t.Errorf("message beside %s: %q does not say what is wrong with the input", tc.field, msg)
					}
				}
			} else if tc.msg != "" && !strings.Contains(r.body, html.EscapeString(tc.msg)) {
				t.Errorf("the page lacks the message %q", tc.msg)
			}
			fzKept(t, r, form, tc.keep...)
			if tc.check != nil {
				tc.check(t, r)
			}
			if tc.table != "" {
				if after := z.snapshot(t, tc.table, tc.where); after != before {
					t.Errorf("%s changed (%s → %s)", tc.table, before, after)
				}
			}
		})
	}
}

func hiContainsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestHostileRedirects: the page to return to after signing in or switching
// language comes from the request, so it must come back as a clean local path.
// Browsers drop tabs and line breaks from URLs before reading them ("/\t/evil"
// is "//evil", another site), and a control character makes the answer
// unreadable: either must fall back to a page of the site.
func TestHostileRedirects(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	z := fzNew(t)
	for _, next := range []string{
		"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\t\\evil.example", " //evil.example",
		"/w/dem\x00\x01engagements", // found by FuzzLogin: the answer was not valid HTTP
		"/\x7f", "/w/demo/\x1b[2J", "//evil.example", "/\\evil.example", "https://evil.example/",
	} {
		for _, rt := range []struct {
			path string
			form url.Values
		}{
			{"/login", url.Values{"email": {"coach@demo.test"}, "password": {demo.Password}, "next": {next}}},
			{"/lang", url.Values{"lang": {"en"}, "next": {next}}},
		} {
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := hc.PostForm(z.srv.URL+rt.path, rt.form)
			if err != nil {
				t.Errorf("POST %s with next=%q: the redirect is not a clean local path (a browser drops tabs, a control character breaks the answer): %v", rt.path, next, err)
				continue
			}
			res.Body.Close()
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("POST %s with next=%q: status %d, want 303", rt.path, next, res.StatusCode)
				continue
			}
			// What a browser makes of it: tabs and line breaks removed.
			seen := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(loc)
			if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") || strings.HasPrefix(seen, "/\\") {
				t.Errorf("POST %s with next=%q: redirected off the site to %q", rt.path, next, loc)
			}
			for _, b := range []byte(loc) {
				if b < 0x20 || b == 0x7f {
					t.Errorf("POST %s with next=%q: control character in Location %q", rt.path, next, loc)
					break
				}
			}
		}
	}
}
