package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Session is what every party may know of a session: number, date, length, status.
type Session struct {
	ID           string
	Number       int
	ScheduledAt  time.Time
	Minutes      int
	Status       string // planned | held | cancelled
	CancelReason string
	Version      int
}

// SessionContent is what was worked on in a session (coaches and coachee only).
type SessionContent struct {
	Analysis, Scenarios, Decision string
	Version                       int
}

// Situation is a professional situation the coachee brought.
type Situation struct {
	ID, Title, Context string
}

// Option is one hypothesis considered; Chosen marks the one retained.
type Option struct {
	ID, Body string
	Chosen   bool
}

// Input is a library item linked to a session.
type Input struct {
	ItemID, Title, Summary, Reference, Note string
}

// Rating is one autonomy rating.
type Rating struct {
	Part  domain.Part
	Score int
	Word  string
}

// SessionFile is everything about one session the viewer may see.
type SessionFile struct {
	Session
	Content     *SessionContent // nil when row-level security hides it
	Situations  []Situation
	Options     []Option
	Inputs      []Input
	PrivateNote string
	Ratings     []Rating
	Actions     []Action // born from this session's action plan
}

// SessionsOverview is the session list with the engagement's progress.
type SessionsOverview struct {
	Sessions []Session
	Progress domain.Progress
	Window   domain.ContractWindow
}

// sessionCols reads a session with its cancel reason, which row-level security
// leaves empty for whoever may not read it.
const sessionCols = `s.id, s.number, s.scheduled_at, s.minutes, s.status, coalesce(sc.reason, ''), s.version`

// Sessions lists the engagement's sessions and its progress against the contract.
// sessionsPart reads the sessions and the progress against the contract.
func sessionsPart(sc Scope, id string, out *SessionsOverview) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT `+sessionCols+` FROM coaching_sessions s
			LEFT JOIN session_cancellations sc ON sc.tenant_id = s.tenant_id AND sc.session_id = s.id
			WHERE s.tenant_id = $1 AND s.engagement_id = $2 ORDER BY s.number`, sc.TenantID, id)
		// The open actions the person may read: a party's are counted in the
		// engagement's summary (narrowed for a sponsor as the actions' policy
		// narrows them), which saves probing each action's policy; whoever
		// reads the engagement without a part in it counts what they read.
		b.Queue(`SELECT coalesce(c.sessions_planned, 0), coalesce(c.sessions_planned * c.session_minutes, 0), c.start_date, c.end_date,
			coalesce((SELECT d.open_actions FROM my_dashboard d WHERE d.id = $2),
				(SELECT count(*) FROM actions a WHERE a.tenant_id = $1 AND a.engagement_id = $2 AND a.status IN ('todo', 'in_progress')))
			FROM contracts c WHERE c.tenant_id = $1 AND c.engagement_id = $2`, sc.TenantID, id)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out.Sessions, err = pgx.CollectRows(rows, scanSession)
		if err != nil {
			return dbError("sessions", err)
		}
		p := &out.Progress
		if err := br.QueryRow().Scan(&p.Planned, &p.MinutesTotal, &out.Window.Start, &out.Window.End, &p.OpenActions); err != nil && err != pgx.ErrNoRows {
			return dbError("progress", err)
		}
		for _, ss := range out.Sessions {
			switch ss.Status {
			case "held":
				p.Held++
				p.MinutesUsed += ss.Minutes
			case "planned":
				p.Scheduled++
			}
		}
		return nil
	}}
}

// Sessions lists the engagement's sessions and its progress against the contract.
func (s *Store) Sessions(ctx context.Context, sc Scope, id string) (SessionsOverview, error) {
	var out SessionsOverview
	return out, s.view(ctx, sc, sessionsPart(sc, id, &out))
}

func scanSession(r pgx.CollectableRow) (Session, error) {
	var ss Session
	return ss, r.Scan(&ss.ID, &ss.Number, &ss.ScheduledAt, &ss.Minutes, &ss.Status, &ss.CancelReason, &ss.Version)
}

// inCoaching runs fn on an engagement in the coaching phase.
func (s *Store) inCoaching(ctx context.Context, sc Scope, id string, fn func(tx pgx.Tx) error) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, phase domain.Phase) error {
		if !domain.CanPlanSessions(phase) {
			return domain.Errorf(domain.EForbidden, "session.not_in_phase")
		}
		return fn(tx)
	})
}

// PlanSession adds the next session of the engagement.
func (s *Store) PlanSession(ctx context.Context, sc Scope, id string, at time.Time, minutes int) (string, error) {
	var sid string
	err := s.inCoaching(ctx, sc, id, func(tx pgx.Tx) error {
		var number int
		err := tx.QueryRow(ctx, `INSERT INTO coaching_sessions (tenant_id, engagement_id, number, scheduled_at, minutes)
			VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM coaching_sessions WHERE tenant_id = $1 AND engagement_id = $2), $3, $4)
			RETURNING id, number`, sc.TenantID, id, at, minutes).Scan(&sid, &number)
		if err != nil {
			return dbError("plan session", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO session_contents (tenant_id, session_id, engagement_id) VALUES ($1, $2, $3)`, sc.TenantID, sid, id); err != nil {
			return dbError("session content", err)
		}
		return engagementEvent(ctx, tx, sc, id, "session.planned", map[string]any{"number": number})
	})
	return sid, err
}

