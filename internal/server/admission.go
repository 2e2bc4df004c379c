package server

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"sync"
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
	mu     sync.Mutex
	limit  int
	active int
	queue  []chan struct{} // the waiting requests, first come first
}

func newAdmission(n int) *admission {
	return &admission{limit: n}
}

// wrap admits a request when a slot is free, first come first served; a
// request whose client leaves while it waits is dropped without running. Its
// body (at most the limit set before, 1 MiB) is read before it asks for a
// slot: a client that sends its form slowly would otherwise hold a slot for
// as long as the server waits for it (30 s), and a few such clients would
// stop the site (found in review); the server also notices a client gone
// only once the body is read.
func (a *admission) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			data, err := io.ReadAll(r.Body)
			r.Body = &readBody{bytes.NewReader(data), err}
		}
		if !a.acquire(r.Context().Done()) {
			return
		}
		defer a.release()
		next.ServeHTTP(w, r)
	})
}

// acquire takes a slot, waiting in line for one if need be; false if gone
// closes first (the request then holds no slot).
func (a *admission) acquire(gone <-chan struct{}) bool {
	a.mu.Lock()
	if a.active < a.limit && len(a.queue) == 0 {
		a.active++
		a.mu.Unlock()
		return true
	}
	turn := make(chan struct{})
	a.queue = append(a.queue, turn)
	a.mu.Unlock()
	select {
	case <-turn:
		return true
	case <-gone:
		a.mu.Lock()
		if i := slices.Index(a.queue, turn); i >= 0 {
			a.queue = slices.Delete(a.queue, i, i+1)
			a.mu.Unlock()
			return false
		}
		a.mu.Unlock()
		a.release() // the slot came as the client left: pass it on
		return false
	}
}

// release hands the slot to the first in line, or frees it.
func (a *admission) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.queue) > 0 {
		close(a.queue[0])
		a.queue = a.queue[1:]
		return
	}
	a.active--
}

// working and queued are what /metrics reports of it, with the limit.
func (a *admission) working() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.active
}

func (a *admission) queued() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.queue)
}

// readBody is a request body read in advance: its bytes, then the error the
// reading ended on (a body over the limit still fails as too large).
type readBody struct {
	*bytes.Reader
	err error
}

func (b *readBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		return n, b.err
	}
	return n, err
}

func (b *readBody) Close() error { return nil }
