package domain

import (
	"strconv"
	"time"
)

// SessionRef is one session a duty points at.
type SessionRef struct {
	ID     string
	Number int
	At     time.Time
}

// EngagementFacts is one engagement as the duty rules see it, gathered by the
// store for one person (row-level security shows them what they may see).
type EngagementFacts struct {
	ID, Title string
	Phase     Phase
	Cadrage   CadrageState
	FramingAt time.Time // zero: not scheduled
	// MySynthesis: the person validated the current synthesis version.
	MySynthesis bool
	// SynthesisComments: the sponsor's comments on the current version.
	SynthesisComments int
	OpenRequests      int       // meeting requests not yet scheduled
	NewestRequest     time.Time // when the newest of them was made

	// The coaching.
	SessionsPlanned, SessionsHeld int
	ContractStart                 time.Time // zero: not set; the cadrage is due by then
	ContractEnd                   time.Time // zero: not set
	NextBooked                    bool      // a session is planned in the future
	LastHeld                      time.Time
	ToRecord                      []SessionRef // planned, and their date has passed
	// ToRate: the latest held session the person's side has not rated (ID
	// "": none). Autonomy is rated after each session; once a later one is
	// held, an older rating is no longer asked, so only the latest is kept.
	ToRate            SessionRef
	UnansweredJournal int // journal entries newer than the coach's last comment
	OpenActions       int
	NextActionDue     time.Time // zero: none due

	// The closing.
	Indicators, AssessedByCoach, AssessedByCoachee int
	FinalAt                                        time.Time // zero: not scheduled
	FinalHeld                                      bool
	CoacheeSynthesis, MyFeedback                   bool
	Report                                         SynthesisState
	MyReport                                       bool // the person validated the current report version
}

// Duty is one thing the method asks of a person now.
type Duty struct {
	Kind     string    // catalog key, "duty." + Kind
	Path     string    // the page where it is done, relative to the engagement
	Due      time.Time // zero: the method and the contract give no date
	Late     bool      // due before now
	Blocking bool      // the next phase waits on it
	Gates    []string  // the gate conditions it fulfils, if any
	N        int       // what the label counts or names (a version, a session, a number)
	// Stamp tells one occurrence of a duty from the next (a version number,
	// the day of the newest request): a new stamp is news worth telling.
	Stamp int
}

// Duty kinds.
const (
	DutyWillingness      = "willingness"
	DutyHoldFraming      = "hold_framing"
	DutyAttendFraming    = "attend_framing"
	DutyCompanyRequest   = "company_request"
	DutyCoacheeRequest   = "coachee_request"
	DutyValidateRequests = "validate_requests"
	DutyObjectives       = "objectives"
	DutyContract         = "contract"
	DutyPublishSynthesis = "publish_synthesis"
	DutyValidateSynth    = "validate_synthesis"
	DutyMovePhase        = "move_phase"
	DutyReadComments     = "read_comments"
	DutyScheduleMeeting  = "schedule_meeting"
	DutyPlanSession      = "plan_session"
	DutyRecordSession    = "record_session"
	DutyRateAutonomy     = "rate_autonomy"
	DutyCommentJournal   = "read_journal"
	DutyActions          = "actions"
	DutyMoveBouclage     = "move_bouclage"
	DutyEvaluate         = "evaluate"
	DutySelfAssess       = "self_assess"
	DutyScheduleFinal    = "schedule_final"
	DutyHoldFinal        = "hold_final"
	DutyAttendFinal      = "attend_final"
	DutyFinalSynthesis   = "final_synthesis"
	DutyFeedback         = "feedback"
	DutyPublishReport    = "publish_report"
	DutyValidateReport   = "validate_report"
)

// DutyKinds lists every kind, for catalogs and settings.
var DutyKinds = []string{DutyWillingness, DutyHoldFraming, DutyAttendFraming, DutyCompanyRequest, DutyCoacheeRequest,
	DutyValidateRequests, DutyObjectives, DutyContract, DutyPublishSynthesis, DutyValidateSynth, DutyMovePhase,
	DutyReadComments, DutyScheduleMeeting, DutyPlanSession, DutyRecordSession, DutyRateAutonomy, DutyCommentJournal,
	DutyActions, DutyMoveBouclage, DutyEvaluate, DutySelfAssess, DutyScheduleFinal, DutyHoldFinal, DutyAttendFinal,
	DutyFinalSynthesis, DutyFeedback, DutyPublishReport, DutyValidateReport}

