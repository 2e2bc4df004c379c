package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Web sessions (the scs store). A row holds the SHA-256 of the cookie's token,
// never the token, and the session's data sealed under the server key: what the
// request role can read of this table signs nobody in and tells nothing.

// sessionKey is the stored form of a session token.
func sessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FindSessionAndPerson returns the data of a live session and reads, in the
// same round trip, the person the session's row names (its user_id column, written from
// the session's data by CommitSession). The person is nil when the row names
// nobody or their account is gone. The caller trusts the person only if the
// session's data, once opened, names the same id: the data is what signs in.
func (s *Store) FindSessionAndPerson(ctx context.Context, token string) ([]byte, bool, *Person, error) {
	k := sessionKey(token)
	var sealed []byte
	var p Person
	var found, named bool
	err := s.View(ctx, Scope{}, func(b *pgx.Batch) {
		b.Queue(`SELECT data, set_config('app.user_id', coalesce(user_id::text, ''), true) <> '' FROM sessions
			WHERE token = $1 AND current_timestamp < expiry`, k)
		p.queue(b)
	}, func(br pgx.BatchResults) error {
		switch err := br.QueryRow().Scan(&sealed, &named); {
		case errors.Is(err, pgx.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		found = true
		if !named {
			return nil
		}
		err := p.read(br)
		if errors.Is(err, pgx.ErrNoRows) { // an erased account: the caller finds out
			named = false
			return nil
		}
		return err
	})
	if err != nil || !found {
		return nil, false, nil, dbError("find session", err)
	}
	b, err := s.Open("session", sealed, []byte(k))
	if err != nil {
		return nil, false, nil, nil // sealed under another key: a session that no longer exists
	}
	if !named {
		return b, true, nil, nil
	}
	return b, true, &p, nil
}

// CommitSession stores a session's data; userID (or "") is who it signs in.
func (s *Store) CommitSession(ctx context.Context, token string, data []byte, expiry time.Time, userID string) error {
	k := sessionKey(token)
	sealed, err := s.Seal("session", data, []byte(k))
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry, user_id) VALUES ($1, $2, $3, nullif($4, '')::uuid)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id`,
		k, sealed, expiry, userID)
	return dbError("commit session", err)
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, sessionKey(token))
	return dbError("delete session", err)
}

// EndSessions ends every session of a person except the one whose token is
// kept ("" ends them all): after a password change or reset, a thief's
// session does not survive.
func (s *Store) EndSessions(ctx context.Context, userID, keep string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token <> $2`, userID, sessionKey(keep))
	return dbError("end sessions", err)
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expiry < current_timestamp`)
	return dbError("expired sessions", err)
}
