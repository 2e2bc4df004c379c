package store_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
	"triade/internal/store"
	"triade/internal/testenv"
)

// checkFigures compares every figure the database gave with the direct
// computation, and checks that none covers fewer than k engagements.
func checkFigures(t *testing.T, p *testenv.Programme, got *store.Programme) {
	t.Helper()
	k := got.K
	if p.N < k {
		if len(got.Figures) != 0 {
			t.Fatalf("%d engagements under k=%d: got %d figures, want none", p.N, k, len(got.Figures))
		}
		return
	}
	var themes, recos []string
	for _, f := range got.Figures {
		if f.Hidden() {
			if f.Value != nil || f.Body != nil {
				t.Errorf("%s/%s hidden with a figure", f.Section, f.Item)
			}
		} else if *f.N < k && f.Section != "phase" {
			t.Errorf("%s/%s covers %d engagements, under k=%d", f.Section, f.Item, *f.N, k)
		}
		switch f.Section {
		case "theme", "recommendation":
			if !f.Hidden() {
				if f.Section == "theme" {
					themes = append(themes, *f.Body)
				} else {
					recos = append(recos, *f.Body)
				}
			}
			continue
		}
		want, ok := p.Expected[f.Section+"/"+f.Item]
		if !ok && (f.Section == "phase" || strings.HasPrefix(f.Section, "evaluation.")) {
			ok = true // a phase no engagement is in; an assessment nobody gave
		}
		if !ok {
			t.Errorf("unexpected figure %s/%s", f.Section, f.Item)
			continue
		}
		small := want[0] < float64(k) && !(f.Section == "phase" && want[0] == 0)
		if small != f.Hidden() && f.Section != "phase" {
			t.Errorf("%s/%s: covers %v engagements, hidden = %v (k=%d)", f.Section, f.Item, want[0], f.Hidden(), k)
		}
		if small && !f.Hidden() {
			t.Errorf("%s/%s: %v engagements shown under k", f.Section, f.Item, want[0])
		}
		if !f.Hidden() && (float64(*f.N) != want[0] || math.Abs(*f.Value-want[1]) > 0.06) {
			t.Errorf("%s/%s = (n %d, %v), want (n %v, %v)", f.Section, f.Item, *f.N, *f.Value, want[0], want[1])
		}
	}
	sortedThemes, sortedRecos := slices.Sorted(slices.Values(p.Themes)), slices.Sorted(slices.Values(p.Recos))
	if len(p.Themes) >= k && !slices.Equal(themes, sortedThemes) {
		t.Errorf("themes = %q, want %q", themes, sortedThemes)
	}
	if len(p.Themes) < k && len(themes) > 0 {
		t.Errorf("themes shown under k: %q", themes)
	}
	if len(p.Recos) >= k && !slices.Equal(recos, sortedRecos) {
		t.Errorf("recommendations = %q, want %q", recos, sortedRecos)
	}
	if len(p.Recos) < k && len(recos) > 0 {
		t.Errorf("recommendations shown under k: %q", recos)
	}
	for _, f := range got.Figures {
		if f.Body != nil && strings.Contains(*f.Body, testenv.Secret) {
			t.Errorf("%s/%s carries what no aggregate may read", f.Section, f.Item)
		}
	}
}

func TestProgrammeFiguresAgainstDirectComputation(t *testing.T) {
	for _, n := range []int{1, 4, 5, 30} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			env := testenv.New(t)
			ctx := context.Background()
			p := testenv.BuildProgramme(t, env, n)
			for _, who := range []string{p.Sponsor, p.Admin} {
				got, err := env.Store.ProgrammeOf(ctx, store.Scope{TenantID: p.TenantID, UserID: who}, p.OrgID)
				if err != nil {
					t.Fatal(err)
				}
				if got.K != 5 || got.OrgName != "Acme" {
					t.Fatalf("k = %d, org = %q", got.K, got.OrgName)
				}
				checkFigures(t, p, got)
				if n == 30 && len(got.Figures) < 20 {
					t.Fatalf("30 engagements: only %d figures", len(got.Figures))
				}
			}
			// Another organisation's sponsor, the coach and a coachee: not found.
			for _, who := range []string{p.OtherSponsor, p.Coach} {
				if _, err := env.Store.ProgrammeOf(ctx, store.Scope{TenantID: p.TenantID, UserID: who}, p.OrgID); domain.ErrorCode(err) != domain.ENotFound {
					t.Errorf("programme for a non-viewer: %v", err)
				}
			}
		})
	}
}

