package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Diagnosis is the first meeting's diagnosis: stakes and draft objectives.
type Diagnosis struct {
	Stakes, DraftObjectives string
	Version                 int
}

// Request is one level of request.
type Request struct {
	Level     domain.RequestLevel
	Body      string
	WrittenBy string
	Validated *time.Time
	Version   int
	Updated   time.Time
}

// Indicator is a progress indicator of an objective.
type Indicator struct {
	ID, ObjectiveID                        string
	Kind                                   string // observable | performance
	Description, Baseline, Target, Observe string
	Version                                int
}

// Objective is an objective of the engagement with its indicators.
type Objective struct {
	ID, Title, Description string
	Position, Version      int
	Indicators             []Indicator
}

// Contract is the coaching contract.
type Contract struct {
	Approach                    string
	SessionsPlanned, SessionMin *int
	Start, End                  *time.Time
	Confidentiality, Exceptions string
	Version                     int
}

// Complete reports whether the contract has what the gate requires.
func (c Contract) Complete() bool {
	return c.Approach != "" && c.SessionsPlanned != nil && c.SessionMin != nil && c.Start != nil && c.End != nil && c.Confidentiality != ""
}

// Meeting is a three-way meeting.
type Meeting struct {
	ID, Kind           string
	ScheduledAt        *time.Time
	Held               bool
	Notes, Adjustments string
	Version            int
	Attendees          []string // user ids
}

// MeetingRequest is a party's request for an intermediate meeting.
type MeetingRequest struct {
	ID, By, Reason, MeetingID string
	At                        time.Time
}

// SynthesisVersion is a numbered version of the synthesis document.
type SynthesisVersion struct {
	Number      int
	CreatedAt   time.Time
	CreatedBy   string
	Validations []Validation
	Content     SynthesisContent
	// SHA256 is the fingerprint the database took of the frozen content.
	SHA256 []byte
}

// Validation is one party's validation of a version.
type Validation struct {
	UserID, Name string
	Part         domain.Part
	At           time.Time
}

// ValidatedBy reports whether the given user validated the version.
func (v SynthesisVersion) ValidatedBy(userID string) bool {
	for _, x := range v.Validations {
		if x.UserID == userID {
			return true
		}
	}
	return false
}

// CadrageFile is everything about an engagement's framing, loaded at once.
type CadrageFile struct {
	Engagement
	Diagnosis       *Diagnosis // nil when row-level security hides it
	Requests        map[domain.RequestLevel]Request
	Objectives      []Objective
	Contract        Contract
	Framing         Meeting
	Intermediate    []Meeting
	MeetingRequests []MeetingRequest
	Syntheses       []SynthesisVersion // newest first, without content
	// CurrentSnapshot is the content frozen in the newest version (nil: none).
	CurrentSnapshot []byte
}

// State is the snapshot the phase rules judge.
func (f *CadrageFile) State() domain.CadrageState {
	st := domain.CadrageState{
		CoachWilling:     f.CoachWillingAt != nil,
		CoacheeWilling:   f.CoacheeWillingAt != nil,
		FramingHeld:      f.Framing.Held,
		Coherent:         f.CoherenceOK,
		ContractComplete: f.Contract.Complete(),
	}
	rs := func(l domain.RequestLevel) domain.RequestState {
		r := f.Requests[l]
		return domain.RequestState{Written: r.Body != "", Validated: r.Validated != nil}
	}
	st.CompanyRequest, st.CoacheeRequest = rs(domain.RequestCompany), rs(domain.RequestCoachee)
	for _, o := range f.Objectives {
		st.IndicatorsPerObjective = append(st.IndicatorsPerObjective, len(o.Indicators))
	}
	if len(f.Syntheses) > 0 {
		cur := f.Syntheses[0]
		st.Synthesis.Current = cur.Number
		st.Synthesis.Drifted = f.Drifted()
		for _, v := range cur.Validations {
			st.Synthesis.Record(v.Part)
		}
	}
	return st
}

