package server

import (
	"testing"
	"time"
)

// Failures past the free ones cost growing delays, capped; a quiet key starts
// over; a success clears the pair.
func TestBackoffGrowsAndForgets(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	b := newBackoff(3, time.Second, 8*time.Second)
	b.now = func() time.Time { return now }
	var waits []time.Duration
	for range 8 {
		b.Fail("k")
		waits = append(waits, b.Wait("k"))
	}
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	now = now.Add(5 * time.Second)
	if w := b.Wait("k"); w != 3*time.Second {
		t.Fatalf("after 5 s: wait %v, want 3s", w)
	}
	now = now.Add(15 * time.Minute)
	b.Fail("k") // quiet for 15 minutes: counts from one again
	if w := b.Wait("k"); w != 0 {
		t.Fatalf("after a quiet quarter hour: wait %v", w)
	}
}

// The guesser's pair is slowed; the account from elsewhere is not until ten
// times the pair budget, and then only for seconds.
func TestLoginGuardKeys(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	g := newLoginGuard(5, 1000)
	for _, b := range []*backoff{g.addr, g.pair, g.account} {
		b.now = func() time.Time { return now }
	}
	for range 6 {
		g.Fail("203.0.113.9", "owner@x.test")
	}
	if !g.Blocked("203.0.113.9", "owner@x.test") {
		t.Fatal("the guessing address is not slowed")
	}
	if g.Blocked("198.51.100.7", "owner@x.test") || g.Blocked("203.0.113.9", "other@x.test") {
		t.Fatal("the owner elsewhere, or another account, is blocked")
	}
	for i := range 60 { // a spread-out attack on one account
		g.Fail("198.51.100."+string(rune('0'+i%10)), "owner@x.test")
	}
	if w := g.account.Wait("owner@x.test"); w == 0 || w > 30*time.Second {
		t.Fatalf("account-wide wait %v, want a short delay", w)
	}
	g.Succeeded("203.0.113.9", "owner@x.test")
	if g.pair.Wait("owner@x.test\x00203.0.113.9") != 0 {
		t.Fatal("a success does not clear the pair")
	}
}
