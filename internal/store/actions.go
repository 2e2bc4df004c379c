package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Action is an intersession action of the coachee.
type Action struct {
	ID, Title, Description string
	SessionNumber          int // 0 = added by the coachee
	ObjectiveID, Objective string
	Due                    *time.Time
	Status                 domain.ActionStatus
	Shared                 *time.Time
	Entries                int
	LastEntry              *time.Time
	ProposedBy             domain.Part // coach (a session's action plan) or coachee (her own)
}

// Overdue reports whether an open action is past its due date.
func (a Action) Overdue(today time.Time) bool {
	return a.Status.Open() && a.Due != nil && a.Due.Before(today.Truncate(24*time.Hour))
}

// actionSelect reads actions with their session's number, their objective and
// their journal's size and last entry, which the journal's writes keep on the
// action (migration 00030): counting them here read every entry of every
// action, each probed by the journal's policy, half of the statement's cost.
const actionSelect = `SELECT a.id, a.title, a.description, coalesce(s.number, 0), coalesce(a.objective_id::text, ''), coalesce(o.title, ''),
	a.due_date::timestamptz, a.status, a.shared_at, a.journal_count, a.journal_last, a.proposed_by
	FROM actions a
	LEFT JOIN coaching_sessions s ON s.tenant_id = a.tenant_id AND s.id = a.session_id
	LEFT JOIN objectives o ON o.tenant_id = a.tenant_id AND o.id = a.objective_id`

func scanAction(r pgx.CollectableRow) (Action, error) {
	var a Action
	return a, r.Scan(&a.ID, &a.Title, &a.Description, &a.SessionNumber, &a.ObjectiveID, &a.Objective, &a.Due, &a.Status, &a.Shared, &a.Entries, &a.LastEntry, &a.ProposedBy)
}

// actionsPart reads the engagement's actions the viewer may see, open ones first
// (the earliest due first), then the others. Row-level security leaves a sponsor
// only the shared ones. Each action's session number and objective title are
// left to ActionsPage, from the sessions and objectives it reads beside them:
// joining the two tables probed their policies once per action (pgbench, a
// coachee's 25 actions: 0.44 ms with the joins, 0.23 ms without, 0.08 ms for
// the sessions' numbers).
func actionsPart(sc Scope, id string, out *[]Action, sessionIDs *[]string) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT a.id, a.title, a.description, coalesce(a.session_id::text, ''), coalesce(a.objective_id::text, ''),
			a.due_date::timestamptz, a.status, a.shared_at, a.journal_count, a.journal_last, a.proposed_by
			FROM actions a WHERE a.tenant_id = $1 AND a.engagement_id = $2
			ORDER BY a.status IN ('done', 'dropped'), a.due_date NULLS LAST, a.created_at, a.plan_position, a.id`, sc.TenantID, id)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		*out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Action, error) {
			var a Action
			var sid string
			err := r.Scan(&a.ID, &a.Title, &a.Description, &sid, &a.ObjectiveID, &a.Due, &a.Status, &a.Shared, &a.Entries, &a.LastEntry, &a.ProposedBy)
			*sessionIDs = append(*sessionIDs, sid)
			return a, err
		})
		return dbError("actions", err)
	}}
}

// sessionNumbersPart reads the number of each of the engagement's sessions
// the viewer may see.
func sessionNumbersPart(sc Scope, id string, out map[string]int) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT id::text, number FROM coaching_sessions WHERE tenant_id = $1 AND engagement_id = $2`, sc.TenantID, id)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var id string
		var n int
		_, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil })
		return dbError("session numbers", err)
	}}
}

