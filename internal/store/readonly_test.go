package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/store"
	"triade/internal/testenv"
)

// TestReadOnlyScope: a scope marked ReadOnly (a page shown as another person
// sees it) reads as usual, through View and Tx, and any write in it fails in
// PostgreSQL itself (25006), whatever the handler does.
func TestReadOnlyScope(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var tenant, coach string
	env.Super.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = 'demo'`).Scan(&tenant)
	env.Super.QueryRow(ctx, `SELECT id FROM users WHERE email = 'coach@demo.test'`).Scan(&coach)
	sc := store.Scope{TenantID: tenant, UserID: coach, ReadOnly: true}
	const write = `UPDATE client_orgs SET name = name || ' (modifié)'`

	var n int
	err := env.Store.View(ctx, sc, func(b *pgx.Batch) { b.Queue(`SELECT count(*) FROM client_orgs`) },
		func(br pgx.BatchResults) error { return br.QueryRow().Scan(&n) })
	if err != nil || n == 0 {
		t.Fatalf("read-only view: %d rows, %v", n, err)
	}
	err = env.Store.View(ctx, sc, func(b *pgx.Batch) { b.Queue(write) },
		func(br pgx.BatchResults) error { _, err := br.Exec(); return err })
	if !containsCode(err, "25006") {
		t.Errorf("a write in a read-only view: %v, want 25006", err)
	}
	err = env.Store.Tx(ctx, sc, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, write); return err })
	if !containsCode(err, "25006") {
		t.Errorf("a write in a read-only transaction: %v, want 25006", err)
	}
	var changed int
	env.Super.QueryRow(ctx, `SELECT count(*) FROM client_orgs WHERE name LIKE '%(modifié)'`).Scan(&changed)
	if changed != 0 {
		t.Errorf("%d organisations renamed through a read-only scope", changed)
	}
	// The same scope without ReadOnly writes: the test can fail.
	sc.ReadOnly = false
	if err := env.Store.Tx(ctx, sc, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, write); return err }); err != nil {
		t.Errorf("a write in an ordinary transaction: %v", err)
	}
}
