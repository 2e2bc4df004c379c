package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/store"
	"triade/internal/testenv"
)

// The cases of this file were written in review of the cohorts (each made a
// mutation of migration 00034 fail that the first tests let through).

// beginAsApp opens a request-role transaction as a person, at an isolation
// level, as Store.Tx does.
func beginAsApp(t *testing.T, env *testenv.Env, iso pgx.TxIsoLevel, tenant, user string) pgx.Tx {
	t.Helper()
	ctx := context.Background()
	tx, err := env.App.BeginTx(ctx, pgx.TxOptions{IsoLevel: iso})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, tenant, user); err != nil {
		t.Fatal(err)
	}
	return tx
}

// cohortsOf counts the organisation's closed engagements by cohort, and those
// waiting for one.
func cohortsOf(t *testing.T, env *testenv.Env, p *testenv.Programme) (released map[int]int, waiting int) {
	t.Helper()
	rows, _ := env.Super.Query(context.Background(), `SELECT coalesce(programme_cohort, 0) FROM engagements
		WHERE tenant_id = $1 AND client_org_id = $2 AND phase = 'clos'`, p.TenantID, p.OrgID)
	cs, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	released = map[int]int{}
	for _, c := range cs {
		if c == 0 {
			waiting++
		} else {
			released[c]++
		}
	}
	return released, waiting
}

