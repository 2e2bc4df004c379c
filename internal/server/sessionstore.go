package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/alexedwards/scs/v2"

	"triade/internal/store"
)

// sessionStore keeps scs sessions in the database through the store, which
// saves the hash of each token and seals the data (see store.CommitSession).
// Each row also names the person it signs in, read from the session's data, so
// that a password change can end the person's other sessions. Every call takes
// the request's context: a database that hangs does not hold requests beyond
// their deadline.
type sessionStore struct{ st *store.Store }

// FindCtx also reads the person the session's row names, for loadPerson.
func (s sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	b, found, p, err := s.st.FindSessionAndPerson(ctx, token)
	if pf, _ := ctx.Value(prefetchKey).(*prefetched); pf != nil {
		pf.person = p
	}
	return b, found, err
}

func (s sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return s.st.CommitSession(ctx, token, b, expiry, sessionUser(b))
}

func (s sessionStore) DeleteCtx(ctx context.Context, token string) error {
	return s.st.DeleteSession(ctx, token)
}

func (s sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s sessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// sessionUser reads who a session signs in, or is halfway through signing in
// (password right, second factor not yet), from its encoded data: a password
// change ends both kinds.
func sessionUser(b []byte) string {
	_, values, err := sessionCodec{}.Decode(b)
	if err != nil {
		return ""
	}
	if id, _ := values["user_id"].(string); id != "" {
		return id
	}
	id, _ := values["pending_user"].(string)
	return id
}

// sessionCodec encodes a session's data as JSON. Every value the server keeps
// in a session is a string, so JSON loses nothing, and decoding it costs a
// fraction of scs's default gob codec, which builds its decoder anew for each
// request that reads a session (about 5 % of the server's CPU under load).
// Data written by the gob codec before is still read, so no one is signed out.
type sessionCodec struct{}

type sessionData struct {
	Deadline time.Time         `json:"deadline"`
	Values   map[string]string `json:"values"`
}

func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	d := sessionData{Deadline: deadline, Values: make(map[string]string, len(values))}
	for k, v := range values {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("session value %q is a %T: sessions keep strings only", k, v)
		}
		d.Values[k] = s
	}
	return json.Marshal(d)
}

func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if len(b) == 0 || b[0] != '{' {
		return scs.GobCodec{}.Decode(b)
	}
	var d sessionData
	if err := json.Unmarshal(b, &d); err != nil {
		return time.Time{}, nil, err
	}
	values := make(map[string]any, len(d.Values))
	for k, v := range d.Values {
		values[k] = v
	}
	return d.Deadline, values, nil
}

// cleanSessions deletes expired sessions every interval, for the life of the
// process.
func cleanSessions(st *store.Store, every time.Duration, log *slog.Logger) {
	for range time.Tick(every) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := st.DeleteExpiredSessions(ctx); err != nil {
			log.Warn("expired sessions", "err", err)
		}
		cancel()
	}
}
