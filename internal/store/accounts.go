package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// User is an account. PasswordHash is empty until the person sets a password.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	Locale       string
	// TwoFactor: the person signs in with a second factor (loaded by Person).
	TwoFactor   bool
	AddressForm string // how the person is named: f, m or x (see i18n.AddressForms)
}

// Workspace is a tenant: a coaching practice or a company's coaching programme.
type Workspace struct {
	ID       string
	Slug     string
	Name     string
	Timezone string
}

// Membership is a person's place in a workspace.
type Membership struct {
	Workspace Workspace
	Roles     domain.RoleSet
	// RequireTwoFactor: the workspace lets in only members with a second factor.
	RequireTwoFactor bool
}

const userCols = `id, email, name, coalesce(password_hash, ''), coalesce(locale, ''), address_form`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := scanUserInto(row, &u)
	return u, err
}

// scanUserInto reads userCols into u, then the columns that follow into more.
func scanUserInto(row pgx.Row, u *User, more ...any) error {
	return row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Locale, &u.AddressForm}, more...)...)
}

// lookUp makes the one account with this e-mail visible to the rest of the
// transaction. Row-level security on users shows a person only themselves and
// the members of the current workspace; sign-in, sign-up, reset and invitation
// need exactly one more row, named by the address typed or invited.
func lookUp(ctx context.Context, tx pgx.Tx, email string) error {
	_, err := tx.Exec(ctx, `SELECT set_config('app.login_email', $1, true)`, email)
	return dbError("look up account", err)
}

// UserByEmail finds an account by its (normalised) e-mail.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.Tx(ctx, Scope{}, func(tx pgx.Tx) error {
		if err := lookUp(ctx, tx, email); err != nil {
			return err
		}
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, email))
		return err
	})
	return u, dbError("user by email", err)
}

// UserByID finds an account, as that person (the calendar feed knows who it
// serves from its token).
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	var u User
	if !validUUID(id) {
		return u, domain.ErrNotFound
	}
	err := s.Tx(ctx, Scope{UserID: id}, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
		return err
	})
	return u, dbError("user by id", err)
}

// SetLocale records the language a person chose for the interface.
func (s *Store) SetLocale(ctx context.Context, userID, locale string) error {
	return s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET locale = nullif($2, '') WHERE id = $1`, userID, locale)
		return dbError("set locale", err)
	})
}

// NewWorkspace is what sign-up asks for.
type NewWorkspace struct {
	Name, Slug          string
	AdminEmail, AdminNm string
	PasswordHash        string // empty when the admin is an existing, signed-in account
	ExistingUserID      string
	Roles               domain.RoleSet // of the founder: admin unless set (an independent coach: admin and coach)
}

// CreateWorkspace creates a workspace and its first admin in one transaction:
// either both exist afterwards or neither does.
func (s *Store) CreateWorkspace(ctx context.Context, nw NewWorkspace) (User, Workspace, error) {
	var u User
	var w Workspace
	err := s.Tx(ctx, Scope{UserID: nw.ExistingUserID}, func(tx pgx.Tx) error {
		if nw.ExistingUserID != "" {
			var err error
			if u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, nw.ExistingUserID)); err != nil {
				return dbError("load admin", err)
			}
		} else {
			if err := lookUp(ctx, tx, nw.AdminEmail); err != nil {
				return err
			}
			err := tx.QueryRow(ctx, `INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) RETURNING id`,
				nw.AdminEmail, nw.AdminNm, nw.PasswordHash).Scan(&u.ID)
			if isCode(err, "23505") {
				return domain.FieldErrors{"email": "field.email.taken"}
			}
			if err != nil {
				return dbError("create admin", err)
			}
			u.Email, u.Name, u.PasswordHash = nw.AdminEmail, nw.AdminNm, nw.PasswordHash
		}
		err := tx.QueryRow(ctx, `INSERT INTO workspaces (name, slug) VALUES ($1, $2) RETURNING id, slug, name, timezone`,
			nw.Name, nw.Slug).Scan(&w.ID, &w.Slug, &w.Name, &w.Timezone)
		if isCode(err, "23505") {
			return domain.FieldErrors{"slug": "field.slug.taken"}
		}
		if err != nil {
			return dbError("create workspace", err)
		}
		// The new workspace becomes the transaction's, so its first rows pass RLS.
		if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, w.ID, u.ID); err != nil {
			return dbError("scope new workspace", err)
		}
		roles := nw.Roles
		if len(roles) == 0 {
			roles = domain.RoleSet{domain.RoleAdmin}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (tenant_id, user_id, roles) VALUES ($1, $2, $3)`, w.ID, u.ID, roleStrings(roles)); err != nil {
			return dbError("create admin membership", err)
		}
		if err := seedLibrary(ctx, tx, w.ID, u.ID); err != nil {
			return err
		}
		return recordEvent(ctx, tx, w.ID, u.ID, "workspace.created", "", nil)
	})
	return u, w, err
}

