package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"triade/internal/domain"
)

// Store runs Triade's queries against the application pool.
type Store struct {
	pool  *pgxpool.Pool
	river *river.Client[pgx.Tx]
	// key is the server key (see LoadKey); set once at start with SetKey.
	key []byte
	// Now is the clock; tests fix it.
	Now func() time.Time
}

// New wraps an application pool. The River client (insert-only is enough) lets
// e-mails be queued in the same transaction that causes them.
func New(pool *pgxpool.Pool, rc *river.Client[pgx.Tx]) *Store {
	return &Store{pool: pool, river: rc, Now: time.Now}
}

// Pool exposes the pool for health checks and the session store.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Scope is what row-level security is keyed on: the workspace of the URL and the
// signed-in person. An empty TenantID means no workspace: tenant tables then
// show no rows at all.
type Scope struct {
	TenantID string
	UserID   string
	// ReadOnly runs the transaction READ ONLY: a page shown as another person
	// sees it (the sponsor's view) can read with their rights and write nothing.
	ReadOnly bool
}

// Tx runs fn in one transaction whose settings carry the scope, then commits.
// Every query of a request goes through here, so PostgreSQL refuses what the
// scope does not cover even if a handler forgot to check.
func (s *Store) Tx(ctx context.Context, sc Scope, fn func(tx pgx.Tx) error) error {
	opts := pgx.TxOptions{}
	if sc.ReadOnly {
		opts.AccessMode = pgx.ReadOnly
	}
	tx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return dbError("begin", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`,
		sc.TenantID, sc.UserID); err != nil {
		return dbError("scope", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return dbError("commit", err)
	}
	return nil
}

// presentToken shows the database the hash of a link's secret token for the
// rest of the transaction: a row keyed by a token (an invitation, a calendar
// feed) is visible to whoever presents its token, and to nobody else who is
// not otherwise entitled to it.
func presentToken(ctx context.Context, tx pgx.Tx, setting, token string) error {
	_, err := tx.Exec(ctx, `SELECT set_config($1, encode($2::bytea, 'hex'), true)`, setting, HashToken(token))
	return dbError("present token", err)
}

// View runs read-only queries in a single round trip. A pgx batch is one
// pipeline closed by a single Sync, which PostgreSQL runs as one implicit
// transaction: the scope's settings (transaction-local) hold for every query of
// the batch and vanish with it, without BEGIN or COMMIT statements. The
// transaction is REPEATABLE READ, so that every query of a page sees the
// database at one moment (under READ COMMITTED each took its own snapshot: an
// action's objective renamed between two of them showed half of the change);
// a transaction that only reads never fails for it. Pages read through here;
// Tx is for writes, which need answers between statements.
func (s *Store) View(ctx context.Context, sc Scope, queue func(b *pgx.Batch), read func(br pgx.BatchResults) error) error {
	b := &pgx.Batch{}
	// The batch is one implicit transaction: this covers all of it.
	if sc.ReadOnly {
		b.Queue(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`)
	} else {
		b.Queue(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`)
	}
	b.Queue(`SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, sc.TenantID, sc.UserID)
	queue(b)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return dbError("view", err)
	}
	if _, err := br.Exec(); err != nil {
		return dbError("view", err)
	}
	if err := read(br); err != nil {
		return dbError("view", err)
	}
	return nil
}

// part is one piece of a page's data: the queries it queues and how it reads
// their results back. Pages combine parts so that all their data comes in one
// round trip.
type part struct {
	queue func(b *pgx.Batch)
	read  func(br pgx.BatchResults) error
}

// view runs parts, in order, in one read-only round trip.
func (s *Store) view(ctx context.Context, sc Scope, parts ...part) error {
	return s.View(ctx, sc, func(b *pgx.Batch) {
		for _, p := range parts {
			p.queue(b)
		}
	}, func(br pgx.BatchResults) error {
		for _, p := range parts {
			if err := p.read(br); err != nil {
				return err
			}
		}
		return nil
	})
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Classify gives any error from the database, including those that reach the
// server from libraries (the session store), its application code.
func Classify(err error) error {
	if err == nil || domain.ErrorCode(err) != domain.EInternal {
		return err
	}
	return dbError("query", err)
}

// dbError classifies a database failure: an outage becomes EUnavailable (503),
// anything else is internal.
func dbError(what string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.ErrNotFound
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || isCode(err, "57P01", "57P02", "57P03", "08000", "08003", "08006") {
		return &domain.Error{Code: domain.EUnavailable, Message: "error.unavailable", Cause: fmt.Errorf("store: %s: %w", what, err)}
	}
	// Input the database cannot even read (not a UUID, not UTF-8, a number out
	// of range) is bad input, never a server error.
	if isCode(err, "22P02", "22021", "22003", "22008", "22007", "22001") {
		return &domain.Error{Code: domain.EInvalid, Message: "error.bad_input", Cause: fmt.Errorf("store: %s: %w", what, err)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &domain.Error{Code: domain.EUnavailable, Message: "error.unavailable", Cause: fmt.Errorf("store: %s: %w", what, err)}
	}
	return fmt.Errorf("store: %s: %w", what, err)
}
