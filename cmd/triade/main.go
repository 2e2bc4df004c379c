// Command triade serves the Triade web application.
//
//	triade               serve (the default): migrate, then serve on ADDR
//	triade migrate       apply migrations and exit
//	triade seed-demo     migrate, seed the demo if the database is empty, and exit
//	triade create-admin  create a workspace and its first administrator
//	triade version       print the version and commit
//	triade help [config] list the commands, or every setting
//
// Settings come from the environment: `triade help config` lists them all.
// Without TRIADE_ENV=development it runs in production mode: it never seeds the
// demo, and refuses to start while the demo accounts exist (ALLOW_DEMO=1 to
// override).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
	_ "time/tzdata" // time zones even where the system has none (minimal images)

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"triade/internal/config"
	"triade/internal/demo"
	"triade/internal/jobs"
	"triade/internal/mail"
	"triade/internal/pdf"
	"triade/internal/pglocal"
	"triade/internal/server"
	"triade/internal/store"
)

func main() {
	cfg, err := config.Load(os.Getenv, os.Environ())
	if err != nil && !informational(os.Args[1:]) { // help works with a broken setting
		fmt.Fprintln(os.Stderr, "triade:", err)
		os.Exit(2)
	}
	log := newLogger(cfg, os.Stderr)
	server.TuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "triade:", err)
		os.Exit(1)
	}
}

// informational reports a command that only prints (help, version).
func informational(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "help", "-h", "-help", "--help", "version", "-version", "--version":
		return true
	}
	return false
}

// newLogger is the process's logger, as LOG_FORMAT and LOG_LEVEL say.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

const usage = `usage: triade [command]

  serve         migrate, then serve the site (the default)
  migrate       apply the database migrations and exit
  seed-demo     migrate and fill an empty database with the demo (development)
  create-admin  create a workspace and its first administrator:
                  triade create-admin -email a@b.c -name "Ann Lee" -workspace "Cabinet Lee" [-slug lee] [-coach]
                  (-coach: she also coaches, an independent coach's own practice)
                  password from -password-file FILE, or typed at the prompt / read from stdin
  version       print the version and the commit it was built from
  help config   list every setting (environment variables)
`

func run(ctx context.Context, args []string, log *slog.Logger) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "version", "-version", "--version":
		fmt.Println(versionLine())
		return nil
	case "help", "-h", "-help", "--help":
		if len(args) > 0 && args[0] == "config" {
			config.Help(os.Stdout)
			return nil
		}
		fmt.Print(usage)
		return nil
	case "serve", "migrate", "seed-demo", "create-admin":
	default:
		return fmt.Errorf("unknown command %q (see `triade help`)", cmd)
	}
	cfg, err := config.Load(os.Getenv, os.Environ())
	if err != nil {
		return err
	}
	var admin *newAdmin
	if cmd == "create-admin" { // ask for the password before any waiting
		if admin, err = parseAdmin(args, os.Stdin); err != nil {
			return err
		}
	}
	ownerURL, shutdownDB, err := database(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer shutdownDB()
	owner, err := connect(ctx, ownerURL, 4, cfg.ConnectTimeout, log)
	if err != nil {
		return err
	}
	defer owner.Close()
	if err := store.MigrateExclusive(ctx, owner); err != nil {
		return err
	}
	if err := store.SetRetentionDefault(ctx, owner, cfg.RetentionYears); err != nil {
		return err
	}
	// The server key: only the owner may read it (see store.LoadKey).
	key, err := store.LoadKey(ctx, owner)
	if err != nil {
		return err
	}
	if cmd == "migrate" {
		log.Info("migrations applied")
		return nil
	}
	if cmd == "serve" && !cfg.Dev {
		if err := refuseDemo(ctx, owner, cfg.AllowDemo); err != nil {
			return err
		}
	}
	pool, err := store.OpenApp(ctx, withPoolSize(or(cfg.AppDatabaseURL, ownerURL), cfg.MaxConns))
	if err != nil {
		return err
	}
	defer pool.Close()
	smtp, err := mail.ParseSMTP(cfg.SMTPURL)
	if err != nil {
		return err
	}
	base := cfg.BaseURL
	plain := store.New(pool, nil) // for workers that queue nothing
	plain.SetKey(key)
	workers, queueWith := jobs.Workers(plain, smtp, base, log)
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:      workers,
		PeriodicJobs: jobs.Periodic(),
		Logger:       jobs.Logger(log.With("component", "river")),
		// On SIGTERM, running jobs get this long to finish before their
		// contexts are cancelled (a cancelled job is retried, never lost).
		SoftStopTimeout: 20 * time.Second,
	})
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	st := store.New(pool, rc)
	st.SetKey(key)
	queueWith(st) // reminders and invitations queue their e-mails with River
	demo.BaseURL = base
	switch {
	case cmd == "create-admin":
		return admin.create(ctx, st)
	case cmd == "seed-demo", cfg.Dev:
		seeded, err := demo.Seed(ctx, st)
		if err != nil {
			return err
		}
		if cmd == "seed-demo" {
			log.Info("demo", "seeded", seeded)
			return nil
		}
	}
	return serve(ctx, cfg, log, st, rc, owner)
}

