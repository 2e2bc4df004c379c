package server

import (
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// TestSessionCodec: a session's strings come back as they went in, data the
// gob codec wrote before is still read (no one is signed out by the change),
// and a value that is not a string is refused rather than altered.
func TestSessionCodec(t *testing.T) {
	deadline := time.Date(2026, 12, 6, 10, 30, 0, 123, time.UTC)
	values := map[string]any{"user_id": "0a1b2c3d-0000-4000-8000-000000000001", "flash": "objective.deleted", "pending_next": "/w/demo/?a=1&b=\"é\""}
	for name, b := range map[string][]byte{
		"json": must(sessionCodec{}.Encode(deadline, values)),
		"gob":  must(scs.GobCodec{}.Encode(deadline, values)),
	} {
		d, got, err := sessionCodec{}.Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !d.Equal(deadline) || len(got) != len(values) {
			t.Errorf("%s: deadline %v, %d values; want %v, %d", name, d, len(got), deadline, len(values))
		}
		for k, v := range values {
			if got[k] != v {
				t.Errorf("%s: %s = %#v, want %#v", name, k, got[k], v)
			}
		}
		if u := sessionUser(b); u != values["user_id"] {
			t.Errorf("%s: sessionUser = %q", name, u)
		}
	}
	if _, err := (sessionCodec{}).Encode(deadline, map[string]any{"count": 3}); err == nil {
		t.Error("an int was encoded: it would come back as another type")
	}
	if _, _, err := (sessionCodec{}).Decode([]byte(`{"deadline":`)); err == nil {
		t.Error("truncated data decoded")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkSessionDecode compares the codec with scs's default on a signed-in
// session's data (go test -bench SessionDecode ./internal/server).
func BenchmarkSessionDecode(b *testing.B) {
	deadline := time.Now().Add(time.Hour)
	values := map[string]any{"user_id": "0a1b2c3d-0000-4000-8000-000000000001"}
	for _, c := range []struct {
		name  string
		codec scs.Codec
	}{{"json", sessionCodec{}}, {"gob", scs.GobCodec{}}} {
		data := must(c.codec.Encode(deadline, values))
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.codec.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
