package jobs_test

import (
	"strings"
	"testing"
	"time"

	"triade/internal/jobs"
	"triade/internal/store"
)

// sent runs a job and returns the e-mails it queued, read from the outbox
// through the store; it checks the count the job gives.
func (f *fixture) sent(job func() (int, error)) []store.Mail {
	f.t.Helper()
	before, err := f.env.Store.Outbox(f.ctx, 1)
	if err != nil {
		f.t.Fatal(err)
	}
	var last int64
	if len(before) > 0 {
		last = before[0].ID
	}
	n, err := job()
	if err != nil {
		f.t.Fatal("job: ", err)
	}
	all, err := f.env.Store.Outbox(f.ctx, 10000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.Mail
	for _, m := range all {
		if m.ID > last {
			out = append(out, m.Mail)
		}
	}
	if len(out) != n {
		f.t.Fatalf("the job says %d e-mails, the outbox holds %d new", n, len(out))
	}
	return out
}

// newMail runs the reminders at now and returns the e-mails they queued.
func (f *fixture) newMail(now time.Time) []store.Mail {
	return f.sent(func() (int, error) { return jobs.Run(f.ctx, f.env.Store, now, "https://triade.test") })
}

func matching(ms []store.Mail, to, subject string) []store.Mail {
	var out []store.Mail
	for _, m := range ms {
		if m.To == to && strings.Contains(m.Subject, subject) {
			out = append(out, m)
		}
	}
	return out
}

// TestLateDutiesRemindedOnce: past its due date, each party (HR included) is
// told of a late duty once, with its form linked; not the next day; not when
// the person turned late reminders off.
func TestLateDutiesRemindedOnce(t *testing.T) {
	f := seeded(t)
	f.newMail(f.now) // what is due today
	later := f.now.AddDate(0, 8, 0)
	ms := f.newMail(later)
	for _, who := range []string{"coach@demo.test", "coachee@demo.test", "sponsor@demo.test"} {
		late := matching(ms, who, "En retard depuis")
		if len(late) == 0 {
			t.Errorf("%s: no late reminder eight months on", who)
		}
		for _, m := range late {
			if !strings.HasPrefix(m.Link, "https://triade.test/w/demo/e/") || !strings.Contains(m.Body, m.Link) {
				t.Errorf("%s: late reminder without its page: %q\n%s", who, m.Link, m.Body)
			}
		}
	}
	hr := matching(ms, "sponsor@demo.test", "En retard depuis")
	if len(hr) > 0 && !strings.HasSuffix(hr[0].Link, "/closing") && !strings.Contains(hr[0].Link, "/report/") {
		t.Errorf("HR's late duty links %q, want its form (closing or report)", hr[0].Link)
	}
	if again := f.newMail(later.AddDate(0, 0, 1)); len(matching(again, "sponsor@demo.test", "En retard")) != 0 ||
		len(matching(again, "coach@demo.test", "En retard")) != 0 {
		t.Errorf("the next day, late reminders again: %d", len(again))
	}
	// Turned off: the same late duties tell nothing to a person who does not want them.
	g := seeded(t)
	if err := g.env.Store.SetRemindersOff(g.ctx, g.user("sponsor@demo.test"), []string{"late"}); err != nil {
		t.Fatal(err)
	}
	if ms := g.newMail(later); len(matching(ms, "sponsor@demo.test", "En retard")) != 0 {
		t.Error("late reminders off, yet sent")
	}
}

// TestWeeklyDigest: off by default; asked for, one e-mail per ISO week listing
// the person's open duties with deep links, none of a session's content;
// unsubscribing stops it.
func TestWeeklyDigest(t *testing.T) {
	f := seeded(t)
	if ms := f.newMail(f.now); len(matching(ms, "coachee@demo.test", "cette semaine")) != 0 {
		t.Fatal("a digest nobody asked for")
	}
	coachee := f.user("coachee@demo.test")
	if err := f.env.Store.SetWeeklyDigest(f.ctx, coachee, true); err != nil {
		t.Fatal(err)
	}
	d := matching(f.newMail(f.now), "coachee@demo.test", "cette semaine")
	if len(d) != 1 {
		t.Fatalf("asked for: %d digests, want 1", len(d))
	}
	body := d[0].Body
	if n := strings.Count(body, "https://triade.test/w/demo/e/"); n < 2 {
		t.Errorf("digest lists %d duties with links:\n%s", n, body)
	}
	for _, secret := range []string{"Analyse", "analysis", "note privée"} {
		if strings.Contains(body, secret) {
			t.Errorf("digest holds %q", secret)
		}
	}
	if again := f.newMail(f.now.Add(time.Hour)); len(matching(again, "coachee@demo.test", "cette semaine")) != 0 {
		t.Error("two digests in one week")
	}
	_, week := f.now.ISOWeek()
	next := f.now.AddDate(0, 0, 7)
	if _, w := next.ISOWeek(); w == week {
		t.Fatal("clock")
	}
	if ms := f.newMail(next); len(matching(ms, "coachee@demo.test", "cette semaine")) != 1 {
		t.Error("no digest the next week")
	}
	if len(matching(f.newMail(next), "coach@demo.test", "cette semaine")) != 0 {
		t.Error("the coach did not ask for a digest, yet got one")
	}
	if err := f.env.Store.Unsubscribe(f.ctx, f.env.Store.UnsubscribeToken(coachee)); err != nil {
		t.Fatal(err)
	}
	if ms := f.newMail(next.AddDate(0, 0, 7)); len(matching(ms, "coachee@demo.test", "")) != 0 {
		t.Errorf("unsubscribed, yet %d e-mails", len(ms))
	}
}

// TestDutyAppearingLateIsToldOnce: a synthesis version published after the
// contract's start is late as soon as it appears; each party is told once,
// by the e-mail asking for the validation, and no late reminder follows.
func TestDutyAppearingLateIsToldOnce(t *testing.T) {
	f := seeded(t)
	f.newMail(f.now)
	lyon := f.engagement(leadership)
	coach := f.scope("coach@demo.test")
	if err := f.env.Store.SaveSynthesisText(f.ctx, coach, lyon, "Accompagnement centré sur la décision et la délégation.", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.Store.PublishSynthesis(f.ctx, coach, lyon); err != nil {
		t.Fatal(err)
	}
	first := f.newMail(f.now)
	sponsor := matching(first, "sponsor@demo.test", "")
	if len(sponsor) != 1 || !strings.Contains(sponsor[0].Subject, "Valider la version 2") {
		var subjects []string
		for _, m := range sponsor {
			subjects = append(subjects, m.Subject)
		}
		t.Errorf("sponsor, synthesis v2 published late: %q, want the one e-mail asking for the validation", subjects)
	}
	if again := matching(f.newMail(f.now.Add(time.Hour)), "sponsor@demo.test", ""); len(again) != 0 {
		t.Errorf("an hour later: %d more e-mails to the sponsor (%q)", len(again), again[0].Subject)
	}
}
