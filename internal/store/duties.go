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
// where the person has a part ($4: one engagement's id, or ” for all). The
// per-engagement figures come from the engagement's summary row, kept by the
// writes (migration 00018); what depends on the clock is judged here against
// $3, what depends on the person ($2) is asked of its own small index. The
// rules stay in internal/domain; this only gathers. One engagement ($4) is
// chosen among the person's parts first: the request pool plans generically,
// so a filter left to the end would gather every engagement's facts.
//
// The summary counts what the owner sees; the person's part narrows it as
// row-level security used to: a sponsor sees only the shared actions and
// their journal, no evaluation and no comment.
const dutyFactsQuery = `WITH me AS (` + myEngagements + ` AND ($4 = '' OR engagement_id::text = $4))
SELECT e.id, e.title, e.phase, me.part, e.coach_willing_at IS NOT NULL, e.coachee_willing_at IS NOT NULL,
	s.framing_at, s.framing_held, s.requests_written, s.requests_validated, e.coherence_ok, s.indicators_per_objective,
	c.approach, c.sessions_planned, c.session_minutes, c.start_date::timestamptz, c.end_date::timestamptz, c.confidentiality,
	s.synthesis_n, s.synthesis_parts,
	EXISTS (SELECT 1 FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = s.synthesis_n AND x.user_id = $2),
	s.synthesis_comments, s.open_requests, s.newest_request,
	s.held, EXISTS (SELECT 1 FROM unnest(s.planned_at) x WHERE x > $3), s.last_held,
	rec.ids, rec.numbers, rec.at,
	CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_ids WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_ids ELSE '{}' END,
	CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_numbers WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_numbers ELSE '{}' END,
	CASE WHEN me.part = 'coachee' THEN s.unrated_coachee_at WHEN me.part IN ('coach', 'cocoach') THEN s.unrated_coach_at ELSE '{}' END,
	CASE WHEN me.part = 'sponsor' THEN s.shared_journal ELSE s.unanswered_journal END,
	CASE WHEN me.part = 'sponsor' THEN s.shared_open_actions ELSE s.open_actions END,
	(CASE WHEN me.part = 'sponsor' THEN s.shared_next_due ELSE s.next_due END)::timestamptz,
	s.indicators, CASE WHEN me.part = 'sponsor' THEN 0 ELSE s.assessed_coach END, CASE WHEN me.part = 'sponsor' THEN 0 ELSE s.assessed_coachee END,
	s.final_at, s.final_held, s.coachee_synthesis,
	EXISTS (SELECT 1 FROM sponsor_feedback sf WHERE sf.tenant_id = e.tenant_id AND sf.engagement_id = e.id AND sf.author_id = $2 AND sf.body <> ''),
	s.report_n, s.report_parts,
	EXISTS (SELECT 1 FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = s.report_n AND x.user_id = $2)
FROM engagements e JOIN me ON me.engagement_id = e.id
JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
JOIN engagement_summaries s ON s.tenant_id = e.tenant_id AND s.engagement_id = e.id
CROSS JOIN LATERAL (SELECT coalesce(array_agg(p.id ORDER BY p.n), '{}') AS ids, coalesce(array_agg(p.n ORDER BY p.n), '{}') AS numbers,
	coalesce(array_agg(p.at ORDER BY p.n), '{}') AS at
	FROM unnest(s.planned_ids, s.planned_numbers, s.planned_at) AS p(id, n, at) WHERE p.at <= $3) rec
WHERE e.tenant_id = $1 AND e.phase IN ('cadrage', 'accompagnement', 'bouclage')
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
	f.ContractStart, f.ContractEnd, f.FramingAt, f.FinalAt, f.LastHeld, f.NextActionDue = at(c.Start), at(c.End), at(framingAt), at(finalAt), at(lastHeld), at(nextDue)
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
