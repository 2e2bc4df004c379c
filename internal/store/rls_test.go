package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/store"
	"triade/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// tenantTables lists every table with a tenant_id column, from the catalog, so a
// new table cannot escape these checks.
func tenantTables(t *testing.T, env *testenv.Env) []string {
	t.Helper()
	rows, _ := env.Super.Query(context.Background(), `SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' ORDER BY 1`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 4 {
		t.Fatalf("expected the workspace tables, found %v", names)
	}
	return names
}

func TestEveryTenantTableHasForcedRLS(t *testing.T) {
	env := testenv.New(t)
	for _, table := range tenantTables(t, env) {
		var enabled, forced bool
		var policies int
		err := env.Super.QueryRow(context.Background(), `SELECT c.relrowsecurity, c.relforcerowsecurity,
			(SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname)
			FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`, table).Scan(&enabled, &forced, &policies)
		if err != nil {
			t.Fatal(err)
		}
		if !enabled || !forced || policies == 0 {
			t.Errorf("%s: rls enabled=%v forced=%v policies=%d", table, enabled, forced, policies)
		}
	}
}

func TestAppRoleIsRestricted(t *testing.T) {
	env := testenv.New(t)
	if err := store.CheckRestricted(context.Background(), env.App); err != nil {
		t.Fatal(err)
	}
	var user string
	env.App.QueryRow(context.Background(), `SELECT current_user`).Scan(&user)
	if user != store.AppRole {
		t.Fatalf("queries run as %q, want %q", user, store.AppRole)
	}
}

// TestWorkspaceIsolation reads and writes every workspace table as the
// application role: no workspace set shows nothing, another workspace shows
// none of this one's rows, and a row for another workspace cannot be written.
func TestWorkspaceIsolation(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var demoID, autreID string
	env.Super.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = 'demo'`).Scan(&demoID)
	env.Super.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = 'autre'`).Scan(&autreID)

	userID := func(email string) string {
		var id string
		env.Super.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&id)
		return id
	}
	count := func(sc store.Scope, table, tenant string) int {
		t.Helper()
		var n int
		err := env.Store.Tx(ctx, sc, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE tenant_id = $1`, tenant).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	rowsSeen := func(sc store.Scope, table, tenant string) []string {
		t.Helper()
		var out []string
		err := env.Store.Tx(ctx, sc, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT ctid::text FROM `+pgx.Identifier{table}.Sanitize()+` WHERE tenant_id = $1`, tenant)
			var err error
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, table := range tenantTables(t, env) {
		t.Run(table, func(t *testing.T) {
			var total int
			env.Super.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE tenant_id = $1`, demoID).Scan(&total)
			if total == 0 {
				t.Fatalf("the demo has no %s rows: the isolation check would prove nothing", table)
			}
			var readable bool
			env.Super.QueryRow(ctx, `SELECT has_table_privilege($1, $2, 'SELECT')`, store.AppRole, table).Scan(&readable)
			if !readable { // read through views only (the summaries): no right at all
				err := env.Store.Tx(ctx, store.Scope{TenantID: demoID}, func(tx pgx.Tx) error {
					_, err := tx.Exec(ctx, `SELECT 1 FROM `+pgx.Identifier{table}.Sanitize()+` LIMIT 1`)
					return err
				})
				if !containsCode(err, "42501") {
					t.Errorf("a table the request role has no right on: read gave %v, want 42501", err)
				}
				return
			}
			if n := count(store.Scope{}, table, demoID); n != 0 {
				t.Errorf("no workspace set: %d rows visible", n)
			}
			if n := count(store.Scope{TenantID: autreID}, table, demoID); n != 0 {
				t.Errorf("other workspace set: %d of demo's rows visible", n)
			}
			// Within the workspace, confidential rows are visible to some members
			// only; together, the members see them all.
			// Rows are told apart by their physical address (ctid): a per-person
			// table (reminders sent) has no member who sees every row.
			seen := map[string]bool{}
			for _, a := range demo.Accounts {
				if a.Workspace == "demo" {
					for _, row := range rowsSeen(store.Scope{TenantID: demoID, UserID: userID(a.Email)}, table, demoID) {
						seen[row] = true
					}
				}
			}
			if len(seen) != total {
				t.Errorf("own workspace: the members together see %d rows, want %d", len(seen), total)
			}
			// Copy one of demo's rows while the transaction belongs to "autre",
			// in the columns the request role may write (the others are kept by
			// the database: without a right on them the insert would be refused
			// before the policies are asked).
			var row []byte
			env.Super.QueryRow(ctx, `SELECT row_to_json(t)::text FROM `+pgx.Identifier{table}.Sanitize()+` t WHERE tenant_id = $1 LIMIT 1`, demoID).Scan(&row)
			var cols string
			env.Super.QueryRow(ctx, `SELECT coalesce(string_agg(quote_ident(attname), ', ' ORDER BY attnum), '') FROM pg_attribute
				WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND has_column_privilege($2, attrelid, attnum, 'INSERT')`,
				table, store.AppRole).Scan(&cols)
			if cols == "" {
				return // no right to insert at all (a summary kept by the database)
			}
			err := env.Store.Tx(ctx, store.Scope{TenantID: autreID}, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO `+pgx.Identifier{table}.Sanitize()+` (`+cols+`) OVERRIDING SYSTEM VALUE
					SELECT `+cols+` FROM json_populate_record(null::`+pgx.Identifier{table}.Sanitize()+`, $1::json)`, string(row))
				return err
			})
			if err == nil || !containsCode(err, "42501") || !strings.Contains(err.Error(), "row-level security") {
				t.Errorf("insert into another workspace: got %v, want a row-level security refusal (42501)", err)
			}
		})
	}
}

// TestScopeDoesNotOutliveItsRoundTrip: a page's reads travel as one batch, run
// by PostgreSQL as one implicit transaction; the workspace it set must be gone
// for the next statement on the same connection.
func TestScopeDoesNotOutliveItsRoundTrip(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var tenant string
	env.Super.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = 'demo'`).Scan(&tenant)
	conn, err := env.App.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('app.tenant_id', $1, true)`, tenant)
	b.Queue(`SELECT count(*) FROM client_orgs`)
	br := conn.SendBatch(ctx, b)
	br.Exec()
	var inside int
	br.QueryRow().Scan(&inside)
	br.Close()
	var after string
	var visible int
	conn.QueryRow(ctx, `SELECT coalesce(current_setting('app.tenant_id', true), '')`).Scan(&after)
	conn.QueryRow(ctx, `SELECT count(*) FROM client_orgs`).Scan(&visible)
	if inside == 0 {
		t.Fatal("the batch did not see its own workspace")
	}
	if after != "" || visible != 0 {
		t.Fatalf("after the batch the connection still holds workspace %q (%d rows visible)", after, visible)
	}
}
