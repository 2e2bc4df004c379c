package domain

import "time"

// Phase is where an engagement stands in the method.
type Phase string

const (
	PhaseCadrage        Phase = "cadrage"        // framing
	PhaseAccompagnement Phase = "accompagnement" // the coaching itself
	PhaseBouclage       Phase = "bouclage"       // evaluation and closing
	PhaseClos           Phase = "clos"           // closed, read-only
	PhaseInterrompu     Phase = "interrompu"     // ended early, read-only
)

// Phases in the order of the method.
var Phases = []Phase{PhaseCadrage, PhaseAccompagnement, PhaseBouclage, PhaseClos, PhaseInterrompu}

// Valid reports whether p is a known phase.
func (p Phase) Valid() bool {
	for _, x := range Phases {
		if p == x {
			return true
		}
	}
	return false
}

// Open reports whether work can still be done on the engagement.
func (p Phase) Open() bool {
	return p == PhaseCadrage || p == PhaseAccompagnement || p == PhaseBouclage
}

// Next is the phase the gate of p leads to, or "" for none.
func (p Phase) Next() Phase {
	switch p {
	case PhaseCadrage:
		return PhaseAccompagnement
	case PhaseAccompagnement:
		return PhaseBouclage
	case PhaseBouclage:
		return PhaseClos
	}
	return ""
}

// CadrageState is what the gate to accompagnement looks at: a snapshot of the
// engagement's framing, built by the store, judged here without a database.
type CadrageState struct {
	CoachWilling, CoacheeWilling   bool
	FramingHeld                    bool
	CompanyRequest, CoacheeRequest RequestState
	Coherent                       bool
	IndicatorsPerObjective         []int
	ContractComplete               bool
	Synthesis                      SynthesisState
}

// WillingnessPending reports whether part p still has its own willingness to
// confirm: the lead coach's and the coachee's are personal, nobody confirms for
// them.
func (s CadrageState) WillingnessPending(p Part) bool {
	switch p {
	case PartCoach:
		return !s.CoachWilling
	case PartCoachee:
		return !s.CoacheeWilling
	}
	return false
}

// RequestState is one level of request.
type RequestState struct {
	Written, Validated bool
}

// SynthesisState is the current synthesis version and who validated it.
type SynthesisState struct {
	Current                                     int // 0 = no version yet
	CoachValidated, CoacheeValidated, SponsorOK bool
	// Drifted: what the synthesis holds changed since the current version was
	// made; its validations no longer count and a new version is needed.
	Drifted bool
}

// Record counts one party's validation of the current version.
func (s *SynthesisState) Record(p Part) {
	switch p {
	case PartCoach, PartCocoach:
		s.CoachValidated = true
	case PartCoachee:
		s.CoacheeValidated = true
	case PartSponsor:
		s.SponsorOK = true
	}
}

// Validated reports whether the three parties validated the current version.
func (s SynthesisState) Validated() bool {
	return s.Current > 0 && !s.Drifted && s.CoachValidated && s.CoacheeValidated && s.SponsorOK
}

// GateItem is one condition of a gate, named by its catalog ID.
type GateItem struct {
	Label string
	Done  bool
}

// CadrageGate lists the conditions to leave cadrage, in the order of the method,
// each marked done or not. The page shows them as a checklist.
func CadrageGate(s CadrageState) []GateItem {
	objectivesOK := len(s.IndicatorsPerObjective) > 0
	for _, n := range s.IndicatorsPerObjective {
		if n == 0 {
			objectivesOK = false
		}
	}
	return []GateItem{
		{"gate.coach_willing", s.CoachWilling},
		{"gate.coachee_willing", s.CoacheeWilling},
		{"gate.framing_held", s.FramingHeld},
		{"gate.company_request", s.CompanyRequest.Written && s.CompanyRequest.Validated},
		{"gate.coachee_request", s.CoacheeRequest.Written && s.CoacheeRequest.Validated},
		{"gate.coherence", s.Coherent},
		{"gate.objectives", objectivesOK},
		{"gate.contract", s.ContractComplete},
		{"gate.synthesis", s.Synthesis.Validated()},
	}
}

// Missing returns the labels of the conditions not met.
func Missing(items []GateItem) []string {
	var out []string
	for _, it := range items {
		if !it.Done {
			out = append(out, it.Label)
		}
	}
	return out
}

