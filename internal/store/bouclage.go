package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Evaluation is one party's assessment of one indicator.
type Evaluation struct {
	IndicatorID string
	Part        domain.Part
	Reached     string
	Assessment  string
	Evidence    string
	At          time.Time
}

// Recommendation is a recommendation for making the results last.
type Recommendation struct {
	ID, Body, Carrier, Author string
	Due                       *time.Time
}

// DocComment is a comment on a version of the synthesis or the report.
type DocComment struct {
	Number int
	Author string
	Body   string
	At     time.Time
}

// ClosingFile is everything about the bouclage the viewer may see.
type ClosingFile struct {
	*CadrageFile
	Evaluations      []Evaluation // row-level security leaves them to coach and coachee
	CoacheeSynthesis string
	SynthesisVersion int
	Recommendations  []Recommendation
	Feedback         []Recommendation // Body and Author only
	Final            Meeting
	Reports          []SynthesisVersion // newest first, without content
	Progress         domain.Progress
	// ClosingNote is why the engagement closes short of its contract, as the
	// coach wrote it; row-level security shows it to coach and coachee only.
	ClosingNote string
}

// Closing loads the bouclage of an engagement.
func (s *Store) Closing(ctx context.Context, sc Scope, id string) (*ClosingFile, error) {
	if !validUUID(id) {
		return nil, domain.ErrNotFound
	}
	// The framing, the progress and the bouclage itself: one round trip.
	f := &ClosingFile{CadrageFile: &CadrageFile{Requests: map[domain.RequestLevel]Request{}}}
	var ov SessionsOverview
	t := sc.TenantID
	err := s.view(ctx, sc,
		part{func(b *pgx.Batch) { queueCadrage(b, sc, id) }, func(br pgx.BatchResults) error { return readCadrage(br, f.CadrageFile) }},
		sessionsPart(sc, id, &ov),
		part{func(b *pgx.Batch) {
			b.Queue(`SELECT indicator_id, part, reached, assessment, evidence, at FROM evaluations WHERE tenant_id = $1 AND engagement_id = $2`, t, id)
			b.Queue(`SELECT coalesce((SELECT body FROM coachee_syntheses WHERE tenant_id = $1 AND engagement_id = $2), ''),
				coalesce((SELECT version FROM coachee_syntheses WHERE tenant_id = $1 AND engagement_id = $2), 0)`, t, id)
			b.Queue(`SELECT r.id, r.body, r.carrier, coalesce(u.name, ''), r.due_date::timestamptz FROM recommendations r LEFT JOIN users u ON u.id = r.author_id
				WHERE r.tenant_id = $1 AND r.engagement_id = $2 ORDER BY r.created_at`, t, id)
			b.Queue(`SELECT '', f.body, '', u.name, NULL::timestamptz FROM sponsor_feedback f JOIN users u ON u.id = f.author_id
				WHERE f.tenant_id = $1 AND f.engagement_id = $2 AND f.body <> '' ORDER BY u.name`, t, id)
			b.Queue(`SELECT m.id, m.kind, m.scheduled_at, m.held, m.notes, m.adjustments, m.version,
				coalesce(array_agg(a.user_id::text) FILTER (WHERE a.user_id IS NOT NULL), '{}')
				FROM meetings m LEFT JOIN meeting_attendees a ON a.tenant_id = m.tenant_id AND a.meeting_id = m.id
				WHERE m.tenant_id = $1 AND m.engagement_id = $2 AND m.kind = 'final' GROUP BY m.tenant_id, m.id`, t, id)
			b.Queue(versionsQuery("report"), t, id)
			b.Queue(`SELECT coalesce((SELECT body FROM closing_notes WHERE tenant_id = $1 AND engagement_id = $2), '')`, t, id)
		}, func(br pgx.BatchResults) error {
			rows, _ := br.Query()
			var err error
			if f.Evaluations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Evaluation]); err != nil {
				return dbError("evaluations", err)
			}
			if err := br.QueryRow().Scan(&f.CoacheeSynthesis, &f.SynthesisVersion); err != nil {
				return dbError("coachee synthesis", err)
			}
			rows, _ = br.Query()
			if f.Recommendations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Recommendation]); err != nil {
				return dbError("recommendations", err)
			}
			rows, _ = br.Query()
			if f.Feedback, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Recommendation]); err != nil {
				return dbError("feedback", err)
			}
			m := &f.Final
			switch err := br.QueryRow().Scan(&m.ID, &m.Kind, &m.ScheduledAt, &m.Held, &m.Notes, &m.Adjustments, &m.Version, &m.Attendees); err {
			case nil, pgx.ErrNoRows:
			default:
				return dbError("final meeting", err)
			}
			rows, _ = br.Query()
			if f.Reports, err = pgx.CollectRows(rows, scanVersion); err != nil {
				return dbError("reports", err)
			}
			return dbError("closing note", br.QueryRow().Scan(&f.ClosingNote))
		}})
	if err != nil {
		return nil, err
	}
	f.Progress = ov.Progress
	return f, nil
}

