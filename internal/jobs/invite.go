package jobs

import (
	"context"
	"log/slog"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/ical"
	"triade/internal/store"
)

// Invite sends the calendar invitations of every meeting and session that
// changed since the last run: scheduled, moved, attendees changed, cancelled.
// It runs as each engagement's lead coach, the invitations' organizer, so
// row-level security shows it exactly their engagements. It returns how many
// e-mails it queued.
func Invite(ctx context.Context, st *store.Store, now time.Time, baseURL string) (int, error) {
	return perMember(ctx, st, func(rc store.Recipient, sc store.Scope) (int, error) {
		if !rc.Roles.Has(domain.RoleCoach) && !rc.Roles.Has(domain.RoleAdmin) {
			return 0, nil // never an engagement's lead coach
		}
		return st.SendInvitations(ctx, sc, now, func(inv store.MeetingInvitation, c domain.InviteChange) []store.Mail {
			return invitationMails(rc.Workspace, inv, c, baseURL, now)
		})
	})
}

// invitationMails writes one e-mail per person concerned, in their language:
// the request (or its update) to the attendees, the cancellation to those no
// longer expected.
func invitationMails(w store.Workspace, inv store.MeetingInvitation, c domain.InviteChange, base string, now time.Time) []store.Mail {
	var out []store.Mail
	send := func(ids []string, cancel bool) {
		for _, id := range ids {
			// A person erased since the last invitation is no longer a party:
			// nothing is sent to them, nor names them.
			if p, ok := inv.Parties[id]; ok && p.Email != "" {
				out = append(out, invitationMail(w, inv, c, p, cancel, base, now))
			}
		}
	}
	send(c.Request, false)
	send(c.Cancel, true)
	return out
}

func invitationMail(w store.Workspace, inv store.MeetingInvitation, c domain.InviteChange, to store.Invitee, cancel bool, base string, now time.Time) store.Mail {
	lang := language(store.User{Locale: to.Locale})
	t := func(id string, args ...any) string { return i18n.Translate(lang, id, args...) }
	local := i18n.WithZone(i18n.WithLang(context.Background(), lang), zone(w.Timezone).String())
	state, who := inv.Now, c.Request
	if cancel {
		who = c.Cancel
		if inv.Sent != nil {
			state = *inv.Sent // what the person's calendar holds
		}
	}
	title := upperFirst(t("meeting.kind." + inv.Kind))
	if inv.Kind == "session" {
		title = t("session.title", "Number", inv.Number)
	}
	link := engagementLink(base, w, inv.EngagementID) + meetingPage(inv)
	invite := ical.Invitation{
		Event: ical.Event{UID: ical.UID(inv.Kind, inv.ID), Start: state.Start, End: state.Start.Add(time.Duration(state.Minutes) * time.Minute),
			Summary: title + " — " + inv.Engagement, Details: link, URL: link},
		Sequence: c.Sequence, Cancel: cancel, Stamp: now,
		Organizer: ical.Person{Name: inv.Organizer.Name, Email: inv.Organizer.Email},
	}
	for _, id := range who {
		p, ok := inv.Parties[id]
		if !ok {
			continue
		}
		invite.Attendees = append(invite.Attendees, ical.Person{Name: p.Name, Email: p.Email, Chair: id == inv.Organizer.ID})
	}
	subject, body := "mail.meeting.subject", "mail.meeting.body"
	if cancel {
		subject, body = "mail.meeting.cancel.subject", "mail.meeting.cancel.body"
	}
	args := []any{"Name", to.Name, "Meeting", title, "At", i18n.DateTime(local, state.Start), "Minutes", state.Minutes,
		"Engagement", inv.Engagement, "Workspace", w.Name, "Link", link}
	return store.Mail{To: to.Email, Link: link, Subject: t(subject, args...), Body: t(body, args...),
		Calendar: invite.String(), Method: invite.Method()}
}

// meetingPage is where a meeting is kept, relative to its engagement.
func meetingPage(inv store.MeetingInvitation) string {
	switch inv.Kind {
	case "session":
		return "/sessions/" + inv.ID
	case "framing":
		return "/framing"
	case "final":
		return "/closing"
	}
	return "/meetings"
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// InviteArgs is the periodic River job that sends calendar invitations.
type InviteArgs struct{}

// Kind names the job for River.
func (InviteArgs) Kind() string { return "invitations" }

// InviteWorker sends the invitations.
type InviteWorker struct {
	river.WorkerDefaults[InviteArgs]
	Store   *store.Store
	BaseURL string
	Log     *slog.Logger
}

// Work sends what changed. Two workers at once send nothing twice: each
// meeting's row is locked while its change is sent.
func (w *InviteWorker) Work(ctx context.Context, job *river.Job[InviteArgs]) error {
	n, err := Invite(ctx, w.Store, w.Store.Now(), w.BaseURL)
	if err == nil && n > 0 {
		w.Log.Info("calendar invitations sent", "count", n)
	}
	return err
}