// UpdateSession changes a session's date, length or status.
func (s *Store) UpdateSession(ctx context.Context, sc Scope, id string, ss Session) error {
	return s.inCoaching(ctx, sc, id, func(tx pgx.Tx) error {
		var before string
		var number int
		err := tx.QueryRow(ctx, `UPDATE coaching_sessions SET scheduled_at = $4, minutes = $5, status = $6, version = version + 1
			WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3 AND version = $7
			RETURNING (SELECT status FROM coaching_sessions WHERE tenant_id = $1 AND id::text = $3), number`,
			sc.TenantID, id, ss.ID, ss.ScheduledAt, ss.Minutes, ss.Status, ss.Version).Scan(&before, &number)
		if err == pgx.ErrNoRows {
			return conflictOrMissing(ctx, tx, `SELECT 1 FROM coaching_sessions WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, ss.ID)
		}
		if err != nil {
			return dbError("update session", err)
		}
		// Why a session was cancelled is kept apart: coach and coachee read it,
		// the sponsor never does (see session_cancellations' policies).
		q := `INSERT INTO session_cancellations (tenant_id, session_id, engagement_id, reason) VALUES ($1, $2::uuid, $3, $4)
			ON CONFLICT (tenant_id, session_id) DO UPDATE SET reason = EXCLUDED.reason`
		if ss.CancelReason == "" {
			q = `DELETE FROM session_cancellations WHERE tenant_id = $1 AND session_id = $2::uuid AND engagement_id = $3 AND $4 = ''`
		}
		if _, err := tx.Exec(ctx, q, sc.TenantID, ss.ID, id, ss.CancelReason); err != nil {
			return dbError("cancel reason", err)
		}
		if before == ss.Status {
			return nil
		}
		return engagementEvent(ctx, tx, sc, id, "session."+ss.Status, map[string]any{"number": number})
	})
}

// Session loads one session with what the viewer may see of it. Row-level
// security decides: a sponsor gets the session's date and status, no content.
// sessionPart reads one session and what the viewer may see of it.
func sessionPart(sc Scope, id, sid string, f *SessionFile) part {
	t := sc.TenantID
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT `+sessionCols+` FROM coaching_sessions s
			LEFT JOIN session_cancellations sc ON sc.tenant_id = s.tenant_id AND sc.session_id = s.id
			WHERE s.tenant_id = $1 AND s.engagement_id = $2 AND s.id = $3`, t, id, sid)
		b.Queue(`SELECT analysis, scenarios, decision, version FROM session_contents WHERE tenant_id = $1 AND session_id = $2`, t, sid)
		b.Queue(`SELECT id, title, context FROM session_situations WHERE tenant_id = $1 AND session_id = $2 ORDER BY position`, t, sid)
		b.Queue(`SELECT id, body, chosen FROM session_options WHERE tenant_id = $1 AND session_id = $2 ORDER BY position`, t, sid)
		b.Queue(`SELECT l.id, l.title, l.summary, l.reference, i.note FROM session_inputs i
			JOIN library_items l ON l.tenant_id = i.tenant_id AND l.id = i.item_id
			WHERE i.tenant_id = $1 AND i.session_id = $2 ORDER BY l.title`, t, sid)
		b.Queue(`SELECT coalesce((SELECT body FROM private_notes WHERE tenant_id = $1 AND session_id = $2 AND author_id = $3), '')`, t, sid, sc.UserID)
		b.Queue(`SELECT part, score, word FROM autonomy_ratings WHERE tenant_id = $1 AND session_id = $2 ORDER BY part`, t, sid)
		b.Queue(actionSelect+` WHERE a.tenant_id = $1 AND a.session_id = $2 ORDER BY a.plan_position, a.created_at, a.id`, t, sid)
	}, func(br pgx.BatchResults) error {
		ss := &f.Session
		if err := br.QueryRow().Scan(&ss.ID, &ss.Number, &ss.ScheduledAt, &ss.Minutes, &ss.Status, &ss.CancelReason, &ss.Version); err != nil {
			return dbError("session", err)
		}
		var c SessionContent
		switch err := br.QueryRow().Scan(&c.Analysis, &c.Scenarios, &c.Decision, &c.Version); err {
		case nil:
			f.Content = &c
		case pgx.ErrNoRows:
		default:
			return dbError("session content", err)
		}
		var err error
		rows, _ := br.Query()
		if f.Situations, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Situation]); err != nil {
			return dbError("situations", err)
		}
		rows, _ = br.Query()
		if f.Options, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Option]); err != nil {
			return dbError("options", err)
		}
		rows, _ = br.Query()
		if f.Inputs, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Input]); err != nil {
			return dbError("inputs", err)
		}
		if err := br.QueryRow().Scan(&f.PrivateNote); err != nil {
			return dbError("private note", err)
		}
		rows, _ = br.Query()
		if f.Ratings, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Rating]); err != nil {
			return dbError("ratings", err)
		}
		rows, _ = br.Query()
		f.Actions, err = pgx.CollectRows(rows, scanAction)
		return dbError("session actions", err)
	}}
}

