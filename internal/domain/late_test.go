package domain

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// lateKinds is what the late reminders of a part say, on a fixed clock.
func lateKinds(f EngagementFacts, p Part, now time.Time) string {
	var out []string
	for _, r := range Reminders(ReminderFacts{Now: now, Late: Overdue("e1", Duties(f, p, now))}) {
		out = append(out, r.Key+"@"+r.Day.Format("01-02")+r.Path)
	}
	return strings.Join(out, " ")
}

// TestLateDutiesEachKindEachPart: each duty with a date given by the method or
// the contract is reminded once it is late, to the part who owes it, linking
// its page, keyed by its due date; the attendees of a meeting and the duties
// another reminder tells (overdue actions, no next session) are not.
func TestLateDutiesEachKindEachPart(t *testing.T) {
	start, end := dutyNow.AddDate(0, 0, -2), dutyNow.AddDate(0, 0, -1)
	finalAt := dutyNow.AddDate(0, 0, -3)
	cases := []struct {
		name                    string
		f                       EngagementFacts
		coach, coachee, sponsor string
	}{
		{"cadrage past the contract's start", func() EngagementFacts {
			f := EngagementFacts{Phase: PhaseCadrage, ContractStart: start}
			return f
		}(), "late.willingness@03-08 late.hold_framing@03-08/framing late.validate_requests@03-08/requests late.objectives@03-08/objectives " +
			"late.contract@03-08/contract late.publish_synthesis@03-08/synthesis",
			"late.willingness@03-08 late.coachee_request@03-08/requests", "late.company_request@03-08/requests"},
		{"framing meeting passed, not recorded", func() EngagementFacts {
			f := framed()
			f.Cadrage.FramingHeld, f.FramingAt = false, dutyNow.AddDate(0, 0, -1)
			return f
		}(), "late.hold_framing@03-09/framing", "", ""},
		{"synthesis v2 not validated by the start", func() EngagementFacts {
			f := framed()
			f.ContractStart, f.Cadrage.Synthesis, f.MySynthesis = start, SynthesisState{Current: 2, CoachValidated: true}, false
			return f
		}(), "", "late.validate_synthesis.2@03-08/synthesis/2", "late.validate_synthesis.2@03-08/synthesis/2"},
		{"coaching: session 2 unrecorded, actions overdue, no next session", EngagementFacts{Phase: PhaseAccompagnement,
			SessionsPlanned: 6, SessionsHeld: 1, LastHeld: dutyNow.AddDate(0, 0, -20),
			ToRecord: []SessionRef{{"s2", 2, dutyNow.AddDate(0, 0, -1)}}, OpenActions: 2, NextActionDue: dutyNow.AddDate(0, 0, -2)},
			"late.record_session@03-09/sessions/s2", "", ""},
		{"bouclage past the final meeting", EngagementFacts{Phase: PhaseBouclage, Indicators: 3, ContractEnd: end, FinalAt: finalAt},
			"late.evaluate@03-07/evaluation late.hold_final@03-07/closing late.publish_report@03-09/report",
			"late.self_assess@03-07/evaluation late.final_synthesis@03-07/closing", "late.feedback@03-07/closing"},
		{"bouclage, no final meeting, past the contract's end", EngagementFacts{Phase: PhaseBouclage, ContractEnd: end, CoacheeSynthesis: true},
			"late.schedule_final@03-09/closing late.publish_report@03-09/report", "", "late.feedback@03-09/closing"},
		{"report v1 past the contract's end", EngagementFacts{Phase: PhaseBouclage, ContractEnd: end, FinalHeld: true, CoacheeSynthesis: true,
			MyFeedback: true, Report: SynthesisState{Current: 1, CoachValidated: true}},
			"", "late.validate_report.1@03-09/report/1", "late.validate_report.1@03-09/report/1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, pw := range []struct {
				p    Part
				want string
			}{{PartCoach, c.coach}, {PartCoachee, c.coachee}, {PartSponsor, c.sponsor}} {
				if got := lateKinds(c.f, pw.p, dutyNow); got != pw.want {
					t.Errorf("%s:\n got %q\nwant %q", pw.p, got, pw.want)
				}
				// Before its date, nothing is late.
				if got := lateKinds(c.f, pw.p, dutyNow.AddDate(0, 0, -30)); got != "" {
					t.Errorf("%s a month earlier: %q", pw.p, got)
				}
			}
		})
	}
}

// TestLateReminderOncePerLateness: the same late duty the next day is the same
// reminder (sent once); a new due date is a new one; turning "late" off stops it.
func TestLateReminderOncePerLateness(t *testing.T) {
	f := EngagementFacts{Phase: PhaseBouclage, Indicators: 1, AssessedByCoach: 1, FinalHeld: true, CoacheeSynthesis: true, ContractEnd: dutyNow.AddDate(0, 0, -1)}
	remind := func(f EngagementFacts, now time.Time) []Reminder {
		return Reminders(ReminderFacts{Now: now, Late: Overdue("e1", Duties(f, PartCoach, now))})
	}
	a, b := remind(f, dutyNow), remind(f, dutyNow.AddDate(0, 0, 5))
	if len(a) != 1 || len(b) != 1 || a[0].Key != b[0].Key || !a[0].Day.Equal(b[0].Day) || a[0].Subject != "e1" || a[0].Kind != RemindLate {
		t.Fatalf("late report, day 1 then day 6: %+v then %+v, want the same reminder", a, b)
	}
	f.ContractEnd = dutyNow.AddDate(0, 0, 2)
	if c := remind(f, dutyNow.AddDate(0, 0, 5)); len(c) != 1 || c[0].Day.Equal(a[0].Day) {
		t.Errorf("contract extended, late again: %+v, want a new reminder", c)
	}
	if n := len(Wanted(a, []string{RemindLate})); n != 0 {
		t.Errorf("late reminders off: %d sent", n)
	}
}

