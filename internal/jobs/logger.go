package jobs

import (
	"context"
	"log/slog"
)

// Logger is the logger to give River. River logs some failures of work that
// the shutdown itself cancelled at ERROR level, e.g. the insert notification
// of a periodic job being queued at the moment the client stops; that job's
// transaction rolls back and it is queued at the next start, so nothing is
// lost. A record logged with an already cancelled context is written as a
// warning, so that an ERROR in the logs always means something to look at.
func Logger(log *slog.Logger) *slog.Logger {
	return slog.New(cancelledHandler{log.Handler()})
}

type cancelledHandler struct{ slog.Handler }

func (h cancelledHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError && ctx != nil && ctx.Err() != nil {
		r.Level = slog.LevelWarn
		r.AddAttrs(slog.Bool("cancelled", true))
	}
	return h.Handler.Handle(ctx, r)
}

func (h cancelledHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return cancelledHandler{h.Handler.WithAttrs(as)}
}

func (h cancelledHandler) WithGroup(name string) slog.Handler {
	return cancelledHandler{h.Handler.WithGroup(name)}
}