// Cadrage loads an engagement's framing in one round trip.
func (s *Store) Cadrage(ctx context.Context, sc Scope, id string) (*CadrageFile, error) {
	if !validUUID(id) {
		return nil, domain.ErrNotFound
	}
	f := &CadrageFile{Requests: map[domain.RequestLevel]Request{}}
	err := s.View(ctx, sc, func(b *pgx.Batch) { queueCadrage(b, sc, id) }, func(br pgx.BatchResults) error { return readCadrage(br, f) })
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Overview loads, for an engagement whose header the caller has, its framing and,
// past cadrage, its progress against the contract: one round trip. Past
// cadrage the overview shows of the framing only its three-way meetings (the
// gate is passed; the duties come from the summary), so only they are read.
func (s *Store) Overview(ctx context.Context, sc Scope, e *Engagement, now time.Time) (*CadrageFile, domain.Progress, *PartFacts, error) {
	f := &CadrageFile{Engagement: *e, Requests: map[domain.RequestLevel]Request{}}
	var ov SessionsOverview
	var facts []PartFacts
	framing := part{func(b *pgx.Batch) { queueFraming(b, sc, e.ID) }, func(br pgx.BatchResults) error { return readFraming(br, f) }}
	if e.Phase != domain.PhaseCadrage {
		framing = part{func(b *pgx.Batch) { queueMeetings(b, sc, e.ID) }, func(br pgx.BatchResults) error { return readMeetings(br, f) }}
	}
	parts := []part{framing,
		{func(b *pgx.Batch) { queueDutyFacts(b, e.ID) }, func(br pgx.BatchResults) (err error) { facts, err = readDutyFacts(br, now); return err }}}
	if e.Phase != domain.PhaseCadrage {
		parts = append(parts, sessionsPart(sc, e.ID, &ov))
	}
	err := s.view(ctx, sc, parts...)
	if len(facts) == 0 { // no part in it (a workspace admin), or closed: nothing asked
		return f, ov.Progress, nil, err
	}
	if e.Phase == domain.PhaseCadrage { // only the gate to accompagnement asks it
		facts[0].Cadrage.Synthesis.Drifted = f.Drifted()
	}
	return f, ov.Progress, &facts[0], err
}

// loadCadrage is Cadrage inside a write transaction (a gate judged, a version
// frozen: both on the data as the transaction sees it).
func loadCadrage(ctx context.Context, tx pgx.Tx, sc Scope, id string, f *CadrageFile) error {
	if !validUUID(id) {
		return domain.ErrNotFound
	}
	b := &pgx.Batch{}
	queueCadrage(b, sc, id)
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	return readCadrage(br, f)
}

func queueCadrage(b *pgx.Batch, sc Scope, id string) {
	queueHeader(b, sc, id)
	queueFraming(b, sc, id)
}

func readCadrage(br pgx.BatchResults, f *CadrageFile) error {
	if err := readHeader(br, &f.Engagement); err != nil {
		return err
	}
	return readFraming(br, f)
}

// queueFraming and readFraming load the framing without the engagement's
// header, for pages that already have it.
func queueFraming(b *pgx.Batch, sc Scope, id string) {
	t := sc.TenantID
	b.Queue(`SELECT stakes, draft_objectives, version FROM diagnoses WHERE tenant_id = $1 AND engagement_id = $2`, t, id)
	b.Queue(`SELECT r.level, r.body, coalesce(u.name, ''), r.validated_at, r.version, r.updated_at FROM requests r
		LEFT JOIN users u ON u.id = r.written_by WHERE r.tenant_id = $1 AND r.engagement_id = $2`, t, id)
	b.Queue(`SELECT id, title, description, position, version FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 ORDER BY position`, t, id)
	b.Queue(`SELECT id, objective_id, kind, description, baseline, target, observation, version FROM indicators
		WHERE tenant_id = $1 AND engagement_id = $2 ORDER BY position`, t, id)
	b.Queue(`SELECT approach, sessions_planned, session_minutes, start_date::timestamptz, end_date::timestamptz, confidentiality, exceptions, version
		FROM contracts WHERE tenant_id = $1 AND engagement_id = $2`, t, id)
	queueMeetings(b, sc, id)
	b.Queue(`SELECT q.id, coalesce(u.name, ''), q.reason, coalesce(q.meeting_id::text, ''), q.created_at FROM meeting_requests q
		LEFT JOIN users u ON u.id = q.requested_by WHERE q.tenant_id = $1 AND q.engagement_id = $2 ORDER BY q.created_at`, t, id)
	b.Queue(versionsQuery("synthesis"), t, id)
	b.Queue(`SELECT content FROM synthesis_versions WHERE tenant_id = $1 AND engagement_id = $2 ORDER BY number DESC LIMIT 1`, t, id)
}

func readFraming(br pgx.BatchResults, f *CadrageFile) error {
	var d Diagnosis
	switch err := br.QueryRow().Scan(&d.Stakes, &d.DraftObjectives, &d.Version); err {
	case nil:
		f.Diagnosis = &d
	case pgx.ErrNoRows: // hidden by row-level security
	default:
		return dbError("diagnosis", err)
	}
	rows, _ := br.Query()
	reqs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Request, error) {
		var q Request
		return q, r.Scan(&q.Level, &q.Body, &q.WrittenBy, &q.Validated, &q.Version, &q.Updated)
	})
	if err != nil {
		return dbError("requests", err)
	}
	for _, q := range reqs {
		f.Requests[q.Level] = q
	}
	rows, _ = br.Query()
	f.Objectives, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Objective, error) {
		var o Objective
		return o, r.Scan(&o.ID, &o.Title, &o.Description, &o.Position, &o.Version)
	})
	if err != nil {
		return dbError("objectives", err)
	}
	rows, _ = br.Query()
	inds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Indicator, error) {
		var i Indicator
		return i, r.Scan(&i.ID, &i.ObjectiveID, &i.Kind, &i.Description, &i.Baseline, &i.Target, &i.Observe, &i.Version)
	})
	if err != nil {
		return dbError("indicators", err)
	}
	for _, i := range inds {
		for k := range f.Objectives {
			if f.Objectives[k].ID == i.ObjectiveID {
				f.Objectives[k].Indicators = append(f.Objectives[k].Indicators, i)
			}
		}
	}
	c := &f.Contract
	if err := br.QueryRow().Scan(&c.Approach, &c.SessionsPlanned, &c.SessionMin, &c.Start, &c.End, &c.Confidentiality, &c.Exceptions, &c.Version); err != nil {
		return dbError("contract", err)
	}
	if err := readMeetings(br, f); err != nil {
		return err
	}
	rows, _ = br.Query()
	f.MeetingRequests, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (MeetingRequest, error) {
		var q MeetingRequest
		return q, r.Scan(&q.ID, &q.By, &q.Reason, &q.MeetingID, &q.At)
	})
	if err != nil {
		return dbError("meeting requests", err)
	}
	rows, _ = br.Query()
	f.Syntheses, err = pgx.CollectRows(rows, scanVersion)
	if err != nil {
		return dbError("syntheses", err)
	}
	if err := br.QueryRow().Scan(&f.CurrentSnapshot); err != nil && err != pgx.ErrNoRows {
		return dbError("synthesis snapshot", err)
	}
	return nil
}

