package domain

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/rules.golden from the rules")

// TestRulesGolden writes out the whole rule set, every part × information ×
// operation × phase allowed, and compares it with testdata/rules.golden: any
// change to who may do what shows up in review as a diff of that file
// (go test -run TestRulesGolden -update ./internal/domain/ rewrites it).
func TestRulesGolden(t *testing.T) {
	var b strings.Builder
	for _, i := range Infos {
		for _, p := range Parts {
			for _, op := range Ops {
				var in []string
				for _, ph := range Phases {
					if Allowed(p, i, op, ph) {
						in = append(in, string(ph))
					}
				}
				if len(in) > 0 {
					fmt.Fprintf(&b, "%-17s %-8s %-8s %s\n", i, p, op, strings.Join(in, " "))
				}
			}
		}
	}
	const golden = "testdata/rules.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != b.String() {
		t.Errorf("the rules differ from %s; got:\n%s", golden, b.String())
	}
}

// TestRulesInvariants: properties every cell of the table must have.
func TestRulesInvariants(t *testing.T) {
	confidential := []Info{InfoDiagnosis, InfoSessionContent, InfoActions, InfoAutonomy, InfoPrivateNotes, InfoEvaluation, InfoHistory}
	for _, i := range Infos {
		if _, ok := rules[i]; !ok {
			t.Errorf("%s: listed in Infos but has no rule", i)
		}
		for _, p := range Parts {
			for _, op := range Ops {
				for _, ph := range Phases {
					ok := Allowed(p, i, op, ph)
					name := fmt.Sprintf("%s/%s/%s/%s", i, p, op, ph)
					switch {
					case ok && p == PartNone:
						t.Errorf("%s: nobody without a part gets anything", name)
					case ok && op != Read && !ph.Open():
						t.Errorf("%s: a closed or interrupted engagement is read-only", name)
					case ok && op != Read && p == PartAdmin:
						t.Errorf("%s: the admin only reads", name)
					case ok && op != Read && !RightOf(p, i).Has(Read):
						t.Errorf("%s: nobody changes what they cannot see", name)
					case ok && p == PartSponsor && contains(confidential, i):
						t.Errorf("%s: the sponsor never reaches what is said in the coaching", name)
					}
					if !ok && Refusal(p, i, op, ph) == nil || ok && Refusal(p, i, op, ph) != nil {
						t.Errorf("%s: Refusal disagrees with Allowed", name)
					}
				}
			}
		}
	}
	if len(Infos) != len(rules) {
		t.Errorf("%d rules, %d listed in Infos", len(rules), len(Infos))
	}
}

