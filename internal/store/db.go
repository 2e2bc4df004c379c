// Package store holds all of Triade's SQL. Every workspace query runs in a
// transaction that sets the workspace and the signed-in person for PostgreSQL's
// row-level security, as the restricted application role.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	neturl "net/url"
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

// AppRole is the database role every request query runs as: not superuser,
// not owner of any table, without BYPASSRLS, member of no other role. The
// request pool logs in as it, so that no statement (RESET ROLE, SET ROLE) can
// take a request connection back to a more privileged role.
const AppRole = "triade_app"

// EnsureAppRole creates the application role if the cluster lacks it, as a
// login role with nothing more, and lets the schema owner grant to it.
// Migrations cannot do this: they may run as a role that owns a database but
// cannot create roles once one exists.
func EnsureAppRole(ctx context.Context, owner *pgxpool.Pool) error {
	_, err := owner.Exec(ctx, `DO $$ BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+AppRole+`') THEN
			CREATE ROLE `+AppRole+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
		END IF; END $$`)
	if err != nil && !isCode(err, "42710", "23505") { // created concurrently by another process
		return fmt.Errorf("store: create role %s: %w", AppRole, err)
	}
	// A role created NOLOGIN by an earlier version becomes the login.
	var login bool
	if err := owner.QueryRow(ctx, `SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, AppRole).Scan(&login); err != nil {
		return fmt.Errorf("store: inspect role %s: %w", AppRole, err)
	}
	if !login {
		if _, err := owner.Exec(ctx, `ALTER ROLE `+AppRole+` LOGIN`); err != nil {
			return fmt.Errorf("store: let %s log in (an administrator can run: ALTER ROLE %s LOGIN): %w", AppRole, AppRole, err)
		}
	}
	return nil
}

// AppURL is the address the request pool logs in with: the server and
// database of url, as AppRole. A url that already names AppRole is kept as it
// is (with its password); any other user is replaced, without its password:
// the private PostgreSQL trusts local logins, and a server that asks for a
// password gets it from APP_DATABASE_URL or the usual PostgreSQL files
// (~/.pgpass).
func AppURL(url string) (string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "", fmt.Errorf("store: parse url: %w", err)
	}
	if cfg.User == AppRole {
		return url, nil
	}
	u, err := neturl.Parse(url)
	if err != nil || u.Scheme == "" {
		// A keyword/value string: append the user, which later keywords override.
		return url + " user=" + AppRole + " password=", nil
	}
	u.User = neturl.User(AppRole)
	return u.String(), nil
}

// Migrate applies the embedded schema with goose, then River's own tables.
func Migrate(ctx context.Context, owner *pgxpool.Pool) error {
	if err := MigrateSQL(ctx, stdlib.OpenDBFromPool(owner)); err != nil {
		return err
	}
	if err := MigrateRiver(ctx, owner); err != nil {
		return err
	}
	return RestrictDatabase(ctx, owner)
}

// RestrictDatabase takes from everyone but the owner the right to create
// temporary tables in the database: a session's temporary schema is searched
// first for table names, so a temporary "memberships" made by the request
// role would stand in for the real one inside the policies' helper functions
// and the triggers. The request role uses none. It is a right on the database,
// not in the schema (a database made from a template does not inherit it), so
// it is taken at every start; CheckRestricted refuses to serve while the
// request role still has it.
func RestrictDatabase(ctx context.Context, owner *pgxpool.Pool) error {
	var db string
	if err := owner.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return fmt.Errorf("store: restrict database: %w", err)
	}
	if _, err := owner.Exec(ctx, `REVOKE TEMPORARY ON DATABASE `+pgx.Identifier{db}.Sanitize()+` FROM PUBLIC`); err != nil {
		return fmt.Errorf("store: restrict database (an administrator can run: REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC): %w", db, err)
	}
	return nil
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

// OpenApp opens the pool that serves requests, logged in as AppRole on the
// server and database of url (see AppURL), and refuses to serve through it
// unless the login is as restricted as AppRole must be.
func OpenApp(ctx context.Context, url string) (*pgxpool.Pool, error) {
	url, err := AppURL(url)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse url: %w", err)
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		// Generic plans: every query is keyed by the workspace and planned once
		// per connection. Measured with `make bench`, planning each execution
		// anew cost more than executing.
		_, err := c.Exec(ctx, "SET plan_cache_mode = force_generic_plan")
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
// row-level security, or could switch to a role that does.
func CheckRestricted(ctx context.Context, pool *pgxpool.Pool) error {
	var session, current, db string
	var super, bypass, owns, member, temp bool
	err := pool.QueryRow(ctx, `SELECT session_user, current_user, r.rolsuper, r.rolbypassrls,
		EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'public' AND t.tableowner = current_user),
		EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid),
		has_database_privilege(current_database(), 'TEMPORARY'), current_database()
		FROM pg_roles r WHERE r.rolname = session_user`).Scan(&session, &current, &super, &bypass, &owns, &member, &temp, &db)
	if err != nil {
		return fmt.Errorf("store: check application role: %w", err)
	}
	if session != AppRole || current != AppRole || super || bypass || owns || member {
		return fmt.Errorf("store: refusing to serve as %q (want a login as %q: superuser=%v bypassrls=%v owner=%v member of another role=%v)",
			session, AppRole, super, bypass, owns, member)
	}
	if temp { // see RestrictDatabase
		return fmt.Errorf("store: refusing to serve while %s may create temporary tables (an administrator can run: REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC)", AppRole, db)
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
