package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMeetingCannotBeHeldInTheFuture: the framing meeting, like a session,
// cannot be recorded as held at a date still to come; the form comes back
// with the message beside the date, the notes kept, nothing stored.
func TestMeetingCannotBeHeldInTheFuture(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID("Prise de poste — direction des achats")
	coach := a.as("coach@demo.test")
	page := coach.get("/w/demo/e/" + id + "/framing")
	version := eaVersion(t, page.body, "/w/demo/e/"+id+"/framing")
	before := a.sqlStr(`SELECT coalesce(held::text, '') || ' ' || version FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, id)
	tomorrow := time.Now().Add(48 * time.Hour).Format("2006-01-02T15:04")
	const notes = "Compte rendu écrit trop tôt"
	r := coach.post("/w/demo/e/"+id+"/framing", "at", tomorrow, "held", "on", "notes", notes, "version", version,
		"attendees", a.userID("sponsor@demo.test"), "attendees", a.userID("coachee@demo.test"))
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a framing meeting held in two days: status %d, want 422", r.status)
	}
	body := text(r)
	for _, want := range []string{"ne peut pas être notée comme tenue avant d'avoir eu lieu", notes} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if after := a.sqlStr(`SELECT coalesce(held::text, '') || ' ' || version FROM meetings WHERE engagement_id = $1 AND kind = 'framing'`, id); after != before {
		t.Errorf("the refused meeting was stored: %s → %s", before, after)
	}
}