// inBouclage runs fn on an engagement in the bouclage phase.
func (s *Store) inBouclage(ctx context.Context, sc Scope, id string, fn func(tx pgx.Tx) error) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, phase domain.Phase) error {
		if phase != domain.PhaseBouclage {
			return domain.Errorf(domain.EForbidden, "bouclage.not_in_phase")
		}
		return fn(tx)
	})
}

// SaveEvaluation records the coach's or the coachee's own assessment of one of
// the engagement's indicators.
func (s *Store) SaveEvaluation(ctx context.Context, sc Scope, id string, e Evaluation) error {
	return s.SaveEvaluations(ctx, sc, id, []Evaluation{e})
}

// SaveEvaluations records one party's assessments of several indicators at
// once: all of them or, if one indicator is not the engagement's, none.
func (s *Store) SaveEvaluations(ctx context.Context, sc Scope, id string, es []Evaluation) error {
	return s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		for _, e := range es {
			tag, err := tx.Exec(ctx, `INSERT INTO evaluations (tenant_id, indicator_id, part, engagement_id, user_id, reached, assessment, evidence)
			SELECT $1, i.id, $4, i.engagement_id, $5, $6, $7, $8 FROM indicators i WHERE i.tenant_id = $1 AND i.engagement_id = $2 AND i.id::text = $3
			ON CONFLICT (tenant_id, indicator_id, part) DO UPDATE SET reached = EXCLUDED.reached, assessment = EXCLUDED.assessment,
				evidence = EXCLUDED.evidence, user_id = EXCLUDED.user_id, at = now()`,
				sc.TenantID, id, e.IndicatorID, e.Part, sc.UserID, e.Reached, e.Assessment, e.Evidence)
			if err != nil {
				return dbError("evaluation", err)
			}
			if tag.RowsAffected() == 0 {
				return domain.ErrNotFound
			}
		}
		if len(es) == 0 {
			return nil
		}
		return engagementEvent(ctx, tx, sc, id, "evaluation.saved", map[string]any{"part": es[0].Part})
	})
}

// SaveCoacheeSynthesis saves the synthesis the coachee writes; row-level
// security lets nobody else change it.
func (s *Store) SaveCoacheeSynthesis(ctx context.Context, sc Scope, id, body string, version int) error {
	return s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE coachee_syntheses SET body = $3, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND engagement_id = $2 AND version = $4`, sc.TenantID, id, body, version)
		if err != nil {
			return dbError("coachee synthesis", err)
		}
		if tag.RowsAffected() == 0 {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM coachee_syntheses WHERE tenant_id = $1 AND engagement_id = $2`, sc.TenantID, id).Scan(&one)
			if err != nil {
				return dbError("coachee synthesis", err)
			}
			return conflict
		}
		return engagementEvent(ctx, tx, sc, id, "coachee_synthesis.saved", nil)
	})
}

