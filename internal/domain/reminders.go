package domain

import (
	"slices"
	"strconv"
	"time"
)

// Reminder kinds. Each person chooses which they receive.
const (
	RemindMeeting       = "meeting_tomorrow"
	RemindActionDue     = "action_due"
	RemindActionOverdue = "action_overdue"
	RemindNoNextSession = "no_next_session"
	RemindWaiting       = "waiting" // a validation or a meeting request waits on the person
	RemindLate          = "late"    // one of the person's duties is past its due date
	// RemindDigest is the weekly list of the person's open duties. Unlike the
	// others, a person asks for it (it is off until then).
	RemindDigest = "weekly_digest"
)

// ReminderKinds in the order the settings page offers them.
var ReminderKinds = []string{RemindMeeting, RemindActionDue, RemindActionOverdue, RemindNoNextSession, RemindWaiting, RemindLate}

// mailedDuties are the duties an e-mail tells of (RemindWaiting) when they
// appear, once per occurrence (Duty.Stamp): each party's own step of the
// method, HR's included, with its form linked. The others (the coach's
// routine, meetings, which have their own reminders) wait on the dashboard and
// the overview.
var mailedDuties = []string{DutyWillingness, DutyCompanyRequest, DutyCoacheeRequest, DutyValidateSynth, DutyReadComments,
	DutyScheduleMeeting, DutySelfAssess, DutyFinalSynthesis, DutyFeedback, DutyValidateReport}

// Mailed reports whether a duty of this kind is told by e-mail.
func Mailed(kind string) bool {
	for _, k := range mailedDuties {
		if k == kind {
			return true
		}
	}
	return false
}

// Told lists, among a person's duties in an engagement, those an e-mail tells
// of, as the reminder rules take them.
func Told(engagementID string, ds []Duty) []WaitingFact {
	return facts(engagementID, ds, func(d Duty) bool { return Mailed(d.Kind) })
}

// lateElsewhere are the duties whose lateness is not worth a reminder of its
// own: another reminder tells it (the overdue action, no next session), or
// the late step is someone else's (a meeting not yet recorded as held is the
// coach's to record, not the attendees').
var lateElsewhere = []string{DutyActions, DutyPlanSession, DutyAttendFraming, DutyAttendFinal}

// Overdue lists a person's late duties in an engagement, as the reminder rules
// take them.
func Overdue(engagementID string, ds []Duty) []WaitingFact {
	return facts(engagementID, ds, func(d Duty) bool { return d.Late && !slices.Contains(lateElsewhere, d.Kind) })
}

// Open lists all a person's duties in an engagement, for the weekly digest.
func Open(engagementID string, ds []Duty) []WaitingFact {
	return facts(engagementID, ds, func(Duty) bool { return true })
}

func facts(engagementID string, ds []Duty, keep func(Duty) bool) []WaitingFact {
	var out []WaitingFact
	for _, d := range ds {
		if keep(d) {
			out = append(out, WaitingFact{EngagementID: engagementID, Kind: d.Kind, Number: d.Stamp, Count: d.N, Path: d.Path, Due: d.Due})
		}
	}
	return out
}

// MeetingFact is one of the person's coming meetings.
type MeetingFact struct {
	EngagementID, Kind string
	Number             int
	At                 time.Time
}

// ActionFact is one of the coachee's open actions.
type ActionFact struct {
	EngagementID, ID, Title string
	Due                     time.Time // zero: no due date
}

// CoachingFact is an engagement the person coaches: when its last session was
// held and whether a next one is booked.
type CoachingFact struct {
	EngagementID string
	LastHeld     time.Time
	NextBooked   bool
}

// WaitingFact is a duty waiting on the person (a validation, a request).
type WaitingFact struct {
	EngagementID, Kind string
	Number             int    // the duty's stamp: a new one is a new reminder
	Count              int    // what its message counts (Duty.N): a version, the items left
	Path               string // the duty's page, relative to the engagement
	Due                time.Time
}

// ReminderFacts is what the reminder rules look at for one person.
type ReminderFacts struct {
	Now      time.Time
	Zone     *time.Location
	Meetings []MeetingFact
	Actions  []ActionFact
	Coaching []CoachingFact
	Waiting  []WaitingFact
	Late     []WaitingFact // the person's duties past their due date
	Open     []WaitingFact // all the person's duties, for the weekly digest
}

