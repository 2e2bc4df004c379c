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

// dutyFactsQuery gathers, in one statement, the facts of every open
// engagement where the person has a part. The per-engagement figures come from
// the engagement's summary row, kept by the writes (migration 00018), through
// the view of the person's own parts (my_duty_facts, migration 00020), which
// narrows what a sponsor counts (shared actions and their journal, no
// evaluation, no rating) as row-level security does; what depends on the
// clock is judged here against $1. The rules stay in internal/domain; this
// only gathers.
const dutyFactsQuery = `SELECT f.id, f.title, f.phase, f.part, f.coach_willing, f.coachee_willing,
	f.framing_at, f.framing_held, f.requests_written, f.requests_validated, f.coherence_ok, f.indicators_per_objective,
	f.approach, f.sessions_planned, f.session_minutes, f.start_date, f.end_date, f.confidentiality,
	f.synthesis_n, f.synthesis_parts, f.my_synthesis, f.synthesis_comments, f.open_requests, f.newest_request,
	f.held, EXISTS (SELECT 1 FROM unnest(f.planned_at) x WHERE x > $1), f.last_held,
	rec.ids, rec.numbers, rec.at, f.unrated_ids, f.unrated_numbers, f.unrated_at,
	f.unanswered_journal, f.open_actions, f.next_due, f.indicators, f.assessed_coach, f.assessed_coachee,
	f.final_at, f.final_held, f.coachee_synthesis, f.my_feedback, f.report_n, f.report_parts, f.my_report
FROM my_duty_facts f
CROSS JOIN LATERAL (SELECT coalesce(array_agg(p.id ORDER BY p.n), '{}') AS ids, coalesce(array_agg(p.n ORDER BY p.n), '{}') AS numbers,
	coalesce(array_agg(p.at ORDER BY p.n), '{}') AS at
	FROM unnest(f.planned_ids, f.planned_numbers, f.planned_at) AS p(id, n, at) WHERE p.at <= $1) rec`

// queueDutyFacts queues the facts of the person's open engagements, or of one
// (engagementID): its condition reaches the view's first join.
func queueDutyFacts(b *pgx.Batch, now time.Time, engagementID string) {
	if engagementID == "" {
		b.Queue(dutyFactsQuery+` ORDER BY f.title LIMIT 200`, now)
		return
	}
	b.Queue(dutyFactsQuery+` WHERE f.id = $2`, now, engagementID)
}

func readDutyFacts(br pgx.BatchResults) ([]PartFacts, error) {
	rows, _ := br.Query()
	out, err := pgx.CollectRows(rows, scanPartFacts)
	return out, dbError("duty facts", err)
}

// DutyFacts gathers the facts of the person's open engagements (or of one).
func (s *Store) DutyFacts(ctx context.Context, sc Scope, now time.Time, engagementID string) ([]PartFacts, error) {
	if engagementID != "" && !validUUID(engagementID) { // no such engagement, rather than a database error
		return nil, nil
	}
	var out []PartFacts
	err := s.View(ctx, sc, func(b *pgx.Batch) { queueDutyFacts(b, now, engagementID) }, func(br pgx.BatchResults) error {
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
