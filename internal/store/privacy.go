package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Erased is the neutral mention that replaces an erased person's name and texts.
const Erased = "[effacé]"

// ExportFile is one JSON file of a personal data export.
type ExportFile struct {
	Name string
	Data json.RawMessage
}

// Export gathers what every workspace holds about a person, each workspace read
// as the person themselves: row-level security gives exactly what they may see.
func (s *Store) Export(ctx context.Context, userID string) ([]ExportFile, error) {
	var files []ExportFile
	var profile json.RawMessage
	if err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT json_build_object('email', email, 'name', name, 'locale', locale, 'created_at', created_at,
			'reminders_off', reminders_off) FROM users WHERE id = $1`, userID).Scan(&profile)
	}); err != nil {
		return nil, dbError("export profile", err)
	}
	files = append(files, ExportFile{"profile.json", profile})
	spaces, err := s.MyWorkspaces(ctx, userID)
	if err != nil {
		return nil, err
	}
	for _, m := range spaces {
		sc := Scope{TenantID: m.Workspace.ID, UserID: userID}
		err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
			// Tables only: the views repeat their rows.
			rows, _ := tx.Query(ctx, `SELECT c.table_name FROM information_schema.columns c
				JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
				WHERE c.table_schema = 'public' AND c.column_name = 'engagement_id' AND c.table_name NOT IN ('events') ORDER BY c.table_name`)
			tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			tables = append([]string{"engagements", "memberships"}, tables...)
			for _, table := range tables {
				filter := `engagement_id IN (SELECT engagement_id FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2)`
				switch table {
				case "engagements":
					filter = `id IN (SELECT engagement_id FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2)`
				case "memberships":
					filter = `user_id = $2`
				}
				var data json.RawMessage
				if err := tx.QueryRow(ctx, `SELECT coalesce(json_agg(t), '[]') FROM `+pgx.Identifier{table}.Sanitize()+` t
					WHERE tenant_id = $1 AND `+filter, sc.TenantID, userID).Scan(&data); err != nil {
					return fmt.Errorf("export %s: %w", table, err)
				}
				files = append(files, ExportFile{m.Workspace.Slug + "/" + table + ".json", data})
			}
			return nil
		})
		if err != nil {
			return nil, dbError("export", err)
		}
	}
	return files, nil
}

// ErasePerson erases a person from a workspace: their account's link to it is
// removed, their name and e-mail are replaced by a neutral placeholder in every
// row that names them, and the free texts they wrote by a neutral mention. The
// engagements' structure and everyone else's data stay as they were. The
// admin's transaction declares the erasure (app.erasing): the database then
// lets that admin, and only within this transaction, reach and rewrite rows
// that are otherwise append-only or another person's.
func (s *Store) ErasePerson(ctx context.Context, admin Scope, userID string) error {
	if userID == admin.UserID {
		return domain.Errorf(domain.EForbidden, "erase.self")
	}
	return s.Tx(ctx, admin, func(tx pgx.Tx) error {
		t := admin.TenantID
		if _, err := tx.Exec(ctx, `SELECT set_config('app.erasing', 'on', true)`); err != nil {
			return dbError("erase: declare", err)
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id::text = $2)`, t, userID).Scan(&ok); err != nil {
			return dbError("erase: member", err)
		}
		if !ok {
			return domain.ErrNotFound
		}
		var ph, email string
		var names []string // every name the person ever had: frozen documents may hold any
		if err := tx.QueryRow(ctx, `SELECT email, array_prepend(name, former_names) FROM users WHERE id = $1`, userID).Scan(&email, &names); err != nil {
			return dbError("erase: account", err)
		}
		// The placeholder receives nothing: no reminder ever goes to it. Its
		// address is named for the transaction, which may then see the new row.
		phEmail := "erased-" + rand.Text() + "@erased.invalid"
		if err := lookUp(ctx, tx, strings.ToLower(phEmail)); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO users (email, name, reminders_off) VALUES ($2, $1, ARRAY['all'])
			RETURNING id`, Erased, strings.ToLower(phEmail)).Scan(&ph); err != nil {
			return dbError("erase: placeholder", err)
		}
		// As the admin: the history and invitations.
		for _, q := range []string{
			`UPDATE events SET actor_id = $3 WHERE tenant_id = $1 AND actor_id = $2`,
			`UPDATE invitations SET invited_by = $3 WHERE tenant_id = $1 AND invited_by = $2`,
		} {
			if _, err := tx.Exec(ctx, q, t, userID, ph); err != nil {
				return dbError("erase: history", err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM invitations WHERE tenant_id = $1 AND email = $2`, t, email); err != nil {
			return dbError("erase: invitations", err)
		}
		// What they wrote also lives in the frozen versions of the synthesis and
		// the report: rewrite there the fields that are theirs, and only those.
		if err := scrubDocuments(ctx, tx, t, userID, names); err != nil {
			return err
		}
		texts := []string{
			`UPDATE journal_entries SET did = $4, happened = $4, learnt = $4, author_id = $3 WHERE tenant_id = $1 AND author_id = $2`,
			`UPDATE action_comments SET body = $4, author_id = $3 WHERE tenant_id = $1 AND author_id = $2`,
			`UPDATE requests SET body = $4, written_by = $3 WHERE tenant_id = $1 AND written_by = $2`,
			`UPDATE recommendations SET body = $4, author_id = $3 WHERE tenant_id = $1 AND author_id = $2`,
			`UPDATE sponsor_feedback SET body = $4 WHERE tenant_id = $1 AND author_id = $2`,
			`UPDATE document_comments SET body = $4, author_id = $3 WHERE tenant_id = $1 AND author_id = $2`,
			`UPDATE private_notes SET body = $4 WHERE tenant_id = $1 AND author_id = $2`,
			`UPDATE meeting_requests SET reason = $4, requested_by = $3 WHERE tenant_id = $1 AND requested_by = $2`,
			`UPDATE evaluations SET evidence = $4, user_id = $3 WHERE tenant_id = $1 AND user_id = $2`,
			`UPDATE autonomy_ratings SET word = '', user_id = $3 WHERE tenant_id = $1 AND user_id = $2`,
			`UPDATE actions SET title = $4, description = '', created_by = $3 WHERE tenant_id = $1 AND created_by = $2`,
			`UPDATE coachee_syntheses SET body = $4 WHERE tenant_id = $1 AND body <> '' AND engagement_id IN
				(SELECT engagement_id FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2 AND part = 'coachee')`,
			`UPDATE engagements SET created_by = $3 WHERE tenant_id = $1 AND created_by = $2`,
			`UPDATE engagements SET ended_by = $3 WHERE tenant_id = $1 AND ended_by = $2`,
			`UPDATE synthesis_versions SET created_by = $3 WHERE tenant_id = $1 AND created_by = $2`,
			`UPDATE report_versions SET created_by = $3 WHERE tenant_id = $1 AND created_by = $2`,
			`UPDATE library_items SET created_by = $3 WHERE tenant_id = $1 AND created_by = $2`,
			`DELETE FROM reminders_sent WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM calendar_feeds WHERE tenant_id = $1 AND user_id = $2`,
			// Last: the membership itself; every table naming it follows (ON UPDATE CASCADE).
			`UPDATE memberships SET user_id = $3 WHERE tenant_id = $1 AND user_id = $2`,
		}
		for _, q := range texts {
			q, args := bindUsed(q, t, userID, ph, Erased)
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return dbError("erase: texts", err)
			}
		}
		// The account itself goes if no other workspace holds it.
		var others bool
		if err := tx.QueryRow(ctx, `SELECT app_member_elsewhere($1)`, userID).Scan(&others); err != nil {
			return dbError("erase: other workspaces", err)
		}
		if !others {
			if err := lookUp(ctx, tx, email); err != nil { // no longer a member: named to be seen
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, userID); err != nil {
				return dbError("erase: account", err)
			}
		}
		// The e-mails kept for them, or naming them, go too.
		if err := s.ForgetMail(ctx, tx, email, names); err != nil {
			return err
		}
		return recordEvent(ctx, tx, t, admin.UserID, "person.erased", ph, nil)
	})
}