// Session loads one session with what the viewer may see of it. Row-level
// security decides: a sponsor gets the session's date and status, no content.
func (s *Store) Session(ctx context.Context, sc Scope, id, sid string) (*SessionFile, error) {
	if !validUUID(sid) {
		return nil, domain.ErrNotFound
	}
	f := &SessionFile{}
	if err := s.view(ctx, sc, sessionPart(sc, id, sid, f)); err != nil {
		return nil, err
	}
	return f, nil
}

// SessionPage is a session's page: the session, the number of sessions and
// the dates the contract gives (the session's "n of N" and whether it falls
// outside them), and for the coach the choices of its forms (objectives,
// library).
type SessionPage struct {
	*SessionFile
	Planned    int
	Window     domain.ContractWindow
	Objectives []Objective
	Library    []LibraryItem
}

// SessionPage loads a session's page in one round trip. Of the contract it
// reads its terms only: the other sessions and the open actions, which the
// sessions list counts against them, are not shown here.
func (s *Store) SessionPage(ctx context.Context, sc Scope, id, sid string, choices bool) (*SessionPage, error) {
	if !validUUID(sid) {
		return nil, domain.ErrNotFound
	}
	p := &SessionPage{SessionFile: &SessionFile{}}
	parts := []part{sessionPart(sc, id, sid, p.SessionFile), contractTermsPart(sc, id, &p.Planned, &p.Window)}
	if choices {
		parts = append(parts, objectivesPart(sc, id, &p.Objectives), libraryPart(sc, &p.Library))
	}
	if err := s.view(ctx, sc, parts...); err != nil {
		return nil, err
	}
	return p, nil
}

