package store

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Invitee is a party of an engagement, as an invitation names them.
type Invitee struct {
	ID, Name, Email, Locale string
	Part                    domain.Part
}

// MeetingInvitation is a meeting or a session whose invitation may have
// changed, with what the last one showed and the engagement's parties.
type MeetingInvitation struct {
	Kind             string // "session", "framing", "intermediate", "final"
	ID, EngagementID string
	Engagement       string // its title
	Number           int    // a session's number
	Now              domain.InviteState
	Sent             *domain.InviteState // nil: no invitation sent yet
	Sequence         int
	Parties          map[string]Invitee
	Organizer        Invitee  // the lead coach
	attendees        []string // a meeting's chosen attendees
}

// pendingInvitations reads, locked, the meetings and sessions of the
// engagements the person leads whose invitation may have changed. A worker
// that finds them locked skips them: two workers never send one change twice.
const pendingInvitations = `SELECT 'session', s.id::text, e.id::text, e.title, s.number, s.scheduled_at, s.minutes, s.status = 'cancelled' OR e.phase IN ('clos', 'interrompu'),
	s.invited, s.invite_sequence, '{}'::text[]
FROM coaching_sessions s JOIN engagements e ON e.tenant_id = s.tenant_id AND e.id = s.engagement_id
WHERE s.tenant_id = $1 AND s.invite_due
  AND s.engagement_id IN (SELECT engagement_id FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2 AND part = 'coach')
FOR UPDATE OF s SKIP LOCKED`

const pendingMeetings = `SELECT m.kind, m.id::text, e.id::text, e.title, 0, coalesce(m.scheduled_at, 'epoch'), 90, m.scheduled_at IS NULL OR e.phase IN ('clos', 'interrompu'),
	m.invited, m.invite_sequence,
	(SELECT coalesce(array_agg(a.user_id::text), '{}') FROM meeting_attendees a WHERE a.tenant_id = m.tenant_id AND a.meeting_id = m.id)
FROM meetings m JOIN engagements e ON e.tenant_id = m.tenant_id AND e.id = m.engagement_id
WHERE m.tenant_id = $1 AND m.invite_due
  AND m.engagement_id IN (SELECT engagement_id FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2 AND part = 'coach')
FOR UPDATE OF m SKIP LOCKED`

// SendInvitations sends, for every meeting and session of the engagements the
// person leads (sc is the lead coach) that changed, what the change calls for
// (domain.Reinvite): the request, its update, or its cancellation, each
// e-mail written by mails. The state sent and its sequence are stored in the
// same transaction as the e-mails.
func (s *Store) SendInvitations(ctx context.Context, sc Scope, now time.Time,
	mails func(MeetingInvitation, domain.InviteChange) []Mail) (int, error) {
	sent := 0
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		invs, err := readPending(ctx, tx, sc)
		if err != nil || len(invs) == 0 {
			return err
		}
		if err := readInvitees(ctx, tx, sc, invs); err != nil {
			return err
		}
		for _, inv := range invs {
			n, err := s.reinvite(ctx, tx, sc, inv, now, mails)
			if err != nil {
				return err
			}
			sent += n
		}
		return nil
	})
	return sent, err
}

func readPending(ctx context.Context, tx pgx.Tx, sc Scope) ([]*MeetingInvitation, error) {
	var out []*MeetingInvitation
	for _, q := range []string{pendingInvitations, pendingMeetings} {
		rows, _ := tx.Query(ctx, q, sc.TenantID, sc.UserID)
		invs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*MeetingInvitation, error) {
			inv := &MeetingInvitation{}
			var sent []byte
			err := r.Scan(&inv.Kind, &inv.ID, &inv.EngagementID, &inv.Engagement, &inv.Number, &inv.Now.Start, &inv.Now.Minutes,
				&inv.Now.Cancelled, &sent, &inv.Sequence, &inv.attendees)
			if err == nil && sent != nil {
				inv.Sent = &domain.InviteState{}
				err = json.Unmarshal(sent, inv.Sent)
			}
			return inv, err
		})
		if err != nil {
			return nil, dbError("pending invitations", err)
		}
		out = append(out, invs...)
	}
	return out, nil
}