// Expired is a closed engagement past the workspace's retention period.
type Expired struct {
	ID, Title string
	Closed    time.Time
}

// RetentionDue lists the closed engagements past the retention period, and the
// period itself.
func (s *Store) RetentionDue(ctx context.Context, sc Scope, now time.Time) (int, []Expired, error) {
	var years int
	var out []Expired
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT retention_years FROM workspaces WHERE id = $1`, sc.TenantID).Scan(&years); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, title, phase_changed_at FROM engagements
			WHERE tenant_id = $1 AND phase = 'clos' AND phase_changed_at < $2::timestamptz - make_interval(years => $3::int) ORDER BY phase_changed_at`,
			sc.TenantID, now, years)
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Expired])
		return err
	})
	return years, out, dbError("retention", err)
}

// SetRetention changes the workspace's retention period.
func (s *Store) SetRetention(ctx context.Context, sc Scope, years int) error {
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET retention_years = $2 WHERE id = $1`, sc.TenantID, years); err != nil {
			return dbError("set retention", err)
		}
		return recordEvent(ctx, tx, sc.TenantID, sc.UserID, "retention.set", "", map[string]any{"years": years})
	})
}

// SetSettings changes the workspace's retention period, time zone and the
// programme's smallest group (k) in one transaction, recording each change in
// the activity log. k = 0 keeps the current k.
func (s *Store) SetSettings(ctx context.Context, sc Scope, years int, timezone string, k int) error {
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		var oldYears, oldK int
		var oldZone string
		err := tx.QueryRow(ctx, `SELECT retention_years, timezone, programme_k FROM workspaces WHERE id = $1`, sc.TenantID).Scan(&oldYears, &oldZone, &oldK)
		if err != nil {
			return dbError("settings", err)
		}
		if k == 0 {
			k = oldK
		}
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET retention_years = $2, timezone = $3, programme_k = $4 WHERE id = $1`, sc.TenantID, years, timezone, k); err != nil {
			return dbError("set settings", err)
		}
		if years != oldYears {
			if err := recordEvent(ctx, tx, sc.TenantID, sc.UserID, "retention.set", "", map[string]any{"years": years}); err != nil {
				return err
			}
		}
		if k != oldK {
			if err := recordEvent(ctx, tx, sc.TenantID, sc.UserID, "programme_k.set", "", map[string]any{"k": k}); err != nil {
				return err
			}
		}
		if timezone != oldZone {
			return recordEvent(ctx, tx, sc.TenantID, sc.UserID, "timezone.set", "", map[string]any{"timezone": timezone})
		}
		return nil
	})
}

