package server

import (
	"sync"
	"time"
)

// limiter counts failures per key in fixed windows. Login is limited per client
// address and per account, so neither spraying one password over many accounts
// nor hammering one account from many addresses goes far. It lives in memory:
// with several instances each counts on its own, which still bounds guessing.
type limiter struct {
	mu     sync.Mutex
	window time.Duration
	max    int
	counts map[string]*count
	now    func() time.Time
}

type count struct {
	start time.Time
	n     int
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{window: window, max: max, counts: map[string]*count{}, now: time.Now}
}

// Blocked reports whether key has used up its attempts in the current window.
func (l *limiter) Blocked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.counts[key]
	return ok && l.now().Sub(c.start) < l.window && c.n >= l.max
}

// Fail records one failed attempt for key.
func (l *limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.counts) > 100_000 { // bound memory under a flood: forget old windows
		for k, c := range l.counts {
			if now.Sub(c.start) >= l.window {
				delete(l.counts, k)
			}
		}
	}
	c, ok := l.counts[key]
	if !ok || now.Sub(c.start) >= l.window {
		l.counts[key] = &count{start: now, n: 1}
		return
	}
	c.n++
}
