package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestLoggerDemotesCancelledErrors: an error River logs for work the shutdown
// cancelled is a warning; any other error stays an error.
func TestLoggerDemotesCancelledErrors(t *testing.T) {
	var buf bytes.Buffer
	log := Logger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))).With("component", "river")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	log.ErrorContext(cancelled, "Client: Failed to send job insert notification", "err", "context canceled")
	log.ErrorContext(context.Background(), "Client: Error inserting periodic jobs", "err", "connection refused")
	log.Error("no context given")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines logged, want 3:\n%s", len(lines), buf.String())
	}
	for i, want := range []string{"level=WARN", "level=ERROR", "level=ERROR"} {
		if !strings.Contains(lines[i], want) || !strings.Contains(lines[i], "component=river") {
			t.Errorf("line %d: %s, want %s and the component", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "cancelled=true") {
		t.Errorf("the demoted record does not say why: %s", lines[0])
	}
}
