package server

import (
	"context"
	"time"

	"github.com/alexedwards/scs/pgxstore"
)

// boundedStore gives the pgx session store the request's deadline. pgxstore
// queries with a background context, so a database that hangs (rather than
// refusing connections) would hold every request; through the scs CtxStore
// interface each lookup now returns when the request's context ends. The
// abandoned query finishes or fails on its own; its goroutine then exits.
type boundedStore struct{ *pgxstore.PostgresStore }

type found struct {
	b      []byte
	exists bool
	err    error
}

func (s boundedStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	ch := make(chan found, 1)
	go func() {
		b, ok, err := s.Find(token)
		ch <- found{b, ok, err}
	}()
	select {
	case f := <-ch:
		return f.b, f.exists, f.err
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

func (s boundedStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return wait(ctx, func() error { return s.Commit(token, b, expiry) })
}

func (s boundedStore) DeleteCtx(ctx context.Context, token string) error {
	return wait(ctx, func() error { return s.Delete(token) })
}

func (s boundedStore) AllCtx(ctx context.Context) (map[string][]byte, error) { return s.All() }

func wait(ctx context.Context, fn func() error) error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
