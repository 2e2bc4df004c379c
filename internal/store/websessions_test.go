package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"triade/internal/demo"
	"triade/internal/testenv"
)

// TestFindSessionAndPerson: a live session's data comes with the person its
// row names, the same as Person reads; a row that names nobody brings no
// person; an expired or unknown token finds nothing.
func TestFindSessionAndPerson(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var coach string
	if err := env.Super.QueryRow(ctx, `SELECT id::text FROM users WHERE email = 'coach@demo.test'`).Scan(&coach); err != nil {
		t.Fatal(err)
	}
	wantUser, wantSpaces, err := env.Store.Person(ctx, coach)
	if err != nil || len(wantSpaces) == 0 {
		t.Fatalf("person: %v, %d workspaces", err, len(wantSpaces))
	}
	later := time.Now().Add(time.Hour)
	for token, user := range map[string]string{"signed-in": coach, "anonymous": ""} {
		if err := env.Store.CommitSession(ctx, token, []byte("data of "+token), later, user); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.Store.CommitSession(ctx, "expired", []byte("old"), time.Now().Add(-time.Minute), coach); err != nil {
		t.Fatal(err)
	}

	b, found, p, err := env.Store.FindSessionAndPerson(ctx, "signed-in")
	switch {
	case err != nil || !found || string(b) != "data of signed-in":
		t.Fatalf("signed-in: %q %v %v", b, found, err)
	case p == nil:
		t.Fatal("signed-in: no person read with the session")
	case !reflect.DeepEqual(p.User, wantUser) || !reflect.DeepEqual(p.Memberships, wantSpaces):
		t.Errorf("person read with the session %+v %+v, want %+v %+v", p.User, p.Memberships, wantUser, wantSpaces)
	}
	if b, found, p, err := env.Store.FindSessionAndPerson(ctx, "anonymous"); err != nil || !found || string(b) != "data of anonymous" || p != nil {
		t.Errorf("anonymous: %q %v %+v %v", b, found, p, err)
	}
	for _, token := range []string{"expired", "unknown"} {
		if b, found, p, err := env.Store.FindSessionAndPerson(ctx, token); err != nil || found || b != nil || p != nil {
			t.Errorf("%s: %q %v %+v %v", token, b, found, p, err)
		}
	}
}
