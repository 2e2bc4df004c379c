package server_test

import (
	"fmt"
	"testing"
)

// TestSessionPageSaysNOfN: each session page of every demo engagement says
// "Séance n / N" with N the contract's sessions_planned, for the coach and the
// coachee (the sponsor does not reach session pages): the page reads the
// contract's terms alone.
func TestSessionPageSaysNOfN(t *testing.T) {
	a := newApp(t, true)
	checked := 0
	for _, who := range []string{"coach@demo.test", "coachee@demo.test"} {
		c := a.as(who)
		for _, id := range a.sqlStrs(`SELECT id::text FROM engagements ORDER BY title`) {
			planned := a.sqlStr(`SELECT coalesce(sessions_planned, 0)::text FROM contracts WHERE engagement_id = $1`, id)
			for _, sid := range a.sqlStrs(`SELECT id::text FROM coaching_sessions WHERE engagement_id = $1 ORDER BY number`, id) {
				n := a.sqlStr(`SELECT number::text FROM coaching_sessions WHERE id = $1`, sid)
				r := c.get("/w/demo/e/" + id + "/sessions/" + sid)
				if r.status != 200 {
					continue
				}
				has(t, who, r, fmt.Sprintf("<h2>Séance %s / %s</h2>", n, planned))
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no session page checked")
	}
	t.Logf("%d session pages checked", checked)
}
