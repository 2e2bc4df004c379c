package testenv

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Programme is a client organisation with n engagements written straight into
// the database (as superuser), with the people who look at it, and every
// programme figure computed directly from what was written.
type Programme struct {
	TenantID, Slug, OrgID    string
	Admin, Sponsor, Coach    string // user ids
	OtherOrgID, OtherSponsor string // a second organisation of the workspace and its sponsor
	N                        int
	// Expected holds each figure by "section/item" that does not depend on k:
	// the engagements it covers and its value (before the k rule); ExpectedFor
	// adds those that do. Themes and Recos are the list lines, sorted.
	Expected      map[string][2]float64
	Themes, Recos []string
	// inside holds, per engagement, what the figures from inside the
	// coaching read (evaluations, autonomy series), for ExpectedFor.
	inside []insideFacts
}

// insideFacts are one engagement's contributions to the evaluation and
// autonomy figures.
type insideFacts struct {
	closed  bool
	closing time.Time
	// per session number: actions in all, proposed by the coachee, and the
	// two autonomy ratings
	sessions map[int]*[4]float64
	evals    map[string][]string // side -> assessments given
}

// ExpectedFor gives every figure under k: the evaluation and autonomy
// figures count the closed engagements only, in the cohorts released as they
// were written (5 at a time, the workspace's k then, in the order they
// closed; the last incomplete one held back), and a cohort counts in a figure
// only where k of its engagements contribute to it.
func (p *Programme) ExpectedFor(k int) map[string][2]float64 {
	const released = 5 // the k in force when BuildProgramme wrote them
	out := maps.Clone(p.Expected)
	var closed []insideFacts
	for _, f := range p.inside {
		if f.closed {
			closed = append(closed, f)
		}
	}
	slices.SortFunc(closed, func(a, b insideFacts) int { return a.closing.Compare(b.closing) })
	closed = closed[:len(closed)/released*released]
	for c := 0; c < len(closed); c += released {
		cohort := closed[c : c+released]
		for _, side := range []string{"coach", "coachee"} {
			var engs []insideFacts
			for _, f := range cohort {
				if len(f.evals[side]) > 0 {
					engs = append(engs, f)
				}
			}
			if len(engs) < k {
				continue
			}
			for _, a := range assessments {
				key := "evaluation." + side + "/" + a
				v := out[key]
				v[0] += float64(len(engs))
				for _, f := range engs {
					for _, given := range f.evals[side] {
						if given == a {
							v[1]++
						}
					}
				}
				out[key] = v
			}
		}
	}
	type sums struct{ engs, all, own, coach, coachee float64 }
	series := map[int]*sums{}
	for c := 0; c < len(closed); c += released {
		byNum := map[int][]*[4]float64{}
		for _, f := range closed[c : c+released] {
			for j, s := range f.sessions {
				byNum[j] = append(byNum[j], s)
			}
		}
		for j, ss := range byNum {
			if len(ss) < k {
				continue
			}
			if series[j] == nil {
				series[j] = &sums{}
			}
			for _, s := range ss {
				series[j].engs++
				series[j].all += s[0]
				series[j].own += s[1]
				series[j].coach += s[2]
				series[j].coachee += s[3]
			}
		}
	}
	for j, s := range series {
		num := strconv.Itoa(j)
		out["autonomy.initiative/"+num] = [2]float64{s.engs, round1(100 * s.own / s.all)}
		out["autonomy.coach/"+num] = [2]float64{s.engs, round1(s.coach / s.engs)}
		out["autonomy.coachee/"+num] = [2]float64{s.engs, round1(s.coachee / s.engs)}
	}
	return out
}

// ProgrammePassword is the password of everyone BuildProgramme creates; each
// signs in as name@prog<n>.test (hr, other-hr, admin, coach, coachee<i>).
const ProgrammePassword = "programme-password"

// Secret is written in every place no programme figure may read: session
// content, private notes, journals, the coachee's request, recommendations
// to the coachee.
const Secret = "SECRET-do-not-aggregate"

var programmePhases = []string{"cadrage", "accompagnement", "bouclage", "clos", "interrompu"}

