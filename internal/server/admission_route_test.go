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

// The pages queue behind the admission limit, the health checks and static
// files do not: with MAX_ACTIVE_REQUESTS=1 and a sign-in still sending its
// form, the sign-in page waits for it, /healthz answers at once.
func TestPagesWaitTheirTurnHealthDoesNot(t *testing.T) {
	p := newProd(t, server.Config{MaxActive: 1})
	if got := metric(t, p.srv, "triade_http_requests_max_active"); got != "1" {
		t.Fatalf("max active %s", got)
	}
	body, send := io.Pipe()
	slow := httptest.NewRequest(http.MethodPost, "http://triade.test/login", body)
	slow.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slowDone := make(chan int)
	go func() {
		w := httptest.NewRecorder()
		p.srv.ServeHTTP(w, slow)
		slowDone <- w.Code
	}()
	waitFor(t, func() bool { return metric(t, p.srv, "triade_http_requests_active") == "1" })

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

	io.WriteString(send, "email=owner%40cabinet.test&password=wrong")
	send.Close()
	<-slowDone
	if code := <-pageDone; code != http.StatusOK {
		t.Fatalf("sign-in page after its turn: %d", code)
	}
	if got := metric(t, p.srv, "triade_http_requests_waiting"); got != "0" {
		t.Fatalf("waiting after all: %s", got)
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
