package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/store"
	"triade/internal/testenv"
)

// The dashboards' view (migration 00027) reads as its owner: what keeps it
// to the caller is its own start from the caller's parts. Asked by every
// member of every workspace, with their workspace, another one or none set, as
// the request role in SQL, it answers rows of the caller's own engagements
// only, and every one of them where the caller's dashboard lists them.
// (TestSummariesMatchRebuild compares the figures, party by party, with the
// queries run under row-level security.)
func TestDashboardViewsKeepToTheCallersParts(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	type member struct{ Tenant, User string }
	rows, _ := env.Super.Query(ctx, `SELECT tenant_id::text, user_id::text FROM memberships`)
	members, err := pgx.CollectRows(rows, pgx.RowToStructByPos[member])
	if err != nil || len(members) < 5 {
		t.Fatalf("members: %d, %v", len(members), err)
	}
	var tenants []string
	for _, m := range members {
		if !slices.Contains(tenants, m.Tenant) {
			tenants = append(tenants, m.Tenant)
		}
	}
	parts := func(tenant, user string) []string {
		rows, _ := env.Super.Query(ctx, `SELECT engagement_id::text FROM engagement_parties WHERE tenant_id::text = $1 AND user_id::text = $2 ORDER BY 1`, tenant, user)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// The facts of duties are given for the open engagements with a contract.
	open := func(tenant, user string) []string {
		rows, _ := env.Super.Query(ctx, `SELECT p.engagement_id::text FROM engagement_parties p
			JOIN engagements e ON e.tenant_id = p.tenant_id AND e.id = p.engagement_id
			JOIN contracts c ON c.tenant_id = p.tenant_id AND c.engagement_id = p.engagement_id
			WHERE p.tenant_id::text = $1 AND p.user_id::text = $2 AND e.phase IN ('cadrage', 'accompagnement', 'bouclage') ORDER BY 1`, tenant, user)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// The agenda's week starts an hour before the demo's first planned session.
	var now time.Time
	if err := env.Super.QueryRow(ctx, `SELECT min(scheduled_at) - interval '1 hour' FROM coaching_sessions WHERE status = 'planned'`).Scan(&now); err != nil {
		t.Fatal(err)
	}
	answered := map[string]int{}
	for _, m := range members {
		for _, tenant := range append(slices.Clone(tenants), "") {
			sc := store.Scope{TenantID: tenant, UserID: m.User}
			var want, wantFacts []string
			if tenant == m.Tenant {
				want, wantFacts = parts(tenant, m.User), open(tenant, m.User)
			}
			for _, q := range []string{
				`SELECT DISTINCT id::text FROM my_dashboard ORDER BY 1`,
				`SELECT DISTINCT id::text FROM my_dashboard WHERE has_facts ORDER BY 1`,
				`SELECT DISTINCT id::text FROM my_dashboard m, unnest(m.planned_at || m.meetings_open_at) x WHERE x BETWEEN $1 AND $1 + interval '7 days' ORDER BY 1`,
			} {
				var got []string
				err := env.Store.Tx(ctx, sc, func(tx pgx.Tx) error {
					var args []any
					if strings.Contains(q, "$1") {
						args = append(args, now)
					}
					rows, _ := tx.Query(ctx, q, args...)
					var err error
					got, err = pgx.CollectRows(rows, pgx.RowTo[string])
					return err
				})
				if err != nil {
					t.Fatalf("%s as %s in %q: %v", q, m.User, tenant, err)
				}
				for _, id := range got {
					if !slices.Contains(want, id) {
						t.Errorf("%s as %s in workspace %q: engagement %s, where they have no part", q, m.User, tenant, id)
					}
				}
				answered[q] += len(got)
				if q == `SELECT DISTINCT id::text FROM my_dashboard ORDER BY 1` && !slices.Equal(got, want) {
					t.Errorf("dashboard of %s in workspace %q: %v, want their engagements %v", m.User, tenant, got, want)
				}
				if strings.Contains(q, "has_facts") && !slices.Equal(got, wantFacts) {
					t.Errorf("facts of %s in workspace %q: %v, want their open engagements with a contract %v", m.User, tenant, got, wantFacts)
				}
			}
		}
	}
	// Each function answered someone: the checks above were not vacuous.
	for q, n := range answered {
		if n == 0 {
			t.Errorf("%s answered no one", q)
		}
	}
}
