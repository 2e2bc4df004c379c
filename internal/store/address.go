package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// SetAddressForm records how a person chooses to be named (f, m or x; the
// database refuses anything else).
func (s *Store) SetAddressForm(ctx context.Context, userID, form string) error {
	// As the person: row-level security lets an account be changed by its owner.
	return s.Tx(ctx, Scope{UserID: userID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET address_form = $2 WHERE id = $1`, userID, form)
		return dbError("set address form", err)
	})
}
