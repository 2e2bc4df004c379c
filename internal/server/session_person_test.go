package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// The person is read in the same round trip as the session, by the user_id
// column of the session's row. What signs in is the session's sealed data:
// a row whose column names someone else (written by anyone who can write the
// table) signs in no one but the person the data names.
func TestSessionRowCannotNameAnotherPerson(t *testing.T) {
	a := newApp(t, true)
	admin := a.client()
	admin.login("admin@demo.test")
	if r := admin.get("/w/demo/orgs"); r.status != http.StatusOK {
		t.Fatalf("admin's organisations page: %d", r.status)
	}
	c := a.client()
	c.login("coachee@demo.test")
	coachee := a.sqlStr(`SELECT name FROM users WHERE email = 'coachee@demo.test'`)
	adminName := a.sqlStr(`SELECT name FROM users WHERE email = 'admin@demo.test'`)
	if r := c.get("/w/demo/"); r.status != http.StatusOK || !strings.Contains(r.body, coachee) {
		t.Fatalf("coachee's dashboard: %d, her name shown: %v", r.status, strings.Contains(r.body, coachee))
	}
	tag, err := a.env.Super.Exec(context.Background(), `UPDATE sessions SET user_id = (SELECT id FROM users WHERE email = 'admin@demo.test')
		WHERE user_id = (SELECT id FROM users WHERE email = 'coachee@demo.test')`)
	if err != nil || tag.RowsAffected() == 0 {
		t.Fatalf("session rows changed: %v %v", tag, err)
	}
	r := c.get("/w/demo/")
	if r.status != http.StatusOK || !strings.Contains(r.body, coachee) || strings.Contains(r.body, adminName) {
		t.Errorf("dashboard after the row named the admin: %d, coachee's name %v, admin's name %v", r.status, strings.Contains(r.body, coachee), strings.Contains(r.body, adminName))
	}
	if r := c.get("/w/demo/orgs"); r.status != http.StatusNotFound {
		t.Errorf("the admin's organisations page, to the coachee whose session row names the admin: %d, want 404", r.status)
	}
}
