package store

import (
	"context"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Party is a person's place in an engagement.
type Party struct {
	UserID, Name, Email string
	Part                domain.Part
	SponsorKind         string
	AddressForm         string // how the person chose to be named
}

// Engagement is an engagement's header: what every page of it needs.
type Engagement struct {
	ID, Title, ClientOrgID, ClientOrg string
	Phase                             domain.Phase
	PhaseChanged                      time.Time
	FirstMeetingAt                    *time.Time
	CoachWillingAt, CoacheeWillingAt  *time.Time
	CoherenceOK                       bool
	CoherenceComment                  string
	CoherenceAt                       *time.Time
	SynthesisText                     string
	SynthesisVersion                  int
	EndedReason                       string
	Parties                           []Party
}

// PartOf returns a user's part in the engagement.
func (e *Engagement) PartOf(userID string) domain.Part {
	for _, p := range e.Parties {
		if p.UserID == userID {
			return p.Part
		}
	}
	return domain.PartNone
}

// With returns the parties with the given part.
func (e *Engagement) With(part domain.Part) []Party {
	var out []Party
	for _, p := range e.Parties {
		if p.Part == part {
			out = append(out, p)
		}
	}
	return out
}

// CoacheeForm is how the engagement's coachee chose to be named ("" if none).
func (e *Engagement) CoacheeForm() string { return e.FormOf(domain.PartCoachee) }

// FormOf is how the first party with the part (the lead coach, the first
// sponsor) chose to be named ("" if none).
func (e *Engagement) FormOf(part domain.Part) string {
	if ps := e.With(part); len(ps) > 0 {
		return ps[0].AddressForm
	}
	return ""
}

// Name returns the name of the first party with the part, or "".
func (e *Engagement) Name(part domain.Part) string {
	if ps := e.With(part); len(ps) > 0 {
		return ps[0].Name
	}
	return ""
}

const engagementCols = `e.id, e.title, e.client_org_id,
	coalesce((SELECT o.name FROM client_orgs o WHERE o.tenant_id = e.tenant_id AND o.id = e.client_org_id), ''), e.phase, e.phase_changed_at, e.first_meeting_at,
	e.coach_willing_at, e.coachee_willing_at, e.coherence_ok, e.coherence_comment, e.coherence_at,
	e.synthesis_text, e.synthesis_version, e.ended_reason`

func scanEngagement(row pgx.Row, e *Engagement) error {
	return row.Scan(&e.ID, &e.Title, &e.ClientOrgID, &e.ClientOrg, &e.Phase, &e.PhaseChanged, &e.FirstMeetingAt,
		&e.CoachWillingAt, &e.CoacheeWillingAt, &e.CoherenceOK, &e.CoherenceComment, &e.CoherenceAt,
		&e.SynthesisText, &e.SynthesisVersion, &e.EndedReason)
}

// EngagementHeader loads the engagement and its parties, in one round trip.
func (s *Store) EngagementHeader(ctx context.Context, sc Scope, id string) (*Engagement, error) {
	if !validUUID(id) {
		return nil, domain.ErrNotFound
	}
	var e Engagement
	err := s.View(ctx, sc, func(b *pgx.Batch) { queueHeader(b, sc, id) }, func(br pgx.BatchResults) error { return readHeader(br, &e) })
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// memberName is how a member is named in the workspace (m a membership, u its
// account): an invited person who has not joined yet is known by the name the
// inviter gave, never by the name their account holds elsewhere.
const memberName = `CASE WHEN m.joined_at IS NULL THEN m.invited_name ELSE u.name END`

// headerQuery reads one engagement. Its organisation's name comes from a
// subquery, not a join: planned once for any values (the request pool's
// generic plans), the join was planned as "the organisation's engagements,
// then this one", reading every engagement of the organisation.
const headerQuery = `SELECT ` + engagementCols + ` FROM engagements e WHERE e.tenant_id = $1 AND e.id = $2`

// queueHeader and readHeader are the two halves of loading an engagement's
// header, so that it can travel in the same batch as a page's other queries.
func queueHeader(b *pgx.Batch, sc Scope, id string) {
	b.Queue(headerQuery, sc.TenantID, id)
	b.Queue(`SELECT user_id, name, email, part, sponsor_kind, address_form FROM engagement_people
		WHERE engagement_id = $1 ORDER BY array_position(ARRAY['coach','cocoach','coachee','sponsor'], part), 2`, id)
}

func readHeader(br pgx.BatchResults, e *Engagement) error {
	if err := scanEngagement(br.QueryRow(), e); err != nil {
		return dbError("engagement", err)
	}
	rows, _ := br.Query()
	var err error
	e.Parties, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Party, error) {
		var p Party
		return p, r.Scan(&p.UserID, &p.Name, &p.Email, &p.Part, &p.SponsorKind, &p.AddressForm)
	})
	return dbError("parties", err)
}

