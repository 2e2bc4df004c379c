package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// CalendarEvent is one of a person's meetings.
type CalendarEvent struct {
	ID, EngagementID, Title, Kind string
	Number, Minutes               int
	At                            time.Time
}

// NewCalendarToken gives the person a new secret feed link for the workspace;
// the previous one stops working (revocation is a renewal or a removal).
func (s *Store) NewCalendarToken(ctx context.Context, sc Scope) (string, error) {
	token, hash := newToken()
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO calendar_feeds (tenant_id, user_id, token_hash) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id, user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()`, sc.TenantID, sc.UserID, hash)
		return dbError("calendar token", err)
	})
	return token, err
}

// RevokeCalendarToken removes the person's feed link.
func (s *Store) RevokeCalendarToken(ctx context.Context, sc Scope) error {
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM calendar_feeds WHERE tenant_id = $1 AND user_id = $2`, sc.TenantID, sc.UserID)
		return dbError("revoke calendar", err)
	})
}

// HasCalendarToken reports whether the person has a live feed link.
func (s *Store) HasCalendarToken(ctx context.Context, sc Scope) (bool, error) {
	var has bool
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM calendar_feeds WHERE tenant_id = $1 AND user_id = $2)`, sc.TenantID, sc.UserID).Scan(&has)
	})
	return has, dbError("calendar token", err)
}

// CalendarOwner finds whose feed a token opens in a workspace.
func (s *Store) CalendarOwner(ctx context.Context, tenantID, token string) (string, error) {
	var uid string
	err := s.Tx(ctx, Scope{TenantID: tenantID}, func(tx pgx.Tx) error {
		if err := presentToken(ctx, tx, "app.calendar", token); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT user_id FROM calendar_feeds WHERE tenant_id = $1 AND token_hash = $2`, tenantID, HashToken(token)).Scan(&uid)
	})
	return uid, dbError("calendar owner", err)
}

// Calendar lists a person's meetings in the workspace, from a month ago on:
// sessions and first meetings for the coaches and the coachee; three-way meetings
// they attend (a sponsor sees only those).
func (s *Store) Calendar(ctx context.Context, sc Scope, since time.Time) ([]CalendarEvent, error) {
	return s.calendar(ctx, sc, since, "")
}

// MeetingEvent loads one meeting of an engagement for an .ics download, by the
// same rules as the feed, limited to that engagement.
func (s *Store) MeetingEvent(ctx context.Context, sc Scope, engagementID, kind, id string) (CalendarEvent, error) {
	evs, err := s.calendar(ctx, sc, time.Time{}, engagementID)
	if err != nil {
		return CalendarEvent{}, err
	}
	for _, e := range evs {
		if e.Kind == kind && e.ID == id {
			return e, nil
		}
	}
	return CalendarEvent{}, domain.ErrNotFound
}

// calendar reads the meetings of the person's engagements, or of one of them.
func (s *Store) calendar(ctx context.Context, sc Scope, since time.Time, engagementID string) ([]CalendarEvent, error) {
	var out []CalendarEvent
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`WITH mine AS (SELECT engagement_id, part FROM engagement_parties
			                WHERE tenant_id = $1 AND user_id = $2 AND ($4 = '' OR engagement_id::text = $4))
			SELECT s.id, e.id, e.title, 'session', s.number, s.minutes, s.scheduled_at FROM coaching_sessions s
			JOIN mine ON mine.engagement_id = s.engagement_id AND mine.part <> 'sponsor'
			JOIN engagements e ON e.tenant_id = s.tenant_id AND e.id = s.engagement_id
			WHERE s.tenant_id = $1 AND s.status <> 'cancelled' AND s.scheduled_at >= $3
			UNION ALL
			SELECT e.id, e.id, e.title, 'first', 0, 60, e.first_meeting_at FROM engagements e
			JOIN mine ON mine.engagement_id = e.id AND mine.part <> 'sponsor'
			WHERE e.tenant_id = $1 AND e.first_meeting_at >= $3
			UNION ALL
			SELECT m.id, e.id, e.title, m.kind, 0, 90, m.scheduled_at FROM meetings m
			JOIN mine ON mine.engagement_id = m.engagement_id
			JOIN engagements e ON e.tenant_id = m.tenant_id AND e.id = m.engagement_id
			WHERE m.tenant_id = $1 AND m.scheduled_at >= $3
			  AND (EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.tenant_id = m.tenant_id AND a.meeting_id = m.id AND a.user_id = $2)
			       OR (mine.part <> 'sponsor' AND NOT EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.tenant_id = m.tenant_id AND a.meeting_id = m.id)))
			ORDER BY 7, 1 LIMIT 1000`, sc.TenantID, sc.UserID, since, engagementID)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, pgx.RowToStructByPos[CalendarEvent])
		return err
	})
	return out, dbError("calendar", err)
}
