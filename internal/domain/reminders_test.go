package domain

import (
	"testing"
	"time"
)

func TestReminders(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, paris)
	f := ReminderFacts{Now: now, Zone: paris,
		Meetings: []MeetingFact{
			{EngagementID: "e1", Kind: "session", Number: 3, At: time.Date(2026, 11, 27, 0, 30, 0, 0, paris)},  // tomorrow, just after midnight
			{EngagementID: "e1", Kind: "session", Number: 4, At: time.Date(2026, 11, 26, 23, 30, 0, 0, paris)}, // tonight: not tomorrow
			{EngagementID: "e2", Kind: "framing", At: time.Date(2026, 11, 28, 10, 0, 0, 0, paris)},             // in two days
		},
		Actions: []ActionFact{
			{EngagementID: "e1", ID: "a1", Title: "due in two days", Due: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)},
			{EngagementID: "e1", ID: "a2", Title: "due tomorrow", Due: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
			{EngagementID: "e1", ID: "a3", Title: "overdue", Due: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
			{EngagementID: "e1", ID: "a4", Title: "no date"},
		},
		Coaching: []CoachingFact{
			{EngagementID: "e1", LastHeld: now.Add(-15 * 24 * time.Hour)},
			{EngagementID: "e2", LastHeld: now.Add(-13 * 24 * time.Hour)},
			{EngagementID: "e3", LastHeld: now.Add(-30 * 24 * time.Hour), NextBooked: true},
		},
		Waiting: []WaitingFact{{EngagementID: "e1", Kind: "validate_synthesis", Number: 2}},
	}
	got := map[string]string{}
	for _, r := range Reminders(f) {
		got[r.Kind+"/"+r.Subject] = r.Day.Format("2006-01-02")
	}
	want := map[string]string{
		"meeting_tomorrow/e1": "2026-11-27",
		"action_due/a1":       "2026-11-28",
		"action_overdue/a3":   "2026-11-20",
		"no_next_session/e1":  "2026-11-11",
		"waiting/e1":          "2000-01-03",
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	// The same facts an hour later give the same reminders, keyed the same way:
	// together with the unique key in the database, a reminder goes out once.
	f.Now = now.Add(time.Hour)
	for _, r := range Reminders(f) {
		if got[r.Kind+"/"+r.Subject] != r.Day.Format("2006-01-02") {
			t.Errorf("reminder %s/%s changed key an hour later", r.Kind, r.Subject)
		}
	}
	if n := len(Wanted(Reminders(f), []string{RemindActionOverdue, RemindWaiting})); n != 3 {
		t.Errorf("after turning two kinds off, %d reminders remain, want 3", n)
	}
	if n := len(Wanted(Reminders(f), []string{"all"})); n != 0 {
		t.Errorf("unsubscribed from all: %d reminders", n)
	}
}

// TestDutiesAreToldOnce: a duty the method gives a party (HR's company
// request here) becomes one e-mail linking to its form; the same duty the
// next day is the same reminder (same key, subject and day), so it is sent
// once; a new synthesis version is a new one.
func TestDutiesAreToldOnce(t *testing.T) {
	fresh := EngagementFacts{Phase: PhaseCadrage}
	day1 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	remind := func(f EngagementFacts, p Part, now time.Time) []Reminder {
		return Reminders(ReminderFacts{Now: now, Waiting: Told("e1", Duties(f, p, now))})
	}
	rs := remind(fresh, PartSponsor, day1)
	if len(rs) != 1 || rs[0].Key != DutyCompanyRequest || rs[0].Path != "/requests" || rs[0].Kind != RemindWaiting {
		t.Fatalf("sponsor, new engagement: %+v, want one reminder of the company's request linking /requests", rs)
	}
	again := remind(fresh, PartSponsor, day1.AddDate(0, 0, 1))
	if len(again) != 1 || again[0].Key != rs[0].Key || again[0].Subject != rs[0].Subject || !again[0].Day.Equal(rs[0].Day) {
		t.Errorf("the next day: %+v, want the same reminder (sent once)", again)
	}
	// The coach's own routine is not mailed: the dashboard shows it.
	if rs := remind(fresh, PartCoach, day1); len(rs) != 1 || rs[0].Key != DutyWillingness {
		t.Errorf("coach, new engagement: %+v, want the willingness alone", rs)
	}
	v1, v2 := framed(), framed()
	v1.Cadrage.Synthesis, v1.MySynthesis = SynthesisState{Current: 1}, false
	v2.Cadrage.Synthesis, v2.MySynthesis = SynthesisState{Current: 2}, false
	a, b := remind(v1, PartCoachee, day1), remind(v2, PartCoachee, day1)
	if len(a) != 1 || len(b) != 1 || a[0].Day.Equal(b[0].Day) || b[0].Path != "/synthesis/2" {
		t.Errorf("synthesis v1 then v2: %+v then %+v, want two reminders", a, b)
	}
}
