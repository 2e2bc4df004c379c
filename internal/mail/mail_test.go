package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"triade/internal/mail"
	"triade/internal/store"
	"triade/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestWorkerLogsNoLink: without SMTP the worker logs that an e-mail stays in
// the outbox, but never its link or body (sign-in secrets live there).
func TestWorkerLogsNoLink(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	link := "https://triade.test/password/reset/secret-token-123"
	if err := env.Store.QueueMail(ctx, store.Mail{To: "a@essai.test", Subject: "Réinitialisation", Body: "Ouvrez " + link, Link: link}); err != nil {
		t.Fatal(err)
	}
	all, err := env.Store.Outbox(ctx, 1)
	if err != nil || len(all) != 1 {
		t.Fatal("outbox", err)
	}
	var logs bytes.Buffer
	w := &mail.Worker{Store: env.Store, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	job := &river.Job[store.SendMailArgs]{JobRow: &rivertype.JobRow{}, Args: store.SendMailArgs{OutboxID: all[0].ID}}
	if err := w.Work(ctx, job); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "mail kept in outbox") {
		t.Fatalf("no log line: %q", logs.String())
	}
	if strings.Contains(logs.String(), "secret-token-123") {
		t.Errorf("the log holds the link: %q", logs.String())
	}
	// A job whose e-mail was erased finishes without error.
	if err := w.Work(ctx, &river.Job[store.SendMailArgs]{JobRow: &rivertype.JobRow{}, Args: store.SendMailArgs{OutboxID: 999999}}); err != nil {
		t.Errorf("job of an erased e-mail: %v", err)
	}
}

// TestInvitationMessage: an e-mail carrying an invitation is a
// multipart/alternative with a text/calendar part naming its method, and the
// same calendar attached as meeting.ics; a plain e-mail stays plain text.
func TestInvitationMessage(t *testing.T) {
	cal := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
	msg, err := mail.Message("triade@essai.test", store.Mail{To: "a@essai.test", Subject: "Invitation", Body: "Bonjour", Calendar: cal, Method: "REQUEST"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	raw := b.String()
	for _, want := range []string{"multipart/alternative", "Content-Type: text/plain", "Content-Type: text/calendar; method=REQUEST",
		`filename="meeting.ics"`, "Content-Type: application/ics"} {
		if !strings.Contains(raw, want) {
			t.Errorf("message lacks %q:\n%s", want, raw)
		}
	}
	msg, _ = mail.Message("triade@essai.test", store.Mail{To: "a@essai.test", Subject: "Rappel", Body: "Bonjour"})
	b.Reset()
	msg.WriteTo(&b)
	if strings.Contains(b.String(), "text/calendar") || strings.Contains(b.String(), "multipart") {
		t.Errorf("a plain e-mail became multipart:\n%s", b.String())
	}
}
