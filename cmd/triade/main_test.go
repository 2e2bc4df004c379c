package main

// Fault tests of the process: graceful shutdown under load, and the periodic
// reminder job with two instances on one database.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"triade/internal/demo"
	"triade/internal/jobs"
	"triade/internal/store"
	"triade/internal/testenv"
)

// Every test gets a fresh, migrated database on a private PostgreSQL cluster
// (pglocal) started once for the package.
func TestMain(m *testing.M) { testenv.Main(m) }

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns at most n bytes of the end of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// sample is one request of the load.
type sample struct {
	start, end time.Time
	path       string
	status     int   // 0 when no response came
	err        error // transport error, or error reading the body of a response
}

// connectionError reports whether err is a failure to get any response on a
// connection: refused, reset, closed before the response (EOF).
func connectionError(err error) bool {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	return strings.Contains(err.Error(), "server closed idle connection")
}

func errClass(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "EOF"
	case strings.Contains(err.Error(), "server closed idle connection"):
		return "closed idle"
	}
	return "other: " + err.Error()
}

var engagementLink = regexp.MustCompile(`/w/demo/e/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`)

// TestGracefulShutdownUnderLoad runs the real `serve` command and cancels its
// context (what SIGINT/SIGTERM do through signal.NotifyContext) while 16
// clients load it: in-flight requests complete, no accepted request fails, new
// connections are refused once run returns, and River leaves no job running.
func TestGracefulShutdownUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole server")
	}
	env := testenv.New(t)
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	base := "http://" + addr
	t.Setenv("DATABASE_URL", env.URL)
	t.Setenv("ADDR", addr)
	t.Setenv("TRIADE_ENV", "development")
	t.Setenv("BASE_URL", "")
	t.Setenv("APP_DATABASE_URL", "")
	t.Setenv("SMTP_URL", "")
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, log) }()
	returned := false
	t.Cleanup(func() {
		cancel()
		if !returned {
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				t.Error("run did not return within 60 s of the cancellation")
			}
		}
	})

	// Ready once migrated and seeded (the database starts empty).
	probe := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t0 := time.Now()
	for {
		if res, err := probe.Get(base + "/readyz"); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			returned = true
			t.Fatalf("run returned before serving: %v\n%s", err, tail(logs.String(), 4000))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Since(t0) > 120*time.Second {
			t.Fatalf("not ready after 120 s\n%s", tail(logs.String(), 4000))
		}
	}
	t.Logf("ready %v after start (migrate + seed)", time.Since(t0).Round(time.Millisecond))

	// Sign in as the coach and find an engagement of theirs.
	res, err := probe.PostForm(base+"/login", url.Values{"email": {"coach@demo.test"}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	var cookie string
	for _, ck := range res.Cookies() {
		if ck.Name == "triade_session" {
			cookie = ck.Value
		}
	}
	if res.StatusCode != http.StatusSeeOther || cookie == "" {
		t.Fatalf("login: %d, cookie %q", res.StatusCode, cookie)
	}
	get := func(c *http.Client, path string) sample {
		s := sample{start: time.Now(), path: path}
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.AddCookie(&http.Cookie{Name: "triade_session", Value: cookie})
		res, err := c.Do(req)
		if err != nil {
			s.end, s.err = time.Now(), err
			return s
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		s.end, s.status, s.err = time.Now(), res.StatusCode, err
		return s
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/w/demo/", nil)
	req.AddCookie(&http.Cookie{Name: "triade_session", Value: cookie})
	res, err = probe.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := engagementLink.FindSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("dashboard: %d, engagement link found: %v", res.StatusCode, m != nil)
	}
	paths := []string{"/w/demo/", "/w/demo/e/" + string(m[1]) + "/"}
	if s := get(probe, paths[1]); s.err != nil || s.status != http.StatusOK {
		t.Fatalf("GET %s: %d %v", paths[1], s.status, s.err)
	}

	// The load: 16 clients, each on its own keep-alive connection.
	var (
		mu      sync.Mutex
		samples []sample
		wg      sync.WaitGroup
	)
	stopLoad := make(chan struct{})
	loadDeadline := time.Now().Add(60 * time.Second)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			defer c.CloseIdleConnections()
			for n := i; time.Now().Before(loadDeadline); n++ {
				select {
				case <-stopLoad:
					return
				default:
				}
				s := get(c, paths[n%len(paths)])
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
				if s.err != nil {
					time.Sleep(20 * time.Millisecond) // don't spin on refused connections
				}
			}
		}()
	}
	time.Sleep(time.Second)

	// An e-mail queued just before the signal: its River job must not be lost.
	res, err = probe.PostForm(base+"/password/forgot", url.Values{"email": {"coachee@demo.test"}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("password/forgot: %d", res.StatusCode)
	}
	var outboxID int64
	clearOutbox(t, env)
	if err := env.Super.QueryRow(context.Background(), `SELECT id FROM outbox_clear WHERE to_addr = 'coachee@demo.test' AND link LIKE '%/password/reset/%' ORDER BY id DESC LIMIT 1`).Scan(&outboxID); err != nil {
		t.Fatalf("reset e-mail not in the outbox: %v", err)
	}

	// SIGTERM.
	tCancel := time.Now()
	cancel()
	var runErr error
	select {
	case runErr = <-done:
		returned = true
	case <-time.After(45 * time.Second):
		close(stopLoad)
		t.Fatalf("run did not return within 45 s of the signal\n%s", tail(logs.String(), 4000))
	}
	tReturned := time.Now()
	conn, dialErr := net.DialTimeout("tcp", addr, 2*time.Second)
	if dialErr == nil {
		conn.Close()
	}
	time.Sleep(300 * time.Millisecond) // the clients meet the closed port
	close(stopLoad)
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(45 * time.Second):
		t.Fatal("load clients did not stop")
	}

	mu.Lock()
	all := slices.Clone(samples)
	mu.Unlock()
	var ok, inFlight, inFlightOK, afterCancelOK int
	inFlightErrs := map[string]int{} // requests sent before the signal that got no response
	failed := map[string]int{}       // accepted requests that did not end in 200
	connErrs := map[string]int{}     // no response at all, after the signal
	var worst time.Duration
	for _, s := range all {
		worst = max(worst, s.end.Sub(s.start))
		if s.start.Before(tCancel) && s.end.After(tCancel) {
			inFlight++
			if s.status == 0 {
				inFlightErrs[errClass(s.err)]++
			}
		}
		switch {
		case s.status != 0 && s.status == http.StatusOK && s.err == nil:
			ok++
			if s.start.Before(tCancel) && s.end.After(tCancel) {
				inFlightOK++
			}
			if s.end.After(tCancel) {
				afterCancelOK++
			}
		case s.status != 0:
			failed[fmt.Sprintf("%s: status %d, body error %v", s.path, s.status, s.err)]++
		case s.end.Before(tCancel):
			failed["before the signal: "+s.err.Error()]++
		case !connectionError(s.err):
			failed["after the signal, not a connection error: "+s.err.Error()]++
		default:
			connErrs[errClass(s.err)]++
		}
	}
	t.Logf("requests: %d, of which 200: %d; in flight at the signal: %d (200: %d, no response: %v); 200s completed after the signal: %d; slowest %v",
		len(all), ok, inFlight, inFlightOK, inFlightErrs, afterCancelOK, worst.Round(time.Millisecond))
	t.Logf("run returned %v after the signal; connection errors after the signal (no response): %v", tReturned.Sub(tCancel).Round(time.Millisecond), connErrs)

	if runErr != nil && !errors.Is(runErr, http.ErrServerClosed) {
		t.Errorf("run returned %v, want nil", runErr)
	}
	if len(failed) > 0 {
		t.Errorf("failed responses among accepted requests (want none): %v", failed)
	}
	if ok < 16 {
		t.Errorf("only %d successful requests: the load did not run", ok)
	}
	if dialErr == nil {
		t.Errorf("a new connection to %s was accepted after run returned", addr)
	} else if !errors.Is(dialErr, syscall.ECONNREFUSED) {
		t.Errorf("a new connection after run returned failed with %v, want connection refused", dialErr)
	}

	// River: nothing left running, the last e-mail's job done or still queued.
	sctx := context.Background()
	rows, _ := env.Super.Query(sctx, `SELECT kind || '/' || state::text, count(*) FROM river_job GROUP BY 1 ORDER BY 1`)
	states, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var k string
		var n int
		err := r.Scan(&k, &n)
		return fmt.Sprintf("%s=%d", k, n), err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("river_job after shutdown: %s", strings.Join(states, " "))
	var running int
	if err := env.Super.QueryRow(sctx, `SELECT count(*) FROM river_job WHERE state = 'running'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	if running != 0 {
		t.Errorf("%d River jobs left in state running after shutdown", running)
	}
	var state string
	err = env.Super.QueryRow(sctx, `SELECT state::text FROM river_job WHERE kind = 'send_mail' AND (args->>'outbox_id')::bigint = $1`, outboxID).Scan(&state)
	switch {
	case err != nil:
		t.Errorf("the send_mail job of outbox %d is lost: %v", outboxID, err)
	case !slices.Contains([]string{"completed", "available", "retryable", "scheduled", "pending"}, state):
		t.Errorf("the send_mail job of outbox %d is %s, want completed or still queued", outboxID, state)
	default:
		t.Logf("send_mail job of the reset e-mail queued just before the signal: %s", state)
	}
	if l := logs.String(); strings.Contains(l, `msg="river stop"`) || strings.Contains(l, "level=ERROR") {
		t.Errorf("errors logged during the run:\n%s", tail(l, 4000))
	} else if l != "" {
		t.Logf("warnings logged:\n%s", tail(l, 2000))
	}
}

// TestReminderJobRunsOnceWithTwoInstances starts two River clients, as two
// application instances would, on one database: only the elected leader
// enqueues the periodic reminder job, so it runs once and no reminder is
// queued twice.
func TestReminderJobRunsOnceWithTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's leader election")
	}
	env := testenv.New(t)
	ctx := context.Background()
	if ok, err := demo.Seed(ctx, env.Store); err != nil || !ok { // runs the reminders once
		t.Fatalf("seed: %v %v", ok, err)
	}
	const reminderMail = `body LIKE '%/unsubscribe/%'` // every reminder e-mail links to its unsubscribe page
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if strings.Contains(q, "outbox_clear") {
			clearOutbox(t, env)
		}
		if err := env.Super.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	seeded := count(`SELECT count(*) FROM outbox_clear WHERE ` + reminderMail)
	seededDup := count(`SELECT count(*) FROM (SELECT 1 FROM outbox_clear WHERE ` + reminderMail + ` GROUP BY to_addr, subject, link HAVING count(*) > 1) d`)
	if seeded == 0 {
		t.Fatal("the demo queued no reminder: nothing to run again")
	}
	// Forget the reminders already sent, so that the next run has work, and
	// the demo's queued e-mails (their outbox rows are gone).
	clearOutbox(t, env)
	for _, q := range []string{`DELETE FROM reminders_sent`, `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox_clear WHERE ` + reminderMail + `)`, `DELETE FROM river_job`} {
		if _, err := env.Super.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	instance := func(name string) *river.Client[pgx.Tx] {
		pool, err := store.OpenApp(ctx, env.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		plain := store.New(pool, nil)
		plain.SetKey(env.Key)
		workers, queueWith := jobs.Workers(plain, nil, "http://localhost:8080", log) // the same set as main
		rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
			ID:           name,
			Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
			Workers:      workers,
			PeriodicJobs: jobs.Periodic(),
			Logger:       log.With("instance", name),
		})
		if err != nil {
			t.Fatal(err)
		}
		queueing := store.New(pool, rc)
		queueing.SetKey(env.Key)
		queueWith(queueing)
		return rc
	}
	a, b := instance("instance-a"), instance("instance-b")
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	t0 := time.Now()
	for _, rc := range []*river.Client[pgx.Tx]{a, b} {
		if err := rc.Start(runCtx); err != nil {
			t.Fatal(err)
		}
	}
	stopBoth := func() {
		sctx, c := context.WithTimeout(ctx, 15*time.Second)
		defer c()
		var wg sync.WaitGroup
		for _, rc := range []*river.Client[pgx.Tx]{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := rc.Stop(sctx); err != nil {
					t.Errorf("river stop: %v", err)
				}
			}()
		}
		wg.Wait()
	}
	stopped := false
	defer func() {
		if !stopped {
			stopBoth()
		}
	}()

	completed := `SELECT count(*) FROM river_job WHERE kind = 'reminders' AND state = 'completed'`
	for count(completed) == 0 {
		if time.Since(t0) > 15*time.Second {
			var errs string
			env.Super.QueryRow(ctx, `SELECT coalesce(string_agg(state::text || ' ' || errors::text, '; '), 'no reminders job') FROM river_job WHERE kind = 'reminders'`).Scan(&errs)
			t.Fatalf("no completed reminders job within 15 s: %s\n%s", errs, tail(logs.String(), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("reminders job completed %v after the two clients started", time.Since(t0).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // time for a second run, were there one
	var leader string
	env.Super.QueryRow(ctx, `SELECT leader_id FROM river_leader LIMIT 1`).Scan(&leader)
	whileRunning := count(completed)
	allWhileRunning := count(`SELECT count(*) FROM river_job WHERE kind = 'reminders'`)
	stopBoth()
	stopped = true

	afterStop := count(completed)
	allAfterStop := count(`SELECT count(*) FROM river_job WHERE kind = 'reminders'`)
	sentRows := count(`SELECT count(*) FROM reminders_sent`)
	mails := count(`SELECT count(*) FROM outbox_clear WHERE ` + reminderMail)
	dup := count(`SELECT count(*) FROM (SELECT 1 FROM outbox_clear WHERE ` + reminderMail + ` GROUP BY to_addr, subject, link HAVING count(*) > 1) d`)
	var attempted []string
	rows, _ := env.Super.Query(ctx, `SELECT state::text || ' by ' || coalesce(attempted_by[array_length(attempted_by, 1)], '-') FROM river_job WHERE kind = 'reminders' ORDER BY id`)
	attempted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("leader %q; reminders jobs: %v (completed: %d while both ran, %d after stop; rows: %d, %d)", leader, attempted, whileRunning, afterStop, allWhileRunning, allAfterStop)
	t.Logf("reminder e-mails: %d queued by the demo, %d by the job; reminders_sent rows %d; duplicate (to, subject, link): %d (demo: %d)", seeded, mails, sentRows, dup, seededDup)

	if whileRunning != 1 || afterStop != 1 {
		t.Errorf("completed reminders jobs: %d while both ran, %d after stop; want exactly 1", whileRunning, afterStop)
	}
	if mails != sentRows {
		t.Errorf("%d reminder e-mails for %d recorded reminders: want one e-mail per reminder", mails, sentRows)
	}
	if mails != seeded {
		t.Errorf("the job queued %d reminder e-mails, the demo's run %d: the same reminders were due", mails, seeded)
	}
	if dup > seededDup {
		t.Errorf("%d reminder e-mails queued twice", dup-seededDup)
	}
	if l := logs.String(); strings.Contains(l, "level=ERROR") {
		t.Errorf("errors logged:\n%s", tail(l, 3000))
	}
}

// clearOutbox copies the outbox, opened with the server key, into outbox_clear
// for the queries of the tests: the outbox itself is sealed.
func clearOutbox(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx := context.Background()
	all, err := env.Store.Outbox(ctx, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Super.Exec(ctx, `DROP TABLE IF EXISTS outbox_clear;
		CREATE TABLE outbox_clear (id bigint, to_addr text, subject text, body text, link text)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if _, err := env.Super.Exec(ctx, `INSERT INTO outbox_clear VALUES ($1, $2, $3, $4, $5)`, m.ID, m.To, m.Subject, m.Body, m.Link); err != nil {
			t.Fatal(err)
		}
	}
}
