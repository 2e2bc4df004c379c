package store

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Two-factor sign-in. Every query runs as the person (row-level security shows
// their own rows only): the second step of a sign-in knows who from the
// password step.

// RecoveryCodes is how many single-use recovery codes an enrolment gives.
const RecoveryCodes = 10

// HasTwoFactor reports whether the person signs in with a second factor.
func (s *Store) HasTwoFactor(ctx context.Context, userID string) (bool, error) {
	var on bool
	err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1)`, userID).Scan(&on)
	})
	return on, dbError("two-factor", err)
}

// TOTPSecret returns the person's TOTP secret, opened with the server key, and
// the last time step a code was accepted for.
func (s *Store) TOTPSecret(ctx context.Context, userID string) (string, int64, error) {
	var sealed []byte
	var last int64
	err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT sealed, last_step FROM user_totp WHERE user_id = $1`, userID).Scan(&sealed, &last)
	})
	if err != nil {
		return "", 0, dbError("totp secret", err)
	}
	b, err := s.Open("totp", sealed, []byte(userID))
	return string(b), last, err
}

// EnableTwoFactor stores the confirmed secret, sealed, and returns new recovery
// codes; only their keyed hashes are kept, so they are shown once.
func (s *Store) EnableTwoFactor(ctx context.Context, userID, secret string, step int64) ([]string, error) {
	sealed, err := s.Seal("totp", []byte(secret), []byte(userID))
	if err != nil {
		return nil, err
	}
	codes := make([]string, RecoveryCodes)
	err = s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO user_totp (user_id, sealed, last_step) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING`, userID, sealed, step)
		if err != nil {
			return dbError("enable two-factor", err)
		}
		if tag.RowsAffected() == 0 {
			return domain.Errorf(domain.EConflict, "twofactor.already")
		}
		for i := range codes {
			codes[i] = newRecoveryCode()
			if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, s.recoveryHash(userID, codes[i])); err != nil {
				return dbError("recovery codes", err)
			}
		}
		return nil
	})
	return codes, err
}

// UseTOTPStep records that a code of this time step was accepted. A step not
// later than the last one accepted is refused: a code works once.
func (s *Store) UseTOTPStep(ctx context.Context, userID string, step int64) (bool, error) {
	var n int64
	err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
		n = tag.RowsAffected()
		return err
	})
	return n == 1, dbError("totp step", err)
}

// UseRecoveryCode spends one recovery code; false if it is unknown or spent.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, code string) (bool, error) {
	var n int64
	err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
			userID, s.recoveryHash(userID, normalCode(code)))
		n = tag.RowsAffected()
		return err
	})
	return n == 1, dbError("recovery code", err)
}

// RecoveryCodesLeft counts the person's unspent recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	})
	return n, dbError("recovery codes", err)
}

// SetRequireTwoFactor makes two-factor sign-in required (or not) of every member.
func (s *Store) SetRequireTwoFactor(ctx context.Context, sc Scope, on bool) error {
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE workspaces SET require_2fa = $2 WHERE id = $1`, sc.TenantID, on); err != nil {
			return dbError("require two-factor", err)
		}
		return recordEvent(ctx, tx, sc.TenantID, sc.UserID, "twofactor.required", "", map[string]any{"on": on})
	})
}

// RequiresTwoFactor reports the workspace's setting.
func (s *Store) RequiresTwoFactor(ctx context.Context, tenantID string) (bool, error) {
	var on bool
	err := s.pool.QueryRow(ctx, `SELECT require_2fa FROM workspaces WHERE id = $1`, tenantID).Scan(&on)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, domain.ErrNotFound
	}
	return on, dbError("require two-factor", err)
}

func (s *Store) recoveryHash(userID, code string) []byte {
	return s.mac("recovery", []byte(userID+":"+code))
}

// newRecoveryCode is ten characters of an alphabet without look-alikes, shown
// as two groups of five.
func newRecoveryCode() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:5]) + "-" + string(b[5:])
}

// normalCode accepts a recovery code typed with or without its dash, in any case.
func normalCode(code string) string {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	if len(c) != 10 {
		return c
	}
	return c[:5] + "-" + c[5:]
}
