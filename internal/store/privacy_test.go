package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/jobs"
	"triade/internal/store"
	"triade/internal/testenv"
)

// privacyFixture is the seeded demo, read as superuser for assertions.
type privacyFixture struct {
	t   *testing.T
	env *testenv.Env
	ctx context.Context
}

func seededDemo(t *testing.T) *privacyFixture {
	t.Helper()
	env := testenv.New(t)
	ctx := context.Background()
	if ok, err := demo.Seed(ctx, env.Store); err != nil || !ok {
		t.Fatalf("seed: %v %v", ok, err)
	}
	return &privacyFixture{t: t, env: env, ctx: ctx}
}

func (f *privacyFixture) str(q string, args ...any) string {
	f.t.Helper()
	var s string
	if err := f.env.Super.QueryRow(f.ctx, q, args...).Scan(&s); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return s
}

// strs reads one text column of every row (as the superuser).
func (f *privacyFixture) strs(q string, args ...any) []string {
	f.t.Helper()
	rows, _ := f.env.Super.Query(f.ctx, q, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return out
}

func (f *privacyFixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.env.Super.QueryRow(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// texts returns the non-blank values of a one-column query, sorted.
func (f *privacyFixture) texts(q string, args ...any) []string {
	f.t.Helper()
	rows, _ := f.env.Super.Query(f.ctx, q, args...)
	all, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	var out []string
	for _, s := range all {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func (f *privacyFixture) user(email string) string {
	return f.str(`SELECT id::text FROM users WHERE email = $1`, email)
}
func (f *privacyFixture) tenant(slug string) string {
	return f.str(`SELECT id::text FROM workspaces WHERE slug = $1`, slug)
}

// workspaceTables lists every base table with a tenant_id column, from the catalog.
func (f *privacyFixture) workspaceTables() []string {
	return f.texts(`SELECT c.table_name::text FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'`)
}

// rowCounts counts the rows of every workspace table.
func (f *privacyFixture) rowCounts() map[string]int {
	counts := map[string]int{}
	for _, table := range f.workspaceTables() {
		counts[table] = f.count(`SELECT count(*) FROM ` + pgx.Identifier{table}.Sanitize())
	}
	return counts
}

// textColumn is a column that can hold a person's words: text, character
// varying, JSON (the frozen document versions, the history's data) and arrays.
type textColumn struct{ table, column string }

func (f *privacyFixture) textColumns() []textColumn {
	tables := f.workspaceTables()
	rows, _ := f.env.Super.Query(f.ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = ANY($1)
		  AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
		ORDER BY 1, 2`, tables)
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (textColumn, error) {
		var c textColumn
		return c, r.Scan(&c.table, &c.column)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return cols
}

// leaks reports, for each needle found in a text column of a workspace table,
// where it still is.
func (f *privacyFixture) leaks(needles []string) []string {
	f.t.Helper()
	var out []string
	for _, c := range f.textColumns() {
		q := fmt.Sprintf(`SELECT n FROM unnest($1::text[]) n WHERE EXISTS (SELECT 1 FROM %s t WHERE strpos(t.%s::text, n) > 0) ORDER BY n`,
			pgx.Identifier{c.table}.Sanitize(), pgx.Identifier{c.column}.Sanitize())
		for _, n := range f.texts(q, needles) {
			out = append(out, fmt.Sprintf("%s.%s still holds %q", c.table, c.column, n))
		}
	}
	return out
}

func TestErasePerson(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	demoID := f.tenant("demo")
	admin, coach, coachee, sponsor := f.user("admin@demo.test"), f.user("coach@demo.test"), f.user("coachee@demo.test"), f.user("sponsor@demo.test")
	const name, email, formerName = "Coaché Démo", "coachee@demo.test", "Coachée Nom-de-naissance"
	// The coachee had another name when the documents were frozen: put it in
	// the first synthesis version, then take the current one back.
	if err := st.UpdateAccount(ctx, coachee, formerName, ""); err != nil {
		t.Fatal(err)
	}
	f.str(`UPDATE synthesis_versions SET content = jsonb_set(content, '{Coachee}', to_jsonb($1::text)) WHERE number = 1 RETURNING number::text`, formerName)
	if err := st.UpdateAccount(ctx, coachee, name, ""); err != nil {
		t.Fatal(err)
	}

	// What the coachee wrote, gathered before erasing.
	authored := map[string][]string{
		"journal entries": f.texts(`SELECT x FROM journal_entries, unnest(ARRAY[did, happened, learnt]) x WHERE author_id = $1`, coachee),
		"request":         f.texts(`SELECT body FROM requests WHERE written_by = $1`, coachee),
		"coachee synthesis": f.texts(`SELECT s.body FROM coachee_syntheses s JOIN engagement_parties p ON p.tenant_id = s.tenant_id
			AND p.engagement_id = s.engagement_id AND p.part = 'coachee' WHERE p.user_id = $1`, coachee),
		"autonomy words": f.texts(`SELECT word FROM autonomy_ratings WHERE user_id = $1`, coachee),
		"evaluation":     f.texts(`SELECT evidence FROM evaluations WHERE user_id = $1`, coachee),
		"action titles":  f.texts(`SELECT title FROM actions WHERE created_by = $1`, coachee),
	}
	for what, ts := range authored {
		if len(ts) == 0 {
			t.Fatalf("the demo coachee wrote no %s: the test would prove nothing", what)
		}
	}
	// A text the coachee wrote that someone else wrote word for word (the demo's
	// evaluation evidence "Constaté lors de la séance de bouclage.") is the
	// other's too: it must stay, so it is not searched for.
	byOthers := f.texts(`SELECT evidence FROM evaluations WHERE user_id <> $1`, coachee)
	needles := []string{name, email, formerName}
	for _, ts := range authored {
		for _, s := range ts {
			if !slices.Contains(byOthers, s) && !slices.Contains(needles, s) {
				needles = append(needles, s)
			}
		}
	}

	// What the others wrote, to compare after.
	othersQueries := map[string]string{
		"session analysis":           `SELECT analysis FROM session_contents`,
		"session decision":           `SELECT decision FROM session_contents`,
		"session scenarios":          `SELECT scenarios FROM session_contents`,
		"coach's comments":           `SELECT body FROM action_comments WHERE author_id = '` + coach + `'`,
		"coach's evaluation":         `SELECT evidence FROM evaluations WHERE user_id = '` + coach + `'`,
		"coach's private notes":      `SELECT body FROM private_notes WHERE author_id = '` + coach + `'`,
		"coach's actions":            `SELECT title FROM actions WHERE created_by = '` + coach + `'`,
		"coach's recommendations":    `SELECT body FROM recommendations WHERE author_id = '` + coach + `'`,
		"diagnosis":                  `SELECT stakes FROM diagnoses`,
		"coherence comment":          `SELECT coherence_comment FROM engagements`,
		"company request":            `SELECT body FROM requests WHERE level = 'company'`,
		"sponsor's feedback":         `SELECT body FROM sponsor_feedback`,
		"sponsor's comments":         `SELECT body FROM document_comments WHERE author_id = '` + sponsor + `'`,
		"sponsor's meeting requests": `SELECT reason FROM meeting_requests WHERE requested_by = '` + sponsor + `'`,
		"sponsor's recommendations":  `SELECT body FROM recommendations WHERE author_id = '` + sponsor + `'`,
		// The frozen versions of the synthesis and the report keep what the
		// others wrote, word for word.
		"frozen company request":    `SELECT content->>'CompanyRequest' FROM synthesis_versions UNION ALL SELECT content->>'CompanyRequest' FROM report_versions`,
		"frozen coach's name":       `SELECT content->>'Coach' FROM synthesis_versions UNION ALL SELECT content->>'Coach' FROM report_versions`,
		"frozen sponsors' names":    `SELECT x #>> '{}' FROM synthesis_versions, jsonb_path_query(content, '$.Sponsors[*]') x`,
		"frozen coherence":          `SELECT content->>'CoherenceComment' FROM synthesis_versions`,
		"frozen coach's evaluation": `SELECT x #>> '{}' FROM report_versions, jsonb_path_query(content, '$.Objectives[*].Indicators[*].Coach.Evidence') x`,
		"frozen recommendations":    `SELECT x #>> '{}' FROM report_versions, jsonb_path_query(content, '$.Recommendations[*].Body') x`,
	}
	others := map[string][]string{}
	for what, q := range othersQueries {
		others[what] = f.texts(q)
		if len(others[what]) == 0 {
			t.Fatalf("no %s in the demo", what)
		}
	}
	// The coachee subscribed to their calendar: the link must die with them.
	feedToken, err := st.NewCalendarToken(ctx, store.Scope{TenantID: demoID, UserID: coachee})
	if err != nil {
		t.Fatal(err)
	}
	countsBefore := f.rowCounts()
	coacheeReminders := f.count(`SELECT count(*) FROM reminders_sent WHERE tenant_id = $1 AND user_id = $2`, demoID, coachee)
	coacheeInvitations := f.count(`SELECT count(*) FROM invitations WHERE tenant_id = $1 AND email = $2`, demoID, email)
	engagementsWithCoachee := f.texts(`SELECT engagement_id::text FROM engagement_parties WHERE user_id = $1 AND part = 'coachee'`, coachee)

	if err := st.ErasePerson(ctx, store.Scope{TenantID: demoID, UserID: admin}, coachee); err != nil {
		t.Fatal("erase: ", err)
	}
	if d := f.journalCountDiff(demoID); len(d) > 0 {
		t.Errorf("after erasure, the journal counts kept on the actions differ from a recount:\n%s", strings.Join(d, "\n"))
	}

	for _, l := range f.leaks(needles) {
		t.Error("after erasure, " + l)
	}
	// The outbox is sealed, so leaks cannot read it: open it with the key.
	mails, err := st.Outbox(ctx, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == email || strings.Contains(m.Subject+m.Body, name) || strings.Contains(m.Subject+m.Body, formerName) {
			t.Errorf("after erasure, the outbox still holds an e-mail to or naming the person: %q to %s", m.Subject, m.To)
		}
	}
	for what, q := range othersQueries {
		if after := f.texts(q); !slices.Equal(after, others[what]) {
			t.Errorf("%s changed by erasing the coachee:\nbefore %q\nafter  %q", what, others[what], after)
		}
	}
	countsAfter := f.rowCounts()
	for table, before := range countsBefore {
		want := before
		switch table {
		case "events":
			want++ // person.erased
		case "reminders_sent":
			want -= coacheeReminders
		case "invitations":
			want -= coacheeInvitations
		case "calendar_feeds":
			want-- // the coachee's
		}
		if countsAfter[table] != want {
			t.Errorf("%s: %d rows before, %d after; want %d", table, before, countsAfter[table], want)
		}
	}
	if n := f.count(`SELECT count(*) FROM users WHERE id = $1 OR email = $2`, coachee, email); n != 0 {
		t.Error("the coachee's account is still there, though they belonged to no other workspace")
	}
	for _, id := range engagementsWithCoachee {
		var nm string
		if err := f.env.Super.QueryRow(ctx, `SELECT u.name FROM engagement_parties p JOIN users u ON u.id = p.user_id
			WHERE p.engagement_id = $1 AND p.part = 'coachee'`, id).Scan(&nm); err != nil {
			t.Errorf("engagement %s lost its coachee party: %v", id, err)
		} else if nm != store.Erased {
			t.Errorf("engagement %s: the coachee party is named %q, want %q", id, nm, store.Erased)
		}
	}
	if n := f.count(`SELECT count(*) FROM events WHERE tenant_id = $1 AND kind = 'person.erased' AND actor_id = $2`, demoID, admin); n != 1 {
		t.Errorf("%d person.erased events by the admin, want 1", n)
	}
	if uid, err := st.CalendarOwner(ctx, demoID, feedToken); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("the erased coachee's calendar link still opens a feed (of user %q, err %v)", uid, err)
	}
}

// TestErasedPersonGetsNoReminders: the placeholder that takes an erased
// person's place in the engagements is nobody; no reminder is written to it.
func TestErasedPersonGetsNoReminders(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	demoID := f.tenant("demo")
	if err := st.ErasePerson(ctx, store.Scope{TenantID: demoID, UserID: f.user("admin@demo.test")}, f.user("coachee@demo.test")); err != nil {
		t.Fatal("erase: ", err)
	}
	before := f.count(`SELECT count(*) FROM outbox`)
	for _, days := range []int{0, 1, 10} {
		if _, err := jobs.Run(ctx, st, time.Now().AddDate(0, 0, days), demo.BaseURL); err != nil {
			t.Fatal(err)
		}
	}
	mails, err := st.Outbox(ctx, 100000) // sealed: read through the store
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if strings.HasSuffix(m.To, "@erased.invalid") || strings.Contains(m.Body, store.Erased) {
			t.Errorf("reminder written to the erased person's placeholder: %s: %s", m.To, m.Subject)
		}
	}
	if f.count(`SELECT count(*) FROM outbox`) == before {
		t.Log("no reminder at all was due")
	}
}

// exportText decodes every file of an export and joins all its strings, so
// checks do not depend on how JSON escapes a character.
func exportText(t *testing.T, files []store.ExportFile) (string, map[string]bool) {
	t.Helper()
	var b strings.Builder
	names := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteString("\n")
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, file := range files {
		names[file.Name] = true
		var v any
		if err := json.Unmarshal(file.Data, &v); err != nil {
			t.Fatalf("%s is not JSON: %v", file.Name, err)
		}
		walk(v)
	}
	return b.String(), names
}

func TestExportContainsOnlyWhatThePersonMaySee(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	sponsor, coachee := f.user("sponsor@demo.test"), f.user("coachee@demo.test")
	// What the pages withhold from the sponsor, in an engagement they sponsor:
	// why a session was cancelled, and the coachee's self-assessment in a
	// report version the coachee has not validated.
	const cancelReason, selfAssessment = "Raison d'annulation entre coach et coachée", "Auto-évaluation encore à valider"
	f.str(`INSERT INTO session_cancellations (tenant_id, session_id, engagement_id, reason)
		SELECT s.tenant_id, s.id, s.engagement_id, $2 FROM coaching_sessions s JOIN engagement_parties p ON p.tenant_id = s.tenant_id AND p.engagement_id = s.engagement_id
		WHERE p.user_id = $1 AND p.part = 'sponsor' LIMIT 1
		ON CONFLICT (tenant_id, session_id) DO UPDATE SET reason = EXCLUDED.reason RETURNING reason`, sponsor, cancelReason)
	f.str(`INSERT INTO report_versions (tenant_id, engagement_id, number, content, created_by)
		SELECT r.tenant_id, r.engagement_id, r.number + 100, r.content, r.created_by FROM report_versions r
		JOIN engagement_parties p ON p.tenant_id = r.tenant_id AND p.engagement_id = r.engagement_id
		WHERE p.user_id = $1 AND p.part = 'sponsor' ORDER BY r.number DESC LIMIT 1 RETURNING number::text`, sponsor)
	f.str(`INSERT INTO report_self_assessments (tenant_id, engagement_id, number, content)
		SELECT tenant_id, engagement_id, number, jsonb_build_array(jsonb_build_array(jsonb_build_object('Evidence', $1::text)))
		FROM report_versions WHERE number > 100 RETURNING number::text`, selfAssessment)

	files, err := st.Export(ctx, sponsor)
	if err != nil {
		t.Fatal(err)
	}
	text, names := exportText(t, files)
	if !names["profile.json"] || !strings.Contains(text, "sponsor@demo.test") {
		t.Error("the export lacks the sponsor's profile")
	}
	titles := f.texts(`SELECT e.title FROM engagements e JOIN engagement_parties p ON p.tenant_id = e.tenant_id AND p.engagement_id = e.id
		WHERE p.user_id = $1 AND p.part = 'sponsor'`, sponsor)
	if len(titles) < 3 {
		t.Fatalf("the demo sponsor follows %d engagements", len(titles))
	}
	for _, title := range titles {
		if !strings.Contains(text, title) {
			t.Errorf("the sponsor's export lacks the engagement they sponsor %q", title)
		}
	}
	secret := map[string][]string{
		"diagnosis":                   f.texts(`SELECT x FROM diagnoses, unnest(ARRAY[stakes, draft_objectives]) x`),
		"session content":             f.texts(`SELECT x FROM session_contents, unnest(ARRAY[analysis, scenarios, decision]) x`),
		"situations":                  f.texts(`SELECT x FROM session_situations, unnest(ARRAY[title, context]) x`),
		"options":                     f.texts(`SELECT body FROM session_options`),
		"theoretical input":           f.texts(`SELECT note FROM session_inputs`),
		"private notes":               f.texts(`SELECT body FROM private_notes`),
		"unshared actions":            f.texts(`SELECT title FROM actions WHERE shared_at IS NULL`),
		"autonomy words":              f.texts(`SELECT word FROM autonomy_ratings`),
		"coach's comments":            f.texts(`SELECT body FROM action_comments a WHERE NOT EXISTS (SELECT 1 FROM actions x WHERE x.id = a.action_id AND x.shared_at IS NOT NULL)`),
		"cancel reasons":              {cancelReason},
		"unvalidated self-assessment": {selfAssessment},
	}
	for what, ts := range secret {
		if len(ts) == 0 && what != "coach's comments" {
			t.Fatalf("no %s in the demo", what)
		}
		for _, s := range ts {
			if strings.Contains(text, s) {
				t.Errorf("the sponsor's export reveals %s: %q", what, s)
			}
		}
	}

	files, err = st.Export(ctx, coachee)
	if err != nil {
		t.Fatal(err)
	}
	text, _ = exportText(t, files)
	journal := f.texts(`SELECT x FROM journal_entries, unnest(ARRAY[did, happened, learnt]) x WHERE author_id = $1`, coachee)
	if len(journal) == 0 {
		t.Fatal("the demo coachee has no journal")
	}
	for _, s := range journal {
		if !strings.Contains(text, s) {
			t.Errorf("the coachee's export lacks their journal entry %q", s)
		}
	}
	for _, s := range secret["private notes"] {
		if strings.Contains(text, s) {
			t.Errorf("the coachee's export reveals the coach's private note %q", s)
		}
	}
}

func TestRetention(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	demoID := f.tenant("demo")
	admin := store.Scope{TenantID: demoID, UserID: f.user("admin@demo.test")}
	const closedTitle = "Management transversal — projet ERP"
	id := f.str(`SELECT id::text FROM engagements WHERE title = $1 AND phase = 'clos'`, closedTitle)
	now := time.Now()

	// Nothing is due yet: the demo's engagement closed today.
	if _, due, err := st.RetentionDue(ctx, admin, now); err != nil || len(due) != 0 {
		t.Fatalf("before: due %v, err %v", due, err)
	}
	if _, err := f.env.Super.Exec(ctx, `UPDATE engagements SET phase_changed_at = now() - interval '4 years' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	years, due, err := st.RetentionDue(ctx, admin, now)
	if err != nil {
		t.Fatal(err)
	}
	if years != 3 || len(due) != 1 || due[0].ID != id || due[0].Title != closedTitle {
		t.Fatalf("retention due: %d years, %+v", years, due)
	}

	// The tables that hold engagement rows, and how many each holds for it.
	engTables := f.texts(`SELECT c.table_name::text FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND c.column_name = 'engagement_id' AND t.table_type = 'BASE TABLE'`)
	rowsOf := func(table, engagement string) int {
		return f.count(`SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE engagement_id = $1`, engagement)
	}
	held := 0
	for _, table := range engTables {
		held += rowsOf(table, id)
	}
	if held < 10 {
		t.Fatalf("the closed engagement holds only %d rows", held)
	}
	countsBefore := f.rowCounts()
	othersRows := func() map[string]int {
		m := map[string]int{}
		for _, table := range engTables {
			m[table] = f.count(`SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()+` WHERE engagement_id IS DISTINCT FROM $1`, id)
		}
		return m
	}
	othersBefore := othersRows()

	n, err := st.PurgeExpired(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("purge erased %d engagements, want 1", n)
	}
	if f.count(`SELECT count(*) FROM engagements WHERE id = $1`, id) != 0 {
		t.Fatal("the engagement is still there")
	}
	if d := f.journalCountDiff(demoID); len(d) > 0 {
		t.Errorf("after the purge, the journal counts kept on the actions differ from a recount:\n%s", strings.Join(d, "\n"))
	}
	for _, table := range engTables {
		if k := rowsOf(table, id); k != 0 {
			t.Errorf("%s still holds %d rows of the erased engagement", table, k)
		}
	}
	// Others untouched: every other engagement's rows stay (the history gains
	// the one line that records the erasure), and the workspace's own tables too.
	for table, before := range othersBefore {
		want := before
		if table == "events" {
			want++
		}
		if got := othersRows()[table]; got != want {
			t.Errorf("%s: %d rows of other engagements before, %d after; want %d", table, before, got, want)
		}
	}
	countsAfter := f.rowCounts()
	for _, table := range []string{"memberships", "client_orgs", "library_items", "invitations"} {
		if countsAfter[table] != countsBefore[table] {
			t.Errorf("%s: %d rows before, %d after", table, countsBefore[table], countsAfter[table])
		}
	}
	if n := f.count(`SELECT count(*) FROM events WHERE tenant_id = $1 AND kind = 'engagement.erased'`, demoID); n != 1 {
		t.Errorf("%d engagement.erased events, want 1", n)
	}
	if _, due, err := st.RetentionDue(ctx, admin, now); err != nil || len(due) != 0 {
		t.Errorf("after: due %v, err %v", due, err)
	}

	// Running it again erases nothing.
	countsBefore = f.rowCounts()
	if n, err := st.PurgeExpired(ctx, now); err != nil || n != 0 {
		t.Errorf("second purge: %d erased, err %v", n, err)
	}
	for table, c := range f.rowCounts() {
		if c != countsBefore[table] {
			t.Errorf("second purge changed %s: %d → %d rows", table, countsBefore[table], c)
		}
	}
}
