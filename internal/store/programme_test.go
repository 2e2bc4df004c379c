package store_test

import (
	"context"
	"fmt"
	"maps"
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
	expected := p.ExpectedFor(k)
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
		want, ok := expected[f.Section+"/"+f.Item]
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

// The figures from inside the coaching move by whole cohorts of k closed
// engagements, never by one engagement: a review compared the page before
// and after one coachee's autonomy rating (and a self-evaluation not yet
// validated) and read her score off the difference. Writes to engagements
// not released (live ones, the closed one beyond the last full cohort) leave
// them as they were; closing engagements one by one changes them only when
// a cohort is complete, and then by k engagements.
func TestProgrammeMovesByWholeCohorts(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 30) // 6 closed: one cohort of 5, one held back
	now := time.Now()
	inside := func() map[string][2]float64 { return insideFigures(t, env, p, &now) }
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := env.Super.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// The first cohort (E3 E8 E13 E18 E23) keeps three coachee evaluations
	// only: that side counts it nowhere.
	exec(`DELETE FROM evaluations v USING engagements e WHERE e.id = v.engagement_id AND e.tenant_id = $1
		AND e.title IN ('E3', 'E8') AND v.part = 'coachee'`, p.TenantID)
	before := inside()
	if len(before) == 0 {
		t.Fatal("no evaluation or autonomy figure to watch")
	}
	if _, ok := before["evaluation.coachee/reached"]; ok {
		t.Errorf("the coachee's evaluations shown from a cohort where 3 of 5 gave them: %v", before)
	}
	// One engagement in bouclage, one closed last (held back): their
	// coachee's ratings and evaluations change.
	for _, title := range []string{"E2", "E28"} {
		exec(`UPDATE autonomy_ratings r SET score = 6 - score FROM engagements e
			WHERE e.id = r.engagement_id AND e.tenant_id = $1 AND e.title = $2 AND r.part = 'coachee'`, p.TenantID, title)
		exec(`UPDATE evaluations v SET assessment = 'not_reached' FROM engagements e
			WHERE e.id = v.engagement_id AND e.tenant_id = $1 AND e.title = $2 AND v.part = 'coachee'`, p.TenantID, title)
	}
	if after := inside(); !maps.Equal(after, before) {
		t.Fatalf("one engagement's writes moved the figures:\nbefore %v\nafter  %v", before, after)
	}
	// Close the engagements in bouclage one by one (E2, E7, E12, E17): the
	// fourth makes ten closed, the second cohort.
	last := before
	for n, title := range []string{"E2", "E7", "E12", "E17"} {
		exec(`UPDATE engagements SET phase = 'clos', phase_changed_at = $3 WHERE tenant_id = $1 AND title = $2`,
			p.TenantID, title, time.Date(2027, 1, 1+n, 0, 0, 0, 0, time.UTC))
		got := inside()
		if n < 3 {
			if !maps.Equal(got, last) {
				t.Fatalf("closing %s alone (%d closed) moved the figures:\nbefore %v\nafter  %v", title, 7+n, last, got)
			}
			continue
		}
		for key, v := range got {
			if was := last[key]; v != was && v[0]-was[0] < 5 {
				t.Errorf("%s moved by %v engagements (%v -> %v), fewer than k", key, v[0]-was[0], was, v)
			}
		}
		if maps.Equal(got, last) {
			t.Fatal("a complete second cohort changed nothing")
		}
		// Both cohorts for the coach's side, the second alone for the coachee's.
		if got["evaluation.coach/reached"][0] != 10 || got["evaluation.coachee/reached"][0] != 5 {
			t.Errorf("evaluations cover %v (coach) and %v (coachee) engagements, want 10 and 5",
				got["evaluation.coach/reached"][0], got["evaluation.coachee/reached"][0])
		}
	}
	// A closed engagement stays closed, for the database too.
	err := env.Store.Tx(ctx, store.Scope{TenantID: p.TenantID, UserID: p.Coach}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE engagements SET phase = 'bouclage' WHERE tenant_id = $1 AND title = 'E3'`, p.TenantID)
		return err
	})
	if err == nil {
		t.Error("the coach reopened a closed engagement")
	}
}

// Cohorts are fixed when released: a change of k does not cut them again,
// and a cohort that lost an engagement (the retention purge) leaves the
// figures whole. A review showed both moving them by exactly one engagement
// when cohorts were recomputed at each reading (k 5 -> 6 took in the sixth
// closed engagement alone; deleting the oldest slid every cohort by one).
func TestProgrammeCohortsOutliveKAndPurge(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 30) // 6 closed: one cohort of 5 released, E28 waiting
	admin := store.Scope{TenantID: p.TenantID, UserID: p.Admin}
	now := time.Now()
	inside := func() map[string][2]float64 { return insideFigures(t, env, p, &now) }
	first := inside()
	if len(first) == 0 {
		t.Fatal("nothing to watch")
	}
	// A lower k lets a cohort count in more figures (where fewer of its
	// engagements contribute), never a part of one: a figure shown before
	// and after moves by at least the smaller k, or not at all.
	last, lastK := first, 5
	for _, k := range []int{6, 4, 3, 5} {
		if err := env.Store.SetSettings(ctx, admin, 3, "Europe/Paris", k); err != nil {
			t.Fatal(err)
		}
		got := inside()
		for key, v := range got {
			was, ok := last[key]
			if d := math.Abs(v[0] - was[0]); ok && v != was && d < float64(min(k, lastK)) {
				t.Errorf("k %d -> %d: %s = %v, was %v", lastK, k, key, v, was)
			}
		}
		if k == 5 && !maps.Equal(got, first) {
			t.Errorf("back to k = 5: %v, first %v (cohorts cut again)", got, first)
		}
		last, lastK = got, k
	}
	if _, err := env.Super.Exec(ctx, `DELETE FROM engagements WHERE tenant_id = $1 AND title = 'E3'`, p.TenantID); err != nil {
		t.Fatal(err)
	}
	if got := inside(); len(got) != 0 {
		t.Errorf("after the purge of one engagement of the only cohort: %v", got)
	}
}

// phasesHidden is the rule of app_programme's phase cells, written again to
// be tried exhaustively here: a cell under k is hidden (an empty one too) and,
// when one is, the largest shown cell (the first of equals) goes with it.
func phasesHidden(c [5]int, k int) [5]bool {
	var h [5]bool
	any := false
	for i, x := range c {
		if x < k {
			h[i], any = true, true
		}
	}
	if any {
		big := -1
		for i, x := range c {
			if !h[i] && (big < 0 || x > c[big]) {
				big = i
			}
		}
		if big >= 0 {
			h[big] = true
		}
	}
	return h
}

// pinned returns the hidden cells (between 1 and k-1) whose value someone
// who knows the rule, the total and the cells shown can work out: every
// filling of the hidden cells that adds up and that the rule would hide the
// same way gives them one value.
func pinned(c [5]int, k int) []int {
	h := phasesHidden(c, k)
	var idx []int
	sum := 0
	for i := range c {
		if h[i] {
			idx = append(idx, i)
			sum += c[i]
		}
	}
	seen := make([]map[int]bool, len(idx))
	for j := range seen {
		seen[j] = map[int]bool{}
	}
	// The cells that matter (1 to k-1) with one value seen so far, or none:
	// once each has shown two, nothing can be worked out and the search stops.
	open := 0
	for _, i := range idx {
		if c[i] >= 1 && c[i] < k {
			open++
		}
	}
	var try func(j, left int, d [5]int)
	try = func(j, left int, d [5]int) {
		if j == len(idx) {
			if left == 0 && phasesHidden(d, k) == h {
				for t, i := range idx {
					if !seen[t][d[i]] {
						seen[t][d[i]] = true
						if len(seen[t]) == 2 && c[i] >= 1 && c[i] < k {
							open--
						}
					}
				}
			}
			return
		}
		for x := 0; x <= left && open > 0; x++ {
			d[idx[j]] = x
			try(j+1, left-x, d)
		}
	}
	try(0, sum, c)
	var out []int
	for t, i := range idx {
		if len(seen[t]) == 1 && c[i] >= 1 && c[i] < k {
			out = append(out, i)
		}
	}
	return out
}

// No distribution of engagements over the phases lets a hidden cell be
// worked out from the total (a review did it with 4 engagements, k = 3: two
// phases hidden, the three others at 0, hence 2 each): every distribution of
// up to 4k+2 engagements for k = 3, 4 and 5. The database hides what the
// rule says, on distributions that made earlier rules give cells away.
func TestProgrammePhasesPinNoHiddenCell(t *testing.T) {
	for k := 3; k <= 5; k++ {
		var c [5]int
		var each func(i, left int)
		each = func(i, left int) {
			if i == 5 {
				if got := pinned(c, k); len(got) > 0 && c[0]+c[1]+c[2]+c[3]+c[4] >= k {
					t.Errorf("k = %d, %v: cells %v can be worked out", k, c, got)
				}
				return
			}
			for x := 0; x <= left; x++ {
				c[i] = x
				each(i+1, left-x)
			}
		}
		each(0, 4*k+2)
	}

	env := testenv.New(t)
	ctx := context.Background()
	p := testenv.BuildProgramme(t, env, 16)
	admin := store.Scope{TenantID: p.TenantID, UserID: p.Admin}
	now := time.Now()
	phases := []string{"cadrage", "accompagnement", "bouclage", "clos", "interrompu"}
	for _, tc := range []struct {
		k int
		c [5]int
	}{
		{3, [5]int{0, 2, 2, 0, 0}}, {3, [5]int{3, 3, 1, 3, 3}}, {3, [5]int{2, 2, 3, 3, 2}},
		{3, [5]int{2, 2, 2, 2, 2}}, {5, [5]int{5, 5, 4, 0, 2}}, {5, [5]int{6, 5, 5, 0, 0}}, {3, [5]int{4, 4, 4, 4, 0}},
	} {
		if err := env.Store.SetSettings(ctx, admin, 3, "Europe/Paris", tc.k); err != nil {
			t.Fatal(err)
		}
		// The organisation's first engagements take the phases, the others
		// move to the other organisation.
		if _, err := env.Super.Exec(ctx, `WITH e AS (SELECT id, row_number() OVER (ORDER BY title COLLATE "C") AS r FROM engagements WHERE tenant_id = $1),
			want AS (SELECT w.phase, row_number() OVER () AS r FROM unnest($2::text[]) AS w(phase))
			UPDATE engagements g SET phase = coalesce(want.phase, g.phase), client_org_id = CASE WHEN want.phase IS NULL THEN $4::uuid ELSE $3::uuid END
			FROM e LEFT JOIN want ON want.r = e.r WHERE g.id = e.id`, p.TenantID, expand(tc.c, phases), p.OrgID, p.OtherOrgID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Minute)
		env.Store.Now = func() time.Time { return now }
		got, err := env.Store.ProgrammeOf(ctx, store.Scope{TenantID: p.TenantID, UserID: p.Sponsor}, p.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		want := phasesHidden(tc.c, tc.k)
		var hidden [5]bool
		for _, f := range got.Figures {
			if f.Section == "phase" {
				i := slices.Index(phases, f.Item)
				hidden[i] = f.Hidden()
				if !f.Hidden() && int(*f.Value) != tc.c[i] {
					t.Errorf("k = %d, %v: %s = %v", tc.k, tc.c, f.Item, *f.Value)
				}
			}
		}
		if hidden != want {
			t.Errorf("k = %d, %v: the database hides %v, the rule %v", tc.k, tc.c, hidden, want)
		}
	}
}

// expand lists the phases of engagements distributed as c.
func expand(c [5]int, phases []string) []string {
	var out []string
	for i, n := range c {
		for range n {
			out = append(out, phases[i])
		}
	}
	return out
}
