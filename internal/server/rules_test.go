package server_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"triade/internal/domain"
)

// TestCocoachRights: a co-coach has the coach's rights (rules of
// domain.Allowed), autonomy rating included, but not what is personal to the
// lead coach: confirming willingness. The co-coach here is the "unrelated"
// coach of the fixture, made co-coach of {acc} and {fresh}.
func TestCocoachRights(t *testing.T) {
	f := paFixture(t)
	for _, e := range []string{"acc", "fresh"} {
		if _, err := f.a.env.Super.Exec(f.ctx, `INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part) VALUES ($1, $2, $3, 'cocoach')`,
			f.tenant, f.ids[e], f.users["unrelated"]); err != nil {
			t.Fatal(err)
		}
	}
	co := f.clients["unrelated"]

	r := f.call(co, http.MethodPost, f.path("/w/demo/e/{acc}/sessions/{accS1}/autonomy"), []string{"score", "2", "word", "co-coach"})
	if r.status != http.StatusSeeOther {
		t.Fatalf("co-coach rates autonomy: %d, want 303", r.status)
	}
	// The co-coach speaks for the coach's side: one rating per side.
	if got := f.q(`SELECT score::text || '/' || word FROM autonomy_ratings WHERE session_id = $1 AND part = 'coach'`, f.ids["accS1"]); got != "2/co-coach" {
		t.Errorf("coach side's rating after the co-coach's: %s", got)
	}
	if r := f.call(co, http.MethodGet, f.path("/w/demo/e/{acc}/sessions/{accS1}"), nil); r.status != http.StatusOK || !paShows(r.body, "co-coach") {
		t.Errorf("co-coach's session page: %d, own rating shown: %v", r.status, paShows(r.body, "co-coach"))
	}

	r = f.call(co, http.MethodPost, f.path("/w/demo/e/{fresh}/willingness"), nil)
	if r.status != http.StatusForbidden {
		t.Errorf("co-coach confirms the lead coach's willingness: %d, want 403", r.status)
	}
	if got := f.q(`SELECT (coach_willing_at IS NULL)::text FROM engagements WHERE id = $1`, f.ids["fresh"]); got != "true" {
		t.Error("the lead coach's willingness was recorded by the co-coach")
	}
	// Everything else of the coach's: the co-coach writes the framing.
	if r := f.call(co, http.MethodPost, f.path("/w/demo/e/{fresh}/requests/company"), []string{"body", "", "version", "1"}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("co-coach writes the company's request (empty form): %d, want 422", r.status)
	}
}

// TestRoutesNameTheirRight: every route of an engagement goes through need()
// with a row of the rules and an operation that matches its method (a GET
// reads, a POST does something else than read), so that the rule the route
// names is the whole check: no POST route says Read and checks in the handler.
// A GET that is only a form (an edit page, a confirmation) names the right of
// the POST it leads to: refused, it is a 404 like any read.
func TestRoutesNameTheirRight(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	reNeed := regexp.MustCompile(`r\.(Get|Post)\("([^"]*)", s\.h\(s\.need\(domain\.(Info\w+), domain\.(\w+),`)
	reRoute := regexp.MustCompile(`r\.(Get|Post)\("([^"]*)"`)
	inEngagement, checked := false, 0
	for _, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, `r.Route("/e/{id}"`) {
			inEngagement = true
			continue
		}
		if !inEngagement || !reRoute.MatchString(line) {
			continue
		}
		if strings.Contains(line, `r.Get("/calendar"`) {
			break // past the engagement's block
		}
		m := reNeed.FindStringSubmatch(line)
		route := reRoute.FindStringSubmatch(line)
		switch {
		case route[2] == "/" && route[1] == "Get":
			continue // the overview: the engagement middleware's summary read
		case m == nil:
			t.Errorf("%s %s does not name its right with need()", route[1], route[2])
		case m[1] == "Get" && m[4] != "Read" && !formOnly(m[2]):
			t.Errorf("GET %s needs %s, not a read", m[2], m[4])
		case m[1] == "Post" && m[4] == "Read":
			t.Errorf("POST %s needs only Read: the real check would be elsewhere", m[2])
		default:
			checked++
		}
	}
	if checked < 50 {
		t.Fatalf("only %d engagement routes checked", checked)
	}
}

// TestOverviewShowsDuties: "Ce qui vous attend" lists what the method asks of
// each party at their step, with its link, and the coach's closing overview
// has its checklist; the dashboards list the same duties.
func TestOverviewShowsDuties(t *testing.T) {
	f := paFixture(t)
	cases := []struct {
		who, path string
		want      []string
	}{
		{"coachee", "/w/demo/e/{acc}/", []string{"Faire avancer vos actions d&#39;intersession", `href="/w/demo/e/{acc}/actions"`}},
		{"coachee", "/w/demo/e/{bou}/", []string{"Rédiger la synthèse que vous présenterez au bilan", "Faire votre auto-évaluation des indicateurs"}},
		{"sponsor", "/w/demo/e/{bou}/", []string{"Donner le retour de l&#39;entreprise sur l&#39;accompagnement", `href="/w/demo/e/{bou}/closing"`}},
		{"coach", "/w/demo/e/{bou}/", []string{"Pour clore l&#39;accompagnement", "Le coaché a fait son auto-évaluation de chaque indicateur"}},
		{"sponsor", "/w/demo/", []string{`href="/w/demo/e/{bou}/closing">Donner le retour de l&#39;entreprise sur l&#39;accompagnement</a>`}},
	}
	for _, c := range cases {
		r := f.call(f.clients[c.who], http.MethodGet, f.path(c.path), nil)
		if r.status != http.StatusOK {
			t.Errorf("%s %s: %d", c.who, c.path, r.status)
			continue
		}
		for _, w := range c.want {
			if w = f.path(w); !strings.Contains(r.body, w) && !paShows(r.body, w) {
				t.Errorf("%s %s: %q missing", c.who, c.path, w)
			}
		}
	}
	// The admin has no part: nothing is asked of them, no checklist of the closing.
	if r := f.call(f.clients["admin"], http.MethodGet, f.path("/w/demo/e/{bou}/"), nil); strings.Contains(r.body, "Pour clore") || strings.Contains(r.body, `class="todo"`) {
		t.Error("the admin's overview asks something of them")
	}
}

