package jobs_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"triade/internal/jobs"
	"triade/internal/store"
)

// invitation is one e-mailed invitation, parsed back with golang-ical.
type invitation struct {
	to, method, uid, status string
	sequence                string
	start                   time.Time
	organizer               string
	attendees               map[string]string // e-mail → ROLE
}

// invite runs the invitation job and returns the invitations it sent, each
// parsed back, read from the outbox through the store.
func (f *fixture) invite() []invitation {
	f.t.Helper()
	var out []invitation
	for _, m := range f.sent(func() (int, error) { return jobs.Invite(f.ctx, f.env.Store, f.now, "https://triade.test") }) {
		out = append(out, parseInvitation(f.t, m))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].to < out[j].to })
	return out
}

func parseInvitation(t *testing.T, m store.Mail) invitation {
	t.Helper()
	if m.Calendar == "" {
		t.Fatalf("e-mail to %s %q carries no calendar", m.To, m.Subject)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(m.Calendar))
	if err != nil {
		t.Fatalf("invitation to %s does not parse: %v\n%s", m.To, err, m.Calendar)
	}
	inv := invitation{to: m.To, attendees: map[string]string{}}
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == string(ics.PropertyMethod) {
			inv.method = p.Value
		}
	}
	if inv.method != m.Method {
		t.Errorf("METHOD %q, the e-mail says %q", inv.method, m.Method)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events in the invitation", len(evs))
	}
	ev := evs[0]
	inv.uid = ev.Id()
	if p := ev.GetProperty(ics.ComponentPropertySequence); p != nil {
		inv.sequence = p.Value
	}
	if p := ev.GetProperty(ics.ComponentPropertyStatus); p != nil {
		inv.status = p.Value
	}
	if p := ev.GetProperty(ics.ComponentPropertyDtStart); p == nil || !strings.HasSuffix(p.Value, "Z") {
		t.Errorf("DTSTART not in UTC: %+v", p)
	}
	if inv.start, err = ev.GetStartAt(); err != nil {
		t.Error("DTSTART: ", err)
	}
	if p := ev.GetProperty(ics.ComponentPropertyOrganizer); p != nil {
		inv.organizer = strings.TrimPrefix(p.Value, "mailto:")
	}
	for _, a := range ev.Attendees() {
		role := a.ICalParameters[string(ics.ParameterRole)]
		partstat := a.ICalParameters[string(ics.ParameterParticipationStatus)]
		rsvp := a.ICalParameters[string(ics.ParameterRsvp)]
		cn := a.ICalParameters[string(ics.ParameterCn)]
		if len(role) != 1 || len(partstat) != 1 || len(rsvp) != 1 || len(cn) != 1 || cn[0] == "" {
			t.Errorf("attendee %s lacks ROLE, PARTSTAT, RSVP or CN: %v", a.Email(), a.ICalParameters)
			continue
		}
		inv.attendees[a.Email()] = role[0]
	}
	return inv
}

func recipients(invs []invitation) []string {
	var out []string
	for _, i := range invs {
		out = append(out, i.to)
	}
	return out
}