func contains(xs []Info, x Info) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestRulesExceptions: the named exceptions of the method, one row each.
func TestRulesExceptions(t *testing.T) {
	C, Co, Ce, S, A := PartCoach, PartCocoach, PartCoachee, PartSponsor, PartAdmin
	cad, acc, bou, clos, stop := PhaseCadrage, PhaseAccompagnement, PhaseBouclage, PhaseClos, PhaseInterrompu
	cases := []struct {
		why   string
		part  Part
		info  Info
		op    Right
		phase Phase
		want  bool
	}{
		{"the sponsor writes the company's request", S, InfoCompanyRequest, Write, cad, true},
		{"the sponsor does not write the coachee's request", S, InfoCoacheeRequest, Write, cad, false},
		{"the coachee writes her own request", Ce, InfoCoacheeRequest, Write, cad, true},
		{"the coachee does not write the company's request", Ce, InfoCompanyRequest, Write, cad, false},
		{"the coach writes both requests with them", C, InfoCompanyRequest, Write, cad, true},
		{"the lead coach confirms willingness", C, InfoWillingness, Write, cad, true},
		{"the coachee confirms willingness", Ce, InfoWillingness, Write, cad, true},
		{"the co-coach does not confirm for the lead coach", Co, InfoWillingness, Write, cad, false},
		{"willingness is a step of the framing", Ce, InfoWillingness, Write, acc, false},
		{"the co-coach rates autonomy for the coach's side", Co, InfoAutonomy, Write, acc, true},
		{"the coachee rates autonomy until closing", Ce, InfoAutonomy, Write, bou, true},
		{"the sponsor never sees autonomy", S, InfoAutonomy, Read, acc, false},
		{"sessions are planned in the coaching phase", C, InfoSessions, Write, acc, true},
		{"no session is planned in bouclage", C, InfoSessions, Write, bou, false},
		{"sessions do not exist yet in cadrage", S, InfoSessions, Read, cad, false},
		{"the sponsor sees the sessions' dates", S, InfoSessions, Read, acc, true},
		{"the sponsor sees shared actions", S, InfoSharedActions, Read, acc, true},
		{"the sponsor does not see the coachee's actions", S, InfoActions, Read, acc, false},
		{"the coach comments the journal", C, InfoActions, Comment, acc, true},
		{"the coach does not write the coachee's actions", C, InfoActions, Write, acc, false},
		{"the coachee shares an action", Ce, InfoActions, Share, bou, true},
		{"only the coachee writes her final synthesis", Ce, InfoCoacheeSynth, Write, bou, true},
		{"the coach never rewrites the coachee's synthesis", C, InfoCoacheeSynth, Write, bou, false},
		{"the sponsor adds recommendations", S, InfoRecommendations, Write, bou, true},
		{"the coachee does not add recommendations", Ce, InfoRecommendations, Write, bou, false},
		{"only the sponsor gives feedback", S, InfoFeedback, Write, bou, true},
		{"the coach does not give the sponsor's feedback", C, InfoFeedback, Write, bou, false},
		{"the sponsor comments documents", S, InfoDocComments, Write, cad, true},
		{"the coachee does not comment documents", Ce, InfoDocComments, Write, cad, false},
		{"the evaluation happens in bouclage", Ce, InfoEvaluation, Write, bou, true},
		{"no evaluation before bouclage", C, InfoEvaluation, Read, acc, false},
		{"the sponsor does not read the evaluation", S, InfoEvaluation, Read, bou, false},
		{"the report is validated in bouclage", S, InfoClosing, Validate, bou, true},
		{"the synthesis is validated by the sponsor", S, InfoSynthesis, Validate, acc, true},
		{"the admin does not validate", A, InfoSynthesis, Validate, cad, false},
		{"the admin reads the history", A, InfoHistory, Read, stop, true},
		{"the coachee does not read the history", Ce, InfoHistory, Read, cad, false},
		{"the closed report stays readable", S, InfoClosing, Read, clos, true},
		{"nothing changes once closed", C, InfoSummary, Write, clos, false},
		{"nothing changes once interrupted", Ce, InfoActions, Write, stop, false},
		{"private notes are the coach's", Ce, InfoPrivateNotes, Read, acc, false},
		{"only the coach asks and schedules meetings", C, InfoMeetingRequests, Write, acc, true},
		{"the sponsor asks for a meeting", S, InfoMeetingRequests, Ask, acc, true},
		{"the sponsor does not schedule it", S, InfoMeetingRequests, Write, acc, false},
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			if got := Allowed(c.part, c.info, c.op, c.phase); got != c.want {
				t.Errorf("Allowed(%s, %s, %s, %s) = %v, want %v", c.part, c.info, c.op, c.phase, got, c.want)
			}
		})
	}
}

func TestRefusal(t *testing.T) {
	if err := Refusal(PartSponsor, InfoSummary, Write, PhaseClos); ErrorMessage(err) != "phase.read_only" {
		t.Errorf("closed: %v, want phase.read_only for everyone", err)
	}
	if err := Refusal(PartCoach, InfoSessions, Write, PhaseCadrage); ErrorMessage(err) != "phase.not_now" {
		t.Errorf("planning in cadrage: %v, want phase.not_now", err)
	}
	if err := Refusal(PartSponsor, InfoCoacheeRequest, Write, PhaseCadrage); err != ErrForbidden {
		t.Errorf("sponsor writes the coachee's request: %v, want ErrForbidden", err)
	}
}
