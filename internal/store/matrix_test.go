package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/store"
	"triade/internal/testenv"
)

// The database matrix: for every workspace table, every operation and every
// persona, what PostgreSQL itself lets the request role do. It is the second
// layer under the pages: the rows below must hold even for a handler that
// forgot its check, or a person who got SQL through the request role.
//
// Personas, for the engagement that owns the row under test:
//
//	coach, cocoach, coachee, sponsor   its parties
//	admin                              the workspace admin, no part in it
//	outsider                           a coach of the workspace, party of another engagement only
//	foreign                            a coach of another workspace, in their own workspace
//	nobody                             no workspace, no person
var matrixPersonas = []string{"coach", "cocoach", "coachee", "sponsor", "admin", "outsider", "foreign", "nobody"}

// matrixCase is one table's row under test and who may do what with it. Each
// operation lists the personas PostgreSQL lets through; every other persona
// must be refused (no row seen or changed, or a row-level security error).
type matrixCase struct {
	table string
	// where picks the row (SQL on the table, alias t); the engagement of that
	// row decides the parties.
	where string
	// engagement is the SQL expression, on t, of the row's engagement.
	engagement string
	// as names the columns an honest INSERT fills with the inserting person
	// (author, creator), and part the column it fills with their part.
	as   []string
	part string
	// blank lists the text columns a new row starts without (born empty).
	blank []string
	// kept lists the columns the database keeps from other tables (triggers
	// write them): the request role has no right on them, so an honest
	// INSERT leaves them out and an UPDATE does not name them.
	kept []string
	// info is the row of internal/domain's rule set the table holds: its
	// readers must be the parts the rule set lets read it.
	info domain.Info
	// writeInfo is the row whose write right covers updates, when it is not
	// info; "-" when several rows share the table's columns (the engagement:
	// summary, willingness and closing, kept apart by engagements_guard).
	writeInfo                       domain.Info
	select_, insert, update, delete string
}

const (
	parties    = "coach cocoach coachee sponsor"
	summary    = parties + " admin"
	coaching   = "coach cocoach coachee"
	coaches    = "coach cocoach"
	allMembers = summary + " outsider"
)

