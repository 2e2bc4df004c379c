package server_test

import (
	"net/http"
	"testing"
)

// TestCocoachRights: a co-coach has the coach's rights (rules of
// domain.Allowed), autonomy rating included, but not what is personal to the
// lead coach: confirming willingness. The co-coach here is the "unrelated"
// coach of the fixture, made co-coach of {acc} and {fresh}.
func TestCocoachRights(t *testing.T) {
	f := paFixture(t)
	for _, e := range []string{"acc", "fresh"} {
		if _, err := f.a.env.Super.Exec(f.ctx, `INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part) VALUES ($1, $2, $3, 'cocoach')`,
			f.tenant, f.ids[e], f.users["unrelated"]); err != nil {
			t.Fatal(err)
		}
	}
	co := f.clients["unrelated"]

	r := f.call(co, http.MethodPost, f.path("/w/demo/e/{acc}/sessions/{accS1}/autonomy"), []string{"score", "2", "word", "co-coach"})
	if r.status != http.StatusSeeOther {
		t.Fatalf("co-coach rates autonomy: %d, want 303", r.status)
	}
	// The co-coach speaks for the coach's side: one rating per side.
	if got := f.q(`SELECT score::text || '/' || word FROM autonomy_ratings WHERE session_id = $1 AND part = 'coach'`, f.ids["accS1"]); got != "2/co-coach" {
		t.Errorf("coach side's rating after the co-coach's: %s", got)
	}
	if r := f.call(co, http.MethodGet, f.path("/w/demo/e/{acc}/sessions/{accS1}"), nil); r.status != http.StatusOK || !paShows(r.body, "co-coach") {
		t.Errorf("co-coach's session page: %d, own rating shown: %v", r.status, paShows(r.body, "co-coach"))
	}

	r = f.call(co, http.MethodPost, f.path("/w/demo/e/{fresh}/willingness"), nil)
	if r.status != http.StatusForbidden {
		t.Errorf("co-coach confirms the lead coach's willingness: %d, want 403", r.status)
	}
	if got := f.q(`SELECT (coach_willing_at IS NULL)::text FROM engagements WHERE id = $1`, f.ids["fresh"]); got != "true" {
		t.Error("the lead coach's willingness was recorded by the co-coach")
	}
	// Everything else of the coach's: the co-coach writes the framing.
	if r := f.call(co, http.MethodPost, f.path("/w/demo/e/{fresh}/requests/company"), []string{"body", "", "version", "1"}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("co-coach writes the company's request (empty form): %d, want 422", r.status)
	}
}
