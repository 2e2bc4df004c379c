package store

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Recipient is a member who may receive reminders in a workspace.
type Recipient struct {
	Workspace Workspace
	User      User
	Roles     domain.RoleSet
	Off       []string
	Digest    bool   // wants the weekly digest
	Token     string // unsubscribe
}

// Recipients lists every member of every workspace, for the reminder job.
func (s *Store) Recipients(ctx context.Context) ([]Recipient, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, slug, name, timezone FROM workspaces ORDER BY created_at`)
	spaces, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Workspace])
	if err != nil {
		return nil, dbError("workspaces", err)
	}
	var out []Recipient
	for _, w := range spaces {
		err := s.Tx(ctx, Scope{TenantID: w.ID}, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT `+userColsU+`, m.roles, u.reminders_off, u.weekly_digest
				FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1`, w.ID)
			rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Recipient, error) {
				rc := Recipient{Workspace: w}
				u := &rc.User
				err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Locale, &rc.Roles, &rc.Off, &rc.Digest)
				rc.Token = s.UnsubscribeToken(u.ID)
				return rc, err
			})
			out = append(out, rs...)
			return err
		})
		if err != nil {
			return nil, dbError("recipients", err)
		}
	}
	return out, nil
}

const userColsU = `u.id, u.email, u.name, coalesce(u.password_hash, ''), coalesce(u.locale, '')`

// ReminderFacts gathers, as the person themselves (so row-level security shows
// exactly what they may see), what the reminder rules look at.
func (s *Store) ReminderFacts(ctx context.Context, sc Scope, roles domain.RoleSet, now time.Time) (domain.ReminderFacts, map[string]string, error) {
	f := domain.ReminderFacts{Now: now}
	titles := map[string]string{}
	// The person's own lists: admin figures are not needed, the coachee's
	// open actions are (the dashboard reads them for a coachee only).
	own := domain.RoleSet{}
	for _, r := range roles {
		if r != domain.RoleAdmin {
			own = append(own, r)
		}
	}
	d, err := s.Dashboard(ctx, sc, own, now)
	if err != nil {
		return f, nil, err
	}
	for _, a := range d.Agenda {
		f.Meetings = append(f.Meetings, domain.MeetingFact{EngagementID: a.EngagementID, Kind: a.Kind, Number: a.Number, At: a.At})
		titles[a.EngagementID] = a.Title
	}
	for _, a := range d.OpenActions {
		af := domain.ActionFact{EngagementID: d.ActionEng[a.ID], ID: a.ID, Title: a.Title}
		if a.Due != nil {
			af.Due = *a.Due
		}
		f.Actions = append(f.Actions, af)
	}
	for _, w := range d.Waiting {
		ds := []domain.Duty{w.Duty}
		f.Waiting = append(f.Waiting, domain.Told(w.EngagementID, ds)...)
		f.Late = append(f.Late, domain.Overdue(w.EngagementID, ds)...)
		f.Open = append(f.Open, domain.Open(w.EngagementID, ds)...)
		titles[w.EngagementID] = w.Title
	}
	for _, e := range d.Engagements {
		titles[e.ID] = e.Title
	}
	err = s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT e.id, coalesce(max(s.scheduled_at) FILTER (WHERE s.status = 'held'), '0001-01-01'::timestamptz),
			bool_or(s.status = 'planned' AND s.scheduled_at > $3) IS TRUE
			FROM engagements e JOIN engagement_parties me ON me.tenant_id = e.tenant_id AND me.engagement_id = e.id AND me.user_id = $2 AND me.part IN ('coach', 'cocoach')
			LEFT JOIN coaching_sessions s ON s.tenant_id = e.tenant_id AND s.engagement_id = e.id
			WHERE e.tenant_id = $1 AND e.phase = 'accompagnement' GROUP BY e.id`, sc.TenantID, sc.UserID, now)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		f.Coaching, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.CoachingFact, error) {
			var c domain.CoachingFact
			err := r.Scan(&c.EngagementID, &c.LastHeld, &c.NextBooked)
			if c.LastHeld.Year() == 1 {
				c.LastHeld = time.Time{}
			}
			return c, err
		})
		return err
	})
	return f, titles, dbError("coaching facts", err)
}

// SendReminders records and sends each reminder once. The primary key of
// reminders_sent decides: when two workers race, the second insert finds the
// row and sends nothing.
func (s *Store) SendReminders(ctx context.Context, sc Scope, rs []domain.Reminder, mail func(domain.Reminder) Mail) (int, error) {
	sent := 0
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		for _, r := range rs {
			fresh, err := recordReminder(ctx, tx, sc, r)
			if err != nil {
				return err
			}
			if !fresh {
				continue
			}
			if r.Covers != nil { // told with this e-mail: never sent after it
				if _, err := recordReminder(ctx, tx, sc, *r.Covers); err != nil {
					return err
				}
			}
			if err := s.SendMail(ctx, tx, mail(r)); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

// recordReminder records a reminder as sent; fresh is false when it already was.
func recordReminder(ctx context.Context, tx pgx.Tx, sc Scope, r domain.Reminder) (fresh bool, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO reminders_sent (tenant_id, user_id, kind, subject_id, due_on) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, sc.TenantID, sc.UserID, r.Key, r.Subject, r.Day)
	return tag.RowsAffected() == 1, dbError("record reminder", err)
}

// UnsubscribeToken is the secret of a person's unsubscribe link: their id and
// a keyed hash of it. Nothing is stored, so nothing readable in the database
// opens it, and it needs no sign-in.
func (s *Store) UnsubscribeToken(userID string) string {
	return userID + "." + base64.RawURLEncoding.EncodeToString(s.mac("unsubscribe", []byte(userID))[:18])
}

// Unsubscribe turns every reminder off for the holder of an unsubscribe link.
func (s *Store) Unsubscribe(ctx context.Context, token string) error {
	uid, _, _ := strings.Cut(token, ".")
	if s.key == nil || !validUUID(uid) || !hmac.Equal([]byte(token), []byte(s.UnsubscribeToken(uid))) {
		return domain.ErrNotFound
	}
	var n int64
	err := s.Tx(ctx, Scope{UserID: uid}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET reminders_off = ARRAY['all'], weekly_digest = false WHERE id = $1`, uid)
		n = tag.RowsAffected()
		return dbError("unsubscribe", err)
	})
	if err == nil && n == 0 {
		return domain.ErrNotFound
	}
	return err
}

// SetRemindersOff records which reminder kinds a person does not want.
func (s *Store) SetRemindersOff(ctx context.Context, userID string, off []string) error {
	if off == nil {
		off = []string{}
	}
	return s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET reminders_off = $2 WHERE id = $1`, userID, off)
		return dbError("reminder settings", err)
	})
}

// SetWeeklyDigest records whether a person wants the weekly digest.
func (s *Store) SetWeeklyDigest(ctx context.Context, userID string, on bool) error {
	return s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET weekly_digest = $2 WHERE id = $1`, userID, on)
		return dbError("digest setting", err)
	})
}

// WeeklyDigest reports whether a person wants the weekly digest.
func (s *Store) WeeklyDigest(ctx context.Context, userID string) (bool, error) {
	var on bool
	err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT weekly_digest FROM users WHERE id = $1`, userID).Scan(&on)
	})
	return on, dbError("digest setting", err)
}

// RemindersOff returns the kinds a person turned off.
func (s *Store) RemindersOff(ctx context.Context, userID string) ([]string, error) {
	var off []string
	err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT reminders_off FROM users WHERE id = $1`, userID).Scan(&off)
	})
	return off, dbError("reminder settings", err)
}
