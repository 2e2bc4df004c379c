package server

import (
	"sync"
	"time"
)

// backoff slows a key down after repeated failures: the first `free` failures
// cost nothing, then each new one makes the key wait twice as long as the last
// (base, 2·base, 4·base… at most max). A key quiet for `forget` starts over.
// Nothing is ever locked for long: an attacker is slowed, a person who
// mistyped waits seconds, not a quarter of an hour.
type backoff struct {
	mu                sync.Mutex
	free              int
	base, max, forget time.Duration
	keys              map[string]*strikes
	now               func() time.Time
}

type strikes struct {
	n    int
	last time.Time
}

func newBackoff(free int, base, max time.Duration) *backoff {
	return &backoff{free: free, base: base, max: max, forget: 15 * time.Minute, keys: map[string]*strikes{}, now: time.Now}
}

// delay is how long a key with n failures waits after its last one.
func (b *backoff) delay(n int) time.Duration {
	if n < b.free {
		return 0
	}
	d := b.base
	for i := b.free; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// Wait reports how long key must still wait before its next attempt.
func (b *backoff) Wait(key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.keys[key]
	if !ok {
		return 0
	}
	return max(0, s.last.Add(b.delay(s.n)).Sub(b.now()))
}

// Fail records one failure for key.
func (b *backoff) Fail(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if len(b.keys) > 100_000 { // bound memory under a flood: forget quiet keys
		for k, s := range b.keys {
			if now.Sub(s.last) >= b.forget {
				delete(b.keys, k)
			}
		}
	}
	s, ok := b.keys[key]
	if !ok || now.Sub(s.last) >= b.forget {
		s = &strikes{}
		b.keys[key] = s
	}
	s.n++
	s.last = now
}

// Forget clears key (after a success).
func (b *backoff) Forget(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
}

// loginGuard limits failed sign-ins on three keys, each with its own pace:
//   - the client address (spraying many accounts from one place),
//   - the pair account + address (guessing one password from one place),
//   - the account from anywhere (guessing from many places), much more lenient,
//     and with short delays only, so that guesses aimed at a person never keep
//     that person, signing in from their own address, out for long.
//
// It lives in memory: with several instances each counts on its own, which
// still bounds guessing.
type loginGuard struct {
	addr, pair, account *backoff
}

func newLoginGuard(perPair, perAddress int) *loginGuard {
	return &loginGuard{
		addr:    newBackoff(perAddress, time.Second, 5*time.Minute),
		pair:    newBackoff(perPair, time.Second, 15*time.Minute),
		account: newBackoff(10*perPair, time.Second, 30*time.Second),
	}
}

// Blocked reports whether a sign-in from addr to the account must wait.
func (g *loginGuard) Blocked(addr, email string) bool {
	return g.addr.Wait(addr) > 0 || g.pair.Wait(email+"\x00"+addr) > 0 || g.account.Wait(email) > 0
}

// Fail records a wrong password.
func (g *loginGuard) Fail(addr, email string) {
	g.addr.Fail(addr)
	g.pair.Fail(email + "\x00" + addr)
	g.account.Fail(email)
}

// Succeeded forgets the pair's failures: the person got it right.
func (g *loginGuard) Succeeded(addr, email string) {
	g.pair.Forget(email + "\x00" + addr)
}
