package domain

import (
	"reflect"
	"testing"
	"time"
)

func completeCadrage() CadrageState {
	return CadrageState{
		CoachWilling: true, CoacheeWilling: true, FramingHeld: true,
		CompanyRequest: RequestState{true, true}, CoacheeRequest: RequestState{true, true}, Coherent: true,
		IndicatorsPerObjective: []int{2, 1}, ContractComplete: true,
		Synthesis: SynthesisState{Current: 2, CoachValidated: true, CoacheeValidated: true, SponsorOK: true},
	}
}

func TestCadrageGate(t *testing.T) {
	if m := Missing(CadrageGate(completeCadrage())); len(m) != 0 {
		t.Fatalf("complete cadrage still misses %v", m)
	}
	cases := []struct {
		name   string
		change func(*CadrageState)
		want   []string
	}{
		{"NoWillingness", func(s *CadrageState) { s.CoachWilling, s.CoacheeWilling = false, false }, []string{"gate.coach_willing", "gate.coachee_willing"}},
		{"FramingNotHeld", func(s *CadrageState) { s.FramingHeld = false }, []string{"gate.framing_held"}},
		{"CompanyRequestNotValidated", func(s *CadrageState) { s.CompanyRequest.Validated = false }, []string{"gate.company_request"}},
		{"CoacheeRequestMissing", func(s *CadrageState) { s.CoacheeRequest = RequestState{} }, []string{"gate.coachee_request"}},
		{"Incoherent", func(s *CadrageState) { s.Coherent = false }, []string{"gate.coherence"}},
		{"NoObjective", func(s *CadrageState) { s.IndicatorsPerObjective = nil }, []string{"gate.objectives"}},
		{"ObjectiveWithoutIndicator", func(s *CadrageState) { s.IndicatorsPerObjective = []int{1, 0} }, []string{"gate.objectives"}},
		{"NoContract", func(s *CadrageState) { s.ContractComplete = false }, []string{"gate.contract"}},
		{"NoSynthesis", func(s *CadrageState) { s.Synthesis = SynthesisState{} }, []string{"gate.synthesis"}},
		{"SponsorHasNotValidated", func(s *CadrageState) { s.Synthesis.SponsorOK = false }, []string{"gate.synthesis"}},
		{"CoacheeHasNotValidated", func(s *CadrageState) { s.Synthesis.CoacheeValidated = false }, []string{"gate.synthesis"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := completeCadrage()
			c.change(&s)
			if got := Missing(CadrageGate(s)); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("missing %v, want %v", got, c.want)
			}
			if err := CanMove(PhaseCadrage, PhaseAccompagnement, s); ErrorCode(err) != EConflict {
				t.Fatalf("gate closed but move allowed: %v", err)
			}
		})
	}
}

func TestCanMove(t *testing.T) {
	ok := completeCadrage()
	cases := []struct {
		from, to Phase
		want     Code // "" = allowed
	}{
		{PhaseCadrage, PhaseAccompagnement, ""},
		{PhaseCadrage, PhaseBouclage, EInvalid},
		{PhaseCadrage, PhaseClos, EInvalid},
		{PhaseAccompagnement, PhaseBouclage, ""},
		{PhaseAccompagnement, PhaseCadrage, EInvalid},
		{PhaseBouclage, PhaseClos, EConflict},
		{PhaseCadrage, PhaseInterrompu, ""},
		{PhaseBouclage, PhaseInterrompu, ""},
		{PhaseClos, PhaseInterrompu, EForbidden},
		{PhaseInterrompu, PhaseCadrage, EForbidden},
		{PhaseClos, PhaseBouclage, EForbidden},
	}
	for _, c := range cases {
		err := CanMove(c.from, c.to, ok)
		got := Code("")
		if err != nil {
			got = ErrorCode(err)
		}
		if got != c.want {
			t.Errorf("%s → %s: %q, want %q", c.from, c.to, got, c.want)
		}
	}
}

func TestAccessMatrix(t *testing.T) {
	cases := []struct {
		part Part
		info Info
		want Right
	}{
		{PartCoach, InfoDiagnosis, Read | Write},
		{PartCocoach, InfoDiagnosis, Read | Write},
		{PartCoachee, InfoDiagnosis, Read},
		{PartSponsor, InfoDiagnosis, None},
		{PartAdmin, InfoDiagnosis, None},
		{PartNone, InfoSummary, None},
		{PartAdmin, InfoSummary, Read},
		{PartSponsor, InfoSynthesis, Read | Validate},
		{PartAdmin, InfoSynthesis, Read},
		{PartAdmin, InfoMeetingRequests, None},
		{PartSponsor, InfoMeetingRequests, Read | Ask},
		{PartCoachee, InfoHistory, None},
		{PartSponsor, InfoHistory, None},
		{PartAdmin, InfoHistory, Read},
	}
	for _, c := range cases {
		if got := RightOf(c.part, c.info); got != c.want {
			t.Errorf("%q on %s: %b, want %b", c.part, c.info, got, c.want)
		}
	}
	if ViewerPart(PartNone, RoleSet{RoleAdmin}) != PartAdmin || ViewerPart(PartNone, RoleSet{RoleCoach}) != PartNone ||
		ViewerPart(PartSponsor, RoleSet{RoleAdmin}) != PartSponsor || ViewerPart(PartNone, RoleSet{RoleCoach, RoleAdmin}) != PartAdmin {
		t.Error("ViewerPart")
	}
}

// TestCanTakePart: a sponsor cannot be co-coach (and read the diagnosis), a
// coachee cannot coach; the admin of a solo practice coaches.
func TestCanTakePart(t *testing.T) {
	for _, c := range []struct {
		role Role
		part Part
		ok   bool
	}{
		{RoleCoach, PartCoach, true}, {RoleCoach, PartCocoach, true}, {RoleAdmin, PartCoach, true}, {RoleAdmin, PartCocoach, true},
		{RoleSponsor, PartCocoach, false}, {RoleSponsor, PartCoach, false}, {RoleCoachee, PartCoach, false},
		{RoleCoachee, PartCoachee, true}, {RoleCoach, PartCoachee, false}, {RoleSponsor, PartCoachee, false},
		{RoleSponsor, PartSponsor, true}, {RoleCoach, PartSponsor, false}, {RoleAdmin, PartSponsor, false}, {RoleAdmin, PartCoachee, false},
	} {
		if got := CanTakePart(c.role, c.part); got != c.ok {
			t.Errorf("CanTakePart(%s, %s) = %v, want %v", c.role, c.part, got, c.ok)
		}
	}
}

// TestCheckHeld: one rule for every meeting and session recorded as held.
func TestCheckHeld(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	for _, c := range []struct {
		held bool
		at   *time.Time
		want string
	}{
		{false, nil, ""}, {false, at(48 * time.Hour), ""},
		{true, nil, "field.meeting.date_needed"},
		{true, at(-24 * time.Hour), ""}, {true, at(30 * time.Minute), ""},
		{true, at(2 * time.Hour), "field.meeting.held_future"}, {true, at(24 * time.Hour), "field.meeting.held_future"},
	} {
		if got := CheckHeld(c.held, c.at, now); got != c.want {
			t.Errorf("CheckHeld(%v, %v) = %q, want %q", c.held, c.at, got, c.want)
		}
	}
}