// The request role's SQL: app_programme is its only path to the figures, and
// it answers nothing to whoever may not see them or under k.
func TestProgrammeFunctionAsRequestRole(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p30 := testenv.BuildProgramme(t, env, 30)
	p4 := testenv.BuildProgramme(t, env, 4)
	rows := func(tenant, user, org string) (int, int) {
		t.Helper()
		tx, err := env.App.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, tenant, user); err != nil {
			t.Fatal(err)
		}
		var figures, engagements, actions int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM app_programme($1)`, org).Scan(&figures); err != nil {
			t.Fatal(err)
		}
		// The actions' sessions read with the caller's rights: a sponsor sees
		// no action the coachee did not share.
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM action_sessions(ARRAY(SELECT id FROM engagements))`).Scan(&actions); err != nil {
			t.Fatal(err)
		}
		if actions != 0 && user != p30.Coach {
			t.Errorf("%s: %d actions through action_sessions", user, actions)
		}
		// Sponsoring them all, the sponsor reads each engagement; the other
		// organisation's sponsor reads none of them.
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM engagements WHERE client_org_id = $1`, org).Scan(&engagements); err != nil {
			t.Fatal(err)
		}
		return figures, engagements
	}
	if f, _ := rows(p30.TenantID, p30.Sponsor, p30.OrgID); f < 20 {
		t.Errorf("sponsor of 30: %d figures", f)
	}
	if f, e := rows(p30.TenantID, p30.OtherSponsor, p30.OrgID); f != 0 || e != 0 {
		t.Errorf("sponsor of another org: %d figures, %d engagements", f, e)
	}
	if f, _ := rows(p30.TenantID, p30.Coach, p30.OrgID); f != 0 {
		t.Errorf("coach: %d figures", f)
	}
	if f, _ := rows(p4.TenantID, p4.Sponsor, p4.OrgID); f != 0 {
		t.Errorf("sponsor of 4: %d figures", f)
	}
	if f, _ := rows(p4.TenantID, p30.Sponsor, p30.OrgID); f != 0 {
		t.Errorf("another workspace's sponsor: %d figures", f)
	}
	if f, _ := rows("", "", p30.OrgID); f != 0 {
		t.Errorf("no one: %d figures", f)
	}
	// Nothing lets the request role lower k below 3.
	if _, err := env.Super.Exec(ctx, `UPDATE workspaces SET programme_k = 2 WHERE id = $1`, p30.TenantID); err == nil || !containsCode(err, "23514") {
		t.Errorf("k = 2 accepted: %v", err)
	}
}

// Raising k hides what no longer covers k engagements.
func TestProgrammeFollowsK(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 30)
	sc := store.Scope{TenantID: p.TenantID, UserID: p.Admin}
	if err := env.Store.SetSettings(ctx, sc, 3, "Europe/Paris", 7); err != nil {
		t.Fatal(err)
	}
	got, err := env.Store.ProgrammeOf(ctx, sc, p.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if got.K != 7 {
		t.Fatalf("k = %d", got.K)
	}
	checkFigures(t, p, got)
	if err := env.Store.SetSettings(ctx, sc, 3, "Europe/Paris", 31); err != nil {
		t.Fatal(err)
	}
	if got, err = env.Store.ProgrammeOf(ctx, sc, p.OrgID); err != nil || len(got.Figures) != 0 {
		t.Fatalf("k above the programme: %d figures, %v", len(got.Figures), err)
	}
}

// Who proposed an action is the database's to say, from the creator's part,
// and stays what it was.
func TestActionProposer(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 2)
	var coach, coachee int
	if err := env.Super.QueryRow(ctx, `SELECT count(*) FILTER (WHERE proposed_by = 'coach' AND title = 'Plan'),
		count(*) FILTER (WHERE proposed_by = 'coachee' AND title = 'Mine') FROM actions WHERE tenant_id = $1`, p.TenantID).Scan(&coach, &coachee); err != nil {
		t.Fatal(err)
	}
	if coach != 2 || coachee != 2 { // engagement 1 (odd): 2 held sessions, one of each per session
		t.Fatalf("coach %d, coachee %d", coach, coachee)
	}
	if _, err := env.Super.Exec(ctx, `UPDATE actions SET proposed_by = 'coachee' WHERE tenant_id = $1 AND title = 'Plan'`, p.TenantID); err != nil {
		t.Fatal(err)
	}
	if err := env.Super.QueryRow(ctx, `SELECT count(*) FROM actions WHERE tenant_id = $1 AND proposed_by = 'coachee'`, p.TenantID).Scan(&coachee); err != nil || coachee != 2 {
		t.Fatalf("proposer rewritten: %d coachee actions (%v)", coachee, err)
	}
}

// A phase hidden alone would be given away by the total: the next smallest
// goes with it.
func TestProgrammeHidesASecondPhase(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 29) // 6, 6, 6, 6 and 5 engagements by phase
	sc := store.Scope{TenantID: p.TenantID, UserID: p.Sponsor}
	if err := env.Store.SetSettings(ctx, store.Scope{TenantID: p.TenantID, UserID: p.Admin}, 3, "Europe/Paris", 6); err != nil {
		t.Fatal(err)
	}
	got, err := env.Store.ProgrammeOf(ctx, sc, p.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	var hidden []string
	for _, f := range got.Figures {
		if f.Section == "phase" && f.Hidden() {
			hidden = append(hidden, f.Item)
		}
	}
	if !slices.Equal(hidden, []string{"cadrage", "interrompu"}) {
		t.Fatalf("hidden phases %q, want cadrage and interrompu", hidden)
	}
}

// Through the application's own writes: the coach's action plan gives the
// coach's actions, the coachee's own action is hers, and the coachee cannot
// claim the coach's; the autonomy trend counts them session by session.
func TestActionProposerThroughTheStore(t *testing.T) {
	f := seededDemo(t)
	own := f.texts(`SELECT title FROM actions WHERE proposed_by = 'coachee'`)
	if !slices.Equal(own, []string{"Lire un chapitre sur la délégation"}) {
		t.Fatalf("coachee's actions: %q", own)
	}
	if n := f.count(`SELECT count(*) FROM actions WHERE proposed_by = 'coach' AND session_id IS NULL`); n != 0 {
		t.Fatalf("%d coach's actions outside a session's plan", n)
	}
	eng := f.str(`SELECT engagement_id::text FROM actions WHERE title = 'Lire un chapitre sur la délégation'`)
	coachee := f.str(`SELECT user_id::text FROM engagement_parties WHERE engagement_id = $1 AND part = 'coachee'`, eng)
	tenant := f.str(`SELECT tenant_id::text FROM engagements WHERE id = $1`, eng)
	sc := store.Scope{TenantID: tenant, UserID: coachee}
	err := f.env.Store.Tx(f.ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(f.ctx, `UPDATE actions SET proposed_by = 'coachee' WHERE engagement_id = $1`, eng)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.texts(`SELECT title FROM actions WHERE proposed_by = 'coachee'`); !slices.Equal(got, own) {
		t.Fatalf("the coachee rewrote who proposed: %q", got)
	}
	pts, err := f.env.Store.Autonomy(f.ctx, sc, eng)
	if err != nil {
		t.Fatal(err)
	}
	var all, mine int
	for _, p := range pts {
		all += p.Actions
		mine += p.CoacheeActions
	}
	want := f.count(`SELECT count(*) FROM actions a WHERE engagement_id = $1 AND (session_id IS NOT NULL OR EXISTS (
		SELECT 1 FROM coaching_sessions s WHERE s.engagement_id = a.engagement_id AND s.status = 'held' AND s.scheduled_at <= a.created_at))`, eng)
	if all != want || mine != 1 || want == 0 {
		t.Fatalf("trend counts %d actions, %d the coachee's; want %d and 1", all, mine, want)
	}
}

// The figures are kept a minute, then added up again.
func TestProgrammeKeptAMinute(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 5)
	sc := store.Scope{TenantID: p.TenantID, UserID: p.Sponsor}
	total := func() float64 {
		t.Helper()
		got, err := env.Store.ProgrammeOf(ctx, sc, p.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range got.Figures {
			if f.Section == "engagements" {
				return *f.Value
			}
		}
		return 0
	}
	if got := total(); got != 5 {
		t.Fatalf("total %v", got)
	}
	if _, err := env.Super.Exec(ctx, `INSERT INTO engagements (tenant_id, title, client_org_id) VALUES ($1, 'E5', $2)`, p.TenantID, p.OrgID); err != nil {
		t.Fatal(err)
	}
	if got := total(); got != 5 {
		t.Fatalf("total %v within the minute", got)
	}
	later := time.Now().Add(2 * time.Minute)
	env.Store.Now = func() time.Time { return later }
	if got := total(); got != 6 {
		t.Fatalf("total %v after the minute", got)
	}
}