// queueMeetings and readMeetings load the three-way meetings of the framing
// (framing, intermediate), with their attendees.
func queueMeetings(b *pgx.Batch, sc Scope, id string) {
	b.Queue(`SELECT m.id, m.kind, m.scheduled_at, m.held, m.notes, m.adjustments, m.version,
		coalesce(array_agg(a.user_id::text) FILTER (WHERE a.user_id IS NOT NULL), '{}')
		FROM meetings m LEFT JOIN meeting_attendees a ON a.tenant_id = m.tenant_id AND a.meeting_id = m.id
		WHERE m.tenant_id = $1 AND m.engagement_id = $2 AND m.kind IN ('framing', 'intermediate')
		GROUP BY m.tenant_id, m.id ORDER BY m.kind, m.scheduled_at NULLS LAST`, sc.TenantID, id)
}

func readMeetings(br pgx.BatchResults, f *CadrageFile) error {
	rows, _ := br.Query()
	meetings, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Meeting, error) {
		var m Meeting
		return m, r.Scan(&m.ID, &m.Kind, &m.ScheduledAt, &m.Held, &m.Notes, &m.Adjustments, &m.Version, &m.Attendees)
	})
	if err != nil {
		return dbError("meetings", err)
	}
	for _, m := range meetings {
		if m.Kind == "framing" {
			f.Framing = m
		} else {
			f.Intermediate = append(f.Intermediate, m)
		}
	}
	return nil
}

// conflict is returned when a save is based on a stale version.
var conflict = domain.Errorf(domain.EConflict, "conflict.stale")

// checkVersion turns "no row updated" into a conflict when the row exists.
func checkVersion(n int64) error {
	if n == 0 {
		return conflict
	}
	return nil
}