// TestSessionInvitations: a planned session is requested (sequence 0) from the
// coach, as organizer and chair, and the coachee; never the sponsor. Moving it
// sends the same UID with the sequence raised; nothing changed sends nothing;
// a cancellation sends METHOD:CANCEL.
func TestSessionInvitations(t *testing.T) {
	f := seeded(t)
	f.invite() // what the demo scheduled
	coach := f.scope("coach@demo.test")
	eng := f.engagement(accompagnement)
	at := f.at(3, 10)
	sid, err := f.env.Store.PlanSession(f.ctx, coach, eng, at, 90)
	if err != nil {
		t.Fatal(err)
	}
	sent := f.invite()
	if got := recipients(sent); !slices.Equal(got, []string{"coach@demo.test", "coachee@demo.test"}) {
		t.Fatalf("session invitation sent to %v, want the coach and the coachee (never the sponsor)", got)
	}
	uid := "session-" + sid + "@triade"
	for _, inv := range sent {
		if inv.method != "REQUEST" || inv.uid != uid || inv.sequence != "0" || !inv.start.Equal(at) || inv.organizer != "coach@demo.test" {
			t.Errorf("first invitation: %+v", inv)
		}
		if inv.attendees["coach@demo.test"] != "CHAIR" || inv.attendees["coachee@demo.test"] != "REQ-PARTICIPANT" || len(inv.attendees) != 2 {
			t.Errorf("attendees: %v", inv.attendees)
		}
	}
	if again := f.invite(); len(again) != 0 {
		t.Errorf("nothing changed, yet %d invitations sent", len(again))
	}

	file, err := f.env.Store.Session(f.ctx, coach, eng, sid)
	if err != nil {
		t.Fatal(err)
	}
	ss := file.Session
	moved := at.Add(2 * time.Hour)
	ss.ScheduledAt = moved
	if err := f.env.Store.UpdateSession(f.ctx, coach, eng, ss); err != nil {
		t.Fatal(err)
	}
	sent = f.invite()
	if len(sent) != 2 {
		t.Fatalf("moved: %d invitations", len(sent))
	}
	for _, inv := range sent {
		if inv.method != "REQUEST" || inv.uid != uid || inv.sequence != "1" || !inv.start.Equal(moved) {
			t.Errorf("moved: %+v", inv)
		}
	}

	file, _ = f.env.Store.Session(f.ctx, coach, eng, sid)
	ss = file.Session
	ss.Status, ss.CancelReason = "cancelled", "Indisponibilité"
	if err := f.env.Store.UpdateSession(f.ctx, coach, eng, ss); err != nil {
		t.Fatal(err)
	}
	sent = f.invite()
	if len(sent) != 2 {
		t.Fatalf("cancelled: %d e-mails", len(sent))
	}
	for _, inv := range sent {
		if inv.method != "CANCEL" || inv.uid != uid || inv.sequence != "2" || inv.status != "CANCELLED" || !inv.start.Equal(moved) {
			t.Errorf("cancelled: %+v", inv)
		}
	}
}

// TestThreeWayInvitations: the framing meeting invites the sponsor too; taking
// an attendee off sends them a cancellation and the others the update; the
// meeting's date removed cancels it for everyone.
func TestThreeWayInvitations(t *testing.T) {
	f := seeded(t)
	f.invite()
	coach := f.scope("coach@demo.test")
	eng := f.engagement(priseDePoste)
	file, err := f.env.Store.Cadrage(f.ctx, coach, eng)
	if err != nil {
		t.Fatal(err)
	}
	m := file.Framing
	at := f.at(5, 14)
	m.ScheduledAt = &at
	if err := f.env.Store.SaveMeeting(f.ctx, coach, eng, m); err != nil {
		t.Fatal(err)
	}
	sent := f.invite()
	all := []string{"coach@demo.test", "coachee@demo.test", "sponsor@demo.test"}
	if got := recipients(sent); !slices.Equal(got, all) {
		t.Fatalf("framing invitation sent to %v, want %v", got, all)
	}
	uid := sent[0].uid
	for _, inv := range sent {
		if inv.method != "REQUEST" || inv.uid != uid || !strings.HasPrefix(uid, "framing-") || inv.sequence != "0" || !inv.start.Equal(at) ||
			inv.attendees["sponsor@demo.test"] != "REQ-PARTICIPANT" || len(inv.attendees) != 3 {
			t.Errorf("framing: %+v", inv)
		}
	}

	file, _ = f.env.Store.Cadrage(f.ctx, coach, eng)
	m = file.Framing
	m.Attendees = []string{f.user("coach@demo.test"), f.user("coachee@demo.test")}
	if err := f.env.Store.SaveMeeting(f.ctx, coach, eng, m); err != nil {
		t.Fatal(err)
	}
	sent = f.invite()
	if len(sent) != 3 {
		t.Fatalf("sponsor taken off: %d e-mails", len(sent))
	}
	for _, inv := range sent {
		want := "REQUEST"
		if inv.to == "sponsor@demo.test" {
			want = "CANCEL"
		}
		if inv.method != want || inv.uid != uid || inv.sequence != "1" {
			t.Errorf("sponsor taken off, to %s: %+v", inv.to, inv)
		}
	}

	file, _ = f.env.Store.Cadrage(f.ctx, coach, eng)
	m = file.Framing
	m.ScheduledAt = nil
	if err := f.env.Store.SaveMeeting(f.ctx, coach, eng, m); err != nil {
		t.Fatal(err)
	}
	sent = f.invite()
	if got := recipients(sent); !slices.Equal(got, all[:2]) {
		t.Fatalf("date removed: sent to %v", got)
	}
	for _, inv := range sent {
		if inv.method != "CANCEL" || inv.uid != uid || inv.sequence != "2" || !inv.start.Equal(at) {
			t.Errorf("date removed: %+v", inv)
		}
	}
}

