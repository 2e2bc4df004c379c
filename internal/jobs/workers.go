package jobs

import (
	"log/slog"

	"github.com/riverqueue/river"

	"triade/internal/mail"
	"triade/internal/store"
)

// Workers registers every job the server runs, in one place, so that the
// server and the tests that run River run the same set (a periodic job
// without its worker only logs "unhandled job kind"). plain sends the
// outbox and runs the retention period; the workers that queue e-mails get
// the River client's store through the returned function, once the client
// exists.
func Workers(plain *store.Store, smtp *mail.SMTP, baseURL string, log *slog.Logger) (*river.Workers, func(queueing *store.Store)) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &mail.Worker{Store: plain, SMTP: smtp, Log: log})
	river.AddWorker(workers, &PurgeWorker{Store: plain, Log: log})
	reminders := &RemindWorker{BaseURL: baseURL, Log: log}
	river.AddWorker(workers, reminders)
	invitations := &InviteWorker{BaseURL: baseURL, Log: log}
	river.AddWorker(workers, invitations)
	return workers, func(queueing *store.Store) {
		reminders.Store = queueing
		invitations.Store = queueing
	}
}