// refuseDemo stops a production start while the demo accounts, whose password
// is public, exist.
func refuseDemo(ctx context.Context, owner *pgxpool.Pool, allowed bool) error {
	emails := make([]string, len(demo.Accounts))
	for i, a := range demo.Accounts {
		emails[i] = a.Email
	}
	n, err := store.CountAccounts(ctx, owner, emails)
	if err != nil || n == 0 || allowed {
		return err
	}
	return fmt.Errorf("the database holds %d demo account(s) (such as %s) whose password is public: erase them, or set ALLOW_DEMO=1 to serve anyway (or TRIADE_ENV=development on a developer's machine)", n, emails[0])
}

// database returns the URL of a role that may own the schema: DATABASE_URL, or
// a private PostgreSQL started in DATA_DIR whose data survives restarts.
func database(ctx context.Context, cfg config.Config, log *slog.Logger) (string, func(), error) {
	if u := cfg.DatabaseURL; u != "" {
		return u, func() {}, nil
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	if err := checkOwner(dir); err != nil {
		return "", nil, err
	}
	if err := checkDataDir(filepath.Join(dir, "pg")); err != nil {
		return "", nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return "", nil, err
	}
	start := time.Now()
	pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg"), Log: logFile})
	if err != nil {
		logFile.Close()
		return "", nil, err
	}
	log.Info("private PostgreSQL started", "dir", filepath.Join(dir, "pg"), "port", pg.Port(), "took", time.Since(start).Round(time.Millisecond))
	stop := func() {
		if err := pg.Stop(); err != nil {
			log.Error("stop PostgreSQL", "err", err)
		}
		logFile.Close()
	}
	if err := createDatabase(ctx, pg.URL("postgres"), "triade"); err != nil {
		stop()
		return "", nil, err
	}
	return pg.URL("triade"), stop, nil
}

func createDatabase(ctx context.Context, adminURL, name string) error {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil || exists {
		return err
	}
	_, err = c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// serve runs the HTTP server (and the metrics listener) and the job workers
// until ctx ends, then lets in-flight requests finish before stopping.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, st *store.Store, rc *river.Client[pgx.Tx], owner *pgxpool.Pool) error {
	addr := cfg.Addr
	ln, err := listen("ADDR", addr)
	if err != nil {
		return err
	}
	base := cfg.BaseURL
	// Documents print to PDF with a headless Chromium when one is installed;
	// without it they print from the browser.
	printer := pdf.New(pdf.Find())
	defer printer.Close()
	if !printer.Available() {
		log.Info("no Chromium found (CHROMIUM_PATH): documents print from the browser, without PDF downloads")
	}
	srv := server.New(server.Config{BaseURL: base, Dev: cfg.Dev, Logger: log, SessionCleanup: 5 * time.Minute,
		TrustedProxies: cfg.TrustedProxies, SignupClosed: !cfg.SignupOpen, PDF: printer, MaxActive: cfg.MaxActive}, st)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	var ms *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := listen("METRICS_ADDR", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return err
		}
		err = srv.Register(server.PoolCollector(st.Pool()), server.QueueCollector(func(ctx context.Context) (map[string]int64, int64, error) {
			return store.QueueCounts(ctx, owner)
		}))
		if err != nil {
			return err
		}
		ms = &http.Server{Handler: srv.Metrics(), ReadHeaderTimeout: 10 * time.Second}
		go ms.Serve(mln)
		log.Info("metrics", "addr", "http://"+mln.Addr().String()+"/metrics")
	}
	// River is stopped after the HTTP server has drained, not by the signal
	// itself: jobs queued by the last requests are still worked.
	if err := rc.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("river start: %w", err)
	}
	printWelcome(base, st, cfg.Dev)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdownCtx)
	if ms != nil {
		ms.Shutdown(shutdownCtx)
	}
	if rerr := rc.Stop(shutdownCtx); rerr != nil && !errors.Is(rerr, context.Canceled) {
		log.Error("river stop", "err", rerr)
	}
	return err
}

// listen opens addr, saying which setting to change when the port is taken.
func listen(setting, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s is already in use by another program: stop it, or choose another address, e.g. %s=localhost:8081", addr, setting)
	}
	return ln, err
}

func printWelcome(base string, st *store.Store, dev bool) {
	fmt.Printf("\nTriade is running at %s\n", base)
	if !dev {
		return
	}
	if _, err := st.WorkspaceBySlug(context.Background(), "demo"); err == nil {
		fmt.Printf("Demo accounts (password %q):\n", demo.Password)
		for _, a := range demo.Accounts {
			fmt.Printf("  %-20s %-8s %s/w/%s/\n", a.Email, a.Role, base, a.Workspace)
		}
	}
	fmt.Println("Development mode (TRIADE_ENV=development): e-mails are readable at " + base + "/dev/mail.")
	fmt.Println("Stop with Ctrl-C.")
	fmt.Println()
}
