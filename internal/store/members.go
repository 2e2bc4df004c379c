package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"triade/internal/domain"
)

// Member is a person in a workspace, with their roles.
type Member struct {
	UserID, Name, Email string
	Roles               domain.RoleSet
	ClientOrg           string
	Invited             bool // named in an engagement or invited, not joined yet
}

// ClientOrg groups the sponsors and coachees of one company.
type ClientOrg struct {
	ID, Name string
	Members  int
}

// Invitation is a pending single-use invitation into a workspace.
type Invitation struct {
	ID, Email, Name string
	Role            domain.Role
	ClientOrgID     string
	Expires         time.Time
	Accepted        *time.Time
}

// InvitationTTL is how long an invitation link stays valid.
const InvitationTTL = 7 * 24 * time.Hour

// Members lists the workspace's members.
func (s *Store) Members(ctx context.Context, sc Scope) ([]Member, error) {
	var out []Member
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT u.id, `+memberName+`, u.email, m.roles, coalesce(o.name, ''), m.joined_at IS NULL
			FROM memberships m JOIN users u ON u.id = m.user_id
			LEFT JOIN client_orgs o ON o.tenant_id = m.tenant_id AND o.id = m.client_org_id
			WHERE m.tenant_id = $1 ORDER BY m.roles, 2`, sc.TenantID)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) {
			var m Member
			return m, r.Scan(&m.UserID, &m.Name, &m.Email, &m.Roles, &m.ClientOrg, &m.Invited)
		})
		return err
	})
	return out, dbError("members", err)
}

// ClientOrgs lists the workspace's client organisations.
func (s *Store) ClientOrgs(ctx context.Context, sc Scope) ([]ClientOrg, error) {
	var out []ClientOrg
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT o.id, o.name, count(m.user_id)
			FROM client_orgs o LEFT JOIN memberships m ON m.tenant_id = o.tenant_id AND m.client_org_id = o.id
			WHERE o.tenant_id = $1 GROUP BY o.id, o.name ORDER BY o.name`, sc.TenantID)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ClientOrg, error) {
			var o ClientOrg
			return o, r.Scan(&o.ID, &o.Name, &o.Members)
		})
		return err
	})
	return out, dbError("client orgs", err)
}

// CreateClientOrg adds a client organisation.
func (s *Store) CreateClientOrg(ctx context.Context, sc Scope, name string) (ClientOrg, error) {
	o := ClientOrg{Name: name}
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		var created bool
		var err error
		o.ID, created, err = insertClientOrg(ctx, tx, sc, name)
		if err == nil && !created {
			return domain.FieldErrors{"name": "field.client_org.taken"}
		}
		return err
	})
	return o, err
}

// insertClientOrg creates a client organisation in tx, or finds the one of
// that name (created is then false): the engagement form that types a name
// already there means that organisation.
func insertClientOrg(ctx context.Context, tx pgx.Tx, sc Scope, name string) (id string, created bool, err error) {
	err = tx.QueryRow(ctx, `WITH new AS (INSERT INTO client_orgs (tenant_id, name) VALUES ($1, $2) ON CONFLICT (tenant_id, name) DO NOTHING RETURNING id)
		SELECT id, true FROM new UNION ALL SELECT id, false FROM client_orgs WHERE tenant_id = $1 AND name = $2 LIMIT 1`,
		sc.TenantID, name).Scan(&id, &created)
	if isCode(err, "42501") {
		return "", false, domain.ErrForbidden
	}
	if err != nil {
		return "", false, dbError("create client org", err)
	}
	if created {
		err = recordEvent(ctx, tx, sc.TenantID, sc.UserID, "client_org.created", id, map[string]any{"name": name})
	}
	return id, created, err
}

// NewInvitation is what the invite form asks for.
type NewInvitation struct {
	Email, Name string
	Role        domain.Role
	ClientOrgID string
}

