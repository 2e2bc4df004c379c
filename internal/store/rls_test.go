package store_test

import (
	"context"
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
			// Copy one of demo's rows while the transaction belongs to "autre".
			var row []byte
			env.Super.QueryRow(ctx, `SELECT row_to_json(t)::text FROM `+pgx.Identifier{table}.Sanitize()+` t WHERE tenant_id = $1 LIMIT 1`, demoID).Scan(&row)
			err := env.Store.Tx(ctx, store.Scope{TenantID: autreID}, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO `+pgx.Identifier{table}.Sanitize()+` OVERRIDING SYSTEM VALUE
					SELECT * FROM json_populate_record(null::`+pgx.Identifier{table}.Sanitize()+`, $1::json)`, string(row))
				return err
			})
			if err == nil || !containsCode(err, "42501") {
				t.Errorf("insert into another workspace: got %v, want a row-level security refusal (42501)", err)
			}
		})
	}
}

// TestConfidentialRowsRefusedByPostgres queries as each person, through the
// application role: the cells marked "—" in DESIGN.md's table return no rows
// even though the query asks for them.
func TestConfidentialRowsRefusedByPostgres(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var tenant string
	env.Super.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = 'demo'`).Scan(&tenant)
	as := func(email, query string) int {
		t.Helper()
		var uid string
		env.Super.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&uid)
		var n int
		err := env.Store.Tx(ctx, store.Scope{TenantID: tenant, UserID: uid}, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, query).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases := []struct {
		query string
		see   map[string]bool // e-mail → sees rows
	}{
		{`SELECT count(*) FROM diagnoses`, map[string]bool{"coach@demo.test": true, "coachee@demo.test": true, "sponsor@demo.test": false, "admin@demo.test": false}},
		{`SELECT count(*) FROM meeting_requests`, map[string]bool{"coach@demo.test": true, "coachee@demo.test": true, "sponsor@demo.test": true, "admin@demo.test": false}},
		{`SELECT count(*) FROM events WHERE engagement_id IS NOT NULL`, map[string]bool{"coach@demo.test": true, "coachee@demo.test": false, "sponsor@demo.test": false, "admin@demo.test": true}},
	}
	coaching := map[string]bool{"coach@demo.test": true, "coachee@demo.test": true, "sponsor@demo.test": false, "admin@demo.test": false}
	for _, table := range []string{"session_contents", "session_situations", "session_options", "session_inputs", "action_comments", "autonomy_ratings"} {
		cases = append(cases, struct {
			query string
			see   map[string]bool
		}{`SELECT count(*) FROM ` + table, coaching})
	}
	cases = append(cases,
		struct {
			query string
			see   map[string]bool
		}{`SELECT count(*) FROM private_notes`, map[string]bool{"coach@demo.test": true, "coachee@demo.test": false, "sponsor@demo.test": false, "admin@demo.test": false}},
		struct {
			query string
			see   map[string]bool
		}{`SELECT count(*) FROM actions WHERE shared_at IS NULL`, coaching},
		struct {
			query string
			see   map[string]bool
		}{`SELECT count(*) FROM journal_entries j JOIN actions a ON a.tenant_id = j.tenant_id AND a.id = j.action_id WHERE a.shared_at IS NULL`, coaching},
		// The one action the coachee shared, with its journal, reaches the sponsor.
		struct {
			query string
			see   map[string]bool
		}{`SELECT count(*) FROM journal_entries`, map[string]bool{"coach@demo.test": true, "coachee@demo.test": true, "sponsor@demo.test": true, "admin@demo.test": false}},
		struct {
			query string
			see   map[string]bool
		}{`SELECT count(*) FROM coaching_sessions`, map[string]bool{"coach@demo.test": true, "coachee@demo.test": true, "sponsor@demo.test": true, "admin@demo.test": true}},
		// The evaluation is the coaches' and the coachee's: the sponsor gets
		// the final report, never the evaluation rows.
		struct {
			query string
			see   map[string]bool
		}{`SELECT count(*) FROM evaluations`, coaching},
	)

	// Every table PostgreSQL guards with a restrictive policy, from the
	// catalog, so that a new confidential table cannot be forgotten here. A
	// table whose restrictive policies cover reads (cmd ALL or SELECT) needs a
	// case above ("FROM table") saying what the sponsor and the admin see:
	// nothing, except the documented sharing (meeting requests to the sponsor
	// as a party, the history to the admin, the one shared action and its
	// journal to the sponsor). A table whose restrictive policies only guard
	// writes is listed in writeOnly with the one part who may change its rows.
	mentions := func(query, table string) bool {
		needle := "FROM " + table
		for i := 0; i+len(needle) <= len(query); i++ {
			if query[i:i+len(needle)] == needle && (i+len(needle) == len(query) || query[i+len(needle)] == ' ') {
				return true
			}
		}
		return false
	}
	for _, c := range cases {
		for _, who := range []string{"sponsor@demo.test", "admin@demo.test"} {
			if _, ok := c.see[who]; !ok {
				t.Errorf("%s: the case says nothing of %s", c.query, who)
			}
		}
	}
	// The coachee's synthesis at the end: read by the parties and the admin,
	// written by the coachee alone (not even by the coach).
	writeOnly := map[string]string{"coachee_syntheses": "coachee@demo.test"}
	rows, err := env.Super.Query(ctx, `SELECT tablename::text, bool_or(cmd IN ('ALL', 'SELECT')) FROM pg_policies
		WHERE schemaname = 'public' AND permissive = 'RESTRICTIVE' GROUP BY tablename ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	restrictive := map[string]bool{} // table → its restrictive policies cover reads
	var table string
	var reads bool
	if _, err := pgx.ForEachRow(rows, []any{&table, &reads}, func() error { restrictive[table] = reads; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(restrictive) < 14 {
		t.Fatalf("only %d tables with a restrictive policy: %v", len(restrictive), restrictive)
	}
	for table, reads := range restrictive {
		listed := false
		for _, c := range cases {
			listed = listed || mentions(c.query, table)
		}
		writer, guarded := writeOnly[table]
		switch {
		case reads && !listed:
			t.Errorf("%s has a restrictive read policy but no case says what the sponsor and the admin see of it", table)
		case !reads && !guarded:
			t.Errorf("%s has a restrictive write policy but is not in writeOnly", table)
		case !reads:
			for _, email := range []string{"sponsor@demo.test", "admin@demo.test"} {
				if n := as(email, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()); n == 0 {
					t.Errorf("%s: %s reads no row; the table is guarded for writes only", table, email)
				}
			}
			// FOR UPDATE applies the UPDATE policies: the rows one may change.
			lockable := `SELECT count(*) FROM (SELECT 1 FROM ` + pgx.Identifier{table}.Sanitize() + ` FOR UPDATE) s`
			for _, email := range []string{"coach@demo.test", "coachee@demo.test", "sponsor@demo.test", "admin@demo.test"} {
				n := as(email, lockable)
				if email == writer && n == 0 {
					t.Errorf("%s: %s may change no row, but should", table, email)
				}
				if email != writer && n != 0 {
					t.Errorf("%s: %s may change %d rows, PostgreSQL should refuse them", table, email, n)
				}
			}
		}
	}
	for table := range writeOnly {
		if _, ok := restrictive[table]; !ok {
			t.Errorf("writeOnly lists %s, which has no restrictive policy", table)
		}
	}
	if n := as("sponsor@demo.test", `SELECT count(*) FROM actions`); n != 1 {
		t.Errorf("the sponsor sees %d actions, want exactly the 1 shared", n)
	}
	// Another coach of the workspace, even made co-coach, never reads the lead
	// coach's private notes.
	if n := as("coach@autre.test", `SELECT count(*) FROM private_notes`); n != 0 {
		t.Errorf("a coach of another workspace sees %d private notes", n)
	}
	for _, c := range cases {
		for email, sees := range c.see {
			n := as(email, c.query)
			if sees && n == 0 {
				t.Errorf("%s: %s sees nothing, but should", c.query, email)
			}
			if !sees && n != 0 {
				t.Errorf("%s: %s sees %d rows, PostgreSQL should refuse them", c.query, email, n)
			}
		}
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
