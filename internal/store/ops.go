package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The functions of this file run as the schema owner, for the process itself
// (start-up checks, metrics), never for a request.

// migrationLock is the key of the advisory lock held while migrating: two
// instances started together migrate one after the other, not at once.
const migrationLock = 0x7472696164650001 // "triade" + 1

// MigrateExclusive makes sure the application role exists and applies every
// migration (goose's, then River's) while holding a session advisory lock, so
// that concurrent starts on one database wait for each other.
func MigrateExclusive(ctx context.Context, owner *pgxpool.Pool) error {
	conn, err := owner.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Release()
	// Asked again every 200 ms rather than waited for in one statement: a
	// waiting statement holds a snapshot, and an index built concurrently by
	// the instance that migrates waits for every older snapshot to end — the
	// two would wait for each other for ever.
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(migrationLock)).Scan(&got); err != nil {
			return fmt.Errorf("store: take the migration lock: %w", err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: take the migration lock: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	defer func() {
		// Unlock even when ctx has ended; if that fails, closing the
		// connection releases the lock.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, int64(migrationLock)); err != nil {
			conn.Conn().Close(uctx)
		}
	}()
	if err := EnsureAppRole(ctx, owner); err != nil {
		return err
	}
	return Migrate(ctx, owner)
}

// CountAccounts tells how many of the e-mail addresses have an account.
func CountAccounts(ctx context.Context, owner *pgxpool.Pool, emails []string) (int, error) {
	var n int
	err := owner.QueryRow(ctx, `SELECT count(*) FROM users WHERE email = ANY($1)`, emails).Scan(&n)
	return n, dbError("count accounts", err)
}

// QueueCounts returns River's jobs by state and the number of e-mails waiting
// in the outbox, for the metrics.
func QueueCounts(ctx context.Context, owner *pgxpool.Pool) (map[string]int64, int64, error) {
	jobs := map[string]int64{}
	rows, err := owner.Query(ctx, `SELECT state::text, count(*) FROM river_job GROUP BY state`)
	if err != nil {
		return nil, 0, dbError("count jobs", err)
	}
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return nil, 0, dbError("count jobs", err)
		}
		jobs[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, 0, dbError("count jobs", err)
	}
	var unsent int64
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&unsent); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, dbError("count outbox", err)
	}
	return jobs, unsent, nil
}

// SetRetentionDefault makes years the retention period of workspaces created
// from now on (RETENTION_YEARS). Existing workspaces keep theirs. The column
// default is changed only when it differs, so that a start takes no lock on
// workspaces for nothing.
func SetRetentionDefault(ctx context.Context, owner *pgxpool.Pool, years int) error {
	var current string
	err := owner.QueryRow(ctx, `SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
		JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
		WHERE d.adrelid = 'workspaces'::regclass AND a.attname = 'retention_years'`).Scan(&current)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return dbError("retention default", err)
	}
	if current == fmt.Sprint(years) {
		return nil
	}
	// DDL takes no bind parameters; years is an int.
	_, err = owner.Exec(ctx, fmt.Sprintf(`ALTER TABLE workspaces ALTER COLUMN retention_years SET DEFAULT %d`, years))
	return dbError("retention default", err)
}
