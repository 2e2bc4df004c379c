package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// held is a handler whose requests announce themselves and then wait to be
// let go, one channel per request (named by its path).
type held struct {
	entered chan string
	release map[string]chan struct{}
}

func newHeld(names ...string) *held {
	h := &held{entered: make(chan string, len(names)), release: map[string]chan struct{}{}}
	for _, n := range names {
		h.release["/"+n] = make(chan struct{})
	}
	return h
}

func (h *held) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.entered <- r.URL.Path
	<-h.release[r.URL.Path]
}

func serve(ctx context.Context, h http.Handler, path string) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}()
	return done
}

// until waits for a condition the goroutines reach on their own (at most 10
// seconds: a failure, not a measure).
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

func nothingEntered(t *testing.T, h *held) {
	t.Helper()
	select {
	case p := <-h.entered:
		t.Fatalf("%s started while the only slot was taken", p)
	case <-time.After(50 * time.Millisecond):
	}
}

// With one slot, a request works alone; the next ones wait and are admitted in
// the order they came, each when the one before it is done.
func TestAdmissionServesInArrivalOrder(t *testing.T) {
	a := newAdmission(1)
	h := newHeld("a", "b", "c")
	srv := a.wrap(h)
	ctx := context.Background()
	doneA := serve(ctx, srv, "/a")
	if p := <-h.entered; p != "/a" {
		t.Fatalf("entered %s", p)
	}
	doneB := serve(ctx, srv, "/b")
	until(t, "b waits", func() bool { return a.queued() == 1 })
	doneC := serve(ctx, srv, "/c")
	until(t, "c waits", func() bool { return a.queued() == 2 })
	nothingEntered(t, h)
	if a.working() != 1 || a.limit != 1 {
		t.Fatalf("active %d of %d", a.working(), a.limit)
	}

	close(h.release["/a"])
	<-doneA
	if p := <-h.entered; p != "/b" {
		t.Fatalf("after a, %s was admitted, want /b (arrival order)", p)
	}
	nothingEntered(t, h)
	close(h.release["/b"])
	<-doneB
	if p := <-h.entered; p != "/c" {
		t.Fatalf("after b, %s was admitted", p)
	}
	close(h.release["/c"])
	<-doneC
	if a.working() != 0 || a.queued() != 0 {
		t.Fatalf("after all: active %d, waiting %d", a.working(), a.queued())
	}
}

// A request whose client leaves while it waits never runs, and gives back
// nothing it did not take: the next request is admitted as usual.
func TestAdmissionDropsWhoLeavesWhileWaiting(t *testing.T) {
	a := newAdmission(1)
	h := newHeld("a", "gone", "next")
	srv := a.wrap(h)
	doneA := serve(context.Background(), srv, "/a")
	<-h.entered
	ctx, cancel := context.WithCancel(context.Background())
	doneGone := serve(ctx, srv, "/gone")
	until(t, "gone waits", func() bool { return a.queued() == 1 })
	cancel()
	<-doneGone
	if a.queued() != 0 || a.working() != 1 {
		t.Fatalf("after leaving: waiting %d, active %d", a.queued(), a.working())
	}
	close(h.release["/a"])
	<-doneA
	doneNext := serve(context.Background(), srv, "/next")
	if p := <-h.entered; p != "/next" {
		t.Fatalf("entered %s, want /next (the one who left must not run)", p)
	}
	close(h.release["/next"])
	<-doneNext
}