// SaveFirstMeeting records the first meeting's date and diagnosis.
func (s *Store) SaveFirstMeeting(ctx context.Context, sc Scope, id string, at *time.Time, d Diagnosis) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		if _, err := tx.Exec(ctx, `UPDATE engagements SET first_meeting_at = $3 WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, at); err != nil {
			return dbError("first meeting", err)
		}
		tag, err := tx.Exec(ctx, `UPDATE diagnoses SET stakes = $3, draft_objectives = $4, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND engagement_id = $2 AND version = $5`, sc.TenantID, id, d.Stakes, d.DraftObjectives, d.Version)
		if err != nil {
			return dbError("diagnosis", err)
		}
		if err := checkVersion(tag.RowsAffected()); err != nil {
			return err
		}
		return engagementEvent(ctx, tx, sc, id, "first_meeting.saved", nil)
	})
}

// ConfirmWillingness records that the coach or the coachee, themselves, want to
// work together.
func (s *Store) ConfirmWillingness(ctx context.Context, sc Scope, id string, part domain.Part) error {
	col := map[domain.Part]string{domain.PartCoach: "coach_willing_at", domain.PartCoachee: "coachee_willing_at"}[part]
	if col == "" {
		return domain.ErrForbidden
	}
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		if _, err := tx.Exec(ctx, `UPDATE engagements SET `+col+` = coalesce(`+col+`, $3) WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, s.Now()); err != nil {
			return dbError("willingness", err)
		}
		return engagementEvent(ctx, tx, sc, id, "willingness.confirmed", map[string]any{"part": part})
	})
}

// SaveMeeting records a three-way meeting: date, attendees, held, notes.
func (s *Store) SaveMeeting(ctx context.Context, sc Scope, id string, m Meeting) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		var wasHeld bool
		err := tx.QueryRow(ctx, `UPDATE meetings SET scheduled_at = $4, held = $5, notes = $6, adjustments = $7, version = version + 1
			WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3 AND kind = $9 AND version = $8
			RETURNING (SELECT held FROM meetings WHERE tenant_id = $1 AND id::text = $3)`,
			sc.TenantID, id, m.ID, m.ScheduledAt, m.Held, m.Notes, m.Adjustments, m.Version, m.Kind).Scan(&wasHeld)
		if err == pgx.ErrNoRows {
			return conflictOrMissing(ctx, tx, `SELECT 1 FROM meetings WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3 AND kind = $4`,
				sc.TenantID, id, m.ID, m.Kind)
		}
		if err != nil {
			return dbError("meeting", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM meeting_attendees WHERE tenant_id = $1 AND meeting_id = $2`, sc.TenantID, m.ID); err != nil {
			return dbError("attendees", err)
		}
		for _, u := range m.Attendees {
			// Only the engagement's parties can attend.
			tag, err := tx.Exec(ctx, `INSERT INTO meeting_attendees (tenant_id, meeting_id, user_id)
				SELECT $1, $2, user_id FROM engagement_parties WHERE tenant_id = $1 AND engagement_id = $3 AND user_id::text = $4`,
				sc.TenantID, m.ID, id, u)
			if err != nil {
				return dbError("attendee", err)
			}
			if tag.RowsAffected() == 0 {
				return domain.FieldErrors{"attendees": "field.member.unknown"}
			}
		}
		kind := "meeting.saved"
		if m.Held && !wasHeld {
			kind = "meeting.held"
		}
		return engagementEvent(ctx, tx, sc, id, kind, map[string]any{"meeting": m.Kind})
	})
}

// conflictOrMissing distinguishes a stale version (the row exists) from a row
// that does not exist (or is not visible).
func conflictOrMissing(ctx context.Context, tx pgx.Tx, q string, args ...any) error {
	var one int
	if err := tx.QueryRow(ctx, q, args...).Scan(&one); err != nil {
		return dbError("check row", err)
	}
	return conflict
}

// SaveRequest saves one level of request. Changing the text withdraws the coach's
// validation of it and of the coherence: they were given to another text.
func (s *Store) SaveRequest(ctx context.Context, sc Scope, id string, level domain.RequestLevel, body string, version int) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `UPDATE requests SET body = $4, written_by = $5, version = version + 1, updated_at = now(),
			validated_at = CASE WHEN body = $4 THEN validated_at END
			WHERE tenant_id = $1 AND engagement_id = $2 AND level = $3 AND version = $6`,
			sc.TenantID, id, level, body, sc.UserID, version)
		if err != nil {
			return dbError("request", err)
		}
		if err := checkVersion(tag.RowsAffected()); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE engagements SET coherence_ok = false, coherence_at = NULL
			WHERE tenant_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM requests WHERE tenant_id = $1 AND engagement_id = $2 AND validated_at IS NULL)`,
			sc.TenantID, id); err != nil {
			return dbError("coherence reset", err)
		}
		return engagementEvent(ctx, tx, sc, id, "request.saved", map[string]any{"level": level})
	})
}