// readInvitees loads the parties of the engagements concerned and decides
// each meeting's attendees: the parties its kind invites (the sponsor never
// to a session), limited to the meeting's chosen attendees when it has some.
// An address under .invalid receives nothing (RFC 2606): it is the
// placeholder of an erased person.
func readInvitees(ctx context.Context, tx pgx.Tx, sc Scope, invs []*MeetingInvitation) error {
	var ids []string
	for _, inv := range invs {
		ids = append(ids, inv.EngagementID)
	}
	parties := map[string][]Invitee{}
	var eng string
	rows, _ := tx.Query(ctx, `SELECT engagement_id::text, user_id::text, name, email, locale, part FROM engagement_people
		WHERE engagement_id = ANY($1::uuid[]) AND email NOT LIKE '%.invalid'
		ORDER BY array_position(ARRAY['coach','cocoach','coachee','sponsor'], part), 3`, ids)
	for rows.Next() {
		var p Invitee
		var part string
		if err := rows.Scan(&eng, &p.ID, &p.Name, &p.Email, &p.Locale, &part); err != nil {
			rows.Close()
			return dbError("invitee", err)
		}
		p.Part = domain.Part(part)
		parties[eng] = append(parties[eng], p)
	}
	if err := rows.Err(); err != nil {
		return dbError("invitees", err)
	}
	for _, inv := range invs {
		inv.Parties = map[string]Invitee{}
		for _, p := range parties[inv.EngagementID] {
			if p.Part == domain.PartCoach && inv.Organizer.ID == "" {
				inv.Organizer = p
			}
			if !domain.Invited(inv.Kind, p.Part) || len(inv.attendees) > 0 && !slices.Contains(inv.attendees, p.ID) {
				continue
			}
			if _, dup := inv.Parties[p.ID]; !dup {
				inv.Parties[p.ID] = p
				inv.Now.Attendees = append(inv.Now.Attendees, p.ID)
			}
		}
		if inv.Sent != nil { // those no longer invited are still named in their cancellation
			for _, id := range inv.Sent.Attendees {
				if _, ok := inv.Parties[id]; !ok {
					for _, p := range parties[inv.EngagementID] {
						if p.ID == id {
							inv.Parties[id] = p
						}
					}
				}
			}
		}
	}
	return nil
}

// reinvite sends one meeting's change, if any, and records what was sent. A
// meeting already past is not sent: a calendar has no use for it.
func (s *Store) reinvite(ctx context.Context, tx pgx.Tx, sc Scope, inv *MeetingInvitation, now time.Time,
	mails func(MeetingInvitation, domain.InviteChange) []Mail) (int, error) {
	table := "meetings"
	if inv.Kind == "session" {
		table = "coaching_sessions"
	}
	change, ok := domain.Reinvite(inv.Sent, inv.Sequence, inv.Now)
	past := inv.Now.Start.Before(now) && (inv.Sent == nil || inv.Sent.Start.Before(now))
	if !ok || past {
		_, err := tx.Exec(ctx, `UPDATE `+table+` SET invite_due = false WHERE tenant_id = $1 AND id::text = $2`, sc.TenantID, inv.ID)
		return 0, dbError("invitation unchanged", err)
	}
	state, err := json.Marshal(inv.Now.Sent())
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE `+table+` SET invite_due = false, invited = $3, invite_sequence = $4 WHERE tenant_id = $1 AND id::text = $2`,
		sc.TenantID, inv.ID, state, change.Sequence); err != nil {
		return 0, dbError("invitation sent", err)
	}
	ms := mails(*inv, change)
	for _, m := range ms {
		if err := s.SendMail(ctx, tx, m); err != nil {
			return 0, err
		}
	}
	return len(ms), nil
}
