package domain

import (
	"slices"
	"testing"
	"time"
)

// A validated synthesis whose content changed since is not validated any
// more: the gate stays closed and the coach's duty is a new version.
func TestDriftedSynthesisIsNotValidated(t *testing.T) {
	st := SynthesisState{Current: 2, CoachValidated: true, CoacheeValidated: true, SponsorOK: true}
	if !st.Validated() {
		t.Fatal("all three validated: not validated")
	}
	st.Drifted = true
	if st.Validated() {
		t.Error("drifted: still validated")
	}
	f := EngagementFacts{Phase: PhaseCadrage, Cadrage: CadrageState{Synthesis: st}, MySynthesis: true}
	var kinds []string
	for _, d := range Duties(f, PartCoach, dutyNow) {
		kinds = append(kinds, d.Kind)
	}
	if !slices.Contains(kinds, DutyPublishSynthesis) || slices.Contains(kinds, DutyMovePhase) {
		t.Errorf("coach's duties with a drifted synthesis: %v, want a new version and no move", kinds)
	}
}

// A session's day is judged against the contract's days, in the zone it was
// typed in.
func TestSessionOutsideContract(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	start, end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	w := ContractWindow{Start: &start, End: &end}
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 2, 28, 18, 0, 0, 0, paris), "session.warn.before_start"},
		{time.Date(2026, 3, 1, 0, 30, 0, 0, paris), ""}, // 23:30 UTC the day before
		{time.Date(2026, 6, 30, 23, 30, 0, 0, paris), ""},
		{time.Date(2026, 7, 1, 9, 0, 0, 0, paris), "session.warn.after_end"},
	} {
		if got := w.Outside(c.at, paris); got != c.want {
			t.Errorf("%s: %q, want %q", c.at, got, c.want)
		}
	}
	if got := (ContractWindow{}).Outside(start, paris); got != "" {
		t.Errorf("no contract dates: %q", got)
	}
}