// ValidateRequests records the coach's validation of each request and of their
// coherence, with a comment.
func (s *Store) ValidateRequests(ctx context.Context, sc Scope, id string, company, coachee, coherent bool, comment string) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		now := s.Now()
		for level, ok := range map[domain.RequestLevel]bool{domain.RequestCompany: company, domain.RequestCoachee: coachee} {
			if _, err := tx.Exec(ctx, `UPDATE requests SET validated_at = CASE WHEN $4 AND body <> '' THEN coalesce(validated_at, $5) END
				WHERE tenant_id = $1 AND engagement_id = $2 AND level = $3`, sc.TenantID, id, level, ok, now); err != nil {
				return dbError("validate request", err)
			}
		}
		var bothValid bool
		if err := tx.QueryRow(ctx, `SELECT count(*) = 2 FROM requests WHERE tenant_id = $1 AND engagement_id = $2 AND validated_at IS NOT NULL`,
			sc.TenantID, id).Scan(&bothValid); err != nil {
			return dbError("validate requests", err)
		}
		if coherent && !bothValid {
			return domain.FieldErrors{"coherent": "field.coherence.needs_requests"}
		}
		if _, err := tx.Exec(ctx, `UPDATE engagements SET coherence_ok = $3, coherence_comment = $4, coherence_at = CASE WHEN $3 THEN $5::timestamptz END
			WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, coherent, comment, now); err != nil {
			return dbError("coherence", err)
		}
		return engagementEvent(ctx, tx, sc, id, "requests.validated", map[string]any{"company": company, "coachee": coachee, "coherent": coherent})
	})
}

// SaveContract saves the contract.
func (s *Store) SaveContract(ctx context.Context, sc Scope, id string, c Contract) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `UPDATE contracts SET approach = $3, sessions_planned = $4, session_minutes = $5, start_date = $6, end_date = $7,
			confidentiality = $8, exceptions = $9, version = version + 1, updated_at = now()
			WHERE tenant_id = $1 AND engagement_id = $2 AND version = $10`,
			sc.TenantID, id, c.Approach, c.SessionsPlanned, c.SessionMin, dateOnly(c.Start), dateOnly(c.End), c.Confidentiality, c.Exceptions, c.Version)
		if err != nil {
			return dbError("contract", err)
		}
		if err := checkVersion(tag.RowsAffected()); err != nil {
			return err
		}
		return engagementEvent(ctx, tx, sc, id, "contract.saved", nil)
	})
}

func dateOnly(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format("2006-01-02")
}

// AddObjective appends an objective.
func (s *Store) AddObjective(ctx context.Context, sc Scope, id string, o Objective) (string, error) {
	var oid string
	err := s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		err := tx.QueryRow(ctx, `INSERT INTO objectives (tenant_id, engagement_id, position, title, description)
			VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM objectives WHERE tenant_id = $1 AND engagement_id = $2), $3, $4)
			RETURNING id`, sc.TenantID, id, o.Title, o.Description).Scan(&oid)
		if err != nil {
			return dbError("add objective", err)
		}
		return engagementEvent(ctx, tx, sc, id, "objective.added", map[string]any{"title": o.Title})
	})
	return oid, err
}

// UpdateObjective edits an objective based on the version the person saw.
func (s *Store) UpdateObjective(ctx context.Context, sc Scope, id string, o Objective) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `UPDATE objectives SET title = $4, description = $5, version = version + 1
			WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3 AND version = $6`, sc.TenantID, id, o.ID, o.Title, o.Description, o.Version)
		if err != nil {
			return dbError("update objective", err)
		}
		if tag.RowsAffected() == 0 {
			return conflictOrMissing(ctx, tx, `SELECT 1 FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, o.ID)
		}
		return engagementEvent(ctx, tx, sc, id, "objective.updated", map[string]any{"title": o.Title})
	})
}

