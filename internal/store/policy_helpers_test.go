package store_test

import (
	"strings"
	"testing"
)

// The policies' helpers that read with the owner's rights answer only to the
// parties their policy asks them for: called by anyone else, with any id, they
// say false (a review asked app_rated, as a sponsor, whether the coachee had
// rated each session, and app_action_journaled about an action she could not
// see). Every member of every demo workspace asks about every row; the test
// also requires that some of them, not being such a party, ask about a row
// for which the fact is true (what a helper without the check gave away).
func TestPolicyHelpersAnswerOnlyTheirParties(t *testing.T) {
	f := seededDemo(t)
	// A coach and sponsor of each workspace who takes no part in its
	// engagements: some fact must be asked by someone it must not be told.
	f.str(`WITH u AS (INSERT INTO users (email, name) VALUES ('outsider@demo.test', 'Outsider') RETURNING id)
		INSERT INTO memberships (tenant_id, user_id, roles) SELECT w.id, u.id, ARRAY['coach', 'sponsor'] FROM workspaces w, u RETURNING user_id::text`)
	helpers := []struct {
		name, call string
		parts      string // the parts that may be told, as an SQL list
		admin      bool   // the workspace's admin may be told too
		facts      string // (tenant, engagement, first argument, second argument) where the fact is true
	}{
		{"app_rated", `SELECT app_rated($1::uuid, $2)::text`, `'coach', 'cocoach', 'coachee'`, false,
			`SELECT tenant_id::text, engagement_id::text, session_id::text, part FROM autonomy_ratings`},
		{"app_action_journaled", `SELECT app_action_journaled($1::uuid)::text WHERE $2::text IS NOT NULL`, `'coach', 'cocoach', 'coachee'`, false,
			`SELECT DISTINCT tenant_id::text, engagement_id::text, action_id::text, '' FROM journal_entries`},
		{"app_coachee_validated_report", `SELECT app_coachee_validated_report($1::uuid, $2::integer)::text`, `'coach', 'cocoach', 'coachee', 'sponsor'`, true,
			`SELECT tenant_id::text, engagement_id::text, engagement_id::text, number::text FROM report_validations WHERE part = 'coachee'`},
	}
	for _, h := range helpers {
		rows := f.strs(`SELECT concat_ws('|', t, e, a, b) FROM (` + h.facts + `) x(t, e, a, b)`)
		outsiders := 0
		for _, r := range rows {
			fact := strings.Split(r, "|")
			tenant, eng, a, b := fact[0], fact[1], fact[2], fact[3]
			for _, member := range f.members(tenant) {
				told := f.asApp(tenant, member, "UTC", h.call, a, b)
				party := f.count(`SELECT count(*) FROM engagement_parties WHERE engagement_id = $1 AND user_id = $2 AND part IN (`+h.parts+`)`, eng, member) > 0 ||
					h.admin && f.count(`SELECT count(*) FROM memberships WHERE tenant_id = $1 AND user_id = $2 AND 'admin' = ANY (roles)`, tenant, member) > 0
				if !party {
					outsiders++
				}
				if len(told) == 1 && told[0] == "true" && !party {
					t.Errorf("%s(%s, %s) told %s, who is no party it answers to", h.name, a, b, member)
				}
				if party && (len(told) != 1 || told[0] != "true") {
					t.Errorf("%s(%s, %s) refused %s, a party: %v", h.name, a, b, member, told)
				}
			}
		}
		if len(rows) == 0 || outsiders == 0 {
			t.Errorf("%s: %d facts, %d questions from outsiders: the demo does not try it", h.name, len(rows), outsiders)
		}
	}
}
