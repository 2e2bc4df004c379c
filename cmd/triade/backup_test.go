package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// The backup procedure of docs/operations.md, run for real: pg_dump -Fc of a
// populated database, pg_restore into a fresh cluster that has the roles, and
// the restored database serves the same pages, to the same signed-in session
// (sessions live in the database: a restore keeps them).
func TestBackupRestoreRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second PostgreSQL")
	}
	pgDump, err := pglocal.Tool("pg_dump")
	if err != nil {
		t.Skip(err)
	}
	pgRestore, _ := pglocal.Tool("pg_restore")
	ctx := context.Background()
	env := testenv.New(t)
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := server.Config{BaseURL: "http://triade.test", Logger: quiet}

	// A signed-in coach on the original.
	orig := httptest.NewServer(server.New(cfg, env.Store))
	defer orig.Close()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := browser.PostForm(orig.URL+"/login", url.Values{"email": {"coach@demo.test"}, "password": {demo.Password}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %v %v", res, err)
	}
	res.Body.Close()
	origURL, _ := url.Parse(orig.URL)
	cookies := jar.Cookies(origURL)
	pages := []string{"/w/demo/", "/w/demo/engagements", "/w/demo/calendar", "/account"}
	get := func(base string) map[string]string {
		out := map[string]string{}
		for _, p := range pages {
			req, _ := http.NewRequest(http.MethodGet, base+p, nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s%s: %d", base, p, res.StatusCode)
			}
			out[p] = string(b)
		}
		return out
	}
	before := get(orig.URL)
	if !strings.Contains(before["/account"], "Coach Démo") {
		t.Fatal("the account page does not show the signed-in coach")
	}

	// Back up.
	dump := filepath.Join(t.TempDir(), "triade.dump")
	if out, err := exec.Command(pgDump, "-Fc", "-f", dump, "-d", env.URL).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}

	// Restore into a fresh cluster: the roles first (cluster-wide, not in a
	// dump), then the database.
	dir, err := os.MkdirTemp(shmOrTemp(), "triade-restore-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755) // PostgreSQL runs as postgres when we are root
	pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg"), Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Stop()
	admin, err := pgxpool.New(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var schemaOwner string
	env.Super.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE tablename = 'workspaces'`).Scan(&schemaOwner)
	if _, err := admin.Exec(ctx, `CREATE ROLE `+pgx.Identifier{schemaOwner}.Sanitize()+` LOGIN`); err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureAppRole(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE triade`); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	start := time.Now()
	if out, err := exec.Command(pgRestore, "--exit-on-error", "-d", pg.URL("triade"), dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	t.Logf("restored in %v", time.Since(start).Round(time.Millisecond))

	// The restored database migrates as a no-op and serves the same pages.
	owner, err := connect(ctx, pg.URL("triade"), 2, 10*time.Second, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if err := store.MigrateExclusive(ctx, owner); err != nil {
		t.Fatal(err)
	}
	app, err := store.OpenApp(ctx, pg.URL("triade"))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	key, err := store.LoadKey(ctx, owner) // the key came with the backup
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(app, nil)
	st.SetKey(key)
	restored := httptest.NewServer(server.New(cfg, st))
	defer restored.Close()
	after := get(restored.URL)
	for _, p := range pages {
		if before[p] != after[p] {
			t.Errorf("%s differs after restore (%d bytes before, %d after)", p, len(before[p]), len(after[p]))
		}
	}
}

func shmOrTemp() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return ""
}