// AddRecommendation adds a recommendation.
func (s *Store) AddRecommendation(ctx context.Context, sc Scope, id string, r Recommendation) error {
	return s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO recommendations (tenant_id, engagement_id, body, carrier, due_date, author_id) VALUES ($1, $2, $3, $4, $5, $6)`,
			sc.TenantID, id, r.Body, r.Carrier, dateOnly(r.Due), sc.UserID); err != nil {
			return dbError("recommendation", err)
		}
		return engagementEvent(ctx, tx, sc, id, "recommendation.added", nil)
	})
}

// DeleteRecommendation removes one of the engagement's recommendations.
func (s *Store) DeleteRecommendation(ctx context.Context, sc Scope, id, rid string) error {
	return s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM recommendations WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, rid)
		if err != nil {
			return dbError("delete recommendation", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		return nil
	})
}

// SaveFeedback saves the signed-in sponsor's feedback on the engagement.
func (s *Store) SaveFeedback(ctx context.Context, sc Scope, id, body string) error {
	return s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO sponsor_feedback (tenant_id, engagement_id, author_id, body) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id, engagement_id, author_id) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`,
			sc.TenantID, id, sc.UserID, body); err != nil {
			return dbError("feedback", err)
		}
		return engagementEvent(ctx, tx, sc, id, "feedback.saved", nil)
	})
}

// ReportContent is the frozen content of a final report version: never any
// session content, private note or journal.
type ReportContent struct {
	Title, ClientOrg, Coach, Coachee string
	Sponsors                         []string
	CompanyRequest, CoacheeRequest   string
	Objectives                       []ReportObjective
	CoacheeSynthesis                 string
	Recommendations                  []Recommendation
	Feedback                         []Recommendation
	SessionsHeld, SessionsPlanned    int
	MinutesUsed, MinutesTotal        int
	Start, End                       *time.Time
	FinalMeeting                     *time.Time
}

// ReportObjective is an objective with its indicators and their assessments.
type ReportObjective struct {
	Title      string
	Indicators []ReportIndicator
}

// ReportIndicator is baseline → target → reached, with both assessments. The
// coachee's self-assessment is never part of the version's content: it is
// frozen in its own row (report_self_assessments), which the database shows to
// the others only once the coachee has validated that version.
type ReportIndicator struct {
	Kind, Description, Baseline, Target string
	Coach                               Evaluation
	Coachee                             Evaluation `json:"-"`
}

// SelfAssessment is the coachee's assessment of each indicator of a report
// version, by objective and indicator in the report's order.
type SelfAssessment [][]Evaluation

// selfAssessmentOf takes the coachee's assessments out of a report's content.
func selfAssessmentOf(c ReportContent) SelfAssessment {
	out := make(SelfAssessment, len(c.Objectives))
	for i, o := range c.Objectives {
		out[i] = make([]Evaluation, len(o.Indicators))
		for j, ind := range o.Indicators {
			out[i][j] = ind.Coachee
		}
	}
	return out
}

// Merge puts the coachee's assessments back beside the coach's. It reports
// whether there were any to merge: no row means the reader may not see them.
func (c *ReportContent) Merge(raw []byte) (bool, error) {
	if raw == nil {
		return false, nil
	}
	var sa SelfAssessment
	if err := json.Unmarshal(raw, &sa); err != nil {
		return false, err
	}
	for i := range c.Objectives {
		for j := range c.Objectives[i].Indicators {
			if i < len(sa) && j < len(sa[i]) {
				c.Objectives[i].Indicators[j].Coachee = sa[i][j]
			}
		}
	}
	return true, nil
}

func reportOf(f *ClosingFile) ReportContent {
	c := ReportContent{Title: f.Title, ClientOrg: f.ClientOrg, Coach: f.Name(domain.PartCoach), Coachee: f.Name(domain.PartCoachee),
		CompanyRequest: f.Requests[domain.RequestCompany].Body, CoacheeRequest: f.Requests[domain.RequestCoachee].Body,
		CoacheeSynthesis: f.CoacheeSynthesis, Recommendations: f.Recommendations, Feedback: f.Feedback,
		SessionsHeld: f.Progress.Held, SessionsPlanned: f.Progress.Planned, MinutesUsed: f.Progress.MinutesUsed, MinutesTotal: f.Progress.MinutesTotal,
		Start: f.Contract.Start, End: f.Contract.End, FinalMeeting: f.Final.ScheduledAt}
	for _, p := range f.With(domain.PartSponsor) {
		c.Sponsors = append(c.Sponsors, p.Name)
	}
	for _, o := range f.Objectives {
		ro := ReportObjective{Title: o.Title}
		for _, i := range o.Indicators {
			ri := ReportIndicator{Kind: i.Kind, Description: i.Description, Baseline: i.Baseline, Target: i.Target}
			for _, e := range f.Evaluations {
				if e.IndicatorID == i.ID {
					if e.Part == domain.PartCoachee {
						ri.Coachee = e
					} else {
						ri.Coach = e
					}
				}
			}
			ro.Indicators = append(ro.Indicators, ri)
		}
		c.Objectives = append(c.Objectives, ro)
	}
	return c
}