// CanMove reports whether an engagement may go from one phase to another. The
// forward move out of cadrage needs its gate open; interruption is possible from
// any open phase; nothing moves backwards or out of a closed engagement. Later
// gates (to bouclage, to clos) are judged by their own features; the cadrage
// state is ignored for them.
func CanMove(from, to Phase, cadrage CadrageState) error {
	switch {
	case !from.Open():
		return Errorf(EForbidden, "phase.read_only")
	case to == PhaseInterrompu:
		return nil
	case to != from.Next():
		return Errorf(EInvalid, "phase.not_next")
	case from == PhaseCadrage && len(Missing(CadrageGate(cadrage))) > 0:
		return Errorf(EConflict, "phase.gate_closed")
	case to == PhaseClos:
		// Closing is the final report's last validation, never a button.
		return Errorf(EConflict, "phase.close_by_report")
	}
	return nil
}

// CanPlanSessions reports whether sessions may be planned and recorded: the
// coaching itself happens in accompagnement.
func CanPlanSessions(p Phase) bool { return inPhases(p, rules[InfoSessions].Changeable) }

// CanWorkOnActions reports whether the coachee's intersession work goes on: from
// the coaching phase until the engagement closes.
func CanWorkOnActions(p Phase) bool { return inPhases(p, rules[InfoActions].Changeable) }

// Progress is where the engagement stands against its contract.
type Progress struct {
	Planned, Held, Scheduled  int // contracted sessions, held, planned but not yet held
	MinutesUsed, MinutesTotal int
	OpenActions               int
}

// ContractRunningOut reports whether at most one contracted session remains.
func (p Progress) ContractRunningOut() bool { return p.Planned > 0 && p.Planned-p.Held <= 1 }

// BouclageWarnings lists what the coach should know before moving to bouclage.
// They warn, they do not block: the coach decides.
func BouclageWarnings(p Progress) []string {
	var out []string
	if p.Held < p.Planned {
		out = append(out, "gate.warn.sessions_remain")
	}
	if p.OpenActions > 0 {
		out = append(out, "gate.warn.open_actions")
	}
	return out
}

// WarningCount is the number a bouclage warning speaks of.
func (p Progress) WarningCount(warning string) int {
	if warning == "gate.warn.open_actions" {
		return p.OpenActions
	}
	return p.Planned - p.Held
}

// ActionStatus is where an intersession action stands.
type ActionStatus string

const (
	ActionTodo       ActionStatus = "todo"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionDropped    ActionStatus = "dropped"
)

// ActionStatuses in the order the interface offers them.
var ActionStatuses = []ActionStatus{ActionTodo, ActionInProgress, ActionDone, ActionDropped}

// Open reports whether the action still waits on the coachee.
func (s ActionStatus) Open() bool { return s == ActionTodo || s == ActionInProgress }

// Valid reports whether s is a known status.
func (s ActionStatus) Valid() bool {
	for _, x := range ActionStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// CanClose is the gate to clos: the current final report validated by the
// coach, the coachee and a sponsor. Its last validation closes the engagement.
func CanClose(report SynthesisState) bool { return report.Validated() }

// heldGrace is how far ahead of now a meeting or a session may start and still
// be recorded as held: clocks differ, and one is recorded as it ends.
const heldGrace = time.Hour

// ContractWindow is the contract's period, days without a time; either end
// may not be set yet.
type ContractWindow struct{ Start, End *time.Time }

// Outside is the rule for a session's date against the contract: before its
// start or after its end, the session is kept but the coach is warned. It
// returns the warning's catalog ID, or "". The session's day is read in loc,
// the zone its time was typed in.
func (w ContractWindow) Outside(at time.Time, loc *time.Location) string {
	y, m, d := at.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case w.Start != nil && day.Before(dayOf(*w.Start)):
		return "session.warn.before_start"
	case w.End != nil && day.After(dayOf(*w.End)):
		return "session.warn.after_end"
	}
	return ""
}

// dayOf is a stored date as a UTC midnight, whatever zone it was read in.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CanRecordHeld reports whether a planned session's time has come, so that
// it can be recorded as held in one step.
func CanRecordHeld(status string, at, now time.Time) bool {
	return status == "planned" && CheckHeld(true, &at, now) == ""
}

// CheckHeld is the one rule for recording a meeting or a session as held: it
// needs its date, and that date cannot be in the future. It returns the
// catalog ID of what is wrong, or "".
func CheckHeld(held bool, at *time.Time, now time.Time) string {
	switch {
	case !held:
		return ""
	case at == nil:
		return "field.meeting.date_needed"
	case at.After(now.Add(heldGrace)):
		return "field.meeting.held_future"
	}
	return ""
}
