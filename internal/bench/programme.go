package bench

import (
	"fmt"
	"time"
)

// The programme page's dataset: one more workspace whose one client
// organisation runs Workspaces engagements (1,000 in the large dataset), with
// what its figures read: contracts, held sessions, actions, autonomy
// ratings, evaluations, company requests, recommendations and the move out
// of cadrage.

const (
	kProgWorkspace byte = iota + 40
	kProgUser
	kProgOrg
	kProgEngagement
	kProgSession
	kProgAction
	kProgObjective
	kProgIndicator
	kProgReco
	kProgEvent
)

const progHeld = 10 // held sessions per engagement past cadrage

// copyFunc copies n generated rows into a table.
type copyFunc func(table string, cols []string, n int, row func(i int) []any) error

// programmeSteps generates the programme workspace: user 0 is its sponsor
// (HR), 1 its coach, 2+i the coachee of engagement i.
func programmeSteps(copy copyFunc, sc Scale, hash string, now time.Time) []func() error {
	n := sc.Workspaces
	ws, org := id(kProgWorkspace, 0), id(kProgOrg, 0)
	past := func(i int) bool { return phaseOf(i%engagementsPer) != "cadrage" }
	var moved, evaluated []int // out of cadrage; evaluated at bouclage
	for i := range n {
		if past(i) {
			moved = append(moved, i)
		}
		if p := phaseOf(i % engagementsPer); p == "bouclage" || p == "clos" {
			evaluated = append(evaluated, i)
		}
	}
	created := func(i int) time.Time { return now.AddDate(0, 0, -200-i%engagementsPer) }
	user := func(i int) [16]byte { return id(kProgUser, i) }
	return []func() error{
		func() error {
			return copy("workspaces", []string{"id", "slug", "name"}, 1, func(int) []any { return []any{ws, "programme", "Cabinet Programme"} })
		},
		func() error {
			return copy("users", []string{"id", "email", "name", "password_hash"}, n+2, func(i int) []any {
				return []any{user(i), fmt.Sprintf("p%d@programme.test", i), fmt.Sprintf("Personne P%d", i), hash}
			})
		},
		func() error {
			return copy("client_orgs", []string{"tenant_id", "id", "name"}, 1, func(int) []any { return []any{ws, org, "Client Programme"} })
		},
		func() error {
			return copy("memberships", []string{"tenant_id", "user_id", "roles", "client_org_id"}, n+2, func(i int) []any {
				switch i {
				case 0:
					return []any{ws, user(i), []string{"sponsor"}, org}
				case 1:
					return []any{ws, user(i), []string{"coach"}, nil}
				}
				return []any{ws, user(i), []string{"coachee"}, org}
			})
		},
		func() error {
			return copy("engagements", []string{"tenant_id", "id", "title", "client_org_id", "phase", "created_at", "phase_changed_at"}, n, func(i int) []any {
				return []any{ws, id(kProgEngagement, i), fmt.Sprintf("Programme %d", i), org, phaseOf(i % engagementsPer), created(i), created(i).AddDate(0, 0, 150)}
			})
		},
		func() error {
			return copy("engagement_parties", []string{"tenant_id", "engagement_id", "user_id", "part", "sponsor_kind"}, 3*n, func(i int) []any {
				e := i / 3
				return [][]any{{ws, id(kProgEngagement, e), user(1), "coach", ""}, {ws, id(kProgEngagement, e), user(2 + e), "coachee", ""},
					{ws, id(kProgEngagement, e), user(0), "sponsor", "hr"}}[i%3]
			})
		},
		func() error {
			return copy("requests", []string{"tenant_id", "engagement_id", "level", "body"}, n, func(i int) []any {
				return []any{ws, id(kProgEngagement, i), "company", text(i)}
			})
		},
		func() error {
			return copy("contracts", []string{"tenant_id", "engagement_id", "sessions_planned", "session_minutes"}, n, func(i int) []any {
				return []any{ws, id(kProgEngagement, i), 12, 90}
			})
		},
		func() error {
			return copy("events", []string{"tenant_id", "engagement_id", "subject_id", "kind", "at", "data"}, len(moved), func(i int) []any {
				e := moved[i]
				return []any{ws, id(kProgEngagement, e), id(kProgEngagement, e), `phase.moved`, created(e).AddDate(0, 0, 20+e%15),
					`{"from": "cadrage", "to": "accompagnement"}`}
			})
		},
		func() error {
			return copy("coaching_sessions", []string{"tenant_id", "id", "engagement_id", "number", "scheduled_at", "minutes", "status"}, n*progHeld, func(i int) []any {
				e, j := i/progHeld, i%progHeld
				status := "held"
				if !past(e) {
					status = "planned"
				}
				return []any{ws, id(kProgSession, i), id(kProgEngagement, e), j + 1, created(e).AddDate(0, 0, 30+14*j), 90, status}
			})
		},
		// Two actions per session: the session's action plan (the coach's) and,
		// for a growing share of the sessions, one the coachee adds herself.
		func() error {
			return copy("actions", []string{"tenant_id", "id", "engagement_id", "session_id", "title", "proposed_by", "created_at"}, 2*n*progHeld, func(i int) []any {
				s := i / 2
				e, j := s/progHeld, s%progHeld
				if i%2 == 0 || j < e%progHeld {
					return []any{ws, id(kProgAction, i), id(kProgEngagement, e), id(kProgSession, s), "Plan", "coach", created(e).AddDate(0, 0, 30+14*j)}
				}
				return []any{ws, id(kProgAction, i), id(kProgEngagement, e), nil, "Mine", "coachee", created(e).AddDate(0, 0, 31+14*j)}
			})
		},
		func() error {
			return copy("autonomy_ratings", []string{"tenant_id", "session_id", "part", "engagement_id", "score"}, 2*n*progHeld, func(i int) []any {
				s := i / 2
				e, j := s/progHeld, s%progHeld
				return []any{ws, id(kProgSession, s), []string{"coach", "coachee"}[i%2], id(kProgEngagement, e), 1 + (j+i%2)*4/progHeld}
			})
		},
		func() error {
			return copy("objectives", []string{"tenant_id", "id", "engagement_id", "position", "title"}, n, func(i int) []any {
				return []any{ws, id(kProgObjective, i), id(kProgEngagement, i), 1, "Objectif"}
			})
		},
		func() error {
			return copy("indicators", []string{"tenant_id", "id", "engagement_id", "objective_id", "position", "kind", "description"}, 2*n, func(i int) []any {
				return []any{ws, id(kProgIndicator, i), id(kProgEngagement, i/2), id(kProgObjective, i/2), i%2 + 1, "observable", "Indicateur"}
			})
		},
		func() error {
			return copy("evaluations", []string{"tenant_id", "indicator_id", "part", "engagement_id", "assessment"}, 4*len(evaluated), func(i int) []any {
				e := evaluated[i/4]
				return []any{ws, id(kProgIndicator, 2*e+(i/2)%2), []string{"coach", "coachee"}[i%2], id(kProgEngagement, e),
					[]string{"reached", "partly", "not_reached"}[i%3]}
			})
		},
		func() error {
			return copy("recommendations", []string{"tenant_id", "id", "engagement_id", "body", "carrier"}, n, func(i int) []any {
				return []any{ws, id(kProgReco, i), id(kProgEngagement, i), text(i + 2), []string{"hr", "manager", "coachee"}[i%3]}
			})
		},
	}
}

// withProgramme adds the programme page, loaded by the organisation's sponsor,
// and an engagement page of the programme's coach, who takes part in every
// one of its engagements (1,000 in the large dataset, 10 in the small): its
// p50 ratio between the datasets shows how a page grows with the number of
// engagements of the person who reads it, which the other rows (10
// engagements per person in both datasets) cannot.
func withProgramme(personas map[string]string, pages []Page) (map[string]string, []Page) {
	personas["programme"] = "p0@programme.test"
	personas["programme coach"] = "p1@programme.test"
	path := "/w/programme/orgs/" + uuidString(id(kProgOrg, 0)) + "/programme"
	return personas, append(pages, Page{"programme page (sponsor)", path, "programme"},
		Page{"engagement page (coach of all)", "/w/programme/e/" + uuidString(id(kProgEngagement, 4)), "programme coach"})
}
