package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/store"
	"triade/internal/testenv"
)

// Views are read, never written: the request role holds at most SELECT on
// any of them. A view created by a migration receives the default
// privileges of migration 00001 (all of them) unless the migration revokes
// them from the request role itself; revoking them from PUBLIC is not enough.
func TestViewsAreReadOnlyForTheRequestRole(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	rows, _ := env.Super.Query(ctx, `SELECT c.relname, p.privilege_type
		FROM pg_class c
		CROSS JOIN LATERAL aclexplode(c.relacl) a
		JOIN pg_roles r ON r.oid = a.grantee
		CROSS JOIN LATERAL (SELECT a.privilege_type) p
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm') AND r.rolname = $1
		AND p.privilege_type <> 'SELECT' ORDER BY 1, 2`, store.AppRole)
	type grant struct{ View, Privilege string }
	grants, err := pgx.CollectRows(rows, pgx.RowToStructByPos[grant])
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		t.Errorf("the request role holds %s on the view %s", g.Privilege, g.View)
	}
	var views int
	if err := env.Super.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'v'
		AND has_table_privilege($1, oid, 'SELECT')`, store.AppRole).Scan(&views); err != nil || views < 2 {
		t.Fatalf("views the request role reads: %d, %v", views, err)
	}
}
