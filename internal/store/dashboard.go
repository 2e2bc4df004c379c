package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// DashEngagement is an engagement as a dashboard shows it.
type DashEngagement struct {
	ID, Title, Other string // Other: the coachee (for coaches and sponsors)
	Phase            domain.Phase
	NextMeeting      *time.Time
	Held, Planned    int
	GateOpen         bool
}

// Waiting is something waiting on the signed-in person in one engagement.
type Waiting struct {
	EngagementID, Title string
	Kind                string // validate_synthesis, validate_report, schedule_meeting, read_journal, move_phase
	Number              int
}

// Meeting on a dashboard's agenda.
type AgendaItem struct {
	EngagementID, Title, Kind string
	At                        time.Time
	Number                    int
}

// Dashboard is what a person's home page of a workspace shows.
type Dashboard struct {
	Engagements []DashEngagement
	Waiting     []Waiting
	Agenda      []AgendaItem // the coming week's meetings
	OpenActions []Action     // the coachee's
	ActionEng   map[string]string
	// Admin's view.
	Members      map[domain.Role]int
	ByPhase      []PhaseCount
	Invitations  []Invitation
	Orgs         []ClientOrg
	EngagementsN int
}

// PhaseCount is a count of engagements in a phase for one coach.
type PhaseCount struct {
	Coach string
	Phase domain.Phase
	N     int
}

// myEngagements is the set of engagements the person takes part in, with a part.
const myEngagements = `SELECT engagement_id, part FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2`