// TestRouteRefusalsFollowTheRules derives, from the rule set alone, what each
// party may do on every route of an engagement in each phase (the route
// names its row and operation in routes.go; domain.Allowed judges), and checks
// the server answers so: a refused read is 404, a refused write 403 (judged
// before any form or object, so any id will do), an allowed page read 200.
// Allowed writes are left to the hand-written matrices, which send real forms.
func TestRouteRefusalsFollowTheRules(t *testing.T) {
	f := paFixture(t)
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	reNeed := regexp.MustCompile(`r\.(Get|Post)\("([^"]*)", s\.h\(s\.need\(domain\.(Info\w+), domain\.(\w+),`)
	infos, ops := map[string]domain.Info{}, map[string]domain.Right{}
	for _, i := range domain.Infos {
		infos[infoName(i)] = i
	}
	for _, op := range domain.Ops {
		ops[strings.ToUpper(op.String()[:1])+op.String()[1:]] = op
	}
	phases := map[string]domain.Phase{"fresh": domain.PhaseCadrage, "acc": domain.PhaseAccompagnement, "bou": domain.PhaseBouclage,
		"clos": domain.PhaseClos, "stop": domain.PhaseInterrompu}
	parts := map[string]domain.Part{"coach": domain.PartCoach, "coachee": domain.PartCoachee, "sponsor": domain.PartSponsor, "admin": domain.PartAdmin}
	reParam := regexp.MustCompile(`\{[^}]+\}`)
	calls := 0
	for _, m := range reNeed.FindAllStringSubmatch(string(src), -1) {
		method, pattern := strings.ToUpper(m[1]), m[2]
		info, ok := infos[m[3]]
		op, ok2 := ops[m[4]]
		if !ok || !ok2 {
			t.Fatalf("%s %s: unknown %s/%s", method, pattern, m[3], m[4])
		}
		hasParams := reParam.MatchString(pattern)
		// A number where a version is expected, a uuid elsewhere: nothing of it exists.
		path := reParam.ReplaceAllStringFunc(pattern, func(p string) string {
			if p == "{n}" {
				return "1"
			}
			return "00000000-0000-4000-8000-000000000000"
		})
		for eng, phase := range phases {
			for who, part := range parts {
				allowed := domain.Allowed(part, info, op, phase)
				want := 0
				switch {
				case !allowed && method == http.MethodGet:
					want = http.StatusNotFound
				case !allowed:
					want = http.StatusForbidden
				case method == http.MethodGet && !hasParams:
					want = http.StatusOK
				default:
					continue // an allowed write, or a read of an object: the matrices send real ones
				}
				url := f.path("/w/demo/e/{" + eng + "}" + path)
				r := f.call(f.clients[who], method, url, nil)
				calls++
				if r.status != want {
					t.Errorf("%s %s on %s (%s) as %s: %d, want %d from the rules", method, pattern, eng, phase, who, r.status, want)
				}
			}
		}
	}
	if calls < 500 {
		t.Fatalf("only %d calls", calls)
	}
	t.Logf("%d calls derived from the rules", calls)
}

// infoName is the Go name of an Info constant, as routes.go spells it.
func infoName(i domain.Info) string {
	names := map[domain.Info]string{}
	for _, n := range []struct {
		i domain.Info
		n string
	}{
		{domain.InfoSummary, "InfoSummary"}, {domain.InfoWillingness, "InfoWillingness"}, {domain.InfoDiagnosis, "InfoDiagnosis"},
		{domain.InfoFraming, "InfoFraming"}, {domain.InfoCompanyRequest, "InfoCompanyRequest"}, {domain.InfoCoacheeRequest, "InfoCoacheeRequest"},
		{domain.InfoSynthesis, "InfoSynthesis"}, {domain.InfoDocComments, "InfoDocComments"}, {domain.InfoMeetingRequests, "InfoMeetingRequests"},
		{domain.InfoHistory, "InfoHistory"}, {domain.InfoSessions, "InfoSessions"}, {domain.InfoSessionContent, "InfoSessionContent"},
		{domain.InfoActions, "InfoActions"}, {domain.InfoSharedActions, "InfoSharedActions"}, {domain.InfoAutonomy, "InfoAutonomy"},
		{domain.InfoPrivateNotes, "InfoPrivateNotes"}, {domain.InfoEvaluation, "InfoEvaluation"}, {domain.InfoClosing, "InfoClosing"},
		{domain.InfoCoacheeSynth, "InfoCoacheeSynth"}, {domain.InfoRecommendations, "InfoRecommendations"}, {domain.InfoFeedback, "InfoFeedback"},
		{domain.InfoSponsorView, "InfoSponsorView"},
	} {
		names[n.i] = n.n
	}
	return names[i]
}

// formOnly reports whether a GET route is a page that only leads to a write.
func formOnly(path string) bool {
	return strings.HasSuffix(path, "/confirm") || strings.HasSuffix(path, "/edit")
}
