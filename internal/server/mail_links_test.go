package server_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"triade/internal/jobs"
	"triade/internal/store"
)

var mailLink = regexp.MustCompile(`https?://[^\s]+`)

// TestMailLinksOpenForTheirRecipient: every page an e-mail links to (late
// reminders, the weekly digest, calendar invitations) opens for the person it
// is sent to, HR included: the deep links lead to the exact page, never to a
// refusal.
func TestMailLinksOpenForTheirRecipient(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	st := a.env.Store
	people := []string{"coach@demo.test", "coachee@demo.test", "sponsor@demo.test"}
	for _, email := range people {
		if err := st.SetWeeklyDigest(ctx, a.sqlStr(`SELECT id::text FROM users WHERE email = $1`, email), true); err != nil {
			t.Fatal(err)
		}
	}
	sc := store.Scope{TenantID: a.sqlStr(`SELECT id::text FROM workspaces WHERE slug = 'demo'`),
		UserID: a.sqlStr(`SELECT id::text FROM users WHERE email = 'coach@demo.test'`)}
	eng := a.sqlStr(`SELECT id::text FROM engagements WHERE title = 'Conduite du changement — service client'`)
	now := time.Now()
	if _, err := st.PlanSession(ctx, sc, eng, now.AddDate(0, 0, 3), 90); err != nil {
		t.Fatal(err)
	}
	later := now.AddDate(0, 8, 0) // every dated duty of the demo is late by then
	for _, run := range []func() (int, error){
		func() (int, error) { return jobs.Invite(ctx, st, now, a.srv.URL) },
		func() (int, error) { return jobs.Run(ctx, st, later, a.srv.URL) },
	} {
		if _, err := run(); err != nil {
			t.Fatal(err)
		}
	}
	mails, err := st.Outbox(ctx, 10000)
	if err != nil {
		t.Fatal(err)
	}
	kinds, opened := map[string]int{}, 0
	for _, email := range people {
		c := a.as(email)
		for _, m := range mails {
			if m.To != email {
				continue
			}
			switch {
			case strings.Contains(m.Calendar, "UID:session-"):
				kinds[email+" session invitation"]++
			case m.Calendar != "":
				kinds[email+" invitation"]++
			case strings.Contains(m.Subject, "En retard"):
				kinds[email+" late"]++
			case strings.Contains(m.Subject, "cette semaine"):
				kinds[email+" digest"]++
			default:
				continue
			}
			for _, link := range mailLink.FindAllString(m.Body, -1) {
				path, ok := strings.CutPrefix(link, a.srv.URL)
				if !ok || strings.HasPrefix(path, "/unsubscribe/") {
					continue
				}
				opened++
				if r := c.get(path); r.status != http.StatusOK {
					t.Errorf("%s, e-mail %q: %s answers %d", email, m.Subject, path, r.status)
				}
			}
		}
	}
	for _, want := range []string{"coach@demo.test session invitation", "coachee@demo.test session invitation", "coach@demo.test late",
		"coachee@demo.test late", "sponsor@demo.test late", "coach@demo.test digest", "coachee@demo.test digest", "sponsor@demo.test digest"} {
		if kinds[want] == 0 {
			t.Errorf("no %s e-mail (got %v)", want, kinds)
		}
	}
	t.Logf("%d links opened from %v", opened, kinds)
	if kinds["sponsor@demo.test session invitation"] != 0 {
		t.Errorf("the sponsor was invited to a session")
	}
}