// Duties is the method's list of what part p must do now in an engagement,
// in the order of the method. It is pure: the store gathers the facts, the
// clock comes in. The overview, the dashboards, the reminders and the gates
// read it; a closed or interrupted engagement asks nothing of anyone.
func Duties(f EngagementFacts, p Part, now time.Time) []Duty {
	var out []Duty
	switch f.Phase {
	case PhaseCadrage:
		out = cadrageDuties(f, p)
	case PhaseAccompagnement:
		out = coachingDuties(f, p)
	case PhaseBouclage:
		out = append(closingDuties(f, p), coachingDuties(f, p)...)
	default:
		return nil
	}
	if p.IsCoach() && f.OpenRequests > 0 {
		out = append(out, Duty{Kind: DutyScheduleMeeting, Path: "/meetings", N: f.OpenRequests, Stamp: int(f.NewestRequest.Unix() / 86400)})
	}
	if p.IsCoach() && f.SynthesisComments > 0 {
		n := f.Cadrage.Synthesis.Current
		out = append(out, Duty{Kind: DutyReadComments, Path: "/synthesis/" + strconv.Itoa(n), N: f.SynthesisComments, Stamp: n*1000 + f.SynthesisComments})
	}
	for i := range out {
		out[i].Late = !out[i].Due.IsZero() && out[i].Due.Before(now)
	}
	return out
}

// cadrageDuties turns each missing condition of the gate to accompagnement into
// the duties of whoever can fulfil it: the gate and the duties cannot disagree.
func cadrageDuties(f EngagementFacts, p Part) []Duty {
	s := f.Cadrage
	var out []Duty
	add := func(d Duty) {
		for i, x := range out {
			if x.Kind == d.Kind { // one duty may fulfil several conditions (the requests' validation)
				out[i].Gates = append(out[i].Gates, d.Gates...)
				return
			}
		}
		out = append(out, d)
	}
	missing := Missing(CadrageGate(s))
	for _, g := range missing {
		for _, d := range gateDuties(f, p, g) {
			d.Blocking, d.Gates = true, []string{g}
			if d.Due.IsZero() { // the coaching starts on the contract's first day: the framing is due by then
				d.Due = f.ContractStart
			}
			add(d)
		}
	}
	if len(missing) == 0 && p.IsCoach() {
		add(Duty{Kind: DutyMovePhase})
	}
	return out
}

// gateDuties: who does what for one condition of the cadrage gate.
func gateDuties(f EngagementFacts, p Part, gate string) []Duty {
	s := f.Cadrage
	coach, lead := p.IsCoach(), p == PartCoach
	switch gate {
	case "gate.coach_willing":
		return when(lead, Duty{Kind: DutyWillingness})
	case "gate.coachee_willing":
		return when(p == PartCoachee, Duty{Kind: DutyWillingness})
	case "gate.framing_held":
		if coach {
			return []Duty{{Kind: DutyHoldFraming, Path: "/framing", Due: f.FramingAt}}
		}
		return when(!f.FramingAt.IsZero() && (p == PartCoachee || p == PartSponsor), Duty{Kind: DutyAttendFraming, Path: "/framing", Due: f.FramingAt})
	case "gate.company_request":
		return requestDuties(s.CompanyRequest, p, PartSponsor, DutyCompanyRequest)
	case "gate.coachee_request":
		return requestDuties(s.CoacheeRequest, p, PartCoachee, DutyCoacheeRequest)
	case "gate.coherence":
		return when(coach, Duty{Kind: DutyValidateRequests, Path: "/requests"})
	case "gate.objectives":
		return when(coach, Duty{Kind: DutyObjectives, Path: "/objectives"})
	case "gate.contract":
		return when(coach, Duty{Kind: DutyContract, Path: "/contract"})
	case "gate.synthesis":
		if s.Synthesis.Current == 0 || s.Synthesis.Drifted {
			// A drifted version is not validated any more: the coach makes a new one.
			return when(coach, Duty{Kind: DutyPublishSynthesis, Path: "/synthesis"})
		}
		n := s.Synthesis.Current
		return when(!f.MySynthesis && !sideValidated(s.Synthesis, p),
			Duty{Kind: DutyValidateSynth, Path: "/synthesis/" + strconv.Itoa(n), N: n, Stamp: n})
	}
	return nil
}

// requestDuties: a request not written waits on its author; written, on the
// coach's validation.
func requestDuties(r RequestState, p, author Part, kind string) []Duty {
	if !r.Written {
		return when(p == author, Duty{Kind: kind, Path: "/requests"})
	}
	return when(p.IsCoach(), Duty{Kind: DutyValidateRequests, Path: "/requests"})
}

// sideValidated reports whether p's side already validated a version; a part
// with no validation to give counts as done.
func sideValidated(s SynthesisState, p Part) bool {
	switch p.Side() {
	case PartCoach:
		return s.CoachValidated
	case PartCoachee:
		return s.CoacheeValidated
	case PartSponsor:
		return s.SponsorOK
	}
	return true
}

func when(ok bool, d Duty) []Duty {
	if ok {
		return []Duty{d}
	}
	return nil
}

