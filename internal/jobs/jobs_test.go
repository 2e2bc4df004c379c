package jobs_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/jobs"
	"triade/internal/store"
	"triade/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// fixture is the seeded demo on a fixed clock (noon in Paris today, so that no
// test straddles midnight), with helpers to look rows up as superuser.
type fixture struct {
	t   *testing.T
	env *testenv.Env
	ctx context.Context
	now time.Time
}

func seeded(t *testing.T) *fixture {
	t.Helper()
	env := testenv.New(t)
	d := time.Now().In(paris)
	now := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, paris)
	env.Store.Now = func() time.Time { return now }
	ctx := context.Background()
	if ok, err := demo.Seed(ctx, env.Store); err != nil || !ok {
		t.Fatalf("seed: %v %v", ok, err)
	}
	return &fixture{t: t, env: env, ctx: ctx, now: now}
}

// at is a time days from the fixture's today, at the given hour in Paris.
func (f *fixture) at(days, hour int) time.Time {
	d := f.now.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, paris)
}

func (f *fixture) str(q string, args ...any) string {
	f.t.Helper()
	var s string
	if err := f.env.Super.QueryRow(f.ctx, q, args...).Scan(&s); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return s
}

// clear copies the outbox, opened with the server key, into outbox_clear (to,
// subject, body, link, and the unsubscribe token of the recipient) for the
// queries of the tests: the outbox itself is sealed.
func (f *fixture) clear() {
	f.t.Helper()
	all, err := f.env.Store.Outbox(f.ctx, 100000)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.env.Super.Exec(f.ctx, `DROP TABLE IF EXISTS outbox_clear;
		CREATE TABLE outbox_clear (id bigint, to_addr text, subject text, body text, link text, token text)`); err != nil {
		f.t.Fatal(err)
	}
	for _, m := range all {
		var uid string
		f.env.Super.QueryRow(f.ctx, `SELECT id::text FROM users WHERE email = $1`, m.To).Scan(&uid)
		token := ""
		if uid != "" {
			token = f.env.Store.UnsubscribeToken(uid)
		}
		if _, err := f.env.Super.Exec(f.ctx, `INSERT INTO outbox_clear VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, m.To, m.Subject, m.Body, m.Link, token); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	if strings.Contains(q, "outbox_clear") {
		f.clear()
	}
	var n int
	if err := f.env.Super.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) strs(q string, args ...any) []string {
	f.t.Helper()
	rows, _ := f.env.Super.Query(f.ctx, q, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return out
}

func (f *fixture) tenant() string {
	return f.str(`SELECT id::text FROM workspaces WHERE slug = 'demo'`)
}
func (f *fixture) user(email string) string {
	return f.str(`SELECT id::text FROM users WHERE email = $1`, email)
}
func (f *fixture) engagement(title string) string {
	return f.str(`SELECT id::text FROM engagements WHERE title = $1`, title)
}
func (f *fixture) scope(email string) store.Scope {
	return store.Scope{TenantID: f.tenant(), UserID: f.user(email)}
}

const (
	accompagnement = "Conduite du changement — service client"
	leadership     = "Leadership d'équipe — site de Lyon"
	priseDePoste   = "Prise de poste — direction des achats"
)

// moreDue adds facts that make new reminders due one day after the fixture's
// today: a session two days from now (a meeting tomorrow for the coach and the
// coachee), an intermediate three-way meeting two days from now (a meeting
// tomorrow for the sponsor too), and a new synthesis version to validate.
func (f *fixture) moreDue() {
	f.t.Helper()
	st := f.env.Store
	coach := f.scope("coach@demo.test")
	if _, err := st.PlanSession(f.ctx, coach, f.engagement(accompagnement), f.at(2, 10), 90); err != nil {
		f.t.Fatal("plan session: ", err)
	}
	if _, err := st.ScheduleMeeting(f.ctx, coach, f.engagement(leadership), f.at(2, 14)); err != nil {
		f.t.Fatal("schedule meeting: ", err)
	}
	if _, err := st.PublishSynthesis(f.ctx, coach, f.engagement(priseDePoste)); err != nil {
		f.t.Fatal("publish synthesis: ", err)
	}
}

const outboxCount = `SELECT count(*) FROM outbox`
const sentCount = `SELECT count(*) FROM reminders_sent`

// reminderMail is an outbox row that is a reminder (the other mails are
// invitations and password resets).
const reminderMail = `subject LIKE 'Triade — %'`

func TestRemindersSentOnce(t *testing.T) {
	f := seeded(t)
	ctx, st, base := f.ctx, f.env.Store, demo.BaseURL

	outbox0, sent0 := f.count(outboxCount), f.count(sentCount)
	if sent0 == 0 {
		t.Fatal("the demo's own run of the reminder job sent nothing: the test would prove nothing")
	}
	for i := range 2 {
		n, err := jobs.Run(ctx, st, f.now, base)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("run %d at the same clock sent %d reminders again", i+2, n)
		}
	}
	if o, s := f.count(outboxCount), f.count(sentCount); o != outbox0 || s != sent0 {
		t.Fatalf("re-running the job changed the counts: outbox %d → %d, reminders_sent %d → %d", outbox0, o, sent0, s)
	}

	// A day later, with new reminders due, two workers race.
	f.moreDue()
	later := f.now.AddDate(0, 0, 1)
	var wg sync.WaitGroup
	start := make(chan struct{})
	ns, errs := make([]int, 2), make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			<-start
			ns[i], errs[i] = jobs.Run(ctx, st, later, base)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent run %d: %v", i, err)
		}
	}
	newSent, newMail := f.count(sentCount)-sent0, f.count(outboxCount)-outbox0
	t.Logf("a day later: %d + %d reminders sent by the two runs", ns[0], ns[1])
	if newSent == 0 {
		t.Fatal("nothing new was due a day later: the race proves nothing")
	}
	if ns[0]+ns[1] != newSent || newMail != newSent {
		t.Errorf("the two runs report %d + %d sent; %d reminders recorded; %d e-mails queued — each reminder must be sent exactly once",
			ns[0], ns[1], newSent, newMail)
	}

	// Every (person, kind, subject, day) once, and one e-mail for each.
	if n := f.count(`SELECT count(*) FROM (SELECT 1 FROM reminders_sent GROUP BY tenant_id, user_id, kind, subject_id, due_on HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d reminders recorded more than once", n)
	}
	f.clear()
	rows, _ := f.env.Super.Query(ctx, `SELECT to_addr, subject, link, count(*) FROM outbox_clear WHERE `+reminderMail+` GROUP BY 1, 2, 3 HAVING count(*) > 1`)
	dups, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var to, subject, link string
		var n int
		err := r.Scan(&to, &subject, &link, &n)
		return to + " | " + subject + " | " + link, err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dups {
		t.Errorf("duplicate reminder e-mail: %s", d)
	}
	rows, _ = f.env.Super.Query(ctx, `SELECT u.email, (SELECT count(*) FROM reminders_sent s WHERE s.user_id = u.id),
		(SELECT count(*) FROM outbox_clear o WHERE o.to_addr = u.email AND o.`+reminderMail+`) FROM users u ORDER BY 1`)
	type tally struct {
		email        string
		sent, mailed int
	}
	tallies, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tally, error) {
		var tl tally
		return tl, r.Scan(&tl.email, &tl.sent, &tl.mailed)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range tallies {
		if tl.sent != tl.mailed {
			t.Errorf("%s: %d reminders recorded but %d reminder e-mails", tl.email, tl.sent, tl.mailed)
		}
	}

	// The meeting tomorrow reached the coach and the coachee once each.
	eng := f.engagement(accompagnement)
	for _, who := range []string{"coach@demo.test", "coachee@demo.test"} {
		if n := f.count(`SELECT count(*) FROM reminders_sent WHERE user_id = $1 AND kind = $2 AND subject_id = $3`,
			f.user(who), domain.RemindMeeting, eng); n != 1 {
			t.Errorf("%s: %d meeting-tomorrow reminders for the planned session, want 1", who, n)
		}
		if n := f.count(`SELECT count(*) FROM outbox_clear WHERE to_addr = $1 AND link = $2`, who, base+"/w/demo/e/"+eng+"/sessions"); n != 1 {
			t.Errorf("%s: %d e-mails linking to the sessions page, want 1", who, n)
		}
	}

	// And a third run a day later sends nothing more.
	if n, err := jobs.Run(ctx, st, later, base); err != nil || n != 0 {
		t.Errorf("third run: sent %d, err %v", n, err)
	}
}

var (
	absEngagementLink = regexp.MustCompile(`https?://[^\s/]+/w/demo/e/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	absUnsubscribe    = regexp.MustCompile(`https?://[^\s/]+/unsubscribe/([0-9a-f-]{36}\.[A-Za-z0-9_-]{24})`)
)

func TestReminderContent(t *testing.T) {
	f := seeded(t)
	ctx := f.ctx
	f.moreDue()
	if _, err := jobs.Run(ctx, f.env.Store, f.now.AddDate(0, 0, 1), demo.BaseURL); err != nil {
		t.Fatal(err)
	}

	// Everything confidential to the coach and the coachee.
	var secrets []string
	for _, q := range []string{
		`SELECT title FROM actions`, `SELECT description FROM actions`,
		`SELECT did FROM journal_entries`, `SELECT happened FROM journal_entries`, `SELECT learnt FROM journal_entries`,
		`SELECT analysis FROM session_contents`, `SELECT scenarios FROM session_contents`, `SELECT decision FROM session_contents`,
		`SELECT title FROM session_situations`, `SELECT context FROM session_situations`, `SELECT body FROM session_options`,
		`SELECT note FROM session_inputs`, `SELECT body FROM private_notes`, `SELECT body FROM action_comments`,
		`SELECT stakes FROM diagnoses`, `SELECT draft_objectives FROM diagnoses`, `SELECT word FROM autonomy_ratings`,
	} {
		for _, s := range f.strs(q) {
			if strings.TrimSpace(s) != "" {
				secrets = append(secrets, s)
			}
		}
	}
	if len(secrets) < 10 {
		t.Fatalf("only %d confidential texts in the demo", len(secrets))
	}

	type mail struct{ to, subject, body, link, token string }
	f.clear()
	rows, _ := f.env.Super.Query(ctx, `SELECT o.to_addr, o.subject, o.body, o.link, o.token
		FROM outbox_clear o WHERE o.`+reminderMail+` ORDER BY o.id`)
	mails, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (mail, error) {
		var m mail
		return m, r.Scan(&m.to, &m.subject, &m.body, &m.link, &m.token)
	})
	if err != nil {
		t.Fatal(err)
	}
	sponsorMails := 0
	for _, m := range mails {
		if m.to != "sponsor@demo.test" {
			continue
		}
		sponsorMails++
		for _, s := range secrets {
			if strings.Contains(m.subject, s) || strings.Contains(m.body, s) {
				t.Errorf("reminder to the sponsor (%q) reveals confidential text %q", m.subject, s)
			}
		}
	}
	t.Logf("%d reminders, %d to the sponsor, checked against %d confidential texts", len(mails), sponsorMails, len(secrets))
	if sponsorMails == 0 {
		t.Fatal("the sponsor received no reminder: the confidentiality check proves nothing")
	}

	for _, m := range mails {
		if !strings.HasPrefix(m.link, demo.BaseURL+"/w/demo/e/") {
			t.Errorf("reminder to %s %q: link %q is not an absolute link to an engagement page", m.to, m.subject, m.link)
		}
		if !strings.Contains(m.body, m.link) || !absEngagementLink.MatchString(m.body) {
			t.Errorf("reminder to %s %q: the body does not carry the absolute link %q:\n%s", m.to, m.subject, m.link, m.body)
		}
		u := absUnsubscribe.FindStringSubmatch(m.body)
		if u == nil {
			t.Errorf("reminder to %s %q: no /unsubscribe/ link in the body:\n%s", m.to, m.subject, m.body)
		} else if u[1] != m.token {
			t.Errorf("reminder to %s carries another person's unsubscribe link", m.to)
		}
	}
}

func TestUnsubscribe(t *testing.T) {
	f := seeded(t)
	ctx, st := f.ctx, f.env.Store
	coachee := f.user("coachee@demo.test")
	if n := f.count(`SELECT count(*) FROM reminders_sent WHERE user_id = $1`, coachee); n == 0 {
		t.Fatal("the coachee got no reminder from the demo: the test would prove nothing")
	}
	token := st.UnsubscribeToken(coachee)

	for _, bad := range []string{"00000000-0000-0000-0000-000000000000", coachee, coachee + ".forged", st.UnsubscribeToken(f.user("coach@demo.test"))[:37] + strings.Repeat("A", 24)} {
		if err := st.Unsubscribe(ctx, bad); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("token %q: %v, want not found", bad, err)
		}
	}
	if err := st.Unsubscribe(ctx, token); err != nil {
		t.Fatal(err)
	}
	if off := f.strs(`SELECT unnest(reminders_off) FROM users WHERE id = $1`, coachee); len(off) != 1 || off[0] != "all" {
		t.Errorf("reminders_off after unsubscribing: %v", off)
	}

	f.moreDue()
	mailsTo := func(who string) int { return f.count(`SELECT count(*) FROM outbox_clear WHERE to_addr = $1`, who) }
	coacheeMails, coachMails := mailsTo("coachee@demo.test"), mailsTo("coach@demo.test")
	coacheeSent := f.count(`SELECT count(*) FROM reminders_sent WHERE user_id = $1`, coachee)
	for _, days := range []int{1, 10, 20} {
		if _, err := jobs.Run(ctx, st, f.now.AddDate(0, 0, days), demo.BaseURL); err != nil {
			t.Fatal(err)
		}
	}
	if n := mailsTo("coachee@demo.test"); n != coacheeMails {
		t.Errorf("the unsubscribed coachee received %d more e-mails", n-coacheeMails)
	}
	if n := f.count(`SELECT count(*) FROM reminders_sent WHERE user_id = $1`, coachee); n != coacheeSent {
		t.Errorf("%d more reminders recorded for the unsubscribed coachee", n-coacheeSent)
	}
	if mailsTo("coach@demo.test") == coachMails {
		t.Error("the coach received nothing either: the job did not run")
	}
}

// TestDutyMailsReachEachParty: the demo's run of the reminder job tells HR of
// the company's request it must write, and the coachee of her own request,
// each with a link to the exact form, once (a second run sends nothing more).
func TestDutyMailsReachEachParty(t *testing.T) {
	f := seeded(t)
	fresh := demo.BaseURL + "/w/demo/e/" + f.engagement("Prise de poste — direction des achats")
	for _, c := range []struct{ to, subject, link string }{
		{"sponsor@demo.test", "Rédiger la demande de l'entreprise", fresh + "/requests"},
		{"coachee@demo.test", "Rédiger votre demande", fresh + "/requests"},
		{"coachee@demo.test", "Confirmer votre volonté de travailler ensemble", fresh},
	} {
		f.clear() // the outbox is sealed: read its opened copy
		q := `SELECT count(*) FROM outbox_clear WHERE to_addr = $1 AND subject LIKE '%' || $2 || '%' AND link = $3`
		if n := f.count(q, c.to, c.subject, c.link); n != 1 {
			t.Errorf("%s: %d e-mail(s) « %s » linking %s, want 1", c.to, n, c.subject, c.link)
		}
	}
	// A duty's e-mail tells its count (the indicators left), never a
	// stamp: "(0 restant)" went out before.
	if bad := f.count(`SELECT count(*) FROM outbox_clear WHERE subject ~ '\(0 restant'`); bad != 0 {
		t.Errorf("%d e-mail(s) count 0 items left", bad)
	}
	if n := f.count(`SELECT count(*) FROM outbox_clear WHERE subject LIKE '%auto-évaluation des indicateurs%'`); n == 0 {
		t.Error("the demo's coachee was not asked for her self-assessment")
	}
	if n, err := jobs.Run(f.ctx, f.env.Store, f.now, demo.BaseURL); err != nil || n != 0 {
		t.Errorf("second run: %d sent, %v", n, err)
	}
}