// Resolve picks the workspace of a URL among a person's memberships. A
// workspace the person does not belong to is not found: no hint that it exists.
func Resolve(all []Membership, slug string) (Membership, error) {
	for _, m := range all {
		if m.Workspace.Slug == slug {
			return m, nil
		}
	}
	return Membership{}, domain.ErrNotFound
}

// WorkspaceBySlug finds a workspace by its slug, for pages reached before the
// person is a member (accepting an invitation).
func (s *Store) WorkspaceBySlug(ctx context.Context, slug string) (Workspace, error) {
	var w Workspace
	err := s.pool.QueryRow(ctx, `SELECT id, slug, name, timezone FROM workspaces WHERE slug = $1`, slug).
		Scan(&w.ID, &w.Slug, &w.Name, &w.Timezone)
	return w, dbError("workspace by slug", err)
}

// MyWorkspaces lists the workspaces a person belongs to, for the switcher.
// Row-level security lets a person see their own memberships everywhere.
func (s *Store) MyWorkspaces(ctx context.Context, userID string) ([]Membership, error) {
	_, all, err := s.Person(ctx, userID)
	return all, err
}

// Person loads an account and all its memberships in one round trip: every
// signed-in request needs both (the name in the header, the workspace of the
// URL and the switcher).
func (s *Store) Person(ctx context.Context, userID string) (User, []Membership, error) {
	var p Person
	if !validUUID(userID) {
		return p.User, nil, domain.ErrNotFound
	}
	err := s.View(ctx, Scope{UserID: userID}, p.queue, p.read)
	return p.User, p.Memberships, dbError("person", err)
}

// Person is a signed-in person and their workspaces, as every page needs them.
type Person struct {
	User        User
	Memberships []Membership
}

// queue reads the person the transaction is for (app_user()), whether they
// have a second factor (in the same statement: every signed-in request
// reads it) and their workspaces.
func (p *Person) queue(b *pgx.Batch) {
	b.Queue(`SELECT ` + userCols + `, EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = users.id) FROM users WHERE id = app_user()`)
	b.Queue(`SELECT w.id, w.slug, w.name, w.timezone, m.roles, w.require_2fa
		FROM memberships m JOIN workspaces w ON w.id = m.tenant_id
		WHERE m.user_id = app_user() AND m.joined_at IS NOT NULL ORDER BY w.name`)
}

func (p *Person) read(br pgx.BatchResults) error {
	if err := scanUserInto(br.QueryRow(), &p.User, &p.User.TwoFactor); err != nil {
		return err
	}
	var err error
	rows, _ := br.Query()
	p.Memberships, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Membership, error) {
		var m Membership
		err := r.Scan(&m.Workspace.ID, &m.Workspace.Slug, &m.Workspace.Name, &m.Workspace.Timezone, &m.Roles, &m.RequireTwoFactor)
		return m, err
	})
	return err
}