// PublishReport freezes the final report as its next numbered version; earlier
// validations no longer count.
func (s *Store) PublishReport(ctx context.Context, sc Scope, id string) (int, error) {
	f, err := s.Closing(ctx, sc, id)
	if err != nil {
		return 0, err
	}
	report := reportOf(f)
	content, err := json.Marshal(report)
	if err != nil {
		return 0, err
	}
	self, err := json.Marshal(selfAssessmentOf(report))
	if err != nil {
		return 0, err
	}
	var number int
	err = s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO report_versions (tenant_id, engagement_id, number, content, created_by)
			VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM report_versions WHERE tenant_id = $1 AND engagement_id = $2), $3, $4)
			RETURNING number`, sc.TenantID, id, content, sc.UserID).Scan(&number); err != nil {
			return dbError("publish report", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO report_self_assessments (tenant_id, engagement_id, number, content) VALUES ($1, $2, $3, $4)`,
			sc.TenantID, id, number, self); err != nil {
			return dbError("publish self-assessment", err)
		}
		return engagementEvent(ctx, tx, sc, id, "report.published", map[string]any{"number": number})
	})
	return number, err
}

// ValidateReport records a party's validation of the current report version.
// The validation that completes coach, coachee and sponsor closes the
// engagement, in the same transaction: from then on it is read-only.
func (s *Store) ValidateReport(ctx context.Context, sc Scope, id string, number int, part domain.Part) (closed bool, err error) {
	err = s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		st, err := validateDocument(ctx, tx, sc, "report", id, number, part)
		if err != nil {
			return err
		}
		if !domain.CanClose(st) {
			return nil
		}
		closed = true
		return setPhase(ctx, tx, sc, id, domain.PhaseBouclage, domain.PhaseClos, "", s.Now())
	})
	return closed, err
}

// SaveClosingNote records why the engagement closes short of its contract
// (sessions not held, actions still open); written by the coach in bouclage.
func (s *Store) SaveClosingNote(ctx context.Context, sc Scope, id, body string) error {
	return s.inBouclage(ctx, sc, id, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO closing_notes (tenant_id, engagement_id, body) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id, engagement_id) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`, sc.TenantID, id, body); err != nil {
			return dbError("closing note", err)
		}
		return engagementEvent(ctx, tx, sc, id, "closing.noted", nil)
	})
}

// CommentDocument adds a comment on a version of the synthesis or the report.
func (s *Store) CommentDocument(ctx context.Context, sc Scope, id, doc string, number int, body string) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `INSERT INTO document_comments (tenant_id, engagement_id, document, number, author_id, body)
			SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM `+versionTable[doc]+` WHERE tenant_id = $1 AND engagement_id = $2 AND number = $4)`,
			sc.TenantID, id, doc, number, sc.UserID, body)
		if err != nil {
			return dbError("comment document", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		return engagementEvent(ctx, tx, sc, id, doc+".commented", map[string]any{"number": number})
	})
}

// commentsPart reads the comments on a document, all versions.
func commentsPart(sc Scope, id, doc string, out *[]DocComment) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT c.number, coalesce(u.name, ''), c.body, c.at FROM document_comments c LEFT JOIN users u ON u.id = c.author_id
			WHERE c.tenant_id = $1 AND c.engagement_id = $2 AND c.document = $3 ORDER BY c.number DESC, c.at`, sc.TenantID, id, doc)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[DocComment])
		return dbError("document comments", err)
	}}
}
