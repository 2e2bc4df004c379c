package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"triade/internal/server"
)

// metric reads one unlabelled series of the server's /metrics.
func metric(t *testing.T, srv *server.Server, name string) string {
	t.Helper()
	w := httptest.NewRecorder()
	srv.Metrics().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return ""
}

// stalled is a response writer whose first write waits to be let go: the
// request writing its page holds its slot meanwhile.
type stalled struct {
	*httptest.ResponseRecorder
	writing chan struct{}
	release chan struct{}
}

func newStalled() *stalled {
	return &stalled{httptest.NewRecorder(), make(chan struct{}), make(chan struct{})}
}

func (s *stalled) Write(b []byte) (int, error) {
	select {
	case <-s.writing:
	default:
		close(s.writing)
	}
	<-s.release
	return s.ResponseRecorder.Write(b)
}

// The pages queue behind the admission limit, the health checks and static
// files do not: with MAX_ACTIVE_REQUESTS=1 and a page being written, the
// sign-in page waits for it, /healthz answers at once.
func TestPagesWaitTheirTurnHealthDoesNot(t *testing.T) {
	p := newProd(t, server.Config{MaxActive: 1})
	if got := metric(t, p.srv, "triade_http_requests_max_active"); got != "1" {
		t.Fatalf("max active %s", got)
	}
	holder := newStalled()
	holderDone := make(chan struct{})
	go func() {
		p.srv.ServeHTTP(holder, httptest.NewRequest(http.MethodGet, "http://triade.test/login", nil))
		close(holderDone)
	}()
	<-holder.writing
	if got := metric(t, p.srv, "triade_http_requests_active"); got != "1" {
		t.Fatalf("active while a page is written: %s", got)
	}

	pageDone := make(chan int)
	go func() { pageDone <- p.do(http.MethodGet, "/login", "192.0.2.1:1000", "", nil).Code }()
	waitFor(t, func() bool { return metric(t, p.srv, "triade_http_requests_waiting") == "1" })
	if code := p.do(http.MethodGet, "/healthz", "192.0.2.1:1001", "", nil).Code; code != http.StatusOK {
		t.Fatalf("/healthz while the slot is taken: %d", code)
	}
	select {
	case code := <-pageDone:
		t.Fatalf("the sign-in page was served (%d) while the only slot was taken", code)
	case <-time.After(50 * time.Millisecond):
	}

	close(holder.release)
	<-holderDone
	if code := <-pageDone; code != http.StatusOK {
		t.Fatalf("sign-in page after its turn: %d", code)
	}
	if got := metric(t, p.srv, "triade_http_requests_waiting"); got != "0" {
		t.Fatalf("waiting after all: %s", got)
	}
}

// A form sent slowly holds no slot while it arrives (found in review: eight
// slow sign-ins held every slot for the 30 s the server waits for a body):
// with one slot, the sign-in page is served while a sign-in is still being
// sent, and the sign-in is answered once its form is complete.
func TestSlowFormHoldsNoSlot(t *testing.T) {
	p := newProd(t, server.Config{MaxActive: 1})
	body, send := io.Pipe()
	slow := httptest.NewRequest(http.MethodPost, "http://triade.test/login", body)
	slow.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slowDone := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		p.srv.ServeHTTP(w, slow)
		slowDone <- w.Code
	}()
	io.WriteString(send, "email=owner%40cabinet.test")
	pageDone := make(chan int)
	go func() { pageDone <- p.do(http.MethodGet, "/login", "192.0.2.1:1000", "", nil).Code }()
	select {
	case code := <-pageDone:
		if code != http.StatusOK {
			t.Fatalf("sign-in page: %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sign-in page waited for a form still being sent")
	}
	io.WriteString(send, "&password=wrong")
	send.Close()
	if code := <-slowDone; code != http.StatusUnauthorized { // a wrong password, read whole
		t.Fatalf("the slow sign-in: %d", code)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition never reached")
		}
	}
}