// Invite stores a single-use invitation and queues its e-mail, built by mail from
// the token (only the token's hash is stored).
func (s *Store) Invite(ctx context.Context, sc Scope, in NewInvitation, mail func(token string) Mail) (Invitation, error) {
	inv := Invitation{Email: in.Email, Name: in.Name, Role: in.Role, ClientOrgID: in.ClientOrgID, Expires: s.Now().Add(InvitationTTL)}
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		var member bool
		// A member who never set a password (invited from an engagement) may be
		// invited again; anyone else already belongs.
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = $1 AND u.email = $2 AND m.joined_at IS NOT NULL)`, sc.TenantID, in.Email).Scan(&member); err != nil {
			return dbError("invite: check member", err)
		}
		if member {
			return domain.FieldErrors{"email": "field.email.already_member"}
		}
		token, hash := newToken()
		err := tx.QueryRow(ctx, `INSERT INTO invitations (tenant_id, email, name, role, client_org_id, token_hash, invited_by, expires_at)
			VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, $6, $7, $8) RETURNING id`,
			sc.TenantID, in.Email, in.Name, in.Role, in.ClientOrgID, hash, sc.UserID, inv.Expires).Scan(&inv.ID)
		if isCode(err, "23503") { // a client organisation of another workspace, or none
			return domain.FieldErrors{"client_org": "field.client_org.unknown"}
		}
		if err != nil {
			return dbError("invite: insert", err)
		}
		if err := recordEvent(ctx, tx, sc.TenantID, sc.UserID, "invitation.sent", inv.ID, map[string]any{"role": in.Role}); err != nil {
			return err
		}
		return s.SendMail(ctx, tx, mail(token))
	})
	return inv, err
}

// PendingInvitations lists invitations not yet accepted.
func (s *Store) PendingInvitations(ctx context.Context, sc Scope) ([]Invitation, error) {
	var out []Invitation
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT id, email, name, role, coalesce(client_org_id::text, ''), expires_at, accepted_at
			FROM invitations WHERE tenant_id = $1 AND accepted_at IS NULL ORDER BY created_at DESC, id`, sc.TenantID)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, scanInvitation)
		return err
	})
	return out, dbError("pending invitations", err)
}

func scanInvitation(r pgx.CollectableRow) (Invitation, error) {
	var i Invitation
	return i, r.Scan(&i.ID, &i.Email, &i.Name, &i.Role, &i.ClientOrgID, &i.Expires, &i.Accepted)
}

