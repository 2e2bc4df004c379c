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

// TestPoliciesDoNotGrowWithThePersonsEngagements: reading one engagement's
// rows costs the same to a coach with a few engagements and to one with
// hundreds (an HR partner of a large programme, a firm's busy coach). The
// policies once listed all the person's engagements in every statement (a
// hashed subplan, or app_engagements()): an engagement page of a coach of
// 1,000 engagements cost the database six times that of a coach of ten. Each
// statement below, run as a coach given 300 more engagements, may touch only
// a few dozen rows in all (EXPLAIN ANALYZE: rows × loops over every plan
// node), and must still answer what it answered before.
func TestPoliciesDoNotGrowWithThePersonsEngagements(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var tenant, coach, eng, meeting string
	if err := env.Super.QueryRow(ctx, `SELECT p.tenant_id::text, p.user_id::text, p.engagement_id::text, m.id::text
		FROM engagement_parties p JOIN users u ON u.id = p.user_id
		JOIN meetings m ON m.tenant_id = p.tenant_id AND m.engagement_id = p.engagement_id
		JOIN meeting_attendees a ON a.tenant_id = m.tenant_id AND a.meeting_id = m.id
		JOIN coaching_sessions s ON s.tenant_id = p.tenant_id AND s.engagement_id = p.engagement_id
		JOIN actions ac ON ac.tenant_id = p.tenant_id AND ac.engagement_id = p.engagement_id
		WHERE u.email = 'coach@demo.test' AND p.part = 'coach' LIMIT 1`).Scan(&tenant, &coach, &eng, &meeting); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Super.Exec(ctx, `INSERT INTO closing_notes (tenant_id, engagement_id, body) VALUES ($1, $2, 'Deux séances non tenues')
		ON CONFLICT DO NOTHING`, tenant, eng); err != nil {
		t.Fatal(err)
	}
	statements := []string{
		store.EngagementHeaderQuery,
		`SELECT * FROM engagements WHERE tenant_id = $1 AND id = $2`,
		`SELECT * FROM engagement_parties WHERE tenant_id = $1 AND engagement_id = $2`,
		`SELECT * FROM coaching_sessions WHERE tenant_id = $1 AND engagement_id = $2`,
		`SELECT * FROM indicators WHERE tenant_id = $1 AND engagement_id = $2`,
		`SELECT * FROM contracts WHERE tenant_id = $1 AND engagement_id = $2`,
		`SELECT count(*) FROM actions WHERE tenant_id = $1 AND engagement_id = $2`,
		`SELECT * FROM closing_notes WHERE tenant_id = $1 AND engagement_id = $2`,
		`SELECT * FROM meeting_attendees WHERE tenant_id = $1 AND meeting_id = $3 AND $2::uuid IS NOT NULL`,
	}
	sc := store.Scope{TenantID: tenant, UserID: coach}
	run := func(q string) (answer string, rows float64) {
		err := env.Store.Tx(ctx, sc, func(tx pgx.Tx) error {
			// As the server's pool plans them: once, for any values.
			if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
				return err
			}
			args := []any{tenant, eng}
			if q == statements[len(statements)-1] {
				args = append(args, meeting)
			}
			r, _ := tx.Query(ctx, `SELECT coalesce(json_agg(x ORDER BY x::text), '[]')::text FROM (`+q+`) x`, args...)
			got, err := pgx.CollectRows(r, pgx.RowTo[string])
			if err != nil {
				return err
			}
			answer = got[0]
			// Prepared, as the server's pool runs it: EXPLAIN of a statement
			// with parameters would plan it for these values only.
			values := "'" + tenant + "', '" + eng + "'"
			if len(args) == 3 {
				values += ", '" + meeting + "'"
			}
			if _, err := tx.Exec(ctx, `PREPARE growth AS `+q); err != nil {
				return err
			}
			defer tx.Exec(ctx, `DEALLOCATE growth`)
			var plan []struct{ Plan map[string]any }
			if err := tx.QueryRow(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE growth(`+values+`)`).Scan(&plan); err != nil {
				return err
			}
			rows = touched(plan[0].Plan)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return answer, rows
	}
	before := map[string]string{}
	for _, q := range statements {
		before[q], _ = run(q)
		if before[q] == "[]" {
			t.Fatalf("%s answers nothing to the coach: the test would prove nothing", q)
		}
	}
	// 300 more engagements for the coach, as a firm's busy coach or a
	// programme's HR partner has.
	if _, err := env.Super.Exec(ctx, `WITH e AS (
			INSERT INTO engagements (tenant_id, title, client_org_id, created_by)
			SELECT $1, 'Autre ' || i, (SELECT client_org_id FROM engagements WHERE tenant_id = $1 AND id = $3), $2
			FROM generate_series(1, 300) i RETURNING id)
		INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part) SELECT $1, id, $2, 'coach' FROM e`, tenant, coach, eng); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Super.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, q := range statements {
		answer, rows := run(q)
		if answer != before[q] {
			t.Errorf("%s answers differently once the coach has more engagements:\n %s\n %s", q, before[q], answer)
		}
		if rows > 60 {
			t.Errorf("%s touches %.0f rows for one engagement of a coach of 300: it grows with the person's engagements", q, rows)
		}
	}
	// Which plan PostgreSQL makes depends on its statistics: with the
	// bench's (most people in one or two engagements), the plans made once
	// for any person turned each probe back into the list of the person's
	// parts (a "hashed SubPlan"), which this small workspace does not show.
	// Made as costly as can be, probing row by row must still be the only
	// plan the policies allow.
	for _, q := range statements {
		err := env.Store.Tx(ctx, sc, func(tx pgx.Tx) error {
			for _, set := range []string{"plan_cache_mode = force_generic_plan", "enable_indexscan = off", "enable_indexonlyscan = off", "enable_bitmapscan = off"} {
				if _, err := tx.Exec(ctx, `SET LOCAL `+set); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `PREPARE hostile AS `+q); err != nil {
				return err
			}
			defer tx.Exec(ctx, `DEALLOCATE hostile`)
			rows, _ := tx.Query(ctx, `EXPLAIN EXECUTE hostile('`+tenant+`', '`+eng+`'`+map[bool]string{true: `, '` + meeting + `'`}[strings.Contains(q, "$3")]+`)`)
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if plan := strings.Join(lines, "\n"); strings.Contains(plan, "hashed SubPlan") {
				t.Errorf("%s: a policy may be planned as the list of the person's engagements:\n%s", q, plan)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// touched adds up the rows every node of a plan produced, over all its loops.
func touched(node map[string]any) float64 {
	rows, _ := node["Actual Rows"].(float64)
	loops, _ := node["Actual Loops"].(float64)
	n := rows * loops
	if subs, ok := node["Plans"].([]any); ok {
		for _, s := range subs {
			if m, ok := s.(map[string]any); ok {
				n += touched(m)
			}
		}
	}
	return n
}