// validUUID avoids a database error for a malformed id in a URL: it is simply
// not found.
func validUUID(s string) bool { return domain.ValidID(s) }

// EngagementRow is a line of the engagement list.
type EngagementRow struct {
	ID, Title, ClientOrg, Coach, Coachee string
	Phase                                domain.Phase
	PhaseChanged                         time.Time
}

// EngagementFilter narrows the list.
type EngagementFilter struct {
	Phase, ClientOrgID, CoachID string
	All                         bool // the workspace admin sees every engagement
	Page                        int  // from 0, PageSize a page
}

// PageSize is how many engagements a list page shows.
const PageSize = 50

// Engagements lists the engagements the person takes part in (or all, for an
// admin), filtered.
func (s *Store) Engagements(ctx context.Context, sc Scope, f EngagementFilter) ([]EngagementRow, error) {
	var out []EngagementRow
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT e.id, e.title, o.name, coalesce(c.name, ''), coalesce(CASE WHEN me.joined_at IS NULL THEN me.invited_name ELSE ce.name END, ''), e.phase, e.phase_changed_at
			FROM engagements e
			JOIN client_orgs o ON o.tenant_id = e.tenant_id AND o.id = e.client_org_id
			LEFT JOIN engagement_parties pc ON pc.tenant_id = e.tenant_id AND pc.engagement_id = e.id AND pc.part = 'coach'
			LEFT JOIN users c ON c.id = pc.user_id
			LEFT JOIN engagement_parties pe ON pe.tenant_id = e.tenant_id AND pe.engagement_id = e.id AND pe.part = 'coachee'
			LEFT JOIN users ce ON ce.id = pe.user_id
			LEFT JOIN memberships me ON me.tenant_id = pe.tenant_id AND me.user_id = pe.user_id
			WHERE e.tenant_id = $1
			  AND ($2 OR EXISTS (SELECT 1 FROM engagement_parties mine WHERE mine.tenant_id = e.tenant_id AND mine.engagement_id = e.id AND mine.user_id = $3))
			  AND ($4 = '' OR e.phase = $4)
			  AND ($5 = '' OR e.client_org_id::text = $5)
			  AND ($6 = '' OR EXISTS (SELECT 1 FROM engagement_parties cc WHERE cc.tenant_id = e.tenant_id AND cc.engagement_id = e.id
			                          AND cc.part IN ('coach', 'cocoach') AND cc.user_id::text = $6))
			ORDER BY array_position(ARRAY['cadrage','accompagnement','bouclage','clos','interrompu'], e.phase), e.title, e.id
			LIMIT $7 OFFSET $8`, sc.TenantID, f.All, sc.UserID, f.Phase, f.ClientOrgID, f.CoachID, PageSize+1, f.Page*PageSize)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EngagementRow, error) {
			var e EngagementRow
			return e, r.Scan(&e.ID, &e.Title, &e.ClientOrg, &e.Coach, &e.Coachee, &e.Phase, &e.PhaseChanged)
		})
		return err
	})
	return out, dbError("engagements", err)
}

// NewPerson is someone not yet in the workspace, invited from the engagement form.
type NewPerson struct {
	Name, Email string
}

// SponsorChoice is a sponsor of a new engagement: an existing member or a new person.
type SponsorChoice struct {
	UserID string
	New    *NewPerson
	Kind   string
}

// NewEngagement is what the engagement form asks for.
type NewEngagement struct {
	Title, ClientOrgID string
	CoachID            string
	CocoachIDs         []string
	CoacheeID          string
	NewCoachee         *NewPerson
	Sponsors           []SponsorChoice
	// NewClientOrg names an organisation to create with the engagement (one
	// of that name already there is taken instead).
	NewClientOrg string
}

// Invited is a person invited while creating an engagement; the caller builds
// their e-mail from the token.
type Invited struct {
	NewPerson
	Role  domain.Role
	Token string
}

// CreateEngagement opens an engagement in cadrage with its parties. People not
// yet in the workspace get an account without password, a membership and an
// invitation, in the same transaction: all of it exists afterwards, or none.
func (s *Store) CreateEngagement(ctx context.Context, sc Scope, ne NewEngagement, mail func(Invited) Mail) (string, error) {
	var id string
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		// The organisation first: people invited from this form join it.
		if ne.NewClientOrg != "" {
			oid, _, err := insertClientOrg(ctx, tx, sc, ne.NewClientOrg)
			if err != nil {
				return err
			}
			ne.ClientOrgID = oid
		}
		var orgOK bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM client_orgs WHERE tenant_id = $1 AND id::text = $2)`,
			sc.TenantID, ne.ClientOrgID).Scan(&orgOK); err != nil {
			return dbError("check client org", err)
		}
		if !orgOK {
			return domain.FieldErrors{"client_org": "field.client_org.unknown"}
		}
		if ne.NewCoachee != nil {
			uid, err := s.inviteInto(ctx, tx, sc, *ne.NewCoachee, domain.RoleCoachee, ne.ClientOrgID, mail)
			if err != nil {
				return err
			}
			ne.CoacheeID = uid
		}
		for i, sp := range ne.Sponsors {
			if sp.New != nil {
				uid, err := s.inviteInto(ctx, tx, sc, *sp.New, domain.RoleSponsor, ne.ClientOrgID, mail)
				if err != nil {
					return err
				}
				ne.Sponsors[i].UserID = uid
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO engagements (tenant_id, title, client_org_id, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
			sc.TenantID, ne.Title, ne.ClientOrgID, sc.UserID).Scan(&id)
		if isCode(err, "23503") {
			return domain.FieldErrors{"client_org": "field.client_org.unknown"}
		}
		if err != nil {
			return dbError("create engagement", err)
		}
		type party struct {
			user string
			part domain.Part
			kind string
		}
		parties := []party{{ne.CoachID, domain.PartCoach, ""}, {ne.CoacheeID, domain.PartCoachee, ""}}
		for _, c := range ne.CocoachIDs {
			parties = append(parties, party{c, domain.PartCocoach, ""})
		}
		for _, sp := range ne.Sponsors {
			parties = append(parties, party{sp.UserID, domain.PartSponsor, sp.Kind})
		}
		seen := map[string]bool{}
		var users []string
		for _, p := range parties {
			if seen[p.user] {
				return domain.FieldErrors{"parties": "field.parties.distinct"}
			}
			seen[p.user] = true
			if validUUID(p.user) {
				users = append(users, p.user)
			}
		}
		if err := checkPartRoles(ctx, tx, sc, users, func(yield func(string, domain.Part) bool) {
			for _, p := range parties {
				if !yield(p.user, p.part) {
					return
				}
			}
		}); err != nil {
			return err
		}
		for _, p := range parties {
			_, err := tx.Exec(ctx, `INSERT INTO engagement_parties (tenant_id, engagement_id, user_id, part, sponsor_kind) VALUES ($1, $2, $3, $4, $5)`,
				sc.TenantID, id, p.user, p.part, p.kind)
			if isCode(err, "23503", "22P02") {
				return domain.FieldErrors{string(p.part): "field.member.unknown"}
			}
			if err != nil {
				return dbError("add party", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO requests (tenant_id, engagement_id, level) VALUES ($1, $2, 'company'), ($1, $2, 'coachee');
			`, sc.TenantID, id); err != nil {
			return dbError("create requests", err)
		}
		for _, q := range []string{
			`INSERT INTO diagnoses (tenant_id, engagement_id) VALUES ($1, $2)`,
			`INSERT INTO contracts (tenant_id, engagement_id) VALUES ($1, $2)`,
			`INSERT INTO meetings (tenant_id, engagement_id, kind) VALUES ($1, $2, 'framing')`,
		} {
			if _, err := tx.Exec(ctx, q, sc.TenantID, id); err != nil {
				return dbError("create engagement parts", err)
			}
		}
		return engagementEvent(ctx, tx, sc, id, "engagement.created", map[string]any{"title": ne.Title})
	})
	return id, err
}

// checkPartRoles refuses, beside the field, a party whose workspace roles do
// not allow their part (domain.CanTakePart), or who is not a member at all.
func checkPartRoles(ctx context.Context, tx pgx.Tx, sc Scope, users []string, parties iter.Seq2[string, domain.Part]) error {
	rows, _ := tx.Query(ctx, `SELECT user_id::text, roles FROM memberships WHERE tenant_id = $1 AND user_id = ANY ($2::uuid[])`, sc.TenantID, users)
	roles := map[string]domain.RoleSet{}
	var id string
	var held domain.RoleSet
	if _, err := pgx.ForEachRow(rows, []any{&id, &held}, func() error { roles[id] = held; return nil }); err != nil {
		return dbError("party roles", err)
	}
	errs := domain.FieldErrors{}
	for user, part := range parties {
		have, member := roles[user]
		switch {
		case !member:
			errs[string(part)] = "field.member.unknown"
		case !have.CanTakePart(part):
			errs[string(part)] = "field.member.role"
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// inviteInto names a person in an engagement: they become an invited member,
// under the name given here, and receive an invitation. Whether the e-mail
// already has an account (here or in another workspace) changes nothing the
// inviter can see: the same invitation goes out, and the person joins, under
// their own name, only when they take it up.
func (s *Store) inviteInto(ctx context.Context, tx pgx.Tx, sc Scope, np NewPerson, role domain.Role, orgID string, mail func(Invited) Mail) (string, error) {
	var uid string
	if err := lookUp(ctx, tx, np.Email); err != nil {
		return "", err
	}
	// An existing account is found, never changed: its name stays its own.
	err := tx.QueryRow(ctx, `WITH new AS (INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id)
		SELECT id FROM new UNION ALL SELECT id FROM users WHERE email = $1 LIMIT 1`, np.Email, np.Name).Scan(&uid)
	if err != nil {
		return "", dbError("invite: account", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO memberships (tenant_id, user_id, roles, client_org_id, joined_at, invited_name)
		VALUES ($1, $2, ARRAY[$3::text], nullif($4, '')::uuid, NULL, $5)
		ON CONFLICT (tenant_id, user_id) DO NOTHING`, sc.TenantID, uid, role, orgID, np.Name)
	if err != nil {
		return "", dbError("invite: membership", err)
	}
	token, hash := newToken()
	var invID string
	if err := tx.QueryRow(ctx, `INSERT INTO invitations (tenant_id, email, name, role, client_org_id, token_hash, invited_by, expires_at)
		VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7, $8) RETURNING id`,
		sc.TenantID, np.Email, np.Name, role, orgID, hash, sc.UserID, s.Now().Add(InvitationTTL)).Scan(&invID); err != nil {
		return "", dbError("invite: invitation", err)
	}
	if err := recordEvent(ctx, tx, sc.TenantID, sc.UserID, "invitation.sent", invID, map[string]any{"role": role}); err != nil {
		return "", err
	}
	return uid, s.SendMail(ctx, tx, mail(Invited{NewPerson: np, Role: role, Token: token}))
}

// engagementEvent appends to the engagement's history.
func engagementEvent(ctx context.Context, tx pgx.Tx, sc Scope, engagementID, kind string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO events (tenant_id, actor_id, kind, subject_id, engagement_id, data)
		VALUES ($1, nullif($2, '')::uuid, $3, $4, $4, $5)`, sc.TenantID, sc.UserID, kind, engagementID, data)
	return dbError("record event", err)
}

// lockOpen locks the engagement for a write and refuses one that is closed or
// interrupted: from then on it is read-only for everyone.
func lockOpen(ctx context.Context, tx pgx.Tx, sc Scope, id string) (domain.Phase, error) {
	if !validUUID(id) {
		return "", domain.ErrNotFound
	}
	var phase domain.Phase
	err := tx.QueryRow(ctx, `SELECT phase FROM engagements WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, sc.TenantID, id).Scan(&phase)
	if err != nil {
		return "", dbError("lock engagement", err)
	}
	if !phase.Open() {
		return phase, domain.Errorf(domain.EForbidden, "phase.read_only")
	}
	return phase, nil
}

// inOpen runs fn in a transaction on an open engagement.
func (s *Store) inOpen(ctx context.Context, sc Scope, id string, fn func(tx pgx.Tx, phase domain.Phase) error) error {
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		phase, err := lockOpen(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		return fn(tx, phase)
	})
}

// HistoryEntry is one line of an engagement's history.
type HistoryEntry struct {
	At    time.Time
	Actor string
	Kind  string
	Data  map[string]any
}

// History lists the engagement's events, newest first. Row-level security shows
// them only to the workspace admin and the engagement's coaches.
func (s *Store) History(ctx context.Context, sc Scope, id string) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT ev.at, coalesce(u.name, ''), ev.kind, ev.data FROM events ev LEFT JOIN users u ON u.id = ev.actor_id
			WHERE ev.tenant_id = $1 AND ev.engagement_id = $2 ORDER BY ev.at DESC, ev.id DESC LIMIT 500`, sc.TenantID, id)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (HistoryEntry, error) {
			var h HistoryEntry
			return h, r.Scan(&h.At, &h.Actor, &h.Kind, &h.Data)
		})
		return err
	})
	return out, dbError("history", err)
}

// ActivityEntry is one line of the workspace's activity log.
type ActivityEntry struct {
	At                  time.Time
	Actor, Kind         string
	EngagementID, Title string
	Data                map[string]any
}

// ActivityFilter narrows the activity log.
type ActivityFilter struct {
	Kind, ActorID string
	Before        int64 // events older than this id (pagination); 0 = newest
}

// Activity lists the workspace's history for its admin, newest first, 50 at a
// time. It shows that something happened, never what was said.
func (s *Store) Activity(ctx context.Context, sc Scope, f ActivityFilter) ([]ActivityEntry, int64, error) {
	var out []ActivityEntry
	var ids []int64
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT ev.id, ev.at, coalesce(u.name, ''), ev.kind, coalesce(ev.engagement_id::text, ''), coalesce(e.title, ''), ev.data
			FROM events ev LEFT JOIN users u ON u.id = ev.actor_id
			LEFT JOIN engagements e ON e.tenant_id = ev.tenant_id AND e.id = ev.engagement_id
			WHERE ev.tenant_id = $1 AND ($2 = '' OR ev.kind LIKE $2 || '%') AND ($3 = '' OR ev.actor_id::text = $3) AND ($4 = 0 OR ev.id < $4)
			ORDER BY ev.id DESC LIMIT 51`, sc.TenantID, f.Kind, f.ActorID, f.Before)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ActivityEntry, error) {
			var a ActivityEntry
			var id int64
			err := r.Scan(&id, &a.At, &a.Actor, &a.Kind, &a.EngagementID, &a.Title, &a.Data)
			ids = append(ids, id)
			return a, err
		})
		return err
	})
	var next int64
	if len(out) > 50 {
		out, next = out[:50], ids[49]
	}
	return out, next, dbError("activity", err)
}