// contractTermsPart reads the number of sessions and the dates of the
// contract (none when the viewer may not read it).
func contractTermsPart(sc Scope, id string, planned *int, window *domain.ContractWindow) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT coalesce(sessions_planned, 0), start_date, end_date FROM contracts WHERE tenant_id = $1 AND engagement_id = $2`, sc.TenantID, id)
	}, func(br pgx.BatchResults) error {
		if err := br.QueryRow().Scan(planned, &window.Start, &window.End); err != nil && err != pgx.ErrNoRows {
			return dbError("contract terms", err)
		}
		return nil
	}}
}

// objectivesPart reads the engagement's objectives (titles, for choices).
func objectivesPart(sc Scope, id string, out *[]Objective) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT id, title, description, position, version FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 ORDER BY position`, sc.TenantID, id)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		*out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Objective, error) {
			var o Objective
			return o, r.Scan(&o.ID, &o.Title, &o.Description, &o.Position, &o.Version)
		})
		return dbError("objectives", err)
	}}
}

// saveContent updates a session's content if nobody changed it since c.Version
// was read; it is also the check that the session is this engagement's.
func saveContent(ctx context.Context, tx pgx.Tx, sc Scope, id, sid string, c SessionContent) error {
	tag, err := tx.Exec(ctx, `UPDATE session_contents SET analysis = $4, scenarios = $5, decision = $6, version = version + 1
		WHERE tenant_id = $1 AND engagement_id = $2 AND session_id::text = $3 AND version = $7`,
		sc.TenantID, id, sid, c.Analysis, c.Scenarios, c.Decision, c.Version)
	if err != nil {
		return dbError("session content", err)
	}
	if tag.RowsAffected() == 0 {
		return conflictOrMissing(ctx, tx, `SELECT 1 FROM session_contents WHERE tenant_id = $1 AND engagement_id = $2 AND session_id::text = $3`, sc.TenantID, id, sid)
	}
	return nil
}

// RateAutonomy records the coach's or the coachee's own rating of a held session.
func (s *Store) RateAutonomy(ctx context.Context, sc Scope, id, sid string, part domain.Part, score int, word string) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, phase domain.Phase) error {
		if !domain.CanWorkOnActions(phase) {
			return domain.Errorf(domain.EForbidden, "session.not_in_phase")
		}
		// A session of another engagement is not found; one not held yet is a conflict.
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM coaching_sessions WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`,
			sc.TenantID, id, sid).Scan(&status); err != nil {
			return dbError("rate autonomy: session", err)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO autonomy_ratings (tenant_id, session_id, part, engagement_id, user_id, score, word)
			SELECT $1, s.id, $4, s.engagement_id, $5, $6, $7 FROM coaching_sessions s
			WHERE s.tenant_id = $1 AND s.engagement_id = $2 AND s.id::text = $3 AND s.status = 'held'
			ON CONFLICT (tenant_id, session_id, part) DO UPDATE SET score = EXCLUDED.score, word = EXCLUDED.word, user_id = EXCLUDED.user_id, at = now()`,
			sc.TenantID, id, sid, part, sc.UserID, score, word)
		if err != nil {
			return dbError("rate autonomy", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.EConflict, "autonomy.session_not_held")
		}
		return nil
	})
}

// AutonomyPoint is both ratings of one held session, and the actions of the
// session's action plan and of the intersession after it, with how many of
// them the coachee proposed herself.
type AutonomyPoint struct {
	Number                  int
	Coach, Coachee          int // 0 = not rated
	Actions, CoacheeActions int
}