// The expected rows follow DESIGN.md's "who sees what" table, which
// internal/domain's access matrix encodes for the pages (see the comment on
// each group); the write columns add who writes each row.
var matrixCases = []matrixCase{
	// Workspace-level tables: the workspace's role decides.
	{table: "memberships", where: "t.roles = '{sponsor}'", select_: allMembers, insert: "admin coach cocoach outsider", update: "admin", delete: "admin"},
	{table: "client_orgs", select_: allMembers, insert: "admin", update: "admin", delete: "admin"},
	{table: "invitations", where: "t.role IN ('coachee', 'sponsor')", as: []string{"invited_by"}, select_: "admin coach cocoach outsider", insert: "admin coach cocoach outsider", update: "admin", delete: "admin"},
	{table: "library_items", as: []string{"created_by"}, select_: allMembers, insert: "admin coach cocoach outsider", update: "admin coach cocoach outsider", delete: "admin coach cocoach outsider"},
	{table: "workspace_letterheads", select_: allMembers, insert: "admin", update: "admin", delete: "admin"},
	{table: "workspaces", where: "t.slug = 'demo'", select_: allMembers + " foreign nobody", insert: allMembers + " foreign nobody", update: "admin"},

	// The engagement summary (InfoSummary): parties and admin read.
	{table: "engagements", info: domain.InfoSummary, writeInfo: "-", engagement: "t.id", as: []string{"created_by"}, select_: summary, insert: "admin coach cocoach outsider", update: parties, delete: "admin"},
	// Its figures, kept by the writes' triggers: read like it, never written
	// by a request.
	// The summaries are read only through the view of the person's own parts
	// (my_dashboard), which narrows a sponsor's figures: the
	// table itself is no one's (TestDashboardViewsKeepToTheCallersParts).
	{table: "engagement_summaries", where: "t.engagement_id IN (SELECT engagement_id FROM engagement_parties WHERE part = 'cocoach')"},
	{table: "engagement_parties", info: domain.InfoSummary, where: "t.part = 'sponsor'", select_: summary, insert: "coach"},
	{table: "coaching_sessions", info: domain.InfoSessions, select_: summary, insert: coaches, update: coaches, delete: coaches},
	{table: "meetings", info: domain.InfoSummary, select_: summary, insert: coaches, update: coaches, delete: coaches},
	{table: "meeting_attendees", engagement: "(SELECT m.engagement_id FROM meetings m WHERE m.tenant_id = t.tenant_id AND m.id = t.meeting_id)",
		select_: summary, insert: coaches, update: coaches, delete: coaches},
	// History (InfoHistory): admin and coaches read; whoever acts appends.
	{table: "events", info: domain.InfoHistory, where: "t.engagement_id IS NOT NULL", as: []string{"actor_id"}, select_: "admin coach cocoach", insert: allMembers},

	// The first-meeting diagnosis (InfoDiagnosis): coach and coachee.
	{table: "diagnoses", info: domain.InfoDiagnosis, blank: []string{"stakes", "draft_objectives"}, select_: coaching, insert: parties, update: coaches},
	// Framing (InfoFraming): everyone reads; coaches write, each side its request.
	{table: "requests", info: domain.InfoCompanyRequest, where: "t.level = 'company'", select_: summary, insert: coaches, update: coaches + " sponsor"},
	{table: "requests", info: domain.InfoCoacheeRequest, where: "t.level = 'coachee'", select_: summary, insert: coaches, update: coaches + " coachee"},
	{table: "contracts", info: domain.InfoFraming, select_: summary, insert: coaches, update: coaches},
	{table: "objectives", info: domain.InfoFraming, select_: summary, insert: coaches, update: coaches, delete: coaches},
	{table: "indicators", info: domain.InfoFraming, select_: summary, insert: coaches, update: coaches, delete: coaches},
	// Intermediate meeting requests (InfoMeetingRequests): the three parties.
	{table: "meeting_requests", info: domain.InfoMeetingRequests, as: []string{"requested_by"}, select_: parties, insert: parties, update: coaches},
	// Documents (InfoSynthesis, InfoClosing): read by all, frozen, validated
	// by each party in their own name, commented by the sponsor.
	{table: "synthesis_versions", info: domain.InfoSynthesis, as: []string{"created_by"}, select_: summary, insert: coaches},
	{table: "report_versions", info: domain.InfoClosing, as: []string{"created_by"}, select_: summary, insert: coaches},
	{table: "synthesis_validations", info: domain.InfoSynthesis, as: []string{"user_id"}, part: "part", select_: summary, insert: parties},
	{table: "report_validations", info: domain.InfoClosing, as: []string{"user_id"}, part: "part", select_: summary, insert: parties},
	{table: "document_comments", info: domain.InfoDocComments, as: []string{"author_id"}, select_: summary, insert: "sponsor"},

	// Session content (InfoSessionContent): coach and coachee; the cancel
	// reason with it.
	{table: "session_cancellations", info: domain.InfoSessionContent, select_: coaching, insert: coaches, update: coaches, delete: coaches},
	{table: "session_contents", info: domain.InfoSessionContent, select_: coaching, insert: coaches, update: coaches, delete: coaches},
	{table: "session_situations", info: domain.InfoSessionContent, select_: coaching, insert: coaches, update: coaches, delete: coaches},
	{table: "session_options", info: domain.InfoSessionContent, select_: coaching, insert: coaches, update: coaches, delete: coaches},
	{table: "session_inputs", info: domain.InfoSessionContent, select_: coaching, insert: coaches, update: coaches, delete: coaches},
	// Private notes (InfoPrivateNotes): their author alone.
	{table: "private_notes", where: "t.author_id IN (SELECT p.user_id FROM engagement_parties p WHERE p.tenant_id = t.tenant_id AND p.engagement_id = t.engagement_id AND p.part = 'coach')",
		as: []string{"author_id"}, select_: "coach", insert: coaches, update: "coach", delete: "coach"},
	// Actions and journal (InfoActions, InfoSharedActions): the coachee's;
	// the sponsor reads what the coachee shared.
	{table: "actions", info: domain.InfoActions, where: "t.shared_at IS NULL AND EXISTS (SELECT 1 FROM journal_entries j WHERE j.tenant_id = t.tenant_id AND j.action_id = t.id)",
		as: []string{"created_by"}, kept: keptColumns["actions"], select_: coaching, insert: coaching, update: "coachee", delete: coaches},
	// A line of a session's action plan the coachee has not started: the
	// coaches still shape it while recording the session.
	{table: "actions", info: domain.InfoSessionContent, writeInfo: domain.InfoActions, where: "t.shared_at IS NULL AND t.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM journal_entries j WHERE j.tenant_id = t.tenant_id AND j.action_id = t.id)",
		as: []string{"created_by"}, kept: keptColumns["actions"], select_: coaching, insert: coaching, update: coaching, delete: coaches},
	{table: "actions", info: domain.InfoSharedActions, writeInfo: domain.InfoActions, where: "t.shared_at IS NOT NULL", as: []string{"created_by"}, kept: keptColumns["actions"], select_: parties, insert: coaching, update: "coachee", delete: coaches},
	{table: "journal_entries", where: "NOT EXISTS (SELECT 1 FROM actions a WHERE a.tenant_id = t.tenant_id AND a.id = t.action_id AND a.shared_at IS NOT NULL)",
		as: []string{"author_id"}, select_: coaching, insert: "coachee"},
	{table: "journal_entries", where: "EXISTS (SELECT 1 FROM actions a WHERE a.tenant_id = t.tenant_id AND a.id = t.action_id AND a.shared_at IS NOT NULL)",
		as: []string{"author_id"}, select_: parties, insert: "coachee"},
	{table: "action_comments", info: domain.InfoActions, as: []string{"author_id"}, select_: coaching, insert: coaches},
	// Autonomy ratings and evaluations: coach and coachee, each their own.
	{table: "autonomy_ratings", where: "t.part = 'coach' AND t.user_id IN (SELECT p.user_id FROM engagement_parties p WHERE p.tenant_id = t.tenant_id AND p.engagement_id = t.engagement_id AND p.part = 'coach')" +
		" AND EXISTS (SELECT 1 FROM autonomy_ratings o WHERE o.tenant_id = t.tenant_id AND o.session_id = t.session_id AND o.part = 'coachee')",
		as: []string{"user_id"}, part: "rated", select_: coaching, insert: coaching, update: "coach"},
	// Blind: the coachee sees the coach's rating of a session once she has
	// given hers, and not before.
	{table: "autonomy_ratings", where: "t.part = 'coach' AND NOT EXISTS (SELECT 1 FROM autonomy_ratings o WHERE o.tenant_id = t.tenant_id AND o.session_id = t.session_id AND o.part = 'coachee')",
		as: []string{"user_id"}, part: "rated", select_: coaches, insert: coaching, update: "coach"},
	{table: "evaluations", info: domain.InfoEvaluation, where: "t.part = 'coachee'", as: []string{"user_id"}, part: "rated", select_: coaching, insert: coaching, update: "coachee"},
	// The coachee's self-assessment in a report version: the others read it
	// once the coachee has validated that version.
	{table: "report_self_assessments", where: "EXISTS (SELECT 1 FROM report_validations v WHERE v.tenant_id = t.tenant_id AND v.engagement_id = t.engagement_id AND v.number = t.number AND v.part = 'coachee')",
		select_: summary, insert: coaches},
	{table: "report_self_assessments", where: "NOT EXISTS (SELECT 1 FROM report_validations v WHERE v.tenant_id = t.tenant_id AND v.engagement_id = t.engagement_id AND v.number = t.number AND v.part = 'coachee')",
		select_: "coachee", insert: coaches},
	// Closing (InfoClosing): read by all; each writes their own piece.
	{table: "coachee_syntheses", info: domain.InfoCoacheeSynth, blank: []string{"body"}, select_: summary, insert: parties, update: "coachee"},
	{table: "recommendations", info: domain.InfoRecommendations, where: "t.author_id IN (SELECT p.user_id FROM engagement_parties p WHERE p.tenant_id = t.tenant_id AND p.engagement_id = t.engagement_id AND p.part = 'coach')",
		as: []string{"author_id"}, select_: summary, insert: coaches + " sponsor", delete: "coach cocoach"},
	// Why the engagement closes short of its contract: the coaching pair's.
	{table: "closing_notes", select_: coaching, insert: coaches, update: coaches},
	{table: "sponsor_feedback", info: domain.InfoFeedback, as: []string{"author_id"}, select_: summary, insert: "sponsor", update: "sponsor"},

	// A person's own rows.
	{table: "calendar_feeds", where: "t.user_id = (SELECT id FROM users WHERE email = 'coach@demo.test')", as: []string{"user_id"},
		select_: "coach", insert: allMembers, update: "coach", delete: "coach"},
	{table: "reminders_sent", where: "t.user_id = (SELECT id FROM users WHERE email = 'coachee@demo.test')", as: []string{"user_id"},
		select_: "coachee", insert: allMembers, delete: "coachee"},
}

