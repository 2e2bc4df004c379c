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

// dashboardRowQuery reads the person's engagements from my_dashboard
// (migration 00027): one row per engagement where the person has a part, with
// what the dashboard lists and, where has_facts (open, with its contract), the
// facts the duty rules judge. The per-engagement figures come from the
// engagement's summary row, kept by the writes (migration 00018); the view
// narrows what a sponsor counts (shared actions and their journal, no
// evaluation, no rating) as row-level security does. What depends on the
// clock (which planned sessions are past) is judged in Go by scanDashboardRow.
// The rules stay in internal/domain; this only gathers.
const dashboardRowQuery = `SELECT f.id, f.title, f.coachee, f.phase, f.part,
	f.planned_ids, f.planned_numbers, f.planned_at, f.meetings_open_at, f.meetings_open_kinds, f.held, f.last_held, f.has_facts,
	f.coach_willing, f.coachee_willing, f.framing_at, f.framing_held, f.requests_written, f.requests_validated, f.coherence_ok,
	f.indicators_per_objective, f.approach, f.sessions_planned, f.session_minutes, f.start_date, f.end_date, f.confidentiality,
	f.synthesis_n, f.synthesis_parts, f.my_synthesis, f.synthesis_comments, f.open_requests, f.newest_request,
	f.unrated_id, f.unrated_number, f.unanswered_journal, f.open_actions, f.next_due, f.indicators, f.assessed_coach, f.assessed_coachee,
	f.final_at, f.final_held, f.coachee_synthesis, f.my_feedback, f.report_n, f.report_parts, f.my_report
FROM my_dashboard f`

// queueDutyFacts queues the facts of the person's open engagements, or of one
// (engagementID): its condition reaches the view's first join.
func queueDutyFacts(b *pgx.Batch, engagementID string) {
	if engagementID == "" {
		b.Queue(dashboardRowQuery + ` WHERE f.has_facts ORDER BY f.title, f.id LIMIT 200`)
		return
	}
	b.Queue(dashboardRowQuery+` WHERE f.has_facts AND f.id = $1`, engagementID)
}

func readDutyFacts(br pgx.BatchResults, now time.Time) ([]PartFacts, error) {
	rows, _ := br.Query()
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PartFacts, error) {
		row, err := scanDashboardRow(r, now)
		return row.facts, err
	})
	return out, dbError("duty facts", err)
}

// DutyFacts gathers the facts of the person's open engagements (or of one).
func (s *Store) DutyFacts(ctx context.Context, sc Scope, now time.Time, engagementID string) ([]PartFacts, error) {
	if engagementID != "" && !validUUID(engagementID) { // no such engagement, rather than a database error
		return nil, nil
	}
	var out []PartFacts
	err := s.View(ctx, sc, func(b *pgx.Batch) { queueDutyFacts(b, engagementID) }, func(br pgx.BatchResults) error {
		var err error
		out, err = readDutyFacts(br, now)
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

// dashboardRow is a row of dashboardRowQuery: an engagement of the person as
// the dashboard lists it, the dates of what is planned in it, and the facts
// its duties are judged on (hasFacts: open, with its contract).
type dashboardRow struct {
	DashEngagement
	part                  domain.Part
	plannedAt, meetingsAt []time.Time
	plannedN              []int
	meetingKinds          []string
	hasFacts              bool
	facts                 PartFacts
}

// scanDashboardRow reads one row of dashboardRowQuery, judging its planned
// sessions against now.
func scanDashboardRow(r pgx.CollectableRow, now time.Time) (dashboardRow, error) {
	var (
		d                          dashboardRow
		written, validated         []bool
		c                          Contract
		synParts, repParts         []string
		framingAt, finalAt, newest *time.Time
		lastHeld, nextDue          *time.Time
		plannedIDs                 []string
		rateID                     *string
		rateN                      *int
		part                       string
	)
	e, p := &d.DashEngagement, &d.facts
	f := &p.EngagementFacts
	st := &f.Cadrage
	err := r.Scan(&e.ID, &e.Title, &e.Other, &e.Phase, &part,
		&plannedIDs, &d.plannedN, &d.plannedAt, &d.meetingsAt, &d.meetingKinds, &e.Held, &lastHeld, &d.hasFacts,
		&st.CoachWilling, &st.CoacheeWilling, &framingAt, &st.FramingHeld, &written, &validated, &st.Coherent,
		&st.IndicatorsPerObjective, &c.Approach, &c.SessionsPlanned, &c.SessionMin, &c.Start, &c.End, &c.Confidentiality,
		&st.Synthesis.Current, &synParts, &f.MySynthesis, &f.SynthesisComments, &f.OpenRequests, &newest,
		&rateID, &rateN, &f.UnansweredJournal, &f.OpenActions, &nextDue, &f.Indicators, &f.AssessedByCoach, &f.AssessedByCoachee,
		&finalAt, &f.FinalHeld, &f.CoacheeSynthesis, &f.MyFeedback, &f.Report.Current, &repParts, &f.MyReport)
	if err != nil {
		return d, err
	}
	d.part, p.Part = domain.Part(part), domain.Part(part)
	f.ID, f.Title, f.Phase, f.SessionsHeld = e.ID, e.Title, e.Phase, e.Held
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
	e.Planned = f.SessionsPlanned
	f.ContractStart, f.ContractEnd, f.FramingAt, f.FinalAt, f.LastHeld, f.NextActionDue = at(c.Start), at(c.End), at(framingAt), at(finalAt), at(lastHeld), at(nextDue)
	f.NewestRequest = at(newest)
	f.NextBooked, f.ToRecord = plannedFacts(plannedIDs, d.plannedN, d.plannedAt, now)
	if rateID != nil && rateN != nil {
		f.ToRate = domain.SessionRef{ID: *rateID, Number: *rateN}
	}
	return d, nil
}

// plannedFacts judges the planned sessions (by number) against now: whether
// one is still to come, and those whose date has passed without being
// recorded.
func plannedFacts(ids []string, numbers []int, at []time.Time, now time.Time) (nextBooked bool, toRecord []domain.SessionRef) {
	for i := range min(len(ids), len(numbers), len(at)) {
		if at[i].After(now) {
			nextBooked = true
			continue
		}
		toRecord = append(toRecord, domain.SessionRef{ID: ids[i], Number: numbers[i], At: at[i]})
	}
	return nextBooked, toRecord
}

func at(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