// ActionsPage loads the actions and, for the coachee's form, the objectives.
// An action's session number and objective title are those the viewer may
// read (none when row-level security hides them, as the joins gave).
func (s *Store) ActionsPage(ctx context.Context, sc Scope, id string, objectives bool) ([]Action, []Objective, error) {
	var (
		acts     []Action
		sessions []string // each action's session id, in the same order
		objs     []Objective
		numbers  = map[string]int{}
	)
	err := s.view(ctx, sc, actionsPart(sc, id, &acts, &sessions), objectivesPart(sc, id, &objs), sessionNumbersPart(sc, id, numbers))
	titles := make(map[string]string, len(objs))
	for _, o := range objs {
		titles[o.ID] = o.Title
	}
	for i := range acts {
		acts[i].SessionNumber, acts[i].Objective = numbers[sessions[i]], titles[acts[i].ObjectiveID]
	}
	if !objectives {
		objs = nil
	}
	return acts, objs, err
}

// JournalEntry is one entry of the coachee's journal on an action.
type JournalEntry struct {
	ID                    string
	At                    time.Time
	Did, Happened, Learnt string
	Status                domain.ActionStatus `db:"-"` // set on the action with the entry; "" leaves it (not a column)
}

// Comment is a coach's comment on an action.
type Comment struct {
	At           time.Time
	Author, Body string
}

// ActionFile is an action with its journal and the coach's comments.
type ActionFile struct {
	Action
	Journal  []JournalEntry
	Comments []Comment
}

// ActionDetail loads one action, its journal and comments.
func (s *Store) ActionDetail(ctx context.Context, sc Scope, id, aid string) (*ActionFile, error) {
	if !validUUID(aid) {
		return nil, domain.ErrNotFound
	}
	f := &ActionFile{}
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(actionSelect+` WHERE a.tenant_id = $1 AND a.engagement_id = $2 AND a.id = $3`, sc.TenantID, id, aid)
		b.Queue(`SELECT id, at, did, happened, learnt FROM journal_entries WHERE tenant_id = $1 AND action_id = $2 ORDER BY at DESC`, sc.TenantID, aid)
		b.Queue(`SELECT c.at, coalesce(u.name, ''), c.body FROM action_comments c LEFT JOIN users u ON u.id = c.author_id
			WHERE c.tenant_id = $1 AND c.action_id = $2 ORDER BY c.at`, sc.TenantID, aid)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		a, err := pgx.CollectExactlyOneRow(rows, scanAction)
		if err != nil {
			return dbError("action", err)
		}
		f.Action = a
		rows, _ = br.Query()
		if f.Journal, err = pgx.CollectRows(rows, pgx.RowToStructByPos[JournalEntry]); err != nil {
			return dbError("journal", err)
		}
		rows, _ = br.Query()
		f.Comments, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Comment])
		return dbError("comments", err)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// inActions runs fn on an engagement whose intersession work is going on.
func (s *Store) inActions(ctx context.Context, sc Scope, id string, fn func(tx pgx.Tx) error) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, phase domain.Phase) error {
		if !domain.CanWorkOnActions(phase) {
			return domain.Errorf(domain.EForbidden, "action.not_in_phase")
		}
		return fn(tx)
	})
}

// NewAction is an action from a session's action plan (SessionID set) or added
// by the coachee.
type NewAction struct {
	SessionID, ObjectiveID, Title, Description string
	Due                                        *time.Time
}

