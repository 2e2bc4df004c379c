// Package mail delivers the outbox. Every e-mail is written to the outbox table
// in the transaction that causes it, with a River job; the job's worker sends it
// over SMTP when SMTP_URL is configured, and otherwise leaves it in the outbox
// (readable at /dev/mail in development) and logs it.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	gomail "github.com/wneessen/go-mail"

	"triade/internal/domain"
	"triade/internal/store"
)

// SMTP is a parsed SMTP_URL: smtp://user:pass@host:587?from=addr (smtps:// for
// implicit TLS).
type SMTP struct {
	Host, User, Password, From string
	Port                       int
	TLS                        bool
}

// ParseSMTP reads an SMTP_URL; an empty URL means no SMTP.
func ParseSMTP(raw string) (*SMTP, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("mail: SMTP_URL must look like smtp://user:password@host:587?from=address")
	}
	s := &SMTP{Host: u.Hostname(), TLS: u.Scheme == "smtps", From: u.Query().Get("from"), Port: 587}
	if s.TLS {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: bad SMTP port %q", p)
		}
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if s.From == "" {
		s.From = "triade@" + s.Host
	}
	return s, nil
}

// Worker is the River worker of store.SendMailArgs.
type Worker struct {
	river.WorkerDefaults[store.SendMailArgs]
	Store *store.Store
	SMTP  *SMTP
	Log   *slog.Logger
}

// Work sends one outbox e-mail. An e-mail already sent is not sent again, so a
// retried job does not duplicate it.
func (w *Worker) Work(ctx context.Context, job *river.Job[store.SendMailArgs]) error {
	m, err := w.Store.OutboxByID(ctx, job.Args.OutboxID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil // erased, or dropped by a migration: nothing to deliver
	}
	if err != nil {
		return err
	}
	if m.Sent != nil {
		return nil
	}
	if w.SMTP == nil {
		// Never the link (it carries a reset or join token) nor the address.
		w.Log.Info("mail kept in outbox (no SMTP_URL)", "outbox_id", m.ID, "subject", m.Subject)
		return nil
	}
	if err := w.send(ctx, m); err != nil {
		return err // River retries with backoff
	}
	return w.Store.MarkSent(ctx, m.ID)
}

// attachment names the invitation's file, which mail clients show and open
// (written in two parts: the catalog check would take the whole name for a message).
const attachment = "meeting" + ".ics"

// Message writes one outbox e-mail as MIME. An invitation is a
// multipart/alternative of the text and a text/calendar part with its method
// (what Outlook, Google Calendar and Thunderbird act on), and the same
// calendar attached as meeting.ics for the clients that only show attachments.
func Message(from string, m store.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	if m.Calendar != "" {
		msg.AddAlternativeString(gomail.ContentType("text/calendar; method="+m.Method), m.Calendar)
		msg.AttachReadSeeker(attachment, strings.NewReader(m.Calendar), gomail.WithFileContentType(gomail.ContentType("application/ics")))
	}
	return msg, nil
}

func (w *Worker) send(ctx context.Context, m store.OutboxMail) error {
	msg, err := Message(w.SMTP.From, m.Mail)
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(w.SMTP.Port), gomail.WithTimeout(20 * time.Second)}
	if w.SMTP.TLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if w.SMTP.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(w.SMTP.User), gomail.WithPassword(w.SMTP.Password))
	}
	c, err := gomail.NewClient(w.SMTP.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}