// newToken returns a random URL-safe token and the hash stored in its place, so
// that a leaked database holds no usable link.
func newToken() (token string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how a token from a link is looked up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ResetTTL is how long a password reset link stays valid.
const ResetTTL = time.Hour

// CreatePasswordReset stores a single-use reset token for an existing account and
// queues the e-mail. It returns ErrNotFound for an unknown address, which the
// handler hides from the visitor.
func (s *Store) CreatePasswordReset(ctx context.Context, email string, mail func(u User, token string) Mail) error {
	return s.Tx(ctx, Scope{}, func(tx pgx.Tx) error {
		if err := lookUp(ctx, tx, email); err != nil {
			return err
		}
		u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, email))
		if err != nil {
			return dbError("reset: find user", err)
		}
		// Only the newest link works: an older one found in a mailbox later
		// opens nothing.
		if _, err := tx.Exec(ctx, `DELETE FROM password_resets WHERE user_id = $1`, u.ID); err != nil {
			return dbError("reset: void older links", err)
		}
		token, _ := newToken()
		if _, err := tx.Exec(ctx, `INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
			s.resetHash(token), u.ID, s.Now().Add(ResetTTL)); err != nil {
			return dbError("reset: store token", err)
		}
		return s.SendMail(ctx, tx, mail(u, token))
	})
}

// UsePasswordReset sets a new password if the token is valid, unused and not
// expired, and spends the token. Every other reset link of the person and every
// session of theirs end with it: whoever had taken the account is out.
func (s *Store) UsePasswordReset(ctx context.Context, token, passwordHash string) (User, error) {
	var u User
	err := s.Tx(ctx, Scope{}, func(tx pgx.Tx) error {
		var userID string
		err := tx.QueryRow(ctx, `UPDATE password_resets SET used_at = $2
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id`,
			s.resetHash(token), s.Now()).Scan(&userID)
		if err != nil {
			return dbError("reset: spend token", err)
		}
		if u, err = setPassword(ctx, tx, userID, passwordHash, ""); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL`, userID)
		return dbError("reset: void other links", err)
	})
	return u, err
}

// setPassword stores a new password hash as the person, and ends their
// sessions except the one kept ("" keeps none).
func setPassword(ctx context.Context, tx pgx.Tx, userID, passwordHash, keepSession string) (User, error) {
	if _, err := tx.Exec(ctx, `SELECT set_config('app.user_id', $1, true)`, userID); err != nil {
		return User{}, dbError("password: scope", err)
	}
	u, err := scanUser(tx.QueryRow(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1 RETURNING `+userCols, userID, passwordHash))
	if err != nil {
		return u, dbError("password: set", err)
	}
	_, err = tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token <> $2`, userID, keepSession)
	return u, dbError("password: end sessions", err)
}

// ChangePassword sets a person's new password (they gave the current one), voids
// their reset links and ends every session of theirs but the one in use.
func (s *Store) ChangePassword(ctx context.Context, userID, currentSession, passwordHash string) error {
	return s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		if _, err := setPassword(ctx, tx, userID, passwordHash, sessionKey(currentSession)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL`, userID)
		return dbError("password: void reset links", err)
	})
}

// Rehash replaces a password hash of the older, unpeppered kind after a
// successful sign-in, when the password itself is at hand.
func (s *Store) Rehash(ctx context.Context, userID, passwordHash string) error {
	return s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, passwordHash)
		return dbError("rehash", err)
	})
}

// resetHash is how a reset link is stored: keyed with the server key, so that
// the request role, which may write password_resets (a reset is asked before
// anyone signs in), cannot plant a link of its own for someone else's account.
func (s *Store) resetHash(token string) []byte { return s.mac("password-reset", []byte(token)) }

// ValidPasswordReset reports whether a reset link can still be used.
func (s *Store) ValidPasswordReset(ctx context.Context, token string) error {
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
		s.resetHash(token), s.Now()).Scan(&one)
	return dbError("reset: check token", err)
}

// UpdateAccount changes a person's name and language.
func (s *Store) UpdateAccount(ctx context.Context, userID, name, locale string) error {
	// The names a person had stay known to erasure: frozen documents hold them.
	return s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET former_names = CASE WHEN name <> $2 AND NOT name = ANY (former_names)
			THEN array_append(former_names, name) ELSE former_names END, name = $2, locale = nullif($3, '') WHERE id = $1`, userID, name, locale)
		return dbError("update account", err)
	})
}

// IsEmpty reports whether no workspace exists yet (a fresh database).
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var any bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM workspaces)`).Scan(&any)
	return !any, dbError("is empty", err)
}
