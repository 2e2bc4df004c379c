package server

import (
	"net/http"
	"sync/atomic"
)

// admission bounds the requests that work at once (those that read a session
// and the database, render a page, hash a password); the others wait their
// turn in the order they came. On a loaded server this is what keeps the
// slowest answers near the typical one: with every request working at once,
// the cores and the database's connections are shared among all of them in
// no order, and a request can be passed over again and again (coach
// dashboard, 32 connections on 2 cores: p99 55–60 ms unbounded, 37–48 ms with
// 4–8 at work, p50 unchanged). It also bounds the memory of concurrent
// sign-ins (19 MiB each for the password's hash). Static files and the
// health checks do not queue.
type admission struct {
	slots   chan struct{}
	waiting atomic.Int64
}

func newAdmission(n int) *admission {
	return &admission{slots: make(chan struct{}, n)}
}

// wrap admits a request when a slot is free, first come first served (a
// channel's waiting senders are served in order); a request whose client
// leaves while it waits is dropped without running.
func (a *admission) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case a.slots <- struct{}{}:
		default:
			a.waiting.Add(1)
			select {
			case a.slots <- struct{}{}:
				a.waiting.Add(-1)
			case <-r.Context().Done():
				a.waiting.Add(-1)
				return
			}
		}
		defer func() { <-a.slots }()
		next.ServeHTTP(w, r)
	})
}

// active and queued are what /metrics reports of it.
func (a *admission) active() int { return len(a.slots) }
func (a *admission) queued() int { return int(a.waiting.Load()) }
func (a *admission) limit() int  { return cap(a.slots) }
