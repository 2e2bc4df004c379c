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