// AddAction creates an intersession action.
func (s *Store) AddAction(ctx context.Context, sc Scope, id string, a NewAction) (string, error) {
	var aid string
	err := s.inActions(ctx, sc, id, func(tx pgx.Tx) error {
		// The session and the objective must be this engagement's own: an id from
		// another engagement of the workspace is refused, not linked.
		var sessionOK, objectiveOK bool
		if err := tx.QueryRow(ctx, `SELECT $3 = '' OR EXISTS (SELECT 1 FROM coaching_sessions WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3),
			$4 = '' OR EXISTS (SELECT 1 FROM objectives WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $4)`,
			sc.TenantID, id, a.SessionID, a.ObjectiveID).Scan(&sessionOK, &objectiveOK); err != nil {
			return dbError("check action links", err)
		}
		if !sessionOK {
			return domain.ErrNotFound
		}
		if !objectiveOK {
			return domain.FieldErrors{"objective": "field.invalid_choice"}
		}
		// (Added to a session, it goes at the end of that session's plan.)
		err := tx.QueryRow(ctx, `INSERT INTO actions (tenant_id, engagement_id, session_id, objective_id, title, description, due_date, created_by, plan_position)
			VALUES ($1, $2, nullif($3, '')::uuid, nullif($4, '')::uuid, $5, $6, $7, $8,
				CASE WHEN $3 <> '' THEN (SELECT coalesce(max(plan_position) + 1, 0) FROM actions WHERE tenant_id = $1 AND engagement_id = $2 AND session_id::text = $3) END) RETURNING id`,
			sc.TenantID, id, a.SessionID, a.ObjectiveID, a.Title, a.Description, dateOnly(a.Due), sc.UserID).Scan(&aid)
		if err != nil {
			return dbError("add action", err)
		}
		return engagementEvent(ctx, tx, sc, id, "action.added", nil)
	})
	return aid, err
}

// SetActionStatus moves an action to a new status.
func (s *Store) SetActionStatus(ctx context.Context, sc Scope, id, aid string, status domain.ActionStatus) error {
	return s.actionWrite(ctx, sc, id, `UPDATE actions SET status = $4 WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, aid, status)
}

// ShareAction shares an action (and its journal) with the sponsor, or takes it
// back; each share and unshare is recorded in the history.
func (s *Store) ShareAction(ctx context.Context, sc Scope, id, aid string, share bool) error {
	return s.inActions(ctx, sc, id, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE actions SET shared_at = CASE WHEN $4 THEN coalesce(shared_at, now()) END
			WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, aid, share)
		if err != nil {
			return dbError("share action", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.ErrNotFound
		}
		kind := "action.unshared"
		if share {
			kind = "action.shared"
		}
		return engagementEvent(ctx, tx, sc, id, kind, nil)
	})
}

// AddJournalEntry adds an entry to the coachee's journal on an action.
// With a status, the action takes it in the same transaction: both or neither.
func (s *Store) AddJournalEntry(ctx context.Context, sc Scope, id, aid string, e JournalEntry) error {
	return s.inActions(ctx, sc, id, func(tx pgx.Tx) error {
		err := execOne(ctx, tx, `INSERT INTO journal_entries (tenant_id, action_id, engagement_id, author_id, did, happened, learnt)
		SELECT $1, a.id, a.engagement_id, $4, $5, $6, $7 FROM actions a WHERE a.tenant_id = $1 AND a.engagement_id = $2 AND a.id::text = $3`,
			sc.TenantID, id, aid, sc.UserID, e.Did, e.Happened, e.Learnt)
		if err != nil || e.Status == "" {
			return err
		}
		return execOne(ctx, tx, `UPDATE actions SET status = $4 WHERE tenant_id = $1 AND engagement_id = $2 AND id::text = $3`, sc.TenantID, id, aid, e.Status)
	})
}

// AddComment adds the coach's comment on an action.
func (s *Store) AddComment(ctx context.Context, sc Scope, id, aid, body string) error {
	return s.actionWrite(ctx, sc, id, `INSERT INTO action_comments (tenant_id, action_id, engagement_id, author_id, body)
		SELECT $1, a.id, a.engagement_id, $4, $5 FROM actions a WHERE a.tenant_id = $1 AND a.engagement_id = $2 AND a.id::text = $3`,
		aid, sc.UserID, body)
}

func (s *Store) actionWrite(ctx context.Context, sc Scope, id, q, aid string, args ...any) error {
	return s.inActions(ctx, sc, id, func(tx pgx.Tx) error {
		return execOne(ctx, tx, q, append([]any{sc.TenantID, id, aid}, args...)...)
	})
}

// execOne runs a write that must touch a row: none is a not found.
func execOne(ctx context.Context, tx pgx.Tx, q string, args ...any) error {
	tag, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return dbError("action write", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrNotFound
	}
	return nil
}