// InvitationByToken finds a usable invitation of the workspace by its link token.
func (s *Store) InvitationByToken(ctx context.Context, tenantID, token string) (Invitation, error) {
	var inv Invitation
	err := s.Tx(ctx, Scope{TenantID: tenantID}, func(tx pgx.Tx) error {
		if err := presentToken(ctx, tx, "app.invitation", token); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, email, name, role, coalesce(client_org_id::text, ''), expires_at, accepted_at
			FROM invitations WHERE tenant_id = $1 AND token_hash = $2 AND accepted_at IS NULL AND expires_at > $3`,
			tenantID, HashToken(token), s.Now())
		var err error
		inv, err = pgx.CollectExactlyOneRow(rows, scanInvitation)
		return err
	})
	return inv, dbError("invitation by token", err)
}

// Acceptance is how an invitation is taken up: by a new account (name and
// password hash) or by an existing account already signed in (UserID).
type Acceptance struct {
	Token        string
	UserID       string
	Name         string
	PasswordHash string
}

// AcceptInvitation spends the invitation and makes the person a member, all or
// nothing. Spending it with a conditional UPDATE makes the link single-use even
// when two requests race.
func (s *Store) AcceptInvitation(ctx context.Context, tenantID string, a Acceptance) (User, error) {
	var u User
	err := s.Tx(ctx, Scope{TenantID: tenantID}, func(tx pgx.Tx) error {
		if err := presentToken(ctx, tx, "app.invitation", a.Token); err != nil {
			return err
		}
		var inv Invitation
		err := tx.QueryRow(ctx, `UPDATE invitations SET accepted_at = $3
			WHERE tenant_id = $1 AND token_hash = $2 AND accepted_at IS NULL AND expires_at > $3
			RETURNING id, email, name, role, coalesce(client_org_id::text, '')`,
			tenantID, HashToken(a.Token), s.Now()).Scan(&inv.ID, &inv.Email, &inv.Name, &inv.Role, &inv.ClientOrgID)
		if err != nil {
			return dbError("accept: spend invitation", err)
		}
		// The invited account (a signed-in person taking up an invitation has
		// its e-mail, the handler checks) is the one row of users needed.
		if err := lookUp(ctx, tx, inv.Email); err != nil {
			return err
		}
		if a.UserID != "" {
			u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, a.UserID))
		} else {
			// A person invited from an engagement form already has an account
			// without password: taking up the invitation sets it.
			u, err = scanUser(tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)
				ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, password_hash = EXCLUDED.password_hash
				WHERE users.password_hash IS NULL RETURNING `+userCols, inv.Email, a.Name, a.PasswordHash))
			if errors.Is(err, pgx.ErrNoRows) {
				return domain.Errorf(domain.EConflict, "invite.account_exists")
			}
		}
		if err != nil {
			return dbError("accept: account", err)
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('app.user_id', $1, true)`, u.ID); err != nil {
			return dbError("accept: scope", err)
		}
		// Joining: a new membership, or the invited one taken up.
		// An invited membership (named in an engagement) taken up with another
		// role keeps both.
		_, err = tx.Exec(ctx, `INSERT INTO memberships (tenant_id, user_id, roles, client_org_id) VALUES ($1, $2, ARRAY[$3::text], nullif($4, '')::uuid)
			ON CONFLICT (tenant_id, user_id) DO UPDATE SET joined_at = coalesce(memberships.joined_at, now()), invited_name = '',
				roles = (SELECT array_agg(DISTINCT r) FROM unnest(memberships.roles || EXCLUDED.roles) r)`,
			tenantID, u.ID, inv.Role, inv.ClientOrgID)
		if err != nil {
			return dbError("accept: membership", err)
		}
		return recordEvent(ctx, tx, tenantID, u.ID, "invitation.accepted", inv.ID, map[string]any{"role": inv.Role})
	})
	return u, err
}

// NewMember adds a person directly, without an invitation (demo data, and later
// imports). The account is created if the e-mail is new.
type NewMember struct {
	Email, Name, PasswordHash string
	Roles                     domain.RoleSet
	ClientOrgID               string
}

// AddMember creates the account if needed and the membership, returning the user.
func (s *Store) AddMember(ctx context.Context, sc Scope, nm NewMember) (User, error) {
	var u User
	err := s.Tx(ctx, sc, func(tx pgx.Tx) error {
		if err := lookUp(ctx, tx, nm.Email); err != nil {
			return err
		}
		var err error
		// An existing account is found, never changed.
		u, err = scanUser(tx.QueryRow(ctx, `WITH new AS (INSERT INTO users (email, name, password_hash) VALUES ($1, $2, nullif($3, ''))
			ON CONFLICT (email) DO NOTHING RETURNING `+userCols+`)
			SELECT * FROM new UNION ALL SELECT `+userCols+` FROM users WHERE email = $1 LIMIT 1`, nm.Email, nm.Name, nm.PasswordHash))
		if err != nil {
			return dbError("add member: account", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO memberships (tenant_id, user_id, roles, client_org_id) VALUES ($1, $2, $3, nullif($4, '')::uuid)`,
			sc.TenantID, u.ID, roleStrings(nm.Roles), nm.ClientOrgID)
		if isCode(err, "23505") {
			return domain.FieldErrors{"email": "field.email.already_member"}
		}
		return dbError("add member: membership", err)
	})
	return u, err
}

// roleStrings is a role set as the database's text[] takes it.
func roleStrings(rs domain.RoleSet) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// SetRoles gives a member of the workspace exactly these roles. Only an
// administrator may (the database refuses anyone else, see migration 00015),
// herself included: the independent coach adds the coach role to her own
// membership. A role that a part the member holds needs, or the workspace's
// last administrator, cannot go.
func (s *Store) SetRoles(ctx context.Context, sc Scope, userID string, roles domain.RoleSet) error {
	if !validUUID(userID) {
		return domain.ErrNotFound
	}
	if !roles.Valid() {
		return domain.FieldErrors{"roles": "field.roles.required"}
	}
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE memberships SET roles = $3 WHERE tenant_id = $1 AND user_id = $2`, sc.TenantID, userID, roleStrings(roles))
		switch {
		case constraintIs(err, "party_role"):
			return domain.FieldErrors{"roles": "field.roles.parts"}
		case constraintIs(err, "admin_kept"):
			return domain.FieldErrors{"roles": "field.roles.last_admin"}
		case isCode(err, "42501"):
			return domain.ErrForbidden
		case err != nil:
			return dbError("set roles", err)
		case tag.RowsAffected() == 0:
			return domain.ErrNotFound
		}
		return recordEvent(ctx, tx, sc.TenantID, sc.UserID, "member.roles", userID, map[string]any{"roles": roles})
	})
}

// constraintIs reports whether err is the violation of the named constraint.
func constraintIs(err error, name string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.ConstraintName == name
}