// closeAsSuper closes engagements by title, one after the other in 2027.
func closeAsSuper(t *testing.T, env *testenv.Env, p *testenv.Programme, titles ...string) {
	t.Helper()
	for n, title := range titles {
		if _, err := env.Super.Exec(context.Background(), `UPDATE engagements SET phase = 'clos', phase_changed_at = $3 WHERE tenant_id = $1 AND title = $2`,
			p.TenantID, title, time.Date(2027, 1, 1+n, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
}

// insideFigures reads the evaluation and autonomy figures shown, past the
// minute the figures are kept.
func insideFigures(t *testing.T, env *testenv.Env, p *testenv.Programme, now *time.Time) map[string][2]float64 {
	t.Helper()
	*now = now.Add(2 * time.Minute)
	at := *now
	env.Store.Now = func() time.Time { return at }
	got, err := env.Store.ProgrammeOf(context.Background(), store.Scope{TenantID: p.TenantID, UserID: p.Sponsor}, p.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][2]float64{}
	for _, f := range got.Figures {
		if (strings.HasPrefix(f.Section, "evaluation.") || strings.HasPrefix(f.Section, "autonomy.")) && !f.Hidden() {
			out[f.Section+"/"+f.Item] = [2]float64{float64(*f.N), *f.Value}
		}
	}
	return out
}

// Two engagements of one organisation closing in concurrent request-role
// transactions release whole cohorts of k, never overlapping ones, and leave
// fewer than k waiting (the organisation's row is locked by the release).
func TestProgrammeConcurrentClosings(t *testing.T) {
	for _, tc := range []struct {
		iso     pgx.TxIsoLevel
		already []string
	}{{pgx.ReadCommitted, []string{"E2", "E7", "E12"}}, {pgx.ReadCommitted, []string{"E2", "E7"}}, {pgx.RepeatableRead, []string{"E2", "E7", "E12"}}} {
		t.Run(fmt.Sprintf("%s-%d-waiting", tc.iso, len(tc.already)+1), func(t *testing.T) {
			env := testenv.New(t)
			ctx := context.Background()
			p := testenv.BuildProgramme(t, env, 30) // cohort 1 = E3..E23, E28 waiting
			closeAsSuper(t, env, p, tc.already...)
			closing := `UPDATE engagements SET phase = 'clos', phase_changed_at = now() WHERE tenant_id = $1 AND title = $2`
			t1 := beginAsApp(t, env, tc.iso, p.TenantID, p.Coach)
			defer t1.Rollback(ctx)
			t2 := beginAsApp(t, env, tc.iso, p.TenantID, p.Coach)
			defer t2.Rollback(ctx)
			if _, err := t1.Exec(ctx, closing, p.TenantID, "E17"); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := t2.Exec(ctx, closing, p.TenantID, "E22")
				if err == nil {
					err = t2.Commit(ctx)
				}
				done <- err
			}()
			time.Sleep(300 * time.Millisecond) // let the second wait on the first (if it does not, the case is sequential)
			if err := t1.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			<-done // under REPEATABLE READ the second may fail (40001): what matters is what is stored
			released, waiting := cohortsOf(t, env, p)
			for c, n := range released {
				if n != 5 {
					t.Errorf("cohort %d has %d engagements, want 5", c, n)
				}
			}
			if waiting >= 5 {
				t.Errorf("%d closed engagements waiting at k = 5", waiting)
			}
		})
	}
}

// A cohort that lost an engagement leaves the figures whole, also at a k
// lower than its size (where 4 of its engagements would still count).
func TestProgrammePurgeAtLowK(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 30)
	if err := env.Store.SetSettings(ctx, store.Scope{TenantID: p.TenantID, UserID: p.Admin}, 3, "Europe/Paris", 3); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if len(insideFigures(t, env, p, &now)) == 0 {
		t.Fatal("nothing to watch")
	}
	if _, err := env.Super.Exec(ctx, `DELETE FROM engagements WHERE tenant_id = $1 AND title = 'E3'`, p.TenantID); err != nil {
		t.Fatal(err)
	}
	if after := insideFigures(t, env, p, &now); len(after) != 0 {
		t.Errorf("k = 3, one engagement of the only cohort purged: %v", after)
	}
}

// A lower k releases the engagements waiting at once, in cohorts of the new k.
func TestProgrammeLowerKReleases(t *testing.T) {
	env := testenv.New(t)
	p := testenv.BuildProgramme(t, env, 30)
	closeAsSuper(t, env, p, "E2", "E7", "E12") // with E28: 4 waiting
	if err := env.Store.SetSettings(context.Background(), store.Scope{TenantID: p.TenantID, UserID: p.Admin}, 3, "Europe/Paris", 4); err != nil {
		t.Fatal(err)
	}
	if released, waiting := cohortsOf(t, env, p); waiting != 0 || released[1] != 5 || released[2] != 4 {
		t.Errorf("k 5 -> 4 with 4 waiting: released %v, waiting %d", released, waiting)
	}
}

// The autonomy series counts a cohort at a session only where k of its
// engagements reached it: two cohorts, 4 and 3 of them at session 2, no
// session 2 (the global k rule alone would have shown 7).
func TestProgrammePerCohortSeries(t *testing.T) {
	env := testenv.New(t)
	p := testenv.BuildProgramme(t, env, 30)
	closeAsSuper(t, env, p, "E2", "E7", "E12", "E17")
	now := time.Now()
	got := insideFigures(t, env, p, &now)
	for _, key := range []string{"autonomy.coach/2", "autonomy.coachee/2", "autonomy.initiative/2"} {
		if v, ok := got[key]; ok {
			t.Errorf("%s shown (%v): cohort 1 has 4 engagements at session 2, cohort 2 has 3", key, v)
		}
	}
	if _, ok := got["autonomy.coach/1"]; !ok {
		t.Errorf("session 1 (both cohorts whole) not shown: %v", got)
	}
}

// Erasure mode gives the request role no way around the cohorts: an admin in
// an erasure's transaction can neither reopen a released engagement nor
// rewrite its cohort.
func TestProgrammeErasureReopensNothing(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 30)
	for _, stmt := range []string{
		`UPDATE engagements SET phase = 'bouclage' WHERE tenant_id = $1 AND title = 'E3'`,
		`UPDATE engagements SET programme_cohort = 7, programme_cohort_size = 1 WHERE tenant_id = $1 AND title = 'E28'`,
	} {
		tx := beginAsApp(t, env, pgx.ReadCommitted, p.TenantID, p.Admin)
		if _, err := tx.Exec(ctx, `SELECT set_config('app.erasing', 'on', true)`); err != nil {
			t.Fatal(err)
		}
		tx.Exec(ctx, stmt, p.TenantID)
		if err := tx.Commit(ctx); err != nil {
			continue // refused: good
		}
		var phase string
		var cohort *int
		env.Super.QueryRow(ctx, `SELECT phase, programme_cohort FROM engagements WHERE tenant_id = $1 AND title = 'E3'`, p.TenantID).Scan(&phase, &cohort)
		var c28 *int
		env.Super.QueryRow(ctx, `SELECT programme_cohort FROM engagements WHERE tenant_id = $1 AND title = 'E28'`, p.TenantID).Scan(&c28)
		if phase != "clos" || cohort == nil || *cohort != 1 || c28 != nil {
			t.Errorf("%s in erasure mode: E3 %s cohort %v, E28 cohort %v", stmt, phase, cohort, c28)
		}
	}
}
