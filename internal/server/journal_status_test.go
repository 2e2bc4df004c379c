package server_test

import (
	"net/http"
	"testing"
)

// TestJournalEntrySetsStatus: from a phone, the coachee logs what she did and
// closes the action in one submit; a status the form does not offer refuses
// the whole submit, the entry kept on the page and nothing stored.
func TestJournalEntrySetsStatus(t *testing.T) {
	a := newApp(t, true)
	eng := a.engagementID("Conduite du changement — service client")
	aid := a.sqlStr(`SELECT id::text FROM actions WHERE engagement_id = $1 AND status IN ('todo', 'in_progress') ORDER BY title LIMIT 1`, eng)
	path := "/w/demo/e/" + eng + "/actions/" + aid
	coachee := a.as("coachee@demo.test")
	state := func() string {
		return a.sqlStr(`SELECT status || ' ' || (SELECT count(*) FROM journal_entries j WHERE j.action_id = a.id) FROM actions a WHERE a.id = $1`, aid)
	}
	before := state()

	r := coachee.post(path+"/journal", "did", "Entretien tenu ce matin", "status", "finie")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown status: HTTP %d, want 422", r.status)
	}
	has(t, "coachee, refused", r, "Entretien tenu ce matin", "Choisissez une des valeurs proposées")
	if got := state(); got != before {
		t.Errorf("after a refused submit: %q, want %q unchanged", got, before)
	}

	r = coachee.post(path+"/journal", "did", "Entretien tenu ce matin", "status", "done", "back", "list")
	if r.status != http.StatusSeeOther {
		t.Fatalf("entry with a status: HTTP %d, want 303", r.status)
	}
	if got := a.sqlStr(`SELECT status FROM actions WHERE id = $1`, aid); got != "done" {
		t.Errorf("status %q, want done", got)
	}
	if got := a.sqlStr(`SELECT did FROM journal_entries WHERE action_id = $1 ORDER BY at DESC LIMIT 1`, aid); got != "Entretien tenu ce matin" {
		t.Errorf("last entry %q", got)
	}

	// Without a status, the action keeps its own.
	coachee.post(path+"/journal", "did", "Une remarque de plus", "status", "")
	if got := a.sqlStr(`SELECT status FROM actions WHERE id = $1`, aid); got != "done" {
		t.Errorf("an entry without a status changed it to %q", got)
	}
	has(t, "coachee, list", coachee.get("/w/demo/e/"+eng+"/actions"), `name="status"`, "Inchangé")
}