// Autonomy lists the ratings session by session, for the trend.
func (s *Store) Autonomy(ctx context.Context, sc Scope, id string) ([]AutonomyPoint, error) {
	var out []AutonomyPoint
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT s.number,
			coalesce(max(r.score) FILTER (WHERE r.part = 'coach'), 0), coalesce(max(r.score) FILTER (WHERE r.part = 'coachee'), 0),
			coalesce(max(x.total), 0)::int, coalesce(max(x.own), 0)::int
			FROM coaching_sessions s LEFT JOIN autonomy_ratings r ON r.tenant_id = s.tenant_id AND r.session_id = s.id
			LEFT JOIN (SELECT num, count(*) AS total, count(*) FILTER (WHERE proposed_by = 'coachee') AS own
			           FROM action_sessions(ARRAY[$2::uuid]) GROUP BY 1) x ON x.num = s.number
			WHERE s.tenant_id = $1 AND s.engagement_id = $2 AND s.status = 'held' GROUP BY s.number ORDER BY s.number`, sc.TenantID, id)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[AutonomyPoint])
		return err
	})
	return out, dbError("autonomy", err)
}

// LibraryItem is a piece of theoretical input in the workspace's library.
type LibraryItem struct {
	ID, Title, Summary, Reference string
}

// libraryPart reads the workspace's theoretical input.
func libraryPart(sc Scope, out *[]LibraryItem) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT id, title, summary, reference FROM library_items WHERE tenant_id = $1 AND archived_at IS NULL ORDER BY title`, sc.TenantID)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		*out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[LibraryItem])
		return dbError("library", err)
	}}
}

// Library lists the workspace's theoretical input.
func (s *Store) Library(ctx context.Context, sc Scope) ([]LibraryItem, error) {
	var out []LibraryItem
	return out, s.view(ctx, sc, libraryPart(sc, &out))
}

// AddLibraryItem adds a piece of theoretical input.
func (s *Store) AddLibraryItem(ctx context.Context, sc Scope, it LibraryItem) (string, error) {
	var id string
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		return dbError("add library item", tx.QueryRow(ctx, `INSERT INTO library_items (tenant_id, title, summary, reference, created_by)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, sc.TenantID, it.Title, it.Summary, it.Reference, sc.UserID).Scan(&id))
	})
	return id, err
}

// PlanLine is one line of a session's action plan: it is one of the coachee's
// intersession actions (ID empty for a new line).
type PlanLine struct {
	ID, ObjectiveID, Title string
	Due                    *time.Time
	Row                    int // the line's row on the form, to put an error beside it
}

// SessionRecord is everything the coach records of a session on its one form.
type SessionRecord struct {
	Content    SessionContent
	Situations []Situation
	Options    []Option
	Inputs     []Input // ItemID and Note
	Plan       []PlanLine
	Note       *string // the writer's private note; nil leaves it alone
}

// SaveSessionRecord writes the whole record of a session in one transaction:
// the content (version-checked), the situations, options and inputs as sets,
// the private note, and the action plan. An action that already has journal
// entries is the coachee's work: it is never changed nor deleted from here.
func (s *Store) SaveSessionRecord(ctx context.Context, sc Scope, id, sid string, rec SessionRecord) error {
	return s.inCoaching(ctx, sc, id, func(tx pgx.Tx) error {
		if err := saveContent(ctx, tx, sc, id, sid, rec.Content); err != nil {
			return err
		}
		t := sc.TenantID
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM session_situations WHERE tenant_id = $1 AND session_id::text = $2`, t, sid)
		for i, st := range rec.Situations {
			b.Queue(`INSERT INTO session_situations (tenant_id, session_id, engagement_id, position, title, context)
				VALUES ($1, $2::uuid, $3, $4, $5, $6)`, t, sid, id, i+1, st.Title, st.Context)
		}
		b.Queue(`DELETE FROM session_options WHERE tenant_id = $1 AND session_id::text = $2`, t, sid)
		for i, o := range rec.Options {
			b.Queue(`INSERT INTO session_options (tenant_id, session_id, engagement_id, position, body, chosen)
				VALUES ($1, $2::uuid, $3, $4, $5, $6)`, t, sid, id, i+1, o.Body, o.Chosen)
		}
		b.Queue(`DELETE FROM session_inputs WHERE tenant_id = $1 AND session_id::text = $2`, t, sid)
		for _, in := range rec.Inputs {
			b.Queue(`INSERT INTO session_inputs (tenant_id, session_id, item_id, engagement_id, note)
				SELECT $1, $2::uuid, l.id, $3, $5 FROM library_items l WHERE l.tenant_id = $1 AND l.id::text = $4`, t, sid, id, in.ItemID, in.Note)
		}
		if rec.Note != nil {
			b.Queue(`INSERT INTO private_notes (tenant_id, session_id, author_id, engagement_id, body) VALUES ($1, $2::uuid, $3, $4, $5)
				ON CONFLICT (tenant_id, session_id, author_id) DO UPDATE SET body = EXCLUDED.body, updated_at = now()`, t, sid, sc.UserID, id, *rec.Note)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return dbError("session record", err)
		}
		return savePlan(ctx, tx, sc, id, sid, rec.Plan)
	})
}