// PurgeExpired erases, in every workspace, the closed engagements past the
// retention period. Deleting the engagement removes all its rows (foreign keys
// cascade); its history lines go too, and one line records the erasure.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) (int, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id FROM workspaces`)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, dbError("purge: workspaces", err)
	}
	total := 0
	for _, t := range ids {
		err := s.Tx(ctx, Scope{TenantID: t}, func(tx pgx.Tx) error {
			// The history is an admin's to read and erase: act as one.
			if _, err := tx.Exec(ctx, `SELECT set_config('app.user_id', coalesce((SELECT user_id::text FROM memberships
				WHERE tenant_id = $1 AND 'admin' = ANY (roles) LIMIT 1), ''), true)`, t); err != nil {
				return err
			}
			rows, _ := tx.Query(ctx, `DELETE FROM engagements e USING workspaces w
				WHERE e.tenant_id = $1 AND w.id = e.tenant_id AND e.phase = 'clos'
				  AND e.phase_changed_at < $2::timestamptz - make_interval(years => w.retention_years) RETURNING e.id`, t, now)
			gone, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			for _, id := range gone {
				if _, err := tx.Exec(ctx, `DELETE FROM events WHERE tenant_id = $1 AND engagement_id = $2`, t, id); err != nil {
					return err
				}
				if err := recordEvent(ctx, tx, t, "", "engagement.erased", "", nil); err != nil {
					return err
				}
			}
			total += len(gone)
			return nil
		})
		if err != nil {
			return total, dbError("purge", err)
		}
	}
	return total, nil
}

var param = regexp.MustCompile(`\$(\d+)`)

// bindUsed lets statements share one argument list while naming only some of
// its arguments: it renumbers the parameters a statement uses and passes just
// those (PostgreSQL refuses parameters whose type it cannot infer).
func bindUsed(q string, all ...any) (string, []any) {
	seen := map[string]string{}
	var args []any
	q = param.ReplaceAllStringFunc(q, func(m string) string {
		if n, ok := seen[m]; ok {
			return n
		}
		i, _ := strconv.Atoi(m[1:])
		args = append(args, all[i-1])
		seen[m] = "$" + strconv.Itoa(len(args))
		return seen[m]
	})
	return q, args
}