// TestDatabaseMatrix tries every operation on every workspace table as every
// persona, through the request role, and compares with matrixCases.
func TestDatabaseMatrix(t *testing.T) {
	m := newMatrix(t)
	tables := map[string]bool{}
	for _, c := range matrixCases {
		tables[c.table] = true
	}
	for _, table := range tenantTables(t, m.env) {
		if !tables[table] {
			t.Errorf("%s: a workspace table the database matrix does not cover", table)
		}
	}
	tried := 0
	for _, c := range matrixCases {
		t.Run(c.table+"/"+c.where, func(t *testing.T) {
			row := m.pick(t, c)
			for _, op := range []string{"SELECT", "INSERT", "UPDATE", "DELETE"} {
				allowed := strings.Fields(map[string]string{"SELECT": c.select_, "INSERT": c.insert, "UPDATE": c.update, "DELETE": c.delete}[op])
				for _, who := range matrixPersonas {
					got, err := m.try(t, c, row, op, who)
					tried++
					if err != nil {
						t.Errorf("%s %s as %s: %v", op, c.table, who, err)
						continue
					}
					if want := slices.Contains(allowed, who); got != want {
						t.Errorf("%s %s as %s: allowed=%v, want %v", op, c.table, who, got, want)
					}
				}
			}
		})
	}
	t.Logf("%d tables, %d rows, %d operations tried (%d personas × 4 operations)", len(tables), len(matrixCases), tried, len(matrixPersonas))
}

