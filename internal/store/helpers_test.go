package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"triade/internal/store"
	"triade/internal/testenv"
)

func containsCode(err error, code string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == code
}

// asRequestRole runs stmt as the request role, for the person in the
// workspace, and rolls it back: what the database itself lets a request do.
func asRequestRole(t *testing.T, env *testenv.Env, tenant, user, stmt string) (int64, error) {
	t.Helper()
	ctx := context.Background()
	tx, err := env.Super.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL ROLE `+store.AppRole); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, tenant, user); err != nil {
		t.Fatal(err)
	}
	tag, err := tx.Exec(ctx, stmt)
	return tag.RowsAffected(), err
}
