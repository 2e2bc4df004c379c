package server_test

// Fault tests: the database going away under load, and two application
// instances sharing one database.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"triade/internal/demo"
	"triade/internal/pglocal"
	"triade/internal/server"
	"triade/internal/store"
	"triade/internal/testenv"
)

const (
	faultUnavailableTitle = "Service momentanément indisponible" // fr error.503
	faultRequestTimeout   = 10 * time.Second                     // no request may take longer during the outage
	faultRecoveryLimit    = 5 * time.Second                      // serve again within this after PostgreSQL is back
	faultOutageWindow     = 2 * time.Second
	faultLoadWorkers      = 8
	faultLoadCap          = 20 * time.Second // the load never runs longer than this
)

// faultLog is a concurrency-safe sink for the server's log.
type faultLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *faultLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

var (
	faultErrAttr = regexp.MustCompile(`err="?([^"\n]*)`)
	faultNumbers = regexp.MustCompile(`[0-9]+`)
)

// causes summarises the distinct causes of "request failed" log lines.
func (l *faultLog) causes(max int) []string {
	l.mu.Lock()
	text := l.buf.String()
	l.mu.Unlock()
	count := map[string]int{}
	for _, line := range strings.Split(text, "\n") {
		if !strings.Contains(line, "request failed") {
			continue
		}
		cause := line
		if m := faultErrAttr.FindStringSubmatch(line); m != nil {
			cause = m[1]
		}
		cause = faultNumbers.ReplaceAllString(cause, "N") // ports differ
		count[cause]++
	}
	var out []string
	for c, n := range count {
		out = append(out, fmt.Sprintf("%4d× %s", n, c))
	}
	sort.Strings(out)
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("… and %d more", len(out)-max))
	}
	return out
}

// faultDataDir is a new directory used as a data directory itself: as root,
// PostgreSQL runs as "postgres" and must reach it, which a subdirectory of
// t.TempDir() does not allow (see the pglocal package doc).
func faultDataDir(t *testing.T) string {
	t.Helper()
	base := ""
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "triade-fault-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func faultFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// faultSample is one request of the load.
type faultSample struct {
	start, end time.Time
	status     int
	err        error
	title503   bool   // the body names the 503 page in French
	retryAfter string // Retry-After header
}

func (s faultSample) latency() time.Duration { return s.end.Sub(s.start) }

// faultGet does one GET with the session cookie and reads the whole body.
func faultGet(c *http.Client, u, cookie string) faultSample {
	s := faultSample{start: time.Now()}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "triade_session", Value: cookie})
	}
	res, err := c.Do(req)
	if err != nil {
		s.end, s.err = time.Now(), err
		return s
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	s.end = time.Now()
	s.status, s.err = res.StatusCode, err
	s.title503 = strings.Contains(string(body), faultUnavailableTitle)
	s.retryAfter = res.Header.Get("Retry-After")
	return s
}

func faultClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 1},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// faultLogin signs in and returns the session cookie's value.
func faultLogin(t *testing.T, base, email string) string {
	t.Helper()
	c := faultClient(30 * time.Second)
	res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", email, res.StatusCode)
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "triade_session" && ck.Value != "" {
			return ck.Value
		}
	}
	t.Fatalf("login %s: no session cookie", email)
	return ""
}