type matrix struct {
	env      *testenv.Env
	ctx      context.Context
	tenant   string
	autre    string
	users    map[string]string // persona → user id, for those who are not parties
	outsider string
}

// newMatrix seeds the demo, then adds a co-coach to every demo engagement and
// an outsider: a coach of the workspace who leads an engagement of their own.
func newMatrix(t *testing.T) *matrix {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	m := &matrix{env: env, ctx: ctx, users: map[string]string{}}
	m.super(t, `SELECT id FROM workspaces WHERE slug = 'demo'`, &m.tenant)
	m.super(t, `SELECT id FROM workspaces WHERE slug = 'autre'`, &m.autre)
	var cocoach string
	m.super(t, `INSERT INTO users (email, name) VALUES ('cocoach@demo.test', 'Co-coach') RETURNING id`, &cocoach)
	m.super(t, `INSERT INTO users (email, name) VALUES ('outsider@demo.test', 'Outsider') RETURNING id`, &m.outsider)
	m.exec(t, `INSERT INTO memberships (tenant_id, user_id, roles) VALUES ($1, $2, '{coach}'), ($1, $3, '{coach}')`, m.tenant, cocoach, m.outsider)
	m.exec(t, `INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part)
		SELECT $1, id, $2, 'cocoach' FROM engagements WHERE tenant_id = $1`, m.tenant, cocoach)
	var other string
	m.super(t, `INSERT INTO engagements (tenant_id, title, client_org_id, created_by)
		SELECT $1, 'Outsider''s own', id, $2 FROM client_orgs WHERE tenant_id = $1 LIMIT 1 RETURNING id`, &other, m.tenant, m.outsider)
	m.exec(t, `INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part) VALUES ($1, $2, $3, 'coach')`, m.tenant, other, m.outsider)
	// The demo's engagements were opened by their lead coach.
	m.exec(t, `UPDATE engagements e SET created_by = p.user_id FROM engagement_parties p
		WHERE p.tenant_id = e.tenant_id AND p.engagement_id = e.id AND p.part = 'coach' AND e.tenant_id = $1`, m.tenant)
	// A pending invitation of a sponsor, sent by a coach.
	m.exec(t, `INSERT INTO invitations (tenant_id, email, name, role, token_hash, invited_by, expires_at)
		SELECT $1, 'invited@client.test', 'Invitée', 'sponsor', '\x01', user_id, now() + interval '7 days'
		FROM memberships WHERE tenant_id = $1 AND roles = '{coach}' LIMIT 1`, m.tenant)
	// A plan line the coachee has not started.
	m.exec(t, `INSERT INTO actions (tenant_id, engagement_id, session_id, title, created_by)
		SELECT s.tenant_id, s.engagement_id, s.id, 'Ligne du plan pas encore commencée', p.user_id FROM coaching_sessions s
		JOIN engagement_parties p ON p.tenant_id = s.tenant_id AND p.engagement_id = s.engagement_id AND p.part = 'coach'
		WHERE s.tenant_id = $1 AND s.status = 'held' LIMIT 1`, m.tenant)
	// A session the coach has rated and the coachee not yet.
	m.exec(t, `DELETE FROM autonomy_ratings WHERE tenant_id = $1 AND part = 'coachee' AND session_id =
		(SELECT session_id FROM autonomy_ratings WHERE tenant_id = $1 AND part = 'coach' ORDER BY at LIMIT 1)`, m.tenant)
	// A report version the coachee has not validated yet.
	m.exec(t, `INSERT INTO report_versions (tenant_id, engagement_id, number, content, created_by)
		SELECT tenant_id, engagement_id, number + 100, content, created_by FROM report_versions WHERE tenant_id = $1 ORDER BY number LIMIT 1`, m.tenant)
	m.exec(t, `INSERT INTO report_self_assessments (tenant_id, engagement_id, number, content)
		SELECT tenant_id, engagement_id, number, '[]' FROM report_versions WHERE tenant_id = $1 AND number > 100`, m.tenant)
	for who, email := range map[string]string{"admin": "admin@demo.test", "foreign": "coach@autre.test"} {
		var id string
		m.super(t, `SELECT id FROM users WHERE email = $1`, &id, email)
		m.users[who] = id
	}
	m.users["outsider"] = m.outsider
	return m
}

