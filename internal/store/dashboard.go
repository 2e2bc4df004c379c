package store

import (
	"context"
	"slices"
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
	domain.Duty
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
	// A sponsor's view: the programmes they may open.
	Programmes []ClientOrg
}

// PhaseCount is a count of engagements in a phase for one coach.
type PhaseCount struct {
	Coach string
	Phase domain.Phase
	N     int
}

// Dashboard loads a person's dashboard in one transaction and one round trip,
// whatever the number of engagements: every list is one query of the batch.
func (s *Store) Dashboard(ctx context.Context, sc Scope, roles domain.RoleSet, now time.Time) (*Dashboard, error) {
	d := &Dashboard{ActionEng: map[string]string{}, Members: map[domain.Role]int{}}
	t, u := sc.TenantID, sc.UserID
	var facts []PartFacts
	// A sponsor who does not see the whole workspace is shown the way to
	// their organisation's programme.
	programmes := domain.Can(roles, domain.SeeProgramme) && !domain.Can(roles, domain.SeeAllEngagements)
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		// 1. My engagements from their summary rows (the view of my parts:
		// migration 00027), with the dates of what is planned (the next
		// meeting and the coming week's agenda are judged from them below)
		// and, for the open ones, the facts of what waits on me, judged by
		// domain.Duties: what waits is listed in the list's order. Open
		// engagements come first: a long history of closed ones is what the
		// limit leaves out.
		b.Queue(dashboardRowQuery+` ORDER BY array_position(ARRAY['cadrage','accompagnement','bouclage','clos','interrompu'], f.phase), f.title, f.id LIMIT $1`, dashboardRows)
		// 3. The coachee's open actions, overdue first (row-level security keeps
		// them to the coachee's own engagements). Only a coachee of the
		// workspace can be one in an engagement (a trigger holds it).
		if roles.Has(domain.RoleCoachee) {
			b.Queue(actionSelect+` JOIN engagement_parties me ON me.tenant_id = a.tenant_id AND me.engagement_id = a.engagement_id AND me.user_id = $2 AND me.part = 'coachee'
				WHERE a.tenant_id = $1 AND a.status IN ('todo', 'in_progress') `+openActionsFifty, t, u)
			b.Queue(`SELECT a.id, a.engagement_id FROM actions a JOIN engagement_parties me ON me.tenant_id = a.tenant_id AND me.engagement_id = a.engagement_id
				AND me.user_id = $2 AND me.part = 'coachee' WHERE a.tenant_id = $1 AND a.status IN ('todo', 'in_progress') `+openActionsFifty, t, u)
		}
		if roles.Has(domain.RoleAdmin) {
			queueAdmin(b, t)
		}
		if programmes {
			queueProgrammeOrgs(b, t)
		}
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		mine, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dashboardRow, error) { return scanDashboardRow(r, now) })
		if err != nil {
			return dbError("dashboard engagements", err)
		}
		d.engagementsFrom(mine, now)
		for _, m := range mine {
			if m.hasFacts {
				facts = append(facts, m.facts)
			}
		}
		if roles.Has(domain.RoleCoachee) {
			if err := d.readOpenActions(br); err != nil {
				return err
			}
		}
		if roles.Has(domain.RoleAdmin) {
			if err := readAdmin(br, d); err != nil {
				return err
			}
		}
		if programmes {
			d.Programmes, err = readProgrammeOrgs(br)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.markDrift(ctx, sc, facts); err != nil {
		return nil, err
	}
	d.waitingFrom(facts, now)
	return d, nil
}

// dashboardRows is how many engagements the dashboard lists.
const dashboardRows = 200

// engagementsFrom lists the person's engagements with their next meeting,
// and the coming week's meetings (a week from now, both ends included): the
// sessions, but not for a sponsor, and the three-way meetings.
func (d *Dashboard) engagementsFrom(mine []dashboardRow, now time.Time) {
	week := now.Add(7 * 24 * time.Hour)
	within := func(t time.Time) bool { return !t.Before(now) && !t.After(week) }
	for _, m := range mine {
		e := m.DashEngagement
		if m.Phase.Open() {
			for _, t := range append(slices.Clip(m.plannedAt), m.meetingsAt...) {
				if !t.Before(now) && (e.NextMeeting == nil || t.Before(*e.NextMeeting)) {
					e.NextMeeting = &t
				}
			}
		}
		d.Engagements = append(d.Engagements, e)
		for i, t := range m.plannedAt {
			if m.part != domain.PartSponsor && within(t) && i < len(m.plannedN) {
				d.Agenda = append(d.Agenda, AgendaItem{EngagementID: e.ID, Title: e.Title, Kind: "session", At: t, Number: m.plannedN[i]})
			}
		}
		for i, t := range m.meetingsAt {
			if within(t) && i < len(m.meetingKinds) {
				d.Agenda = append(d.Agenda, AgendaItem{EngagementID: e.ID, Title: e.Title, Kind: m.meetingKinds[i], At: t})
			}
		}
	}
	slices.SortStableFunc(d.Agenda, func(a, b AgendaItem) int { return a.At.Compare(b.At) })
}

// openActionsFifty orders and cuts the coachee's open actions on the
// dashboard, in a total order so that its two statements keep the same fifty:
// the earliest due first, then as written (a session's plan in its order).
const openActionsFifty = ` ORDER BY a.due_date NULLS LAST, a.created_at, a.plan_position, a.id LIMIT 50`

// readOpenActions reads the coachee's open actions and their engagements.
func (d *Dashboard) readOpenActions(br pgx.BatchResults) error {
	rows, _ := br.Query()
	var err error
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
	return nil
}

// queueAdmin and readAdmin add the workspace admin's figures: members,
// organisations, engagements by phase and coach, pending invitations. Metadata
// only, in the same round trip as the rest of the dashboard.
func queueAdmin(b *pgx.Batch, t string) {
	b.Queue(`SELECT r, count(*) FROM memberships, unnest(roles) r WHERE tenant_id = $1 GROUP BY r`, t)
	b.Queue(`SELECT coalesce(u.name, ''), e.phase, count(*) FROM engagements e
		LEFT JOIN engagement_parties p ON p.tenant_id = e.tenant_id AND p.engagement_id = e.id AND p.part = 'coach'
		LEFT JOIN users u ON u.id = p.user_id WHERE e.tenant_id = $1 GROUP BY u.name, e.phase
		ORDER BY u.name, array_position(ARRAY['cadrage','accompagnement','bouclage','clos','interrompu'], e.phase)`, t)
	b.Queue(`SELECT id, email, name, role, coalesce(client_org_id::text, ''), expires_at, accepted_at FROM invitations
		WHERE tenant_id = $1 AND accepted_at IS NULL AND expires_at > now() ORDER BY created_at DESC, id LIMIT 20`, t)
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

// waitingFrom lists the person's duties across their engagements, and marks
// the engagements whose gate is open. The engagements' rows must be read first.
func (d *Dashboard) waitingFrom(facts []PartFacts, now time.Time) {
	for _, f := range facts {
		for _, duty := range f.Duties(now) {
			d.Waiting = append(d.Waiting, Waiting{EngagementID: f.ID, Title: f.Title, Duty: duty})
			if duty.Kind == domain.DutyMovePhase {
				for i := range d.Engagements {
					if d.Engagements[i].ID == f.ID {
						d.Engagements[i].GateOpen = true
					}
				}
			}
		}
	}
}