// scrubDocuments rewrites, in the frozen synthesis and report versions of the
// person's engagements, the fields that are theirs: their name, the request they
// wrote, and, as coachee, their synthesis and self-assessment evidence (as coach,
// their assessment evidence); their recommendations and feedback.
func scrubDocuments(ctx context.Context, tx pgx.Tx, tenant, userID string, personNames []string) error {
	isTheirs := func(s string) bool { return slices.Contains(personNames, s) }
	rows, _ := tx.Query(ctx, `SELECT p.engagement_id::text, p.part, coalesce(array_agg(r.body) FILTER (WHERE r.body IS NOT NULL), '{}')
		FROM engagement_parties p LEFT JOIN requests r ON r.tenant_id = p.tenant_id AND r.engagement_id = p.engagement_id AND r.written_by = p.user_id
		WHERE p.tenant_id = $1 AND p.user_id = $2 GROUP BY p.engagement_id, p.part`, tenant, userID)
	type mine struct {
		id    string
		part  domain.Part
		wrote []string
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (mine, error) {
		var m mine
		return m, r.Scan(&m.id, &m.part, &m.wrote)
	})
	if err != nil {
		return dbError("erase: engagements", err)
	}
	for _, m := range list {
		wrote := func(s string) bool { return s != "" && slices.Contains(m.wrote, s) }
		own := func(s *string, cond bool) {
			if cond && *s != "" {
				*s = Erased
			}
		}
		names := func(coach, coachee *string, sponsors []string) {
			own(coach, isTheirs(*coach))
			own(coachee, isTheirs(*coachee))
			for i := range sponsors {
				own(&sponsors[i], isTheirs(sponsors[i]))
			}
		}
		err := rewrite(ctx, tx, "synthesis_versions", tenant, m.id, func(raw []byte) (any, error) {
			var c SynthesisContent
			err := json.Unmarshal(raw, &c)
			names(&c.Coach, &c.Coachee, c.Sponsors)
			own(&c.CompanyRequest, wrote(c.CompanyRequest))
			own(&c.CoacheeRequest, wrote(c.CoacheeRequest))
			return c, err
		})
		if err != nil {
			return err
		}
		err = rewrite(ctx, tx, "report_self_assessments", tenant, m.id, func(raw []byte) (any, error) {
			var sa SelfAssessment
			err := json.Unmarshal(raw, &sa)
			for i := range sa {
				for j := range sa[i] {
					own(&sa[i][j].Evidence, m.part == domain.PartCoachee)
				}
			}
			return sa, err
		})
		if err != nil {
			return err
		}
		err = rewrite(ctx, tx, "report_versions", tenant, m.id, func(raw []byte) (any, error) {
			var c ReportContent
			err := json.Unmarshal(raw, &c)
			names(&c.Coach, &c.Coachee, c.Sponsors)
			own(&c.CompanyRequest, wrote(c.CompanyRequest))
			own(&c.CoacheeRequest, wrote(c.CoacheeRequest))
			own(&c.CoacheeSynthesis, m.part == domain.PartCoachee)
			for i := range c.Objectives {
				for j := range c.Objectives[i].Indicators {
					ind := &c.Objectives[i].Indicators[j]
					own(&ind.Coach.Evidence, m.part == domain.PartCoach)
				}
			}
			for _, list := range [][]Recommendation{c.Recommendations, c.Feedback} {
				for i := range list {
					if isTheirs(list[i].Author) {
						list[i].Author, list[i].Body = Erased, Erased
					}
				}
			}
			return c, err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// rewrite applies edit to every version of a frozen document of an engagement.
func rewrite(ctx context.Context, tx pgx.Tx, table, tenant, engagementID string, edit func([]byte) (any, error)) error {
	rows, _ := tx.Query(ctx, `SELECT number, content FROM `+table+` WHERE tenant_id = $1 AND engagement_id = $2`, tenant, engagementID)
	type version struct {
		n   int
		raw []byte
	}
	vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (version, error) {
		var v version
		return v, r.Scan(&v.n, &v.raw)
	})
	if err != nil {
		return dbError("erase: read "+table, err)
	}
	for _, v := range vs {
		c, err := edit(v.raw)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET content = $4 WHERE tenant_id = $1 AND engagement_id = $2 AND number = $3`,
			tenant, engagementID, v.n, raw); err != nil {
			return dbError("erase: rewrite "+table, err)
		}
	}
	return nil
}