// noJournal keeps an action with journal entries out of the plan's writes (the
// count the journal's writes keep on the action, migration 00030).
const noJournal = ` AND a.journal_count = 0`

// savePlan makes the session's actions match its action plan.
func savePlan(ctx context.Context, tx pgx.Tx, sc Scope, id, sid string, plan []PlanLine) error {
	t := sc.TenantID
	keep := []string{}
	for _, l := range plan {
		if l.ID != "" {
			keep = append(keep, l.ID)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM actions a WHERE a.tenant_id = $1 AND a.engagement_id = $2 AND a.session_id::text = $3
		AND NOT (a.id::text = ANY($4))`+noJournal, t, id, sid, keep); err != nil {
		return dbError("plan: remove", err)
	}
	// A line keeps its place in the plan; a new one goes after every line the
	// session has, those the coachee has worked on included (the form leaves
	// them out: they are shown above it, not edited).
	var next int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(plan_position) + 1, 0) FROM actions WHERE tenant_id = $1 AND engagement_id = $2 AND session_id::text = $3`, t, id, sid).Scan(&next); err != nil {
		return dbError("plan: positions", err)
	}
	for _, l := range plan {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT $3 = '' OR EXISTS (SELECT 1 FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3)`,
			t, id, l.ObjectiveID).Scan(&ok); err != nil {
			return dbError("plan: objective", err)
		}
		if !ok {
			return domain.FieldErrors{fmt.Sprintf("act.%d.objective", l.Row): "field.invalid_choice"}
		}
		if l.ID != "" {
			tag, err := tx.Exec(ctx, `UPDATE actions a SET title = $5, due_date = $6, objective_id = nullif($7, '')::uuid
				WHERE a.tenant_id = $1 AND a.engagement_id = $2 AND a.session_id::text = $3 AND a.id::text = $4`+noJournal,
				t, id, sid, l.ID, l.Title, dateOnly(l.Due), l.ObjectiveID)
			if err != nil {
				return dbError("plan: update", err)
			}
			var exists bool
			if tag.RowsAffected() == 0 {
				if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM actions WHERE tenant_id = $1 AND session_id::text = $2 AND id::text = $3)`,
					t, sid, l.ID).Scan(&exists); err != nil {
					return dbError("plan: check", err)
				}
			}
			// Updated, or kept as the coachee's; a line whose action is gone is
			// added again rather than losing what was typed.
			if tag.RowsAffected() > 0 || exists {
				continue
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO actions (tenant_id, engagement_id, session_id, objective_id, title, due_date, created_by, plan_position)
			VALUES ($1, $2, $3::uuid, nullif($4, '')::uuid, $5, $6, $7, $8)`, t, id, sid, l.ObjectiveID, l.Title, dateOnly(l.Due), sc.UserID, next); err != nil {
			return dbError("plan: add", err)
		}
		next++
		if err := engagementEvent(ctx, tx, sc, id, "action.added", nil); err != nil {
			return err
		}
	}
	return nil
}
