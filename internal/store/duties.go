package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// PartFacts is one open engagement of the person, their part in it and the
// facts the duty rules judge.
type PartFacts struct {
	Part domain.Part
	domain.EngagementFacts
}

// Duties is what the method asks of the person in it now.
func (p PartFacts) Duties(now time.Time) []domain.Duty {
	return domain.Duties(p.EngagementFacts, p.Part, now)
}

// dutyFactsQuery gathers, in one query, the facts of every open engagement
// where the person has a part ($4: one engagement's id, or ” for all). It
// runs as the person: row-level security counts only what they may see. The
// rules stay in internal/domain; this only gathers.
const dutyFactsQuery = `WITH me AS (` + myEngagements + `)
SELECT e.id, e.title, e.phase, me.part, e.coach_willing_at IS NOT NULL, e.coachee_willing_at IS NOT NULL,
	fm.scheduled_at, coalesce(fm.held, false),
	(SELECT coalesce(array_agg(r.body <> '' ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id),
	(SELECT coalesce(array_agg(r.validated_at IS NOT NULL ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id),
	e.coherence_ok,
	(SELECT coalesce(array_agg((SELECT count(*) FROM indicators i WHERE i.tenant_id = o.tenant_id AND i.objective_id = o.id)::int ORDER BY o.position), '{}')
	 FROM objectives o WHERE o.tenant_id = e.tenant_id AND o.engagement_id = e.id),
	c.approach, c.sessions_planned, c.session_minutes, c.start_date::timestamptz, c.end_date::timestamptz, c.confidentiality,
	coalesce(sv.n, 0),
	(SELECT coalesce(array_agg(DISTINCT x.part), '{}') FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = sv.n),
	EXISTS (SELECT 1 FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = sv.n AND x.user_id = $2),
	(SELECT count(*)::int FROM document_comments dc WHERE dc.tenant_id = e.tenant_id AND dc.engagement_id = e.id AND dc.document = 'synthesis' AND dc.number = sv.n),
	q.open, q.newest,
	ss.held, ss.next_booked, ss.last_held, ss.rec_ids, ss.rec_numbers, ss.rec_at,
	rt.ids, rt.numbers, rt.at,
	coalesce((SELECT count(*)::int FROM journal_entries j
		LEFT JOIN (SELECT ac.action_id, max(ac.at) AS last FROM action_comments ac WHERE ac.tenant_id = e.tenant_id AND ac.engagement_id = e.id
		           GROUP BY ac.action_id) lc ON lc.action_id = j.action_id
		WHERE j.tenant_id = e.tenant_id AND j.engagement_id = e.id AND j.at > coalesce(lc.last, '-infinity')), 0),
	a.open, a.next_due,
	ev.indicators, ev.coach, ev.coachee,
	fin.scheduled_at, coalesce(fin.held, false),
	EXISTS (SELECT 1 FROM coachee_syntheses cs WHERE cs.tenant_id = e.tenant_id AND cs.engagement_id = e.id AND cs.body <> ''),
	EXISTS (SELECT 1 FROM sponsor_feedback sf WHERE sf.tenant_id = e.tenant_id AND sf.engagement_id = e.id AND sf.author_id = $2 AND sf.body <> ''),
	coalesce(rv.n, 0),
	(SELECT coalesce(array_agg(DISTINCT x.part), '{}') FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = rv.n),
	EXISTS (SELECT 1 FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = rv.n AND x.user_id = $2)
FROM engagements e JOIN me ON me.engagement_id = e.id
JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
LEFT JOIN meetings fm ON fm.tenant_id = e.tenant_id AND fm.engagement_id = e.id AND fm.kind = 'framing'
LEFT JOIN meetings fin ON fin.tenant_id = e.tenant_id AND fin.engagement_id = e.id AND fin.kind = 'final'
CROSS JOIN LATERAL (SELECT max(number) AS n FROM synthesis_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id) sv
CROSS JOIN LATERAL (SELECT max(number) AS n FROM report_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id) rv
CROSS JOIN LATERAL (SELECT count(*)::int AS open, max(created_at) AS newest FROM meeting_requests mr
	WHERE mr.tenant_id = e.tenant_id AND mr.engagement_id = e.id AND mr.meeting_id IS NULL) q
CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE s.status = 'held')::int AS held,
	coalesce(bool_or(s.status = 'planned' AND s.scheduled_at > $3), false) AS next_booked,
	max(s.scheduled_at) FILTER (WHERE s.status = 'held') AS last_held,
	coalesce(array_agg(s.id::text ORDER BY s.number) FILTER (WHERE s.status = 'planned' AND s.scheduled_at <= $3), '{}') AS rec_ids,
	coalesce(array_agg(s.number ORDER BY s.number) FILTER (WHERE s.status = 'planned' AND s.scheduled_at <= $3), '{}') AS rec_numbers,
	coalesce(array_agg(s.scheduled_at ORDER BY s.number) FILTER (WHERE s.status = 'planned' AND s.scheduled_at <= $3), '{}') AS rec_at
	FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id) ss
CROSS JOIN LATERAL (SELECT coalesce(array_agg(s.id::text ORDER BY s.number), '{}') AS ids, coalesce(array_agg(s.number ORDER BY s.number), '{}') AS numbers,
	coalesce(array_agg(s.scheduled_at ORDER BY s.number), '{}') AS at
	FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id AND s.status = 'held' AND me.part IN ('coach', 'cocoach', 'coachee')
	AND NOT EXISTS (SELECT 1 FROM autonomy_ratings ar WHERE ar.tenant_id = s.tenant_id AND ar.session_id = s.id
		AND ar.part = CASE me.part WHEN 'cocoach' THEN 'coach' ELSE me.part END)) rt
CROSS JOIN LATERAL (SELECT count(*)::int AS open, min(ac.due_date)::timestamptz AS next_due FROM actions ac
	WHERE ac.tenant_id = e.tenant_id AND ac.engagement_id = e.id AND ac.status IN ('todo', 'in_progress')) a
CROSS JOIN LATERAL (SELECT (SELECT count(*)::int FROM indicators i WHERE i.tenant_id = e.tenant_id AND i.engagement_id = e.id) AS indicators,
	count(*) FILTER (WHERE x.part = 'coach')::int AS coach, count(*) FILTER (WHERE x.part = 'coachee')::int AS coachee
	FROM evaluations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id) ev
WHERE e.tenant_id = $1 AND e.phase IN ('cadrage', 'accompagnement', 'bouclage') AND ($4 = '' OR e.id::text = $4)
ORDER BY e.title LIMIT 200`

