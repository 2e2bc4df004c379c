package server_test

import (
	"context"
	"strings"
	"testing"
)

// TestOverviewShowsTheMeetingsInEveryPhase: the overview shows the framing's
// three-way meetings in every phase (past cadrage only they are read of the
// framing): the framing meeting's date or a dash, "held" when it was, and
// one line per intermediate meeting, as the database holds them.
func TestOverviewShowsTheMeetingsInEveryPhase(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	rows, err := a.env.Super.Query(ctx, `SELECT e.id::text, e.phase,
		coalesce((SELECT m.scheduled_at IS NOT NULL FROM meetings m WHERE m.engagement_id = e.id AND m.kind = 'framing'), false),
		coalesce((SELECT m.held FROM meetings m WHERE m.engagement_id = e.id AND m.kind = 'framing'), false),
		(SELECT count(*) FROM meetings m WHERE m.engagement_id = e.id AND m.kind = 'intermediate')
		FROM engagements e JOIN workspaces w ON w.id = e.tenant_id WHERE w.slug = 'demo' ORDER BY e.title`)
	if err != nil {
		t.Fatal(err)
	}
	type eng struct {
		id, phase    string
		dated, held  bool
		intermediate int
	}
	var all []eng
	for rows.Next() {
		var e eng
		if err := rows.Scan(&e.id, &e.phase, &e.dated, &e.held, &e.intermediate); err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	coach := a.as("coach@demo.test")
	phases, held, intermediate := map[string]bool{}, false, false
	for _, e := range all {
		r := coach.get("/w/demo/e/" + e.id)
		if r.status != 200 {
			t.Fatalf("%s (%s): status %d", e.id, e.phase, r.status)
		}
		body := text(r)
		i := strings.Index(body, "<h2>Rendez-vous</h2>")
		if i < 0 {
			t.Fatalf("%s (%s): no meetings section", e.id, e.phase)
		}
		section := body[i : i+strings.Index(body[i:], "</section>")]
		const dt = "<dt>Réunion tripartite de cadrage</dt><dd>"
		framing := section[strings.Index(section, dt)+len(dt):]
		framing = framing[:strings.Index(framing, "</dd>")]
		if got := !strings.HasPrefix(framing, "—"); got != e.dated {
			t.Errorf("%s (%s): framing meeting shown with a date %v, dated in the database %v:\n%s", e.id, e.phase, got, e.dated, framing)
		}
		if got := strings.Contains(framing, ">Tenue<"); got != e.held {
			t.Errorf("%s (%s): framing meeting shown held %v, held in the database %v", e.id, e.phase, got, e.held)
		}
		if got := strings.Count(section, "Réunion intermédiaire"); got != e.intermediate {
			t.Errorf("%s (%s): %d intermediate meetings shown, %d in the database", e.id, e.phase, got, e.intermediate)
		}
		phases[e.phase] = true
		held = held || e.held && e.phase != "cadrage"
		intermediate = intermediate || e.intermediate > 0 && e.phase != "cadrage"
	}
	if len(phases) < 4 || !held || !intermediate {
		t.Errorf("the demo covers phases %v, a held framing past cadrage %v, an intermediate meeting past cadrage %v: the test would miss what it checks", phases, held, intermediate)
	}
}