// TestDatabaseRestartUnderLoad stops PostgreSQL while 8 clients load the
// dashboard: every request must fail fast with the 503 page (never hang),
// /healthz stays up, /readyz reports the outage, and once PostgreSQL is back
// the server serves again within 5 s without being restarted.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and restarts its own PostgreSQL")
	}
	ctx := context.Background()
	opts := pglocal.Options{Dir: faultDataDir(t), Port: faultFreePort(t)} // not ephemeral: restarts with its data
	startPG := func() *pglocal.Server {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		pg, err := pglocal.Start(sctx, opts)
		if errors.Is(err, pglocal.ErrNoBinaries) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		return pg
	}
	var pgMu sync.Mutex
	pg := startPG()
	t.Cleanup(func() {
		pgMu.Lock()
		defer pgMu.Unlock()
		if pg != nil {
			pg.Stop()
		}
	})

	// Database, schema as the owner, demo through the application role.
	admin, err := pgx.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE triade"); err != nil {
		t.Fatal(err)
	}
	admin.Close(ctx)
	dbURL := pg.URL("triade")
	owner, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureAppRole(ctx, owner); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, owner); err != nil {
		t.Fatal(err)
	}
	key, err := store.LoadKey(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	owner.Close()
	pool, err := store.OpenApp(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st := store.New(pool, nil)
	st.SetKey(key)
	if ok, err := demo.Seed(ctx, st); err != nil || !ok {
		t.Fatalf("seed: %v %v", ok, err)
	}

	logs := &faultLog{}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = server.New(server.Config{BaseURL: "http://" + srv.Listener.Addr().String(), Dev: true,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}, st)
	srv.Start()
	t.Cleanup(srv.Close)
	cookie := faultLogin(t, srv.URL, "coach@demo.test")
	dashboard := srv.URL + "/w/demo/"
	if s := faultGet(faultClient(30*time.Second), dashboard, cookie); s.err != nil || s.status != http.StatusOK {
		t.Fatalf("dashboard before the outage: %d %v", s.status, s.err)
	}

	// The load: 8 clients, each on its own keep-alive connection, until the
	// test is done or faultLoadCap has passed.
	loadCtx, stopLoad := context.WithTimeout(ctx, faultLoadCap)
	defer stopLoad()
	var (
		mu      sync.Mutex
		samples []faultSample
		wg      sync.WaitGroup
	)
	for range faultLoadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := faultClient(2 * faultRequestTimeout) // a hang shows up as a client timeout, bounded
			for loadCtx.Err() == nil {
				s := faultGet(c, dashboard, cookie)
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
				select { // continuous, but leave the CPU to the server on a small machine
				case <-loadCtx.Done():
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
	}
	finishLoad := func() {
		stopLoad()
		waited := make(chan struct{})
		go func() { wg.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(3 * faultRequestTimeout):
			t.Error("load clients did not stop")
		}
	}
	defer finishLoad()

	time.Sleep(time.Second) // baseline under load

	// Outage.
	tStop0 := time.Now()
	pgMu.Lock()
	stopErr := pg.Stop()
	pg = nil
	pgMu.Unlock()
	tStop1 := time.Now()
	if stopErr != nil {
		t.Fatalf("stop PostgreSQL: %v", stopErr)
	}

	probe := faultClient(faultRequestTimeout)
	var health, ready []faultSample
	for time.Since(tStop1) < faultOutageWindow {
		health = append(health, faultGet(probe, srv.URL+"/healthz", ""))
		ready = append(ready, faultGet(probe, srv.URL+"/readyz", ""))
		time.Sleep(200 * time.Millisecond)
	}

	// PostgreSQL comes back on the same directory and port.
	tStart0 := time.Now()
	pgMu.Lock()
	pg = startPG()
	pgMu.Unlock()
	tBack := time.Now()
	var recovery time.Duration
	probes := 0
	for {
		s := faultGet(probe, dashboard, cookie)
		probes++
		if s.err == nil && s.status == http.StatusOK {
			recovery = s.end.Sub(tBack)
			break
		}
		if time.Since(tBack) > 3*faultRecoveryLimit {
			recovery = -1
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	tRecovered := time.Now()
	time.Sleep(time.Second) // steady again?
	tSteady := time.Now()
	time.Sleep(time.Second)
	finishLoad()

	// Figures.
	mu.Lock()
	all := slices.Clone(samples)
	mu.Unlock()
	var baseline, outage, transition, steady []faultSample
	for _, s := range all {
		switch {
		case s.end.Before(tStop0):
			baseline = append(baseline, s)
		case !s.start.Before(tStop1) && s.end.Before(tStart0):
			outage = append(outage, s)
		case !s.start.Before(tSteady):
			steady = append(steady, s)
		default:
			transition = append(transition, s)
		}
	}
	var maxOutage, maxAll time.Duration
	for _, s := range all {
		maxAll = max(maxAll, s.latency())
	}
	for _, s := range outage {
		maxOutage = max(maxOutage, s.latency())
	}
	firstLoad200 := time.Duration(-1)
	for _, s := range all {
		if s.err == nil && s.status == http.StatusOK && s.end.After(tBack) && (firstLoad200 < 0 || s.end.Sub(tBack) < firstLoad200) {
			firstLoad200 = s.end.Sub(tBack)
		}
	}
	t.Logf("PostgreSQL stop took %v, restart took %v", tStop1.Sub(tStop0).Round(time.Millisecond), tBack.Sub(tStart0).Round(time.Millisecond))
	t.Logf("requests: %d in all (baseline %d, outage window %d, transitions %d, steady after recovery %d)",
		len(all), len(baseline), len(outage), len(transition), len(steady))
	t.Logf("outage window: statuses %v; max latency %v (max over the whole run %v)", faultStatuses(outage), maxOutage.Round(time.Millisecond), maxAll.Round(time.Millisecond))
	t.Logf("transitions: statuses %v", faultStatuses(transition))
	t.Logf("recovery: first 200 on /w/demo/ %v after PostgreSQL was ready (probe, %d tries); first 200 among the load %v; steady window statuses %v",
		recovery.Round(time.Millisecond), probes, firstLoad200.Round(time.Millisecond), faultStatuses(steady))
	t.Logf("/healthz during the outage: %v; /readyz: %v", faultStatuses(health), faultStatuses(ready))
	if c := logs.causes(8); len(c) > 0 {
		t.Logf("server errors logged:\n%s", strings.Join(c, "\n"))
	}

	// Assertions.
	for _, s := range baseline {
		if s.err != nil || s.status != http.StatusOK {
			t.Errorf("before the outage: %d %v", s.status, s.err)
			break
		}
	}
	if len(outage) < faultLoadWorkers {
		t.Errorf("only %d requests during the outage window: the load stalled", len(outage))
	}
	bad := map[string]int{}
	for _, s := range outage {
		switch {
		case s.err != nil:
			bad[fmt.Sprintf("error %v", s.err)]++
		case s.status != http.StatusServiceUnavailable:
			bad[fmt.Sprintf("status %d", s.status)]++
		case !s.title503:
			bad["503 without the page «"+faultUnavailableTitle+"»"]++
		case s.retryAfter == "":
			bad["503 without Retry-After"]++
		}
	}
	if len(bad) > 0 {
		t.Errorf("during the outage every request must get the 503 page; got %v", bad)
	}
	for _, s := range all {
		if s.err != nil {
			t.Errorf("a request failed without a response (hang or dropped connection): %v after %v", s.err, s.latency().Round(time.Millisecond))
			break
		}
	}
	if maxAll >= faultRequestTimeout {
		t.Errorf("slowest request took %v; nothing may take %v or more", maxAll, faultRequestTimeout)
	}
	for _, s := range transition {
		if s.err == nil && s.status != http.StatusOK && s.status != http.StatusServiceUnavailable {
			t.Errorf("around the stop and restart only 200 or 503 are acceptable; got %v", faultStatuses(transition))
			break
		}
	}
	for _, s := range health {
		if s.err != nil || s.status != http.StatusOK {
			t.Errorf("/healthz during the outage: %d %v (want 200)", s.status, s.err)
			break
		}
	}
	for _, s := range ready {
		if s.err != nil || s.status != http.StatusServiceUnavailable {
			t.Errorf("/readyz during the outage: %d %v (want 503)", s.status, s.err)
			break
		}
		if s.latency() > 3*time.Second {
			t.Errorf("/readyz took %v (its own timeout is 2 s)", s.latency())
			break
		}
	}
	switch {
	case recovery < 0:
		t.Errorf("no 200 on /w/demo/ within %v of PostgreSQL being back", 3*faultRecoveryLimit)
	case recovery > faultRecoveryLimit:
		t.Errorf("served again %v after PostgreSQL was back; want ≤ %v", recovery, faultRecoveryLimit)
	}
	if len(steady) == 0 {
		t.Error("no load request after the recovery")
	}
	for _, s := range steady {
		if s.err != nil || s.status != http.StatusOK {
			t.Errorf("more than 1 s after recovery (at %v) requests still fail: %v", tRecovered.Sub(tBack).Round(time.Millisecond), faultStatuses(steady))
			break
		}
	}
}

// faultStatuses counts samples by status (or client error).
func faultStatuses(ss []faultSample) map[string]int {
	m := map[string]int{}
	for _, s := range ss {
		if s.err != nil {
			m["error"]++
		} else {
			m[fmt.Sprint(s.status)]++
		}
	}
	return m
}

// TestSecondInstanceSharesSessions runs two servers on one database, as two
// instances behind a load balancer: a session started on one is valid on the
// other, and logging out on either ends it on both.
func TestSecondInstanceSharesSessions(t *testing.T) {
	env := testenv.New(t)
	if ok, err := demo.Seed(context.Background(), env.Store); err != nil || !ok {
		t.Fatalf("seed: %v %v", ok, err)
	}
	instance := func() *httptest.Server {
		srv := httptest.NewUnstartedServer(nil)
		srv.Config.Handler = server.New(server.Config{BaseURL: "http://" + srv.Listener.Addr().String(), Dev: true,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, env.Store)
		srv.Start()
		t.Cleanup(srv.Close)
		return srv
	}
	a, b := instance(), instance()
	cookie := faultLogin(t, a.URL, "coach@demo.test")
	c := faultClient(30 * time.Second)
	get := func(srv *httptest.Server, path string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: "triade_session", Value: cookie})
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body), res.Header.Get("Location")
	}

	if status, body, _ := get(a, "/w/demo/"); status != http.StatusOK || !strings.Contains(body, "Coach Démo") {
		t.Fatalf("instance A: %d (want 200 as Coach Démo)", status)
	}
	status, body, loc := get(b, "/w/demo/")
	if status != http.StatusOK {
		t.Fatalf("instance B with A's session: %d → %q (want 200)", status, loc)
	}
	if !strings.Contains(body, "Coach Démo") {
		t.Errorf("instance B does not show the same person (Coach Démo)")
	}

	// Log out on B.
	req, _ := http.NewRequest(http.MethodPost, b.URL+"/logout", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "triade_session", Value: cookie})
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on B: %d", res.StatusCode)
	}
	for _, srv := range []*httptest.Server{a, b} {
		status, _, loc := get(srv, "/w/demo/")
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s still accepts the session after logout on B: %d → %q", srv.URL, status, loc)
		}
	}
	var n int
	if err := env.Super.QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE token = $1`, cookie).Scan(&n); err != nil || n != 0 {
		t.Errorf("session row after logout: %d %v (want gone)", n, err)
	}
}
