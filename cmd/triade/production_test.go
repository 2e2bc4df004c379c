package main

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"triade/internal/config"
	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/store"
	"triade/internal/testenv"
)

// prodEnv points the process settings at a test database, in production mode.
func prodEnv(t *testing.T, dbURL string) string {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	for k, v := range map[string]string{"DATABASE_URL": dbURL, "ADDR": addr, "TRIADE_ENV": "", "BASE_URL": "",
		"APP_DATABASE_URL": "", "SMTP_URL": "", "SIGNUP": "", "ALLOW_DEMO": "", "METRICS_ADDR": "", "DB_CONNECT_TIMEOUT": "", "RETENTION_YEARS": ""} {
		t.Setenv(k, v)
	}
	t.Setenv("DATA_DIR", filepath.Join(t.TempDir(), "data")) // never the source tree
	return "http://" + addr
}

// startServe runs `triade serve` until the test ends and waits for /readyz.
func startServe(t *testing.T, base string, log *slog.Logger, logs *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Error("serve did not stop")
		}
	})
	for t0 := time.Now(); ; {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before serving: %v\n%s", err, tail(logs.String(), 3000))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Since(t0) > 60*time.Second {
			t.Fatalf("not ready after 60 s\n%s", tail(logs.String(), 3000))
		}
	}
}

func noRedirect() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// A production start on an empty database creates no account and serves the
// sign-in page; create-admin then makes an administrator who can sign in.
func TestProductionStartThenCreateAdmin(t *testing.T) {
	env := testenv.New(t)
	base := prodEnv(t, env.URL)
	metricsAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	t.Setenv("METRICS_ADDR", metricsAddr)
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	startServe(t, base, log, logs)

	res, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/login: %d", res.StatusCode)
	}
	var users int
	env.Super.QueryRow(context.Background(), `SELECT count(*) FROM users`).Scan(&users)
	if users != 0 {
		t.Fatalf("a production start created %d accounts", users)
	}
	if res, _ := http.Get(base + "/dev/mail"); res == nil || res.StatusCode != http.StatusNotFound {
		t.Fatalf("/dev/mail in production: %v", res)
	}

	t.Setenv("RETENTION_YEARS", "6") // for workspaces created from now on
	pwFile := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pwFile, []byte("un-mot-de-passe-solide\n"), 0o600)
	err = run(context.Background(), []string{"create-admin", "-email", "Anne@Cabinet.test", "-name", "Anne Martin",
		"-workspace", "Cabinet Martin", "-password-file", pwFile}, log)
	if err != nil {
		t.Fatal(err)
	}
	res, err = noRedirect().PostForm(base+"/login", url.Values{"email": {"anne@cabinet.test"}, "password": {"un-mot-de-passe-solide"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/w/cabinet-martin/" {
		t.Fatalf("admin sign-in: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The metrics listener serves requests, pool, jobs and outbox series.
	res, err = http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`triade_http_requests_total{method="POST",route="/login",status="303"} 1`,
		"triade_db_pool_total_conns ", "triade_outbox_unsent 0", "triade_queue_scrape_error 0"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	var role string
	var years int
	env.Super.QueryRow(context.Background(), `SELECT array_to_string(m.roles, ','), w.retention_years FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN workspaces w ON w.id = m.tenant_id WHERE u.email = 'anne@cabinet.test'`).Scan(&role, &years)
	if role != "admin" || years != 6 {
		t.Fatalf("role %q, retention %d years (RETENTION_YEARS=6)", role, years)
	}
}

// With the demo accounts present (public password), production refuses to
// start unless ALLOW_DEMO=1. The database URL comes from DATABASE_URL_FILE.
func TestProductionRefusesDemoAccounts(t *testing.T) {
	env := testenv.New(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	prodEnv(t, "")
	secret := filepath.Join(t.TempDir(), "database_url")
	os.WriteFile(secret, []byte(env.URL+"\n"), 0o600)
	t.Setenv("DATABASE_URL_FILE", secret) // the secret read from a file
	err := run(context.Background(), []string{"serve"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "ALLOW_DEMO=1") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("serve with demo accounts: %v", err)
	}
	if err := refuseDemo(context.Background(), env.Super, true); err != nil {
		t.Fatalf("ALLOW_DEMO=1: %v", err)
	}
}

func TestCreateAdminRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("court\n"), 0o600)
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte("un-mot-de-passe-solide"), 0o600)
	empty, _ := os.Open(os.DevNull)
	defer empty.Close()
	for want, args := range map[string][]string{
		"-email":         {"-name", "A", "-workspace", "W", "-password-file", good},
		"-name":          {"-email", "a@b.test", "-workspace", "W", "-password-file", good},
		"-workspace":     {"-email", "a@b.test", "-name", "A", "-password-file", good},
		"-slug":          {"-email", "a@b.test", "-name", "A", "-workspace", "W", "-slug", "No Good", "-password-file", good},
		"password":       {"-email", "a@b.test", "-name", "A", "-workspace", "Cabinet", "-password-file", short},
		"no password":    {"-email", "a@b.test", "-name", "A", "-workspace", "Cabinet"},
		"-password-file": {"-email", "a@b.test", "-name", "A", "-workspace", "Cabinet", "-password-file", filepath.Join(dir, "none")},
		"-password":      {"-password", "on-the-command-line"},
	} {
		_, err := parseAdmin(args, empty)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", want, err)
		}
	}
	// The password may come on stdin.
	r, w, _ := os.Pipe()
	w.WriteString("un-mot-de-passe-solide\n")
	w.Close()
	a, err := parseAdmin([]string{"-email", "a@b.test", "-name", "A", "-workspace", "Cabinet Lee"}, r)
	if err != nil || a.pass != "un-mot-de-passe-solide" || a.ws.Slug != "cabinet-lee" || len(a.ws.Roles) != 0 {
		t.Fatalf("stdin: %+v %v", a, err)
	}
	// -coach: an independent coach administers her practice and coaches in it.
	a, err = parseAdmin([]string{"-email", "a@b.test", "-name", "A", "-workspace", "Cabinet Lee", "-coach", "-password-file", good}, empty)
	if err != nil || !slices.Equal(a.ws.Roles, domain.RoleSet{domain.RoleAdmin, domain.RoleCoach}) {
		t.Fatalf("-coach: %+v %v", a, err)
	}
}