func (m *matrix) super(t *testing.T, q string, dst any, args ...any) {
	t.Helper()
	if err := m.env.Super.QueryRow(m.ctx, q, args...).Scan(dst); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (m *matrix) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := m.env.Super.Exec(m.ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// picked is the row under test: its key, its content, and the parties of its
// engagement by part.
type picked struct {
	ctid    string
	content map[string]any
	parts   map[string]string // part → user id
}

func (m *matrix) pick(t *testing.T, c matrixCase) picked {
	t.Helper()
	where := "t.tenant_id = $1"
	if c.where != "" {
		where += " AND " + c.where
	}
	eng := c.engagement
	if eng == "" {
		eng = "t.engagement_id"
		if !m.hasColumn(t, c.table, "engagement_id") {
			eng = "(SELECT p.engagement_id FROM engagement_parties p WHERE p.tenant_id = t.tenant_id AND p.part = 'sponsor' LIMIT 1)"
		}
	}
	if c.table == "workspaces" {
		where = "t.id = $1 AND " + c.where
		eng = "(SELECT p.engagement_id FROM engagement_parties p WHERE p.tenant_id = t.id AND p.part = 'sponsor' LIMIT 1)"
	}
	var p picked
	var raw []byte
	var engagement string
	err := m.env.Super.QueryRow(m.ctx, `SELECT t.ctid::text, row_to_json(t)::text, `+eng+`::text FROM `+ident(c.table)+` t WHERE `+where+` LIMIT 1`, m.tenant).
		Scan(&p.ctid, &raw, &engagement)
	if errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("the demo has no %s row (%s): the matrix would prove nothing", c.table, c.where)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &p.content); err != nil {
		t.Fatal(err)
	}
	rows, _ := m.env.Super.Query(m.ctx, `SELECT part, user_id::text FROM engagement_parties WHERE tenant_id = $1 AND engagement_id = $2`, m.tenant, engagement)
	p.parts = map[string]string{}
	var part, user string
	if _, err := pgx.ForEachRow(rows, []any{&part, &user}, func() error { p.parts[part] = user; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"coach", "cocoach", "coachee", "sponsor"} {
		if p.parts[want] == "" {
			t.Fatalf("%s row: its engagement has no %s", c.table, want)
		}
	}
	return p
}

func (m *matrix) hasColumn(t *testing.T, table, column string) bool {
	var ok bool
	m.super(t, `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2)`, &ok, table, column)
	return ok
}

// scope is the persona's request scope for the row's engagement.
func (m *matrix) scope(p picked, who string) store.Scope {
	switch who {
	case "nobody":
		return store.Scope{}
	case "foreign":
		return store.Scope{TenantID: m.autre, UserID: m.users[who]}
	case "admin", "outsider":
		return store.Scope{TenantID: m.tenant, UserID: m.users[who]}
	}
	return store.Scope{TenantID: m.tenant, UserID: p.parts[who]}
}

// try runs one operation on the row as the persona, through the request role,
// and rolls it back. It reports whether row-level security let it through: a
// later error (a unique key, a foreign key) means the policies did.
func (m *matrix) try(t *testing.T, c matrixCase, p picked, op, who string) (bool, error) {
	t.Helper()
	sc := m.scope(p, who)
	tx, err := m.env.Super.Begin(m.ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(m.ctx)
	stmt, args, err := m.statement(c, p, op, who)
	if err != nil {
		return false, err
	}
	if _, keyed := p.content["id"]; op == "INSERT" && !keyed && c.table != "memberships" {
		// A row keyed by its parent alone: make room for it first.
		if _, err := tx.Exec(m.ctx, `DELETE FROM `+ident(c.table)+` WHERE ctid = $1::tid`, p.ctid); err != nil {
			return false, fmt.Errorf("make room: %w", err)
		}
	}
	if _, err := tx.Exec(m.ctx, `SET LOCAL ROLE `+store.AppRole); err != nil {
		return false, err
	}
	if _, err := tx.Exec(m.ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, sc.TenantID, sc.UserID); err != nil {
		return false, err
	}
	var n int64
	if op == "SELECT" {
		err = tx.QueryRow(m.ctx, stmt, args...).Scan(&n)
	} else {
		var tag pgconn.CommandTag
		tag, err = tx.Exec(m.ctx, stmt, args...)
		n = tag.RowsAffected()
	}
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return n > 0, nil
	case errors.As(err, &pe) && pe.Code == "42501":
		return false, nil
	case errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "23503"):
		return true, nil // past the policies, stopped by a key
	}
	return false, err
}

// statement writes the operation on the picked row. Reads and writes address
// the row by its physical location, fixed inside the transaction.
func (m *matrix) statement(c matrixCase, p picked, op, who string) (string, []any, error) {
	table := ident(c.table)
	switch op {
	case "SELECT":
		return `SELECT count(*) FROM ` + table + ` WHERE ctid = $1::tid`, []any{p.ctid}, nil
	case "DELETE":
		return `DELETE FROM ` + table + ` WHERE ctid = $1::tid`, []any{p.ctid}, nil
	case "UPDATE":
		col := firstColumn(p.content, c.kept)
		return `UPDATE ` + table + ` SET ` + ident(col) + ` = ` + ident(col) + ` WHERE ctid = $1::tid`, []any{p.ctid}, nil
	}
	row := map[string]any{}
	for k, v := range p.content {
		row[k] = v
	}
	switch id := row["id"].(type) {
	case string:
		row["id"] = "00000000-0000-4000-8000-0000000000aa"
	case float64:
		row["id"] = id + 1e9
	}
	if c.table == "memberships" {
		// A new member: the demo's own people are all members already.
		row["user_id"] = m.outsider
		delete(row, "client_org_id")
	}
	if c.table == "workspaces" {
		row["slug"] = "matrix-new"
	}
	me := m.scope(p, who).UserID
	for _, col := range c.as {
		if me != "" {
			row[col] = me
		}
	}
	for _, col := range c.blank {
		row[col] = ""
	}
	for _, col := range c.kept {
		delete(row, col)
	}
	switch c.part {
	case "part":
		for part, user := range p.parts {
			if user == me {
				row["part"] = part
			}
		}
	case "rated":
		for part, user := range p.parts {
			if user == me {
				row["part"] = map[string]string{"coach": "coach", "cocoach": "coach", "coachee": "coachee"}[part]
			}
		}
	}
	raw, err := json.Marshal(row)
	if err != nil {
		return "", nil, err
	}
	overriding := ""
	if _, ok := row["id"].(float64); ok {
		overriding = " OVERRIDING SYSTEM VALUE"
	}
	cols := make([]string, 0, len(row))
	for k := range row {
		cols = append(cols, ident(k))
	}
	slices.Sort(cols)
	list := strings.Join(cols, ", ")
	return `INSERT INTO ` + table + ` (` + list + `)` + overriding + ` SELECT ` + list + ` FROM json_populate_record(null::` + table + `, $1::json)`, []any{string(raw)}, nil
}

// firstColumn is a column to rewrite with its own value: the update changes
// nothing, so only the policies decide.
func firstColumn(row map[string]any, kept []string) string {
	keys := make([]string, 0, len(row))
	for k := range row {
		if k != "tenant_id" && !slices.Contains(kept, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys[0]
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

// TestNoPromotionThroughSQL replays, as the request role with a sponsor's
// scope, the writes that used to hand a sponsor the session contents, the
// journals, the diagnosis and the history, or erase traces.
func TestNoPromotionThroughSQL(t *testing.T) {
	m := newMatrix(t)
	var eng, sponsor, coach string
	m.super(t, `SELECT e.id::text FROM engagements e JOIN report_versions r ON r.tenant_id = e.tenant_id AND r.engagement_id = e.id WHERE e.tenant_id = $1 LIMIT 1`, &eng, m.tenant)
	m.super(t, `SELECT user_id::text FROM engagement_parties WHERE tenant_id = $1 AND engagement_id = $2 AND part = 'sponsor'`, &sponsor, m.tenant, eng)
	m.super(t, `SELECT user_id::text FROM engagement_parties WHERE tenant_id = $1 AND engagement_id = $2 AND part = 'coach'`, &coach, m.tenant, eng)
	// A second sponsor's feedback, which the first must not rewrite.
	var other string
	m.super(t, `INSERT INTO users (email, name) VALUES ('other.sponsor@demo.test', 'Autre RH') RETURNING id`, &other)
	m.exec(t, `INSERT INTO memberships (tenant_id, user_id, roles) VALUES ($1, $2, '{sponsor}')`, m.tenant, other)
	m.exec(t, `INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part, sponsor_kind) VALUES ($1, $2, $3, 'sponsor', 'hr')`, m.tenant, eng, other)
	m.exec(t, `INSERT INTO sponsor_feedback (tenant_id, engagement_id, author_id, body) VALUES ($1, $2, $3, 'Bon travail')`, m.tenant, eng, other)

	as := func(user, stmt string) (int64, error) {
		return asRequestRole(t, m.env, m.tenant, user, strings.ReplaceAll(stmt, "{e}", "'"+eng+"'"))
	}
	for _, stmt := range []string{
		`UPDATE engagement_parties SET part = 'cocoach' WHERE engagement_id = {e} AND user_id = app_user()`,
		`UPDATE memberships SET roles = roles || '{admin}' WHERE user_id = app_user()`,
		`UPDATE memberships SET roles = '{coach}' WHERE user_id = app_user()`,
		`UPDATE memberships SET roles = roles || '{coach}' WHERE user_id = app_user()`,
		`INSERT INTO memberships (tenant_id, user_id, roles) VALUES (app_tenant(), '` + other + `', '{coach}') ON CONFLICT (tenant_id, user_id) DO UPDATE SET roles = '{sponsor,coach}'`,
		`INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part) VALUES (app_tenant(), {e}, app_user(), 'cocoach')`,
		`DELETE FROM engagement_parties WHERE engagement_id = {e} AND part = 'coach'`,
		`DELETE FROM diagnoses WHERE engagement_id = {e}`,
		`DELETE FROM coachee_syntheses WHERE engagement_id = {e}`,
		`DELETE FROM events`,
		`UPDATE events SET kind = 'nothing'`,
		`UPDATE sponsor_feedback SET body = 'Réécrit' WHERE engagement_id = {e} AND author_id <> app_user()`,
		`UPDATE engagements SET phase = 'accompagnement' WHERE id = {e}`,
		`UPDATE engagements SET coherence_ok = NOT coherence_ok WHERE id = {e}`,
		`UPDATE requests SET validated_at = now() WHERE engagement_id = {e}`,
		`UPDATE report_versions SET content = '{}' WHERE engagement_id = {e}`,
		`DELETE FROM report_validations WHERE engagement_id = {e}`,
		`INSERT INTO synthesis_validations (tenant_id, engagement_id, number, user_id, part)
			SELECT tenant_id, engagement_id, number, app_user(), 'coach' FROM synthesis_versions WHERE engagement_id = {e} LIMIT 1`,
	} {
		n, err := as(sponsor, stmt)
		if err == nil && n > 0 {
			t.Errorf("as the sponsor, %s: changed %d rows, want a refusal", stmt, n)
		}
		var pe *pgconn.PgError
		if err != nil && (!errors.As(err, &pe) || (pe.Code != "42501" && pe.Code != "23514")) {
			t.Errorf("as the sponsor, %s: %v, want a refusal by row-level security (42501), the role rule (23514) or no row", stmt, err)
		}
	}
	// The coachee confirms their own willingness, never the coach's.
	var coachee string
	m.super(t, `SELECT user_id::text FROM engagement_parties WHERE tenant_id = $1 AND engagement_id = $2 AND part = 'coachee'`, &coachee, m.tenant, eng)
	if n, err := as(coachee, `UPDATE engagements SET coachee_willing_at = now() WHERE id = {e}`); err != nil || n != 1 {
		t.Errorf("the coachee's own willingness: %d rows, %v", n, err)
	}
	if _, err := as(coachee, `UPDATE engagements SET coach_willing_at = now() WHERE id = {e}`); err == nil {
		t.Error("the coachee confirmed the coach's willingness")
	}
	// A sponsor made co-coach by a coach who opens an engagement is refused by
	// the database too (each part needs its workspace role).
	_, err := as(coach, `INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part)
		SELECT tenant_id, id, '`+other+`', 'cocoach' FROM engagements WHERE id = {e}`)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || (pe.Code != "23514" && pe.Code != "42501") {
		t.Errorf("a sponsor made co-coach: %v, want a refusal", err)
	}
}

// TestRequestRoleCannotBecomeMore: the request pool logs in as the restricted
// role itself, so there is nothing to RESET to, and it may SET ROLE to nothing.
func TestRequestRoleCannotBecomeMore(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	conn, err := env.App.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var user, session string
	var super bool
	if err := conn.QueryRow(ctx, `RESET ROLE; SELECT current_user, session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`).Scan(&user, &session, &super); err != nil {
		// A multi-statement string returns the last result: run them apart.
		if _, err := conn.Exec(ctx, `RESET ROLE`); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, `SELECT current_user, session_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`).Scan(&user, &session, &super); err != nil {
			t.Fatal(err)
		}
	}
	if user != store.AppRole || session != store.AppRole || super {
		t.Fatalf("after RESET ROLE: current_user=%s session_user=%s superuser=%v", user, session, super)
	}
	var roles []string
	rows, _ := env.Super.Query(ctx, `SELECT rolname FROM pg_roles WHERE rolname <> $1`, store.AppRole)
	roles, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		if _, err := conn.Exec(ctx, `SET ROLE `+ident(r)); err == nil {
			t.Errorf("the request role could SET ROLE %s", r)
			conn.Exec(ctx, `RESET ROLE`)
		}
	}
}

// TestRequestRoleCannotShadowTables: a temporary table is searched before the
// real one for a name, so a temporary "memberships" would stand in for the
// real one inside the policies' helpers and the triggers. The request role may
// create none, and the functions that run with the owner's rights search the
// temporary schema last.
func TestRequestRoleCannotShadowTables(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE TEMP TABLE memberships AS SELECT * FROM public.memberships WHERE false`,
		`CREATE TEMP TABLE engagement_parties (tenant_id uuid, engagement_id uuid, user_id uuid, part text)`,
	} {
		_, err := env.App.Exec(ctx, stmt)
		if !containsCode(err, "42501") {
			t.Errorf("as the request role, %s: %v, want a refusal (42501)", stmt, err)
		}
	}
	rows, _ := env.Super.Query(ctx, `SELECT p.oid::regprocedure::text FROM pg_proc p
		WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
		AND NOT coalesce('search_path=public, pg_temp' = ANY (p.proconfig), false)`)
	loose, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range loose {
		t.Errorf("%s runs with the owner's rights without search_path = public, pg_temp", f)
	}
}

// TestDatabaseMatrixFollowsTheRuleSet: the database matrix and the rule set of
// internal/domain (which the routes name and the pages ask) say the same:
// for every table that holds a row of the rule set, the parts PostgreSQL lets
// read it are the parts the rule set lets read it, and a part PostgreSQL lets
// write it has a right beyond reading in the rule set. (The rule set's phase
// windows are the application's: the database holds the parts.)
func TestDatabaseMatrixFollowsTheRuleSet(t *testing.T) {
	parts := map[string]domain.Part{"coach": domain.PartCoach, "cocoach": domain.PartCocoach, "coachee": domain.PartCoachee,
		"sponsor": domain.PartSponsor, "admin": domain.PartAdmin}
	checked := 0
	for _, c := range matrixCases {
		if c.info == "" {
			continue
		}
		checked++
		readers, updaters := strings.Fields(c.select_), strings.Fields(c.update)
		writeInfo := c.writeInfo
		if writeInfo == "" {
			writeInfo = c.info
		}
		for name, part := range parts {
			if got, want := slices.Contains(readers, name), domain.RightOf(part, c.info).Has(domain.Read); got != want {
				t.Errorf("%s (%s): the database lets %s read: %v; the rule set: %v", c.table, c.info, name, got, want)
			}
			// Inserts include the empty rows whoever opens an engagement
			// creates, and history lines anyone acting appends: updates are
			// where a right to change shows.
			if writeInfo != "-" && slices.Contains(updaters, name) && domain.RightOf(part, writeInfo)&^domain.Read == domain.None {
				t.Errorf("%s (%s): the database lets %s change rows, the rule set only read", c.table, writeInfo, name)
			}
		}
	}
	if checked < 25 {
		t.Fatalf("only %d tables checked against the rule set", checked)
	}
}