func TestDigestWeek(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		week time.Time
		ok   bool
	}{
		{time.Date(2026, 11, 30, 5, 59, 0, 0, time.UTC), monday, false}, // 6:59 in Paris
		{time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC), monday, true},
		{time.Date(2026, 12, 6, 22, 59, 0, 0, time.UTC), monday, true},                   // Sunday 23:59 in Paris
		{time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC), monday.AddDate(0, 0, 7), false}, // Monday 0:30 in Paris
		{time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), monday, true},
	} {
		week, ok := DigestWeek(c.at, paris)
		if !week.Equal(c.week) || ok != c.ok {
			t.Errorf("%s: %s %v, want %s %v", c.at, week, ok, c.week, c.ok)
		}
	}
}

// TestOpenListsEveryDuty: the digest lists all the person's duties, with
// their pages.
func TestOpenListsEveryDuty(t *testing.T) {
	ds := Duties(EngagementFacts{Phase: PhaseCadrage}, PartCoachee, dutyNow)
	got := Open("e1", ds)
	if len(got) != 2 || got[0].Kind != DutyWillingness || got[1].Kind != DutyCoacheeRequest || got[1].Path != "/requests" {
		t.Errorf("open: %+v", got)
	}
}

// TestReinvite: the first request has sequence 0; a move raises it and asks
// everyone again; a removed attendee gets a cancellation; the meeting's
// cancellation goes to everyone; nothing changed sends nothing.
func TestReinvite(t *testing.T) {
	at := dutyNow
	s0 := InviteState{Start: at, Minutes: 90, Attendees: []string{"coach", "coachee", "hr"}}
	if c, ok := Reinvite(nil, 0, s0); !ok || c.Sequence != 0 || !slices.Equal(c.Request, s0.Attendees) || c.Cancel != nil {
		t.Errorf("first: %+v %v", c, ok)
	}
	if _, ok := Reinvite(&s0, 0, InviteState{Start: at, Minutes: 90, Attendees: []string{"hr", "coachee", "coach"}}); ok {
		t.Error("same meeting, attendees in another order: sent again")
	}
	moved := s0
	moved.Start = at.Add(time.Hour)
	if c, ok := Reinvite(&s0, 0, moved); !ok || c.Sequence != 1 || len(c.Request) != 3 || c.Cancel != nil {
		t.Errorf("moved: %+v %v", c, ok)
	}
	fewer := moved
	fewer.Attendees = []string{"coach", "coachee"}
	if c, ok := Reinvite(&moved, 1, fewer); !ok || c.Sequence != 2 || !slices.Equal(c.Cancel, []string{"hr"}) || len(c.Request) != 2 {
		t.Errorf("hr removed: %+v %v", c, ok)
	}
	gone := fewer
	gone.Cancelled = true
	c, ok := Reinvite(&fewer, 2, gone)
	if !ok || c.Sequence != 3 || !slices.Equal(c.Cancel, fewer.Attendees) || c.Request != nil {
		t.Errorf("cancelled: %+v %v", c, ok)
	}
	sent := gone.Sent()
	if _, ok := Reinvite(&sent, 3, gone); ok {
		t.Error("cancelled twice: sent again")
	}
	if c, ok := Reinvite(&sent, 3, s0); !ok || c.Sequence != 4 || len(c.Request) != 3 {
		t.Errorf("scheduled again: %+v %v", c, ok)
	}
	if _, ok := Reinvite(nil, 0, gone); ok {
		t.Error("cancelled before any invitation: sent")
	}
}

func TestInvited(t *testing.T) {
	for _, k := range []string{"framing", "intermediate", "final"} {
		if !Invited(k, PartSponsor) || !Invited(k, PartCoachee) {
			t.Errorf("%s: sponsor and coachee invited", k)
		}
	}
	if Invited("session", PartSponsor) || !Invited("session", PartCoachee) || !Invited("session", PartCocoach) {
		t.Error("session: the sponsor never, the coachee and the co-coach always")
	}
}

// TestDutyToldLateIsOneEmail: a duty that appears already late (a synthesis
// version published after the contract's start) is told by one e-mail, which
// stands for its late reminder too.
func TestDutyToldLateIsOneEmail(t *testing.T) {
	f := framed()
	f.ContractStart, f.Cadrage.Synthesis, f.MySynthesis = dutyNow.AddDate(0, 0, -5), SynthesisState{Current: 2, CoachValidated: true}, false
	ds := Duties(f, PartSponsor, dutyNow)
	rs := Reminders(ReminderFacts{Now: dutyNow, Waiting: Told("e1", ds), Late: Overdue("e1", ds)})
	if len(rs) != 2 || rs[0].Kind != RemindWaiting || rs[0].Covers == nil || rs[1].Kind != RemindLate ||
		rs[0].Covers.Key != rs[1].Key || !rs[0].Covers.Day.Equal(rs[1].Day) || rs[0].Covers.Subject != rs[1].Subject {
		t.Errorf("appearing late: %+v, want the told reminder covering the late one", rs)
	}
}