// BuildProgramme writes a programme of n engagements. The i-th engagement is
// in phase i%5; past cadrage it has a contract of 6+i%3 sessions, i%4+1 held
// sessions, each with one action from the session's action plan and, for odd
// i, one the coachee added herself, and both autonomy ratings; past
// accompagnement its two indicators are evaluated by both sides; a closed one
// has a recommendation to HR.
func BuildProgramme(t testing.TB, env *Env, n int) *Programme {
	t.Helper()
	ctx := context.Background()
	db := env.Super
	q := func(sql string, args ...any) string {
		t.Helper()
		var id string
		if err := db.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return id
	}
	p := &Programme{N: n, Expected: map[string][2]float64{}}
	p.Slug = fmt.Sprintf("prog%d", n)
	p.TenantID = q(`INSERT INTO workspaces (slug, name) VALUES ($1, 'Cabinet Programme') RETURNING id`, p.Slug)
	p.OrgID = q(`INSERT INTO client_orgs (tenant_id, name) VALUES ($1, 'Acme') RETURNING id`, p.TenantID)
	p.OtherOrgID = q(`INSERT INTO client_orgs (tenant_id, name) VALUES ($1, 'Other') RETURNING id`, p.TenantID)
	hash, err := env.Store.HashPassword(ProgrammePassword)
	if err != nil {
		t.Fatal(err)
	}
	member := func(email, role, org string) string {
		uid := q(`INSERT INTO users (email, name, password_hash) VALUES ($1, $1, $2) RETURNING id`, email+"@"+p.Slug+".test", hash)
		q(`INSERT INTO memberships (tenant_id, user_id, roles, client_org_id) VALUES ($1, $2, ARRAY[$3::text], nullif($4, '')::uuid) RETURNING user_id`, p.TenantID, uid, role, org)
		return uid
	}
	p.Admin = member("admin", "admin", "")
	p.Coach = member("coach", "coach", "")
	p.Sponsor = member("hr", "sponsor", p.OrgID)
	p.OtherSponsor = member("other-hr", "sponsor", p.OtherOrgID)

	base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	sums := map[string][2]float64{}
	add := func(key string, engaged bool, v float64) {
		s := sums[key]
		if engaged {
			s[0]++
		}
		s[1] += v
		sums[key] = s
	}
	for i := range n {
		phase := programmePhases[i%5]
		created := base.Add(time.Duration(i) * day)
		changed := created.Add(time.Duration(100+i) * day)
		coachee := member(fmt.Sprintf("coachee%d", i), "coachee", p.OrgID)
		e := q(`INSERT INTO engagements (tenant_id, title, client_org_id, phase, created_at, phase_changed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			p.TenantID, fmt.Sprintf("E%d", i), p.OrgID, phase, created, changed)
		for _, pt := range [][2]string{{p.Coach, "coach"}, {coachee, "coachee"}, {p.Sponsor, "sponsor"}} {
			q(`INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part) VALUES ($1, $2, $3, $4) RETURNING part`, p.TenantID, e, pt[0], pt[1])
		}
		theme := fmt.Sprintf("Thème %02d", i)
		q(`INSERT INTO requests (tenant_id, engagement_id, level, body) VALUES ($1, $2, 'company', $3), ($1, $2, 'coachee', $4) RETURNING level`,
			p.TenantID, e, theme, Secret)
		p.Themes = append(p.Themes, theme)
		facts := insideFacts{closed: phase == "clos", closing: changed, sessions: map[int]*[4]float64{}, evals: map[string][]string{}}
		p.inside = append(p.inside, facts)
		p.Expected["engagements/total"] = [2]float64{float64(n), float64(n)}
		ph := p.Expected["phase/"+phase]
		p.Expected["phase/"+phase] = [2]float64{ph[0] + 1, ph[1] + 1}
		if phase == "cadrage" {
			continue
		}
		cadrage := 10 + i%7
		q(`INSERT INTO events (tenant_id, engagement_id, subject_id, kind, at, data) VALUES ($1, $2, $2, 'phase.moved', $3, '{"from": "cadrage", "to": "accompagnement"}') RETURNING kind`,
			p.TenantID, e, created.Add(time.Duration(cadrage)*day))
		add("duration/cadrage", true, float64(cadrage))
		if phase == "clos" {
			add("duration/engagement", true, float64(100+i))
			reco := fmt.Sprintf("Recommandation %02d", i)
			q(`INSERT INTO recommendations (tenant_id, engagement_id, body, carrier) VALUES ($1, $2, $3, 'hr'), ($1, $2, $4, 'coachee') RETURNING carrier`,
				p.TenantID, e, reco, Secret)
			p.Recos = append(p.Recos, reco)
		}
		planned, held := 6+i%3, i%4+1
		q(`INSERT INTO contracts (tenant_id, engagement_id, sessions_planned) VALUES ($1, $2, $3) RETURNING engagement_id`, p.TenantID, e, planned)
		add("sessions/contracted", true, float64(planned))
		add("sessions/held", true, float64(held))
		for j := 1; j <= held; j++ {
			at := created.Add(time.Duration(20+10*j) * day)
			sid := q(`INSERT INTO coaching_sessions (tenant_id, engagement_id, number, scheduled_at, minutes, status) VALUES ($1, $2, $3, $4, 90, 'held') RETURNING id`,
				p.TenantID, e, j, at)
			q(`INSERT INTO session_contents (tenant_id, session_id, engagement_id, analysis) VALUES ($1, $2, $3, $4) RETURNING analysis`, p.TenantID, sid, e, Secret)
			q(`INSERT INTO private_notes (tenant_id, session_id, author_id, engagement_id, body) VALUES ($1, $2, $3, $4, $5) RETURNING body`, p.TenantID, sid, p.Coach, e, Secret)
			act := q(`INSERT INTO actions (tenant_id, engagement_id, session_id, title, created_by, created_at) VALUES ($1, $2, $3, 'Plan', $4, $5) RETURNING id`,
				p.TenantID, e, sid, p.Coach, at)
			q(`INSERT INTO journal_entries (tenant_id, action_id, engagement_id, did) VALUES ($1, $2, $3, $4) RETURNING did`, p.TenantID, act, e, Secret)
			s := &[4]float64{1, 0, 0, 0} // actions, the coachee's own, the coach's rating, hers
			facts.sessions[j] = s
			if i%2 == 1 {
				q(`INSERT INTO actions (tenant_id, engagement_id, title, created_by, created_at) VALUES ($1, $2, 'Mine', $3, $4) RETURNING id`,
					p.TenantID, e, coachee, at.Add(day))
				s[0]++
				s[1]++
			}
			cs, es := (i+j)%5+1, (i+2*j)%5+1
			q(`INSERT INTO autonomy_ratings (tenant_id, session_id, part, engagement_id, score) VALUES ($1, $2, 'coach', $3, $4), ($1, $2, 'coachee', $3, $5) RETURNING part`,
				p.TenantID, sid, e, cs, es)
			s[2], s[3] = float64(cs), float64(es)
		}
		if phase == "accompagnement" {
			continue
		}
		obj := q(`INSERT INTO objectives (tenant_id, engagement_id, position, title) VALUES ($1, $2, 1, 'O') RETURNING id`, p.TenantID, e)
		for x := range 2 {
			ind := q(`INSERT INTO indicators (tenant_id, engagement_id, objective_id, position, kind, description) VALUES ($1, $2, $3, $4, 'observable', 'I') RETURNING id`,
				p.TenantID, e, obj, x)
			for side, a := range map[string]string{"coach": assessments[(i+x)%3], "coachee": assessments[(i+2*x+1)%3]} {
				q(`INSERT INTO evaluations (tenant_id, indicator_id, part, engagement_id, assessment, evidence) VALUES ($1, $2, $3, $4, $5, $6) RETURNING part`,
					p.TenantID, ind, side, e, a, Secret)
				facts.evals[side] = append(facts.evals[side], a)
			}
		}
	}
	for key, s := range sums {
		switch key {
		case "duration/cadrage", "duration/engagement":
			p.Expected[key] = [2]float64{s[0], round1(s[1] / s[0])}
		case "sessions/contracted", "sessions/held":
			p.Expected[key] = s
		}
	}
	return p
}

var assessments = []string{"reached", "partly", "not_reached"}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
