package store_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"

	"triade/internal/demo"
	"triade/internal/store"
	"triade/internal/testenv"
	"triade/migrations"
)

// oldDashboardView is the dashboard view as migration 00027 defined it (the
// joins the summary's copies replaced), taken from 00033's Down section and
// named my_dashboard_old: the reference the view must equal.
func oldDashboardView(t *testing.T) string {
	t.Helper()
	b, err := migrations.FS.ReadFile("00033_dashboard_from_the_summary.sql")
	if err != nil {
		t.Fatal(err)
	}
	_, down, _ := strings.Cut(string(b), "-- +goose Down")
	const head = "CREATE OR REPLACE VIEW my_dashboard WITH (security_barrier) AS"
	i := strings.Index(down, head)
	j := strings.Index(down[max(i, 0):], ";\n")
	if i < 0 || j < 0 {
		t.Fatal("00033's Down section no longer recreates my_dashboard")
	}
	return "CREATE VIEW my_dashboard_old WITH (security_barrier) AS" + down[i+len(head):i+j]
}

// asApp runs q as the request role for the person, in the time zone given.
func (f *privacyFixture) asApp(tenant, user, tz, q string, args ...any) []string {
	f.t.Helper()
	tx, err := f.env.Super.Begin(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	defer tx.Rollback(f.ctx)
	if _, err := tx.Exec(f.ctx, `SET LOCAL ROLE `+store.AppRole); err != nil {
		f.t.Fatal(err)
	}
	if _, err := tx.Exec(f.ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), set_config('TimeZone', $3, true)`, tenant, user, tz); err != nil {
		f.t.Fatal(err)
	}
	rows, _ := tx.Query(f.ctx, q, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return out
}

const dashDiffQuery = `(SELECT 'new only: ' || row_to_json(r)::text FROM (SELECT * FROM my_dashboard EXCEPT ALL SELECT * FROM my_dashboard_old) r)
	UNION ALL (SELECT 'old only: ' || row_to_json(r)::text FROM (SELECT * FROM my_dashboard_old EXCEPT ALL SELECT * FROM my_dashboard) r)`

func (f *privacyFixture) members(tenant string) []string {
	return f.strs(`SELECT user_id::text FROM memberships WHERE tenant_id::text = $1 ORDER BY 1`, tenant)
}

// dashDiffAll compares the old and the new view for every member, in three zones.
func (f *privacyFixture) dashDiffAll(tenant string) []string {
	var out []string
	for _, u := range f.members(tenant) {
		for _, tz := range []string{"UTC", "Pacific/Kiritimati", "America/Los_Angeles"} {
			for _, d := range f.asApp(tenant, u, tz, dashDiffQuery) {
				out = append(out, u+" "+tz+": "+d)
			}
		}
	}
	return out
}

// edgeStates: a second sponsor (empty feedback, validations of every version,
// then a newer version in one engagement), an engagement without a contract,
// one without a coachee. Written as the superuser: the triggers still run.
func (f *privacyFixture) edgeStates(tenant string) {
	sp := f.user("sponsor@demo.test")
	sp2 := f.str(`INSERT INTO users (email, name) VALUES ('sponsor2@demo.test', 'Sponsor Deux') RETURNING id::text`)
	f.str(`INSERT INTO memberships (tenant_id, user_id, roles) VALUES ($1::uuid, $2::uuid, ARRAY['sponsor']) RETURNING user_id::text`, tenant, sp2)
	f.str(`WITH x AS (INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part, sponsor_kind)
		SELECT tenant_id, engagement_id, $2::uuid, 'sponsor', 'hr' FROM engagement_parties WHERE tenant_id = $1::uuid AND user_id = $3::uuid RETURNING 1)
		SELECT count(*)::text FROM x`, tenant, sp2, sp)
	f.str(`WITH x AS (INSERT INTO sponsor_feedback (tenant_id, engagement_id, author_id, body)
		SELECT tenant_id, engagement_id, $2::uuid, '' FROM engagement_parties WHERE tenant_id = $1::uuid AND user_id = $2::uuid RETURNING 1)
		SELECT count(*)::text FROM x`, tenant, sp2)
	f.str(`WITH x AS (INSERT INTO sponsor_feedback (tenant_id, engagement_id, author_id, body)
		SELECT tenant_id, engagement_id, $2::uuid, 'Retour' FROM engagement_parties WHERE tenant_id = $1::uuid AND user_id = $2::uuid
		ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::text FROM x`, tenant, sp)
	for _, doc := range []string{"synthesis", "report"} {
		n := f.str(`WITH x AS (INSERT INTO `+doc+`_validations (tenant_id, engagement_id, number, user_id, part)
			SELECT v.tenant_id, v.engagement_id, v.number, $2::uuid, 'sponsor' FROM `+doc+`_versions v
			WHERE v.tenant_id = $1::uuid AND v.engagement_id IN (SELECT engagement_id FROM engagement_parties WHERE user_id = $2::uuid)
			ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::text FROM x`, tenant, sp2)
		f.t.Logf("%s validations by the second sponsor: %s", doc, n)
		f.str(`WITH x AS (INSERT INTO `+doc+`_versions (tenant_id, engagement_id, number, content)
			SELECT tenant_id, engagement_id, max(number) + 1, '{}'::jsonb FROM `+doc+`_versions WHERE tenant_id = $1::uuid
			GROUP BY tenant_id, engagement_id ORDER BY engagement_id LIMIT 1 RETURNING 1) SELECT count(*)::text FROM x`, tenant)
	}
	f.str(`WITH x AS (DELETE FROM contracts WHERE engagement_id = (SELECT id FROM engagements WHERE tenant_id = $1::uuid AND phase = 'cadrage' ORDER BY id LIMIT 1) RETURNING 1)
		SELECT count(*)::text FROM x`, tenant)
	f.str(`WITH x AS (DELETE FROM engagement_parties WHERE part = 'coachee' AND engagement_id = (SELECT id FROM engagements WHERE tenant_id = $1::uuid AND phase = 'accompagnement' ORDER BY id LIMIT 1) RETURNING 1)
		SELECT count(*)::text FROM x`, tenant)
}

// TestDashboardViewEqualsItsJoins compares my_dashboard, which reads the
// engagement's title, contract, coachee and who validated or wrote feedback
// from the summary (migration 00033), with the joins it replaced, for every
// member in three time zones: after seeding, after edge states (a second
// sponsor, validations of an older version, no contract, no coachee) and
// after erasing two people, whose ids must then be gone from the summaries.
func TestDashboardViewEqualsItsJoins(t *testing.T) {
	f := seededDemo(t)
	tenant := f.tenant("demo")
	if _, err := f.env.Super.Exec(f.ctx, oldDashboardView(t)+`; GRANT SELECT ON my_dashboard_old TO triade_app`); err != nil {
		t.Fatal(err)
	}
	if d := f.dashDiffAll(tenant); len(d) > 0 {
		t.Errorf("after seeding:\n%s", strings.Join(d, "\n"))
	}
	f.edgeStates(tenant)
	if d := f.summaryDiff(tenant); len(d) > 0 {
		t.Errorf("summaries after edge states:\n%s", strings.Join(d, "\n"))
	}
	if d := f.dashDiffAll(tenant); len(d) > 0 {
		t.Errorf("after edge states:\n%s", strings.Join(d, "\n"))
	}
	t.Logf("rows of the new view, all members: %d", len(f.members(tenant)))
	// Erase the sponsor and the coachee (parties, validations, feedback follow
	// the membership: ON UPDATE CASCADE).
	admin := store.Scope{TenantID: tenant, UserID: f.user("admin@demo.test")}
	for _, who := range []string{"sponsor@demo.test", "coachee@demo.test"} {
		id := f.user(who)
		if err := f.env.Store.ErasePerson(f.ctx, admin, id); err != nil {
			t.Fatal(err)
		}
		if d := f.summaryDiff(tenant); len(d) > 0 {
			t.Errorf("summaries after erasing %s:\n%s", who, strings.Join(d, "\n"))
		}
		if n := f.count(`SELECT count(*)::int FROM engagement_summaries WHERE $1::uuid = ANY (synthesis_validators || report_validators || feedback_authors) OR coachee_id = $1::uuid`, id); n != 0 {
			t.Errorf("%d summaries still name the erased %s's id", n, who)
		}
		if d := f.dashDiffAll(tenant); len(d) > 0 {
			t.Errorf("after erasing %s:\n%s", who, strings.Join(d, "\n"))
		}
	}
}

// TestUpgradeTo33KeepsWhatEachMemberReads seeds the demo (and the edge states)
// at migration 32, then upgrades: every member's dashboard rows and the open
// actions of every sessions page are the same, and the summaries, filled by
// 00033's backfill, equal the rebuilt ones; down and up again likewise.
func TestUpgradeTo33KeepsWhatEachMemberReads(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	db, err := sql.Open("pgx", env.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 32); err != nil {
		t.Fatal(err)
	}
	if ok, err := demo.Seed(ctx, env.Store); err != nil || !ok {
		t.Fatalf("seed: %v %v", ok, err)
	}
	f := &privacyFixture{t: t, env: env, ctx: ctx}
	tenant := f.tenant("demo")
	f.edgeStates(tenant)
	snap := func() map[string][]string {
		out := map[string][]string{}
		for _, u := range f.members(tenant) {
			out[u] = f.asApp(tenant, u, "Pacific/Kiritimati", `SELECT row_to_json(d)::text FROM my_dashboard d ORDER BY id`)
		}
		return out
	}
	sessions := func() map[string]int {
		out := map[string]int{}
		for _, u := range f.members(tenant) {
			for _, e := range f.strs(`SELECT id::text FROM engagements WHERE tenant_id::text = $1`, tenant) {
				s, err := env.Store.Sessions(ctx, store.Scope{TenantID: tenant, UserID: u}, e)
				if err != nil {
					t.Fatal(err)
				}
				out[u+" "+e] = s.Progress.OpenActions
			}
		}
		return out
	}
	before, sBefore := snap(), sessions()
	rows := 0
	for _, r := range before {
		rows += len(r)
	}
	t.Logf("rows before: %d", rows)
	if _, err := p.UpTo(ctx, 33); err != nil {
		t.Fatal(err)
	}
	after, sAfter := snap(), sessions()
	for u := range before {
		if !slices.Equal(before[u], after[u]) {
			t.Errorf("member %s:\nbefore %s\nafter  %s", u, strings.Join(before[u], "\n"), strings.Join(after[u], "\n"))
		}
	}
	for k, v := range sBefore {
		if sAfter[k] != v {
			t.Errorf("sessions open actions %s: %d before, %d after", k, v, sAfter[k])
		}
	}
	if d := f.summaryDiff(tenant); len(d) > 0 {
		t.Errorf("summaries after the upgrade:\n%s", strings.Join(d, "\n"))
	}
	if _, err := p.DownTo(ctx, 32); err != nil {
		t.Fatal(err)
	}
	down := snap()
	for u := range before {
		if !slices.Equal(before[u], down[u]) {
			t.Errorf("after down, member %s differs", u)
		}
	}
	if d := f.summaryDiff(tenant); len(d) > 0 {
		t.Errorf("summaries after down:\n%s", strings.Join(d, "\n"))
	}
	if _, err := p.UpTo(ctx, 33); err != nil {
		t.Fatal(err)
	}
	if d := f.summaryDiff(tenant); len(d) > 0 {
		t.Errorf("summaries after up again:\n%s", strings.Join(d, "\n"))
	}
}
