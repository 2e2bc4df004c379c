package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// connect opens a pool on url and waits until PostgreSQL answers, retrying
// with growing delays up to timeout: a server still starting (a reboot, a
// container started alongside) is waited for, and one that never answers is
// named in the error instead of failing later under an unrelated message.
// Refusals that waiting cannot cure (wrong password, unknown database) end at
// once.
func connect(ctx context.Context, url string, maxConns int32, timeout time.Duration, log *slog.Logger) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err = pool.Ping(ctx)
		if err == nil {
			return pool, nil
		}
		if permanent(err) || ctx.Err() != nil || !time.Now().Before(deadline) {
			pool.Close()
			if permanent(err) {
				return nil, fmt.Errorf("PostgreSQL at %s refused the connection: %s", where, oneLine(err))
			}
			return nil, fmt.Errorf("PostgreSQL at %s did not answer within %s (%d attempts): is it running, and is DATABASE_URL right? Last error: %s", where, timeout, attempt, oneLine(err))
		}
		delay = min(delay, time.Until(deadline))
		log.Warn("waiting for PostgreSQL", "at", where, "attempt", attempt, "retry_in", delay.Round(time.Millisecond), "err", oneLine(err))
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// oneLine joins the lines of a connection error (pgx lists each address
// tried on its own line), dropping repeats.
func oneLine(err error) string {
	var parts []string
	for _, p := range strings.Split(err.Error(), "\n") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// permanent reports a refusal that retrying will not change: bad credentials
// (class 28), an unknown database (3D000), a server that has no such role.
func permanent(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code[:2] == "28" || pe.Code == "3D000"
	}
	return false
}

// withPoolSize sets the pool size on a connection URL unless it names one.
func withPoolSize(raw string, n int) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return raw // a key=value DSN: left as written
	}
	q := u.Query()
	if q.Get("pool_max_conns") == "" {
		q.Set("pool_max_conns", strconv.Itoa(n))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// checkDataDir explains a private data directory that cannot be used: one
// whose first setup was interrupted (PG_VERSION written, the cluster not), or
// one that belongs to another user.
func checkDataDir(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); err != nil {
		return nil // absent or empty: set up afresh
	}
	for _, f := range []string{"global/pg_control", "postgresql.conf", "base"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("%s is half-initialised (its first setup was interrupted: %s is missing): remove %s and start again", dir, f, dir)
		}
	}
	return checkOwner(dir)
}