// coachingDuties: the sessions and the intersession work, from accompagnement
// until closing.
func coachingDuties(f EngagementFacts, p Part) []Duty {
	var out []Duty
	coaching := f.Phase == PhaseAccompagnement
	if p.IsCoach() && coaching {
		for _, s := range f.ToRecord {
			out = append(out, Duty{Kind: DutyRecordSession, Path: "/sessions/" + s.ID, Due: s.At, N: s.Number})
		}
		if !f.NextBooked && f.SessionsHeld+len(f.ToRecord) < f.SessionsPlanned {
			d := Duty{Kind: DutyPlanSession, Path: "/sessions"}
			if !f.LastHeld.IsZero() {
				d.Due = f.LastHeld.Add(NoNextSessionAfter)
			}
			out = append(out, d)
		}
	}
	if s := f.ToRate; s.ID != "" && (p.IsCoach() || p == PartCoachee) {
		out = append(out, Duty{Kind: DutyRateAutonomy, Path: "/sessions/" + s.ID, N: s.Number})
	}
	if p.IsCoach() && f.UnansweredJournal > 0 {
		out = append(out, Duty{Kind: DutyCommentJournal, Path: "/actions", N: f.UnansweredJournal})
	}
	if p == PartCoachee && f.OpenActions > 0 {
		out = append(out, Duty{Kind: DutyActions, Path: "/actions", Due: f.NextActionDue, N: f.OpenActions})
	}
	if p.IsCoach() && coaching && f.SessionsPlanned > 0 && f.SessionsHeld >= f.SessionsPlanned {
		out = append(out, Duty{Kind: DutyMoveBouclage})
	}
	return out
}

// BouclageGate lists what the closing waits on, in the order of the method:
// its last condition, the report validated by the three parties, closes the
// engagement (CanClose).
func BouclageGate(f EngagementFacts) []GateItem {
	return []GateItem{
		{"gate.evaluation", f.AssessedByCoach >= f.Indicators},
		{"gate.self_assessment", f.AssessedByCoachee >= f.Indicators},
		{"gate.final_meeting", f.FinalHeld},
		{"gate.coachee_synthesis", f.CoacheeSynthesis},
		{"gate.report", f.Report.Current > 0},
		{"gate.report_validated", f.Report.Validated()},
	}
}

// closingDuties: evaluation, final meeting, the coachee's synthesis, the
// report. Those the report's validation waits on block the closing; the
// contract's end is their due date.
func closingDuties(f EngagementFacts, p Part) []Duty {
	var out []Duty
	end := f.ContractEnd
	// The evaluations, the coachee's synthesis and HR's feedback meet at the
	// final meeting: once it is scheduled, they are due by then.
	before := end
	if !f.FinalAt.IsZero() {
		before = f.FinalAt
	}
	block := func(gate string, d Duty) { d.Blocking, d.Gates = true, []string{gate}; out = append(out, d) }
	coach := p.IsCoach()
	if coach && f.AssessedByCoach < f.Indicators {
		block("gate.evaluation", Duty{Kind: DutyEvaluate, Path: "/evaluation", Due: before, N: f.Indicators - f.AssessedByCoach})
	}
	if p == PartCoachee && f.AssessedByCoachee < f.Indicators {
		block("gate.self_assessment", Duty{Kind: DutySelfAssess, Path: "/evaluation", Due: before, N: f.Indicators - f.AssessedByCoachee})
	}
	switch {
	case f.FinalHeld:
	case coach && f.FinalAt.IsZero():
		block("gate.final_meeting", Duty{Kind: DutyScheduleFinal, Path: "/closing", Due: end})
	case coach:
		block("gate.final_meeting", Duty{Kind: DutyHoldFinal, Path: "/closing", Due: f.FinalAt})
	case (p == PartCoachee || p == PartSponsor) && !f.FinalAt.IsZero():
		out = append(out, Duty{Kind: DutyAttendFinal, Path: "/closing", Due: f.FinalAt})
	}
	if p == PartCoachee && !f.CoacheeSynthesis {
		block("gate.coachee_synthesis", Duty{Kind: DutyFinalSynthesis, Path: "/closing", Due: before})
	}
	if p == PartSponsor && !f.MyFeedback {
		out = append(out, Duty{Kind: DutyFeedback, Path: "/closing", Due: before})
	}
	if f.Report.Current == 0 {
		if coach {
			block("gate.report", Duty{Kind: DutyPublishReport, Path: "/report", Due: end})
		}
	} else if !f.MyReport && !sideValidated(f.Report, p) {
		n := f.Report.Current
		block("gate.report_validated", Duty{Kind: DutyValidateReport, Path: "/report/" + strconv.Itoa(n), Due: end, N: n, Stamp: n})
	}
	return out
}

// Blocking returns the duties the next phase waits on.
func Blocking(ds []Duty) []Duty {
	var out []Duty
	for _, d := range ds {
		if d.Blocking {
			out = append(out, d)
		}
	}
	return out
}
