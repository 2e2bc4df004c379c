package domain

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

var dutyNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func kinds(ds []Duty) string {
	var out []string
	for _, d := range ds {
		k := d.Kind
		if d.Blocking {
			k += "!"
		}
		if d.Late {
			k += "(late)"
		}
		out = append(out, k)
	}
	return strings.Join(out, " ")
}

// framed is a cadrage where everything is done.
func framed() EngagementFacts {
	return EngagementFacts{Phase: PhaseCadrage, Cadrage: CadrageState{CoachWilling: true, CoacheeWilling: true, FramingHeld: true,
		CompanyRequest: RequestState{true, true}, CoacheeRequest: RequestState{true, true}, Coherent: true,
		IndicatorsPerObjective: []int{1}, ContractComplete: true,
		Synthesis: SynthesisState{Current: 1, CoachValidated: true, CoacheeValidated: true, SponsorOK: true}}, MySynthesis: true}
}

// TestDutiesStepByStep walks the method, one step at a time, and says what
// each party must do at that step (! blocks the next phase).
func TestDutiesStepByStep(t *testing.T) {
	framingAt := dutyNow.Add(-24 * time.Hour)
	steps := []struct {
		name                    string
		f                       func() EngagementFacts
		coach, coachee, sponsor string
	}{
		{"new engagement", func() EngagementFacts {
			return EngagementFacts{Phase: PhaseCadrage, Cadrage: CadrageState{IndicatorsPerObjective: nil}}
		}, "willingness! hold_framing! validate_requests! objectives! contract! publish_synthesis!",
			"willingness! coachee_request!", "company_request!"},
		{"framing meeting planned yesterday, requests written", func() EngagementFacts {
			f := framed()
			f.Cadrage.FramingHeld, f.FramingAt = false, framingAt
			f.Cadrage.CompanyRequest.Validated, f.Cadrage.Coherent = false, false
			return f
		}, "hold_framing!(late) validate_requests!", "attend_framing!(late)", "attend_framing!(late)"},
		{"synthesis v2 waiting on the coachee and the sponsor", func() EngagementFacts {
			f := framed()
			f.Cadrage.Synthesis = SynthesisState{Current: 2, CoachValidated: true}
			f.MySynthesis = false
			return f
		}, "", "validate_synthesis!", "validate_synthesis!"},
		{"gate open", framed, "move_phase", "", ""},
		{"sponsor commented, coachee asked for a meeting", func() EngagementFacts {
			f := framed()
			f.SynthesisComments, f.OpenRequests = 2, 1
			return f
		}, "move_phase schedule_meeting read_comments", "", ""},
		{"coaching: session 2 passed unrecorded, session 1 unrated, journal, actions", func() EngagementFacts {
			return EngagementFacts{Phase: PhaseAccompagnement, SessionsPlanned: 6, SessionsHeld: 1, LastHeld: dutyNow.AddDate(0, 0, -20),
				ToRecord: []SessionRef{{"s2", 2, dutyNow.AddDate(0, 0, -1)}}, ToRate: SessionRef{"s1", 1, dutyNow.AddDate(0, 0, -20)},
				UnansweredJournal: 3, OpenActions: 2, NextActionDue: dutyNow.AddDate(0, 0, 2)}
		}, "record_session(late) plan_session(late) rate_autonomy read_journal", "rate_autonomy actions", ""},
		{"coaching: a next session booked, nothing else", func() EngagementFacts {
			return EngagementFacts{Phase: PhaseAccompagnement, SessionsPlanned: 6, SessionsHeld: 2, NextBooked: true}
		}, "", "", ""},
		{"coaching: contract used up", func() EngagementFacts {
			return EngagementFacts{Phase: PhaseAccompagnement, SessionsPlanned: 3, SessionsHeld: 3}
		}, "move_bouclage", "", ""},
		{"bouclage starts", func() EngagementFacts {
			return EngagementFacts{Phase: PhaseBouclage, Indicators: 3, ContractEnd: dutyNow.AddDate(0, 1, 0)}
		}, "evaluate! schedule_final! publish_report!", "self_assess! final_synthesis!", "feedback"},
		{"final meeting next week, evaluation done", func() EngagementFacts {
			return EngagementFacts{Phase: PhaseBouclage, Indicators: 3, AssessedByCoach: 3, AssessedByCoachee: 3, FinalAt: dutyNow.AddDate(0, 0, 7), CoacheeSynthesis: true}
		}, "hold_final! publish_report!", "attend_final", "attend_final feedback"},
		{"report v1 validated by the coach", func() EngagementFacts {
			return EngagementFacts{Phase: PhaseBouclage, Indicators: 3, AssessedByCoach: 3, AssessedByCoachee: 3, FinalAt: dutyNow.AddDate(0, 0, -7),
				FinalHeld: true, CoacheeSynthesis: true, MyFeedback: true, Report: SynthesisState{Current: 1, CoachValidated: true}}
		}, "", "validate_report!", "validate_report!"},
		{"closed", func() EngagementFacts { return EngagementFacts{Phase: PhaseClos, OpenRequests: 1} }, "", "", ""},
		{"interrupted", func() EngagementFacts { return EngagementFacts{Phase: PhaseInterrompu, OpenActions: 1} }, "", "", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			for _, c := range []struct {
				p    Part
				want string
			}{{PartCoach, st.coach}, {PartCoachee, st.coachee}, {PartSponsor, st.sponsor}, {PartAdmin, ""}} {
				if got := kinds(Duties(st.f(), c.p, dutyNow)); got != c.want {
					t.Errorf("%s: %q, want %q", c.p, got, c.want)
				}
			}
		})
	}
}

