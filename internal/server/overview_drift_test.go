package server_test

import (
	"net/http"
	"testing"
)

// TestOverviewTodoSeesTheDrift: once the validated synthesis drifted, the
// overview's own list must not tell the coach everything is ready to move on
// (Overview judges the drift in cadrage only, where the gate asks it).
func TestOverviewTodoSeesTheDrift(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(formsReady)
	base := "/w/demo/e/" + id
	coach, coachee, sponsor := a.as("coach@demo.test"), a.as("coachee@demo.test"), a.as("sponsor@demo.test")
	if r := coach.post(base + "/synthesis/publish"); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	for _, c := range []*client{coach, coachee, sponsor} {
		if r := c.post(base + "/synthesis/2/validate"); r.status != http.StatusSeeOther {
			t.Fatalf("validate: %d", r.status)
		}
	}
	const moveDuty = "Tout est prêt : passer à la phase d'accompagnement"
	has(t, "coach overview before drift", coach.get(base+"/"), moveDuty)
	oid := a.sqlStr(`SELECT id::text FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, id)
	ver := a.sqlStr(`SELECT version::text FROM objectives WHERE id = $1`, oid)
	desc := a.sqlStr(`SELECT description FROM objectives WHERE id = $1`, oid)
	if r := coach.post(base+"/objectives/"+oid, "version", ver, "title", "Changé", "description", desc); r.status != http.StatusSeeOther {
		t.Fatalf("edit objective: %d", r.status)
	}
	hasNot(t, "coach overview after drift", coach.get(base+"/"), moveDuty)
}
