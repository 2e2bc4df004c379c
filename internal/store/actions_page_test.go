package store_test

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/store"
)

// actionsWithJoins is how the actions page read its list before it filled
// the session number and the objective title itself: both joined, under
// their own policies.
const actionsWithJoins = `SELECT a.id, a.title, a.description, coalesce(s.number, 0), coalesce(a.objective_id::text, ''), coalesce(o.title, ''),
	a.due_date::timestamptz, a.status, a.shared_at, a.journal_count, a.journal_last, a.proposed_by
	FROM actions a
	LEFT JOIN coaching_sessions s ON s.tenant_id = a.tenant_id AND s.id = a.session_id
	LEFT JOIN objectives o ON o.tenant_id = a.tenant_id AND o.id = a.objective_id
	WHERE a.tenant_id = $1 AND a.engagement_id = $2
	ORDER BY a.status IN ('done', 'dropped'), a.due_date NULLS LAST, a.created_at, a.plan_position, a.id`

// TestActionsPageNamesSessionsAndObjectivesAsTheJoinsDid: for every member
// and every engagement of the demo, the actions page lists the same actions,
// field for field, with the same session numbers and objective titles as the
// joins gave.
func TestActionsPageNamesSessionsAndObjectivesAsTheJoinsDid(t *testing.T) {
	f := seededDemo(t)
	tenant := f.tenant("demo")
	named := 0
	for _, email := range f.strs(`SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id::text = $1 ORDER BY 1`, tenant) {
		sc := store.Scope{TenantID: tenant, UserID: f.user(email)}
		for _, id := range f.strs(`SELECT id::text FROM engagements WHERE tenant_id::text = $1 ORDER BY id`, tenant) {
			got, _, err := f.env.Store.ActionsPage(f.ctx, sc, id, true)
			if err != nil {
				t.Fatal(err)
			}
			if without, none, err := f.env.Store.ActionsPage(f.ctx, sc, id, false); err != nil || none != nil || !reflect.DeepEqual(without, got) {
				t.Errorf("%s, engagement %s: without the objectives asked: %v, objectives %v, the same actions %v", email, id, err, none, reflect.DeepEqual(without, got))
			}
			var want []store.Action
			err = f.env.Store.View(f.ctx, sc, func(b *pgx.Batch) { b.Queue(actionsWithJoins, tenant, id) }, func(br pgx.BatchResults) error {
				rows, _ := br.Query()
				var err error
				want, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Action, error) {
					var a store.Action
					return a, r.Scan(&a.ID, &a.Title, &a.Description, &a.SessionNumber, &a.ObjectiveID, &a.Objective, &a.Due, &a.Status, &a.Shared, &a.Entries, &a.LastEntry, &a.ProposedBy)
				})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) > 0 || len(want) > 0) && !reflect.DeepEqual(got, want) { // every field of every row
				t.Errorf("%s, engagement %s:\n got %+v\nwant %+v", email, id, got, want)
			}
			for _, a := range want {
				if a.SessionNumber > 0 && a.Objective != "" {
					named++
				}
			}
		}
	}
	if named == 0 {
		t.Error("no action read with both a session number and an objective title: the test checks nothing")
	}
}
