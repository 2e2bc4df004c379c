package store

import "context"

// SetAddressForm records how a person chooses to be named (f, m or x; the
// database refuses anything else).
func (s *Store) SetAddressForm(ctx context.Context, userID, form string) error {
	_, err := s.pool.Exec(ctx, `UPDATE users SET address_form = $2 WHERE id = $1`, userID, form)
	return dbError("set address form", err)
}
