package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/store"
	"triade/internal/testenv"
)

// The reminder rules see what each person has to do, read as that person: a
// coachee's open actions (an overdue one is reminded), a coach's none.
func TestReminderFactsHoldTheCoacheesActions(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var tenant string
	env.Super.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = 'demo'`).Scan(&tenant)
	facts := func(email string, roles domain.RoleSet) domain.ReminderFacts {
		t.Helper()
		var uid string
		env.Super.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&uid)
		f, _, err := env.Store.ReminderFacts(ctx, store.Scope{TenantID: tenant, UserID: uid}, roles, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	var open int
	env.Super.QueryRow(ctx, `SELECT count(*) FROM actions a JOIN engagement_parties p ON p.tenant_id = a.tenant_id AND p.engagement_id = a.engagement_id
		AND p.part = 'coachee' JOIN users u ON u.id = p.user_id WHERE u.email = 'coachee@demo.test' AND a.status IN ('todo', 'in_progress')`).Scan(&open)
	coachee := facts("coachee@demo.test", domain.RoleSet{domain.RoleCoachee})
	if open == 0 || len(coachee.Actions) != open {
		t.Errorf("coachee: %d open actions in the reminder facts, want %d", len(coachee.Actions), open)
	}
	overdue := domain.Reminders(coachee)
	if !slices.ContainsFunc(overdue, func(r domain.Reminder) bool { return r.Kind == domain.RemindActionOverdue }) {
		t.Errorf("coachee: no overdue action reminded (demo actions: %d open)", open)
	}
	if coach := facts("coach@demo.test", domain.RoleSet{domain.RoleCoach, domain.RoleAdmin}); len(coach.Actions) != 0 {
		t.Errorf("coach: %d actions of their own to be reminded of", len(coach.Actions))
	}
}