// Two instances starting together on an empty database migrate one after the
// other: both succeed and every migration is applied once.
func TestConcurrentMigrations(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := env.Super.Exec(ctx, `CREATE DATABASE concurrent_migrate`); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(env.URL)
	u.Path = "/concurrent_migrate"
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			pool, err := pgxpool.New(ctx, u.String())
			if err != nil {
				errs[i] = err
				return
			}
			defer pool.Close()
			errs[i] = store.MigrateExclusive(ctx, pool)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	pool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var dup int
	pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT version_id FROM goose_db_version WHERE is_applied GROUP BY version_id HAVING count(*) > 1) d`).Scan(&dup)
	if dup != 0 {
		t.Errorf("%d migrations applied twice", dup)
	}
}

// A database that does not answer is waited for, then named in the error.
func TestConnectRetriesThenNamesTheServer(t *testing.T) {
	port := freePort(t) // nothing listens there
	start := time.Now()
	_, err := connect(context.Background(), fmt.Sprintf("postgres://triade@127.0.0.1:%d/triade", port), 2, 1500*time.Millisecond,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("PostgreSQL at 127.0.0.1:%d/triade did not answer within 1.5s", port)) {
		t.Fatalf("error: %v", err)
	}
	if took < time.Second {
		t.Fatalf("gave up after %v: no retry", took)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("error on several lines: %q", err)
	}
	// A refusal that waiting cannot cure ends at once.
	env := testenv.New(t)
	u, _ := url.Parse(env.URL)
	u.Path = "/no_such_database"
	start = time.Now()
	_, err = connect(context.Background(), u.String(), 2, 30*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "refused the connection") || time.Since(start) > 5*time.Second {
		t.Fatalf("unknown database: %v after %v", err, time.Since(start))
	}
}

// The binary carries its own time-zone database: in a minimal image without
// /usr/share/zoneinfo, Europe/Paris must not silently become UTC.
func TestTimeZoneDataEmbedded(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, imp := range f.Imports {
		found = found || imp.Path.Value == `"time/tzdata"`
	}
	if !found {
		t.Fatal(`cmd/triade does not import _ "time/tzdata"`)
	}
	t.Setenv("ZONEINFO", t.TempDir())
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if _, off := time.Date(2026, 7, 1, 12, 0, 0, 0, loc).Zone(); off != 2*3600 {
		t.Fatalf("Europe/Paris in July is UTC%+d", off/3600)
	}
}

func TestVersionLine(t *testing.T) {
	if v := versionLine(); !strings.HasPrefix(v, "triade dev (commit ") || !strings.Contains(v, "go1.") {
		t.Fatalf("version: %q", v)
	}
}

func TestDevStartExplainsItself(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := listen("ADDR", ln.Addr().String()); err == nil || !strings.Contains(err.Error(), "ADDR=localhost:8081") {
		t.Fatalf("taken port: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "pg")
	os.MkdirAll(dir, 0o700)
	if err := checkDataDir(dir); err != nil {
		t.Fatalf("empty dir: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "PG_VERSION"), []byte("15\n"), 0o600)
	if err := checkDataDir(dir); err == nil || !strings.Contains(err.Error(), "half-initialised") || !strings.Contains(err.Error(), "remove "+dir) {
		t.Fatalf("interrupted setup: %v", err)
	}
}

// `triade help config` prints the same table as docs/configuration.md.
func TestHelpConfigListsEverySetting(t *testing.T) {
	r, w, _ := os.Pipe()
	stdout := os.Stdout
	os.Stdout = w
	err := run(context.Background(), []string{"help", "config"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings {
		if !strings.Contains(string(out), s.Name) {
			t.Errorf("help config lacks %s", s.Name)
		}
	}
}

// No secret link reaches the process log: neither the access log of a visit
// to a reset link nor the mail worker's line about the e-mail carrying it.
func TestNoTokenInTheProcessLog(t *testing.T) {
	env := testenv.New(t)
	hash := "$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHRzYWx0$0000000000000000000000000000000000000000000"
	if _, _, err := env.Store.CreateWorkspace(context.Background(), store.NewWorkspace{Name: "Cabinet", Slug: "cabinet",
		AdminEmail: "anne@cabinet.test", AdminNm: "Anne", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	base := prodEnv(t, env.URL)
	logs := &lockedBuffer{}
	startServe(t, base, slog.New(slog.NewJSONHandler(logs, nil)), logs)

	res, err := noRedirect().PostForm(base+"/password/forgot", url.Values{"email": {"anne@cabinet.test"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var link string
	for t0 := time.Now(); link == "" || !strings.Contains(logs.String(), "mail kept in outbox"); time.Sleep(100 * time.Millisecond) {
		if ms, err := env.Store.Outbox(context.Background(), 100); err == nil { // sealed: read with the key
			for _, m := range ms {
				if m.To == "anne@cabinet.test" {
					link = m.Link
					break
				}
			}
		}
		if time.Since(t0) > 30*time.Second {
			t.Fatalf("the reset e-mail was not worked within 30 s (link %q)\n%s", link, tail(logs.String(), 3000))
		}
	}
	token := link[strings.LastIndex(link, "/")+1:]
	res, err = http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reset link: %d", res.StatusCode)
	}
	out := logs.String()
	if len(token) < 16 || strings.Contains(out, token) {
		t.Fatalf("the reset token %q is in the log:\n%s", token, out)
	}
	if !strings.Contains(out, `"route":"/password/reset/{token}"`) {
		t.Fatalf("no access line for the reset link:\n%s", out)
	}
}

// A typo in a setting stops the start before anything else, with one line.
func TestBadSettingStopsTheStart(t *testing.T) {
	prodEnv(t, "postgres://nobody@127.0.0.1:1/none")
	t.Setenv("TRIADE_SINGUP", "closed")
	err := run(context.Background(), []string{"serve"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || err.Error() != "unknown setting TRIADE_SINGUP (see `triade help config`)" {
		t.Fatalf("typo: %v", err)
	}
	os.Unsetenv("TRIADE_SINGUP")
	t.Setenv("LOG_FORMAT", "yaml")
	err = run(context.Background(), []string{"migrate"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || err.Error() != `LOG_FORMAT="yaml": want one of text, json` {
		t.Fatalf("bad value: %v", err)
	}
}