// TestDutiesDeepLinksAndDates: each duty names its page, and its date.
func TestDutiesDeepLinksAndDates(t *testing.T) {
	f := EngagementFacts{Phase: PhaseAccompagnement, SessionsPlanned: 6, SessionsHeld: 1, LastHeld: dutyNow.AddDate(0, 0, -3),
		ToRate: SessionRef{"sid-1", 1, dutyNow.AddDate(0, 0, -3)}}
	ds := Duties(f, PartCoach, dutyNow)
	i := slices.IndexFunc(ds, func(d Duty) bool { return d.Kind == DutyPlanSession })
	if i < 0 || ds[i].Path != "/sessions" || !ds[i].Due.Equal(dutyNow.AddDate(0, 0, 11)) || ds[i].Late {
		t.Errorf("plan_session: %+v", ds)
	}
	if j := slices.IndexFunc(ds, func(d Duty) bool { return d.Kind == DutyRateAutonomy }); j < 0 || ds[j].Path != "/sessions/sid-1" || ds[j].N != 1 {
		t.Errorf("rate_autonomy: %+v", ds)
	}
	// The co-coach's autonomy duty is the coach side's.
	if got := kinds(Duties(f, PartCocoach, dutyNow)); got != "plan_session rate_autonomy" {
		t.Errorf("co-coach: %q", got)
	}
	syn := framed()
	syn.Cadrage.Synthesis, syn.MySynthesis = SynthesisState{Current: 3}, false
	if ds := Duties(syn, PartSponsor, dutyNow); len(ds) != 1 || ds[0].Path != "/synthesis/3" || ds[0].N != 3 || !slices.Equal(ds[0].Gates, []string{"gate.synthesis"}) {
		t.Errorf("validate_synthesis: %+v", ds)
	}
}

// TestGateIsTheBlockingDuties: for every combination of the cadrage's facts,
// the gate's missing conditions are exactly the conditions some party has a
// blocking duty for: the checklist and "what waits on whom" cannot disagree.
func TestGateIsTheBlockingDuties(t *testing.T) {
	for mask := 0; mask < 1<<12; mask++ {
		bit := func(i int) bool { return mask&(1<<i) != 0 }
		f := EngagementFacts{Phase: PhaseCadrage, Cadrage: CadrageState{CoachWilling: bit(0), CoacheeWilling: bit(1), FramingHeld: bit(2),
			CompanyRequest: RequestState{bit(3), bit(3) && bit(4)}, CoacheeRequest: RequestState{bit(5), bit(5) && bit(6)}, Coherent: bit(7),
			ContractComplete: bit(8)}}
		if bit(9) {
			f.Cadrage.IndicatorsPerObjective = []int{1}
		}
		if bit(10) {
			f.Cadrage.Synthesis = SynthesisState{Current: 1, CoachValidated: bit(11), CoacheeValidated: bit(11), SponsorOK: true}
		}
		gates := map[string]bool{}
		for _, p := range Parts {
			for _, d := range Blocking(Duties(f, p, dutyNow)) {
				for _, g := range d.Gates {
					gates[g] = true
				}
			}
		}
		var got []string
		for g := range gates {
			got = append(got, g)
		}
		want := Missing(CadrageGate(f.Cadrage))
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("facts %b: duties block on %v, the gate misses %v", mask, got, want)
		}
	}
}

// TestBouclageGateIsTheBlockingDuties: the closing's checklist and the
// parties' blocking duties agree, for every combination of its facts.
func TestBouclageGateIsTheBlockingDuties(t *testing.T) {
	for mask := 0; mask < 1<<9; mask++ {
		bit := func(i int) bool { return mask&(1<<i) != 0 }
		f := EngagementFacts{Phase: PhaseBouclage, Indicators: 2, FinalHeld: bit(2), CoacheeSynthesis: bit(3)}
		if bit(0) {
			f.AssessedByCoach = 2
		}
		if bit(1) {
			f.AssessedByCoachee = 2
		}
		if bit(4) {
			f.FinalAt = dutyNow
		}
		if bit(5) {
			f.Report = SynthesisState{Current: 1, CoachValidated: bit(6), CoacheeValidated: bit(7), SponsorOK: bit(8)}
		}
		gates := map[string]bool{}
		for _, p := range Parts {
			for _, d := range Blocking(Duties(f, p, dutyNow)) {
				for _, g := range d.Gates {
					gates[g] = true
				}
			}
		}
		var got []string
		for g := range gates {
			got = append(got, g)
		}
		want := Missing(BouclageGate(f))
		if f.Report.Current == 0 {
			// Nothing to validate before a report exists: publishing it comes first.
			want = slices.DeleteFunc(want, func(g string) bool { return g == "gate.report_validated" })
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("facts %b: duties block on %v, the checklist misses %v", mask, got, want)
		}
	}
}
