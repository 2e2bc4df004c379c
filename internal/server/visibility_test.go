package server_test

import (
	"testing"
)

// TestVisibleTo: a form whose content another party reads says who, by name
// and part, from the engagement's parties and the access matrix; sharing an
// action says it shares the whole journal.
func TestVisibleTo(t *testing.T) {
	a := newApp(t, true)
	eng := a.engagementID("Conduite du changement — service client")
	base := "/w/demo/e/" + eng
	name := func(part string) string {
		return a.sqlStr(`SELECT u.name FROM engagement_parties p JOIN users u ON u.id = p.user_id WHERE p.engagement_id = $1 AND p.part = $2`, eng, part)
	}
	coach, sponsor := name("coach"), name("sponsor")
	coachee := a.as("coachee@demo.test")

	has(t, "coachee, requests", coachee.get(base+"/requests"),
		"Visible par : "+coach+" (Coach), "+sponsor+" (Responsable formation), l'administration de l'espace.",
		"Rédigez-la vous-même, ou avec l'aide de votre coach.") // spoken to the coachee

	unshared := a.sqlStr(`SELECT id::text FROM actions WHERE engagement_id = $1 AND shared_at IS NULL AND status IN ('todo', 'in_progress') LIMIT 1`, eng)
	r := coachee.get(base + "/actions/" + unshared)
	has(t, "coachee, unshared action", r, "Visible par : "+coach+" (Coach).", "lira tout son journal : les entrées passées comme celles à venir")
	hasNot(t, "coachee, unshared action", r, sponsor+" (Responsable formation)")

	shared := a.sqlStr(`SELECT id::text FROM actions WHERE engagement_id = $1 AND shared_at IS NOT NULL LIMIT 1`, eng)
	has(t, "coachee, shared action", coachee.get(base+"/actions/"+shared),
		"Visible par : "+coach+" (Coach), "+sponsor+" (Responsable formation).", "tout son journal, passé et à venir")
}