// DeleteObjective removes an objective and its indicators.
func (s *Store) DeleteObjective(ctx context.Context, sc Scope, id, oid string) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `DELETE FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, oid)
		if err != nil {
			return dbError("delete objective", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		return engagementEvent(ctx, tx, sc, id, "objective.deleted", nil)
	})
}

// MoveObjective swaps an objective with its neighbour (up: -1, down: +1).
func (s *Store) MoveObjective(ctx context.Context, sc Scope, id, oid string, dir int) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		// An objective of another engagement is not found, as everywhere else
		// (the move itself would quietly change nothing).
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3)`,
			sc.TenantID, id, oid).Scan(&exists); err != nil {
			return dbError("move objective", err)
		}
		if !exists {
			return domain.ErrNotFound
		}
		_, err := tx.Exec(ctx, `WITH me AS (SELECT id, position FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3),
			other AS (SELECT o.id, o.position FROM objectives o, me WHERE o.tenant_id = $1 AND o.engagement_id = $2
			          AND CASE WHEN $4 < 0 THEN o.position < me.position ELSE o.position > me.position END
			          ORDER BY CASE WHEN $4 < 0 THEN -o.position ELSE o.position END LIMIT 1)
			UPDATE objectives o SET position = CASE WHEN o.id = me.id THEN other.position ELSE me.position END
			FROM me, other WHERE o.tenant_id = $1 AND o.id IN (me.id, other.id)`, sc.TenantID, id, oid, dir)
		return dbError("move objective", err)
	})
}

// AddIndicator adds a progress indicator to an objective of the engagement.
func (s *Store) AddIndicator(ctx context.Context, sc Scope, id string, i Indicator) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `INSERT INTO indicators (tenant_id, engagement_id, objective_id, position, kind, description, baseline, target, observation)
			SELECT $1, $2, o.id, (SELECT coalesce(max(position), 0) + 1 FROM indicators WHERE tenant_id = $1 AND objective_id = o.id), $4, $5, $6, $7, $8
			FROM objectives o WHERE o.tenant_id = $1 AND o.engagement_id = $2 AND o.id::text = $3`,
			sc.TenantID, id, i.ObjectiveID, i.Kind, i.Description, i.Baseline, i.Target, i.Observe)
		if err != nil {
			return dbError("add indicator", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		return engagementEvent(ctx, tx, sc, id, "indicator.added", map[string]any{"description": i.Description})
	})
}

// UpdateIndicator edits an indicator based on the version the person saw.
func (s *Store) UpdateIndicator(ctx context.Context, sc Scope, id string, i Indicator) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `UPDATE indicators SET kind = $4, description = $5, baseline = $6, target = $7, observation = $8, version = version + 1
			WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3 AND version = $9`,
			sc.TenantID, id, i.ID, i.Kind, i.Description, i.Baseline, i.Target, i.Observe, i.Version)
		if err != nil {
			return dbError("update indicator", err)
		}
		if tag.RowsAffected() == 0 {
			return conflictOrMissing(ctx, tx, `SELECT 1 FROM indicators WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, i.ID)
		}
		return engagementEvent(ctx, tx, sc, id, "indicator.updated", nil)
	})
}

// DeleteIndicator removes an indicator.
func (s *Store) DeleteIndicator(ctx context.Context, sc Scope, id, iid string) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `DELETE FROM indicators WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, iid)
		if err != nil {
			return dbError("delete indicator", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		return engagementEvent(ctx, tx, sc, id, "indicator.deleted", nil)
	})
}

// AskMeeting records a party's request for an intermediate three-way meeting.
func (s *Store) AskMeeting(ctx context.Context, sc Scope, id, reason string) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_requests (tenant_id, engagement_id, requested_by, reason) VALUES ($1, $2, $3, $4)`,
			sc.TenantID, id, sc.UserID, reason); err != nil {
			return dbError("ask meeting", err)
		}
		return engagementEvent(ctx, tx, sc, id, "meeting.requested", nil)
	})
}

// ScheduleMeeting creates the intermediate meeting answering open requests.
func (s *Store) ScheduleMeeting(ctx context.Context, sc Scope, id string, at time.Time) (string, error) {
	var mid string
	err := s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		if err := tx.QueryRow(ctx, `INSERT INTO meetings (tenant_id, engagement_id, kind, scheduled_at) VALUES ($1, $2, 'intermediate', $3) RETURNING id`,
			sc.TenantID, id, at).Scan(&mid); err != nil {
			return dbError("schedule meeting", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_attendees (tenant_id, meeting_id, user_id)
			SELECT $1, $2, user_id FROM engagement_parties WHERE tenant_id = $1 AND engagement_id = $3`, sc.TenantID, mid, id); err != nil {
			return dbError("schedule attendees", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE meeting_requests SET meeting_id = $3 WHERE tenant_id = $1 AND engagement_id = $2 AND meeting_id IS NULL`,
			sc.TenantID, id, mid); err != nil {
			return dbError("answer requests", err)
		}
		return engagementEvent(ctx, tx, sc, id, "meeting.scheduled", map[string]any{"meeting": "intermediate"})
	})
	return mid, err
}