// Reminder is one e-mail to send. Key and Day make it unique: the same reminder
// (same kind, subject and day) is never sent twice.
type Reminder struct {
	Kind, EngagementID, Subject string // Subject: the meeting, action or engagement it is about
	Key                         string // the kind, refined (e.g. which version waits)
	Day                         time.Time
	Number                      int
	Title                       string
	At                          time.Time
	Path                        string // for a waiting duty: its page, relative to the engagement
	Count                       int    // for a waiting duty: the count its message tells (Duty.N)
	// Covers is the late reminder of the same duty, when a duty appears
	// already late: the e-mail telling of it stands for both, so the late
	// reminder is recorded with it and never follows.
	Covers *Reminder
}

// NoNextSessionAfter is how long after a held session a coach is reminded that no
// next session is booked.
const NoNextSessionAfter = 14 * 24 * time.Hour

// Reminders decides which reminders are due for one person now. It is pure: the
// clock and the facts come in, the reminders go out.
func Reminders(f ReminderFacts) []Reminder {
	zone := f.Zone
	if zone == nil {
		zone = time.UTC
	}
	today := day(f.Now.In(zone))
	tomorrow := today.AddDate(0, 0, 1)
	var out []Reminder
	for _, m := range f.Meetings {
		if day(m.At.In(zone)).Equal(tomorrow) {
			out = append(out, Reminder{Kind: RemindMeeting, Key: RemindMeeting, EngagementID: m.EngagementID, Subject: m.EngagementID,
				Day: tomorrow, Number: m.Number, Title: m.Kind, At: m.At})
		}
	}
	for _, a := range f.Actions {
		if a.Due.IsZero() {
			continue
		}
		due := day(a.Due)
		switch {
		case due.Equal(today.AddDate(0, 0, 2)):
			out = append(out, Reminder{Kind: RemindActionDue, Key: RemindActionDue, EngagementID: a.EngagementID, Subject: a.ID, Day: due, Title: a.Title})
		case due.Before(today):
			// Once per action: keyed by its due date.
			out = append(out, Reminder{Kind: RemindActionOverdue, Key: RemindActionOverdue, EngagementID: a.EngagementID, Subject: a.ID, Day: due, Title: a.Title})
		}
	}
	for _, c := range f.Coaching {
		if !c.NextBooked && !c.LastHeld.IsZero() && f.Now.Sub(c.LastHeld) >= NoNextSessionAfter {
			out = append(out, Reminder{Kind: RemindNoNextSession, Key: RemindNoNextSession, EngagementID: c.EngagementID, Subject: c.EngagementID,
				Day: day(c.LastHeld.In(zone))})
		}
	}
	for _, w := range f.Waiting {
		out = append(out, Reminder{Kind: RemindWaiting, Key: w.Kind, EngagementID: w.EngagementID, Subject: w.EngagementID,
			Day: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, w.Number), Number: w.Number, Count: w.Count, Path: w.Path})
	}
	told := len(out) - len(f.Waiting) // the waiting reminders start here
	for _, w := range f.Late {
		l := late(w, zone)
		for i := told; i < len(out); i++ {
			if r := out[i]; r.Key == w.Kind && r.EngagementID == w.EngagementID && r.Number == w.Number {
				out[i].Covers = &l
			}
		}
		out = append(out, l)
	}
	return out
}

// late is the reminder of a late duty: once per duty and due date (a version
// or a session tells one duty from the next), never every day.
func late(w WaitingFact, zone *time.Location) Reminder {
	key := "late." + w.Kind
	if w.Number != 0 {
		key += "." + strconv.Itoa(w.Number)
	}
	return Reminder{Kind: RemindLate, Key: key, EngagementID: w.EngagementID, Subject: w.EngagementID, Day: day(w.Due.In(zone)),
		Number: w.Number, Count: w.Count, Path: w.Path, At: w.Due, Title: w.Kind}
}

// DigestHour is when, on Monday in the workspace's time zone, the weekly digest
// starts going out.
const DigestHour = 7

// DigestWeek is the Monday of now's ISO week, which keys the weekly digest (so
// it goes out once a week), and whether it may go yet: from Monday 7:00 on.
func DigestWeek(now time.Time, zone *time.Location) (time.Time, bool) {
	if zone == nil {
		zone = time.UTC
	}
	local := now.In(zone)
	back := (int(local.Weekday()) + 6) % 7 // days since Monday
	monday := day(local).AddDate(0, 0, -back)
	return monday, back > 0 || local.Hour() >= DigestHour
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

// Wanted filters out the kinds a person turned off.
func Wanted(rs []Reminder, off []string) []Reminder {
	var out []Reminder
	for _, r := range rs {
		keep := true
		for _, k := range off {
			if k == r.Kind || k == "all" {
				keep = false
			}
		}
		if keep {
			out = append(out, r)
		}
	}
	return out
}