// Dashboard loads a person's dashboard in one transaction and one round trip,
// whatever the number of engagements: every list is one query of the batch.
func (s *Store) Dashboard(ctx context.Context, sc Scope, role domain.Role, now time.Time) (*Dashboard, error) {
	d := &Dashboard{ActionEng: map[string]string{}, Members: map[domain.Role]int{}}
	t, u := sc.TenantID, sc.UserID
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		// 1. My engagements, with the next meeting and the contract's progress.
		b.Queue(`WITH mine AS (`+myEngagements+`)
			SELECT e.id, e.title, coalesce(cu.name, ''), e.phase,
			CASE WHEN e.phase IN ('cadrage', 'accompagnement', 'bouclage') THEN
				least(ss.next, (SELECT min(scheduled_at) FROM meetings m WHERE m.tenant_id = e.tenant_id AND m.engagement_id = e.id AND NOT m.held AND m.scheduled_at >= $3))
			END,
			ss.held, coalesce(c.sessions_planned, 0)
			FROM engagements e JOIN mine ON mine.engagement_id = e.id
			LEFT JOIN engagement_parties cp ON cp.tenant_id = e.tenant_id AND cp.engagement_id = e.id AND cp.part = 'coachee'
			LEFT JOIN users cu ON cu.id = cp.user_id
			LEFT JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
			CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE s.status = 'held') AS held,
				min(s.scheduled_at) FILTER (WHERE s.status = 'planned' AND s.scheduled_at >= $3) AS next
				FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id) ss
			WHERE e.tenant_id = $1
			ORDER BY array_position(ARRAY['cadrage','accompagnement','bouclage','clos','interrompu'], e.phase), e.title LIMIT 200`, t, u, now)
		// 2. Documents waiting for my validation: the current version of the
		// synthesis and of the report, in open engagements, not validated by me.
		b.Queue(`WITH mine AS (`+myEngagements+`)
			SELECT e.id, e.title, 'validate_' || d.doc, d.number FROM mine
			JOIN engagements e ON e.tenant_id = $1 AND e.id = mine.engagement_id
			CROSS JOIN LATERAL (
				SELECT 'synthesis' AS doc, (SELECT max(v.number) FROM synthesis_versions v WHERE v.tenant_id = $1 AND v.engagement_id = e.id) AS number
				WHERE e.phase = 'cadrage'
				UNION ALL
				SELECT 'report', (SELECT max(v.number) FROM report_versions v WHERE v.tenant_id = $1 AND v.engagement_id = e.id)
				WHERE e.phase = 'bouclage') d
			WHERE d.number IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM synthesis_validations sv WHERE d.doc = 'synthesis' AND sv.tenant_id = $1 AND sv.engagement_id = e.id AND sv.number = d.number AND sv.user_id = $2)
			  AND NOT EXISTS (SELECT 1 FROM report_validations rv WHERE d.doc = 'report' AND rv.tenant_id = $1 AND rv.engagement_id = e.id AND rv.number = d.number AND rv.user_id = $2)
			UNION ALL
			-- Meeting requests waiting to be scheduled (for the coaches).
			-- Numbered by the day of the newest open request, so that a new request
			-- is a new reminder.
			SELECT e.id, e.title, 'schedule_meeting', (extract(epoch FROM max(q.created_at)) / 86400)::int FROM meeting_requests q
			JOIN mine ON mine.engagement_id = q.engagement_id AND mine.part IN ('coach', 'cocoach')
			JOIN engagements e ON e.tenant_id = $1 AND e.id = q.engagement_id
			WHERE q.tenant_id = $1 AND q.meeting_id IS NULL AND e.phase IN ('cadrage', 'accompagnement', 'bouclage')
			GROUP BY e.id, e.title
			UNION ALL
			-- Journal entries the coach has not answered: newer than their last
			-- comment on the action, engagement by engagement.
			SELECT e.id, e.title, 'read_journal', n.count::int FROM mine
			JOIN engagements e ON e.tenant_id = $1 AND e.id = mine.engagement_id
			CROSS JOIN LATERAL (SELECT count(*) FROM journal_entries j
				LEFT JOIN (SELECT c.action_id, max(c.at) AS last FROM action_comments c WHERE c.tenant_id = $1 AND c.engagement_id = e.id
				           GROUP BY c.action_id) lc ON lc.action_id = j.action_id
				WHERE j.tenant_id = $1 AND j.engagement_id = e.id AND j.at > coalesce(lc.last, '-infinity')) n
			WHERE mine.part IN ('coach', 'cocoach') AND e.phase IN ('accompagnement', 'bouclage') AND n.count > 0
			ORDER BY 2`, t, u)
		// 3. The coming week's meetings: sessions and three-way meetings.
		b.Queue(`WITH mine AS (`+myEngagements+`)
			SELECT e.id, e.title, 'session', s.scheduled_at, s.number FROM coaching_sessions s
			JOIN mine ON mine.engagement_id = s.engagement_id AND mine.part <> 'sponsor'
			JOIN engagements e ON e.tenant_id = $1 AND e.id = s.engagement_id
			WHERE s.tenant_id = $1 AND s.status = 'planned' AND s.scheduled_at BETWEEN $3 AND $3 + interval '7 days'
			UNION ALL
			SELECT e.id, e.title, m.kind, m.scheduled_at, 0 FROM meetings m
			JOIN mine ON mine.engagement_id = m.engagement_id
			JOIN engagements e ON e.tenant_id = $1 AND e.id = m.engagement_id
			WHERE m.tenant_id = $1 AND NOT m.held AND m.scheduled_at BETWEEN $3 AND $3 + interval '7 days'
			ORDER BY 4`, t, u, now)
		// 4. The coachee's open actions, overdue first (row-level security keeps
		// them to the coachee's own engagements).
		b.Queue(actionSelect+` JOIN engagement_parties me ON me.tenant_id = a.tenant_id AND me.engagement_id = a.engagement_id AND me.user_id = $2 AND me.part = 'coachee'
			WHERE a.tenant_id = $1 AND a.status IN ('todo', 'in_progress') ORDER BY a.due_date NULLS LAST LIMIT 50`, t, u)
		b.Queue(`SELECT a.id, a.engagement_id FROM actions a JOIN engagement_parties me ON me.tenant_id = a.tenant_id AND me.engagement_id = a.engagement_id
			AND me.user_id = $2 AND me.part = 'coachee' WHERE a.tenant_id = $1 AND a.status IN ('todo', 'in_progress') LIMIT 50`, t, u)
		// 6. For the engagements I coach in cadrage, the facts the gate judges.
		b.Queue(`SELECT e.id, e.title, e.coach_willing_at IS NOT NULL, e.coachee_willing_at IS NOT NULL,
			coalesce((SELECT held FROM meetings m WHERE m.tenant_id = e.tenant_id AND m.engagement_id = e.id AND m.kind = 'framing'), false),
			(SELECT coalesce(array_agg(r.body <> '' ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id),
			(SELECT coalesce(array_agg(r.validated_at IS NOT NULL ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id),
			e.coherence_ok,
			(SELECT coalesce(array_agg((SELECT count(*) FROM indicators i WHERE i.tenant_id = o.tenant_id AND i.objective_id = o.id)::int ORDER BY o.position), '{}')
			 FROM objectives o WHERE o.tenant_id = e.tenant_id AND o.engagement_id = e.id),
			c.approach, c.sessions_planned, c.session_minutes, c.start_date::timestamptz, c.end_date::timestamptz, c.confidentiality,
			coalesce((SELECT max(number) FROM synthesis_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id), 0),
			(SELECT coalesce(array_agg(DISTINCT sv.part), '{}') FROM synthesis_validations sv WHERE sv.tenant_id = e.tenant_id AND sv.engagement_id = e.id
			   AND sv.number = (SELECT max(number) FROM synthesis_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id))
			FROM engagements e JOIN engagement_parties me ON me.tenant_id = e.tenant_id AND me.engagement_id = e.id AND me.user_id = $2 AND me.part IN ('coach', 'cocoach')
			JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
			WHERE e.tenant_id = $1 AND e.phase = 'cadrage'`, t, u)
		if role == domain.RoleAdmin {
			queueAdmin(b, t)
		}
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		if d.Engagements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (DashEngagement, error) {
			var e DashEngagement
			return e, r.Scan(&e.ID, &e.Title, &e.Other, &e.Phase, &e.NextMeeting, &e.Held, &e.Planned)
		}); err != nil {
			return dbError("dashboard engagements", err)
		}
		rows, _ = br.Query()
		if d.Waiting, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Waiting]); err != nil {
			return dbError("dashboard waiting", err)
		}
		rows, _ = br.Query()
		if d.Agenda, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (AgendaItem, error) {
			var a AgendaItem
			return a, r.Scan(&a.EngagementID, &a.Title, &a.Kind, &a.At, &a.Number)
		}); err != nil {
			return dbError("dashboard agenda", err)
		}
		rows, _ = br.Query()
		if d.OpenActions, err = pgx.CollectRows(rows, scanAction); err != nil {
			return dbError("dashboard actions", err)
		}
		rows, _ = br.Query()
		pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
			var p [2]string
			return p, r.Scan(&p[0], &p[1])
		})
		if err != nil {
			return dbError("dashboard action engagements", err)
		}
		for _, p := range pairs {
			d.ActionEng[p[0]] = p[1]
		}
		rows, _ = br.Query()
		gates, err := pgx.CollectRows(rows, scanGateFacts)
		if err != nil {
			return dbError("dashboard gates", err)
		}
		for _, g := range gates {
			if len(domain.Missing(domain.CadrageGate(g.state))) == 0 {
				d.Waiting = append(d.Waiting, Waiting{EngagementID: g.id, Title: g.title, Kind: "move_phase"})
			}
			for i := range d.Engagements {
				if d.Engagements[i].ID == g.id {
					d.Engagements[i].GateOpen = len(domain.Missing(domain.CadrageGate(g.state))) == 0
				}
			}
		}
		if role == domain.RoleAdmin {
			return readAdmin(br, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// queueAdmin and readAdmin add the workspace admin's figures: members,
// organisations, engagements by phase and coach, pending invitations. Metadata
// only, in the same round trip as the rest of the dashboard.
func queueAdmin(b *pgx.Batch, t string) {
	b.Queue(`SELECT role, count(*) FROM memberships WHERE tenant_id = $1 GROUP BY role`, t)
	b.Queue(`SELECT coalesce(u.name, ''), e.phase, count(*) FROM engagements e
		LEFT JOIN engagement_parties p ON p.tenant_id = e.tenant_id AND p.engagement_id = e.id AND p.part = 'coach'
		LEFT JOIN users u ON u.id = p.user_id WHERE e.tenant_id = $1 GROUP BY u.name, e.phase
		ORDER BY u.name, array_position(ARRAY['cadrage','accompagnement','bouclage','clos','interrompu'], e.phase)`, t)
	b.Queue(`SELECT id, email, name, role, coalesce(client_org_id::text, ''), expires_at, accepted_at FROM invitations
		WHERE tenant_id = $1 AND accepted_at IS NULL AND expires_at > now() ORDER BY created_at DESC LIMIT 20`, t)
	b.Queue(`SELECT o.id, o.name, count(m.user_id) FROM client_orgs o LEFT JOIN memberships m ON m.tenant_id = o.tenant_id AND m.client_org_id = o.id
		WHERE o.tenant_id = $1 GROUP BY o.id, o.name ORDER BY o.name LIMIT 50`, t)
}

func readAdmin(br pgx.BatchResults, d *Dashboard) error {
	rows, _ := br.Query()
	counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PhaseCount, error) {
		var c PhaseCount
		var role string
		err := r.Scan(&role, &c.N)
		c.Coach = role
		return c, err
	})
	if err != nil {
		return dbError("admin members", err)
	}
	for _, c := range counts {
		d.Members[domain.Role(c.Coach)] = c.N
	}
	rows, _ = br.Query()
	if d.ByPhase, err = pgx.CollectRows(rows, pgx.RowToStructByPos[PhaseCount]); err != nil {
		return dbError("admin phases", err)
	}
	for _, c := range d.ByPhase {
		d.EngagementsN += c.N
	}
	rows, _ = br.Query()
	if d.Invitations, err = pgx.CollectRows(rows, scanInvitation); err != nil {
		return dbError("admin invitations", err)
	}
	rows, _ = br.Query()
	d.Orgs, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ClientOrg])
	return dbError("admin orgs", err)
}

type gateFacts struct {
	id, title string
	state     domain.CadrageState
}

// scanGateFacts builds, from one row of facts, the snapshot that the phase rules
// judge: the rules stay in internal/domain, the dashboard only gathers facts.
func scanGateFacts(r pgx.CollectableRow) (gateFacts, error) {
	var g gateFacts
	var written, validated []bool
	var c Contract
	var parts []string
	st := &g.state
	err := r.Scan(&g.id, &g.title, &st.CoachWilling, &st.CoacheeWilling, &st.FramingHeld, &written, &validated, &st.Coherent,
		&st.IndicatorsPerObjective, &c.Approach, &c.SessionsPlanned, &c.SessionMin, &c.Start, &c.End, &c.Confidentiality,
		&st.Synthesis.Current, &parts)
	if err != nil {
		return g, err
	}
	// Requests come ordered by level: coachee, company.
	if len(written) == 2 && len(validated) == 2 {
		st.CoacheeRequest = domain.RequestState{Written: written[0], Validated: validated[0]}
		st.CompanyRequest = domain.RequestState{Written: written[1], Validated: validated[1]}
	}
	st.ContractComplete = c.Complete()
	for _, p := range parts {
		st.Synthesis.Record(domain.Part(p))
	}
	return g, nil
}