// TestErasedPersonGetsNoInvitation: once a person is erased, a change of a
// meeting they were invited to reaches the others only: nothing goes to them,
// nor to the placeholder that stands for them.
func TestErasedPersonGetsNoInvitation(t *testing.T) {
	f := seeded(t)
	f.invite()
	coach := f.scope("coach@demo.test")
	eng := f.engagement(accompagnement)
	sid, err := f.env.Store.PlanSession(f.ctx, coach, eng, f.at(3, 10), 90)
	if err != nil {
		t.Fatal(err)
	}
	if got := recipients(f.invite()); !slices.Equal(got, []string{"coach@demo.test", "coachee@demo.test"}) {
		t.Fatalf("before: sent to %v", got)
	}
	if err := f.env.Store.ErasePerson(f.ctx, f.scope("admin@demo.test"), f.user("coachee@demo.test")); err != nil {
		t.Fatal(err)
	}
	file, err := f.env.Store.Session(f.ctx, coach, eng, sid)
	if err != nil {
		t.Fatal(err)
	}
	ss := file.Session
	ss.ScheduledAt = f.at(4, 10)
	if err := f.env.Store.UpdateSession(f.ctx, coach, eng, ss); err != nil {
		t.Fatal(err)
	}
	sent := f.invite()
	if got := recipients(sent); !slices.Equal(got, []string{"coach@demo.test"}) {
		t.Fatalf("after the erasure: sent to %v, want the coach alone", got)
	}
	if n := len(sent[0].attendees); n != 1 {
		t.Errorf("the coach's update names %d attendees: %v", n, sent[0].attendees)
	}
}

// TestEndedEngagementCancelsItsMeetings: an engagement interrupted takes its
// coming sessions out of the calendars.
func TestEndedEngagementCancelsItsMeetings(t *testing.T) {
	f := seeded(t)
	coach := f.scope("coach@demo.test")
	eng := f.engagement(accompagnement)
	sid, err := f.env.Store.PlanSession(f.ctx, coach, eng, f.at(3, 10), 90)
	if err != nil {
		t.Fatal(err)
	}
	f.invite()
	if err := f.env.Store.Interrupt(f.ctx, coach, eng, "Le coaché change de poste."); err != nil {
		t.Fatal(err)
	}
	var cancelled []string
	for _, inv := range f.invite() {
		if inv.method != "CANCEL" {
			t.Errorf("after the interruption: %+v", inv)
		}
		if inv.uid == "session-"+sid+"@triade" {
			cancelled = append(cancelled, inv.to)
		}
	}
	if !slices.Equal(cancelled, []string{"coach@demo.test", "coachee@demo.test"}) {
		t.Errorf("session cancelled for %v, want the coach and the coachee", cancelled)
	}
}
