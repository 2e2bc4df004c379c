package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/store"
	"triade/internal/testenv"
)

// TestEngagementPeopleAsThePolicies: the view of an engagement's people
// (migration 00024) reads with its owner's rights, so its own conditions are
// the boundary. Asked by every member of every workspace, with their
// workspace, another or none set, about every engagement, it answers exactly
// the rows the same join gives under the request role's row-level security.
func TestEngagementPeopleAsThePolicies(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	// An admin who is no party, and a member of two workspaces, make the
	// rules' branches differ.
	type member struct{ Tenant, User string }
	rows, _ := env.Super.Query(ctx, `SELECT tenant_id::text, user_id::text FROM memberships ORDER BY 1, 2`)
	members, err := pgx.CollectRows(rows, pgx.RowToStructByPos[member])
	if err != nil || len(members) < 5 {
		t.Fatalf("members: %d, %v", len(members), err)
	}
	rows, _ = env.Super.Query(ctx, `SELECT DISTINCT tenant_id::text FROM memberships ORDER BY 1`)
	tenants, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = env.Super.Query(ctx, `SELECT id::text FROM engagements ORDER BY 1`)
	engagements, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(engagements) < 3 {
		t.Fatalf("engagements: %d, %v", len(engagements), err)
	}
	const underPolicies = `SELECT p.user_id::text, CASE WHEN m.joined_at IS NULL THEN m.invited_name ELSE u.name END, u.email,
		coalesce(u.locale, ''), p.part, p.sponsor_kind, u.address_form
		FROM engagement_parties p JOIN users u ON u.id = p.user_id JOIN memberships m ON m.tenant_id = p.tenant_id AND m.user_id = p.user_id
		WHERE p.engagement_id = $1 ORDER BY 1`
	const view = `SELECT user_id::text, name, email, locale, part, sponsor_kind, address_form FROM engagement_people WHERE engagement_id = $1 ORDER BY 1`
	read := func(sc store.Scope, q, id string) []string {
		var got []string
		err := env.Store.Tx(ctx, sc, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, q, id)
			var err error
			got, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
				v, err := r.Values()
				return fmt.Sprint(v), err
			})
			return err
		})
		if err != nil {
			t.Fatalf("%s as %+v: %v", q, sc, err)
		}
		return got
	}
	seen, refused := 0, 0
	for _, m := range members {
		for _, tenant := range append(slices.Clone(tenants), "") {
			sc := store.Scope{TenantID: tenant, UserID: m.User}
			for _, id := range engagements {
				want, got := read(sc, underPolicies, id), read(sc, view, id)
				if !slices.Equal(got, want) {
					t.Errorf("people of %s as %s in workspace %q:\n view     %v\n policies %v", id, m.User, tenant, got, want)
				}
				if len(want) > 0 {
					seen++
				} else {
					refused++
				}
			}
		}
	}
	if seen == 0 || refused == 0 {
		t.Errorf("%d answers with people, %d without: the comparison did not cover both", seen, refused)
	}
}
