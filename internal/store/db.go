// Package store holds all of Triade's SQL. Every workspace query runs in a
// transaction that sets the workspace and the signed-in person for PostgreSQL's
// row-level security, as the restricted application role.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"triade/migrations"
)

// AppRole is the database role every request query runs as: not superuser, not
// owner of any table, without BYPASSRLS.
const AppRole = "triade_app"

// EnsureAppRole creates the application role if the cluster lacks it and lets the
// schema owner switch to it. Migrations cannot do this: they may run as a role
// that owns a database but cannot create roles once one exists.
func EnsureAppRole(ctx context.Context, owner *pgxpool.Pool) error {
	_, err := owner.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+AppRole+`') THEN
			CREATE ROLE `+AppRole+` NOLOGIN NOSUPERUSER NOBYPASSRLS;
		END IF; END $$`)
	if err != nil && !isCode(err, "42710", "23505") { // created concurrently by another process
		return fmt.Errorf("store: create role %s: %w", AppRole, err)
	}
	// A superuser may SET ROLE to anyone; any other owner needs membership.
	var super bool
	if err := owner.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return fmt.Errorf("store: inspect owner role: %w", err)
	}
	if !super {
		if _, err := owner.Exec(ctx, `GRANT `+AppRole+` TO current_user`); err != nil && !isCode(err, "42710") {
			return fmt.Errorf("store: grant %s to owner: %w", AppRole, err)
		}
	}
	return nil
}

// Migrate applies the embedded schema with goose, then River's own tables.
func Migrate(ctx context.Context, owner *pgxpool.Pool) error {
	if err := MigrateSQL(ctx, stdlib.OpenDBFromPool(owner)); err != nil {
		return err
	}
	return MigrateRiver(ctx, owner)
}

// MigrateSQL applies the goose migrations through database/sql.
func MigrateSQL(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		return fmt.Errorf("store: goose: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// MigrateRiver applies River's job-queue migrations.
func MigrateRiver(ctx context.Context, owner *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(owner), nil)
	if err != nil {
		return fmt.Errorf("store: river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: river migrate: %w", err)
	}
	return nil
}

// OpenApp opens the pool that serves requests. Each connection switches to the
// application role before it is used, so even a connection string that names the
// schema owner never runs a request query with the owner's rights.
func OpenApp(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse url: %w", err)
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		// Generic plans: every query is keyed by the workspace and planned once
		// per connection. Measured with `make bench`, planning each execution
		// anew cost more than executing.
		_, err := c.Exec(ctx, "SET ROLE "+AppRole+"; SET plan_cache_mode = force_generic_plan")
		return err
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	cfg.ConnConfig.Tracer = tracer{}
	cfg.HealthCheckPeriod = 5 * time.Second
	if cfg.MaxConns < 16 && !strings.Contains(url, "pool_max_conns") { // DB_MAX_CONNS sets it
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open pool: %w", err)
	}
	if err := CheckRestricted(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// CheckRestricted refuses to serve through a pool whose queries would bypass
// row-level security.
func CheckRestricted(ctx context.Context, pool *pgxpool.Pool) error {
	var user string
	var super, bypass, owns bool
	err := pool.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolbypassrls,
		EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&user, &super, &bypass, &owns)
	if err != nil {
		return fmt.Errorf("store: check application role: %w", err)
	}
	if super || bypass || owns {
		return fmt.Errorf("store: refusing to serve as %q (superuser=%v bypassrls=%v owner=%v)", user, super, bypass, owns)
	}
	return nil
}

func isCode(err error, codes ...string) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	for _, c := range codes {
		if pe.Code == c {
			return true
		}
	}
	return false
}