func queueDutyFacts(b *pgx.Batch, sc Scope, now time.Time, engagementID string) {
	b.Queue(dutyFactsQuery, sc.TenantID, sc.UserID, now, engagementID)
}

func readDutyFacts(br pgx.BatchResults) ([]PartFacts, error) {
	rows, _ := br.Query()
	out, err := pgx.CollectRows(rows, scanPartFacts)
	return out, dbError("duty facts", err)
}

// DutyFacts gathers the facts of the person's open engagements (or of one).
func (s *Store) DutyFacts(ctx context.Context, sc Scope, now time.Time, engagementID string) ([]PartFacts, error) {
	var out []PartFacts
	err := s.View(ctx, sc, func(b *pgx.Batch) { queueDutyFacts(b, sc, now, engagementID) }, func(br pgx.BatchResults) error {
		var err error
		out, err = readDutyFacts(br)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, s.markDrift(ctx, sc, out)
}

// markDrift sets, for each engagement in cadrage whose current synthesis is
// validated by all three, whether its content changed since: comparing the
// frozen content with the current one needs the content builder, so only
// these engagements (those about to pass the gate) are loaded.
func (s *Store) markDrift(ctx context.Context, sc Scope, facts []PartFacts) error {
	for i := range facts {
		st := &facts[i].Cadrage.Synthesis
		if facts[i].Phase != domain.PhaseCadrage || !st.Validated() {
			continue
		}
		f, err := s.Cadrage(ctx, sc, facts[i].ID)
		if err != nil {
			return err
		}
		st.Drifted = f.Drifted()
	}
	return nil
}

func scanPartFacts(r pgx.CollectableRow) (PartFacts, error) {
	var (
		p                          PartFacts
		written, validated         []bool
		c                          Contract
		synParts, repParts         []string
		framingAt, finalAt, newest *time.Time
		lastHeld, nextDue          *time.Time
		recIDs, rateIDs            []string
		recN, rateN                []int
		recAt, rateAt              []time.Time
		part                       string
	)
	f := &p.EngagementFacts
	st := &f.Cadrage
	err := r.Scan(&f.ID, &f.Title, &f.Phase, &part, &st.CoachWilling, &st.CoacheeWilling, &framingAt, &st.FramingHeld,
		&written, &validated, &st.Coherent, &st.IndicatorsPerObjective,
		&c.Approach, &c.SessionsPlanned, &c.SessionMin, &c.Start, &c.End, &c.Confidentiality,
		&st.Synthesis.Current, &synParts, &f.MySynthesis, &f.SynthesisComments, &f.OpenRequests, &newest,
		&f.SessionsHeld, &f.NextBooked, &lastHeld, &recIDs, &recN, &recAt, &rateIDs, &rateN, &rateAt,
		&f.UnansweredJournal, &f.OpenActions, &nextDue, &f.Indicators, &f.AssessedByCoach, &f.AssessedByCoachee,
		&finalAt, &f.FinalHeld, &f.CoacheeSynthesis, &f.MyFeedback, &f.Report.Current, &repParts, &f.MyReport)
	if err != nil {
		return p, err
	}
	p.Part = domain.Part(part)
	// Requests come ordered by level: coachee, company.
	if len(written) == 2 && len(validated) == 2 {
		st.CoacheeRequest = domain.RequestState{Written: written[0], Validated: validated[0]}
		st.CompanyRequest = domain.RequestState{Written: written[1], Validated: validated[1]}
	}
	st.ContractComplete = c.Complete()
	for _, x := range synParts {
		st.Synthesis.Record(domain.Part(x))
	}
	for _, x := range repParts {
		f.Report.Record(domain.Part(x))
	}
	if c.SessionsPlanned != nil {
		f.SessionsPlanned = *c.SessionsPlanned
	}
	f.ContractEnd, f.FramingAt, f.FinalAt, f.LastHeld, f.NextActionDue = at(c.End), at(framingAt), at(finalAt), at(lastHeld), at(nextDue)
	f.NewestRequest = at(newest)
	for i := range recIDs {
		f.ToRecord = append(f.ToRecord, domain.SessionRef{ID: recIDs[i], Number: recN[i], At: recAt[i]})
	}
	for i := range rateIDs {
		f.ToRate = append(f.ToRate, domain.SessionRef{ID: rateIDs[i], Number: rateN[i], At: rateAt[i]})
	}
	return p, nil
}

func at(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
