// Package jobs holds the periodic work of Triade (River jobs): reminders, the
// weekly digest, calendar invitations and the retention period. The
// reminders: a meeting tomorrow, an action due in two days or overdue, no next
// session booked, a duty appearing (a validation, a request, HR's forms) or
// past its due date. Each reminder and each digest goes out once; each change
// of a meeting sends its invitation once.
package jobs

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
)

// Run computes and sends the reminders due now for every member of every
// workspace, and the weekly digests. It returns how many e-mails it queued.
func Run(ctx context.Context, st *store.Store, now time.Time, baseURL string) (int, error) {
	digests := newDigests()
	total, err := perMember(ctx, st, func(rc store.Recipient, sc store.Scope) (int, error) {
		if slices.Contains(rc.Off, "all") {
			return 0, nil // unsubscribed from everything
		}
		facts, titles, err := st.ReminderFacts(ctx, sc, rc.Roles, now)
		if err != nil {
			return 0, err
		}
		facts.Zone = zone(rc.Workspace.Timezone)
		if rc.Digest {
			digests.add(rc, facts.Open, titles, baseURL)
		}
		rs := domain.Wanted(domain.Reminders(facts), rc.Off)
		if len(rs) == 0 {
			return 0, nil
		}
		return st.SendReminders(ctx, sc, rs, func(r domain.Reminder) store.Mail { return message(rc, r, titles[r.EngagementID], baseURL, facts.Zone) })
	})
	if err != nil {
		return total, err
	}
	n, err := digests.send(ctx, st, now, baseURL)
	return total + n, err
}

// perMember runs send as every member of every workspace, and adds up the
// e-mails it queued.
func perMember(ctx context.Context, st *store.Store, send func(store.Recipient, store.Scope) (int, error)) (int, error) {
	recipients, err := st.Recipients(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, rc := range recipients {
		n, err := send(rc, store.Scope{TenantID: rc.Workspace.ID, UserID: rc.User.ID})
		if err != nil {
			return total, err // its transaction rolled back: its e-mails are not queued
		}
		total += n
	}
	return total, nil
}

// language is the person's language, French unless they chose another.
func language(u store.User) string {
	if u.Locale == "" {
		return "fr"
	}
	return u.Locale
}

func engagementLink(base string, w store.Workspace, engagementID string) string {
	return base + "/w/" + w.Slug + "/e/" + engagementID
}

func unsubscribeLink(base string, rc store.Recipient) string {
	return base + "/unsubscribe/" + rc.Token
}

func zone(name string) *time.Location {
	if loc, ok := i18n.Location(name); ok {
		return loc
	}
	return time.UTC
}

// message writes one reminder: what is wanted, and a link to the exact page.
// Sponsors never get confidential content: their reminders name only meetings
// and documents to review.
func message(rc store.Recipient, r domain.Reminder, engagement, base string, loc *time.Location) store.Mail {
	lang := language(rc.User)
	t := func(id string, args ...any) string { return i18n.Translate(lang, id, args...) }
	local := i18n.WithZone(i18n.WithLang(context.Background(), lang), loc.String())
	eng := engagementLink(base, rc.Workspace, r.EngagementID)
	link, what := eng, ""
	switch r.Kind {
	case domain.RemindMeeting:
		kind := t("meeting.kind." + r.Title)
		if r.Title == "session" {
			kind = t("session.title", "Number", r.Number)
		}
		what = t("mail.remind.meeting", "Meeting", kind, "At", i18n.DateTime(local, r.At))
		if r.Title == "session" {
			link = eng + "/sessions"
		}
	case domain.RemindActionDue:
		what, link = t("mail.remind.action_due", "Action", r.Title), eng+"/actions/"+r.Subject
	case domain.RemindActionOverdue:
		what, link = t("mail.remind.action_overdue", "Action", r.Title), eng+"/actions/"+r.Subject
	case domain.RemindNoNextSession:
		what, link = t("mail.remind.no_next_session"), eng+"/sessions"
	case domain.RemindWaiting:
		what, link = t("wait."+r.Key, "N", r.Count, "Count", r.Count), eng+r.Path
	case domain.RemindLate:
		what = t("mail.remind.late", "What", t("wait."+r.Title, "N", r.Count, "Count", r.Count), "Due", i18n.Date(local, r.At))
		link = eng + r.Path
	}
	unsubscribe := unsubscribeLink(base, rc)
	return store.Mail{To: rc.User.Email, Link: link,
		Subject: t("mail.remind.subject", "What", what),
		Body: t("mail.remind.body", "Name", rc.User.Name, "What", what, "Engagement", engagement, "Workspace", rc.Workspace.Name,
			"Link", link, "Unsubscribe", unsubscribe, "Settings", base+"/account")}
}

// RemindArgs is the periodic River job that sends reminders.
type RemindArgs struct{}

// Kind names the job for River.
func (RemindArgs) Kind() string { return "reminders" }

// RemindWorker runs the reminders.
type RemindWorker struct {
	river.WorkerDefaults[RemindArgs]
	Store   *store.Store
	BaseURL string
	Log     *slog.Logger
}

// Work sends what is due. Running it twice, or on two instances at once, sends
// nothing twice: reminders_sent keys every reminder.
func (w *RemindWorker) Work(ctx context.Context, job *river.Job[RemindArgs]) error {
	n, err := Run(ctx, w.Store, w.Store.Now(), w.BaseURL)
	if err == nil && n > 0 {
		w.Log.Info("reminders sent", "count", n)
	}
	return err
}

// Periodic is the schedule: calendar invitations every minute (a meeting
// scheduled or moved reaches calendars soon), reminders every quarter of an
// hour, the retention period once a day, all at start-up too.
func Periodic() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return InviteArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
			func() (river.JobArgs, *river.InsertOpts) { return RemindArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}

// PurgeArgs is the daily job that erases closed engagements past their
// workspace's retention period.
type PurgeArgs struct{}

// Kind names the job for River.
func (PurgeArgs) Kind() string { return "retention" }

// PurgeWorker runs the retention period.
type PurgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	Store *store.Store
	Log   *slog.Logger
}

// Work erases what is due; running it twice erases nothing twice.
func (w *PurgeWorker) Work(ctx context.Context, job *river.Job[PurgeArgs]) error {
	n, err := w.Store.PurgeExpired(ctx, w.Store.Now())
	if err == nil && n > 0 {
		w.Log.Info("closed engagements erased after their retention period", "count", n)
	}
	return err
}
