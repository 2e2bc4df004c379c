// Command triade serves the Triade web application.
//
//	triade            serve (the default): migrate, seed the demo if empty, serve on ADDR
//	triade migrate    apply migrations and exit
//	triade seed-demo  migrate, seed the demo if the database is empty, and exit
//
// Environment: DATABASE_URL (a role allowed to own the schema; without it a
// private PostgreSQL is started with its data in DATA_DIR, default .data),
// APP_DATABASE_URL (optional separate login for request queries), ADDR (default
// localhost:8080), BASE_URL, SMTP_URL, TRIADE_ENV=development.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"triade/internal/demo"
	"triade/internal/jobs"
	"triade/internal/mail"
	"triade/internal/pglocal"
	"triade/internal/server"
	"triade/internal/store"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cmd := "serve"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cmd, log); err != nil {
		fmt.Fprintln(os.Stderr, "triade:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, cmd string, log *slog.Logger) error {
	switch cmd {
	case "serve", "migrate", "seed-demo":
	default:
		return fmt.Errorf("unknown command %q (serve, migrate, seed-demo)", cmd)
	}
	ownerURL, shutdownDB, err := database(ctx, log)
	if err != nil {
		return err
	}
	defer shutdownDB()
	key, err := migrate(ctx, ownerURL)
	if err != nil {
		return err
	}
	if cmd == "migrate" {
		log.Info("migrations applied")
		return nil
	}
	pool, err := store.OpenApp(ctx, env("APP_DATABASE_URL", ownerURL))
	if err != nil {
		return err
	}
	defer pool.Close()
	smtp, err := mail.ParseSMTP(os.Getenv("SMTP_URL"))
	if err != nil {
		return err
	}
	base := env("BASE_URL", "http://"+env("ADDR", "localhost:8080"))
	plain := store.New(pool, nil) // for workers that queue nothing
	plain.SetKey(key)
	workers := river.NewWorkers()
	river.AddWorker(workers, &mail.Worker{Store: plain, SMTP: smtp, Log: log})
	river.AddWorker(workers, &jobs.PurgeWorker{Store: plain, Log: log})
	reminders := &jobs.RemindWorker{BaseURL: base, Log: log}
	river.AddWorker(workers, reminders)
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:      workers,
		PeriodicJobs: jobs.Periodic(),
		Logger:       log.With("component", "river"),
		// On SIGTERM, running jobs get this long to finish before their
		// contexts are cancelled (a cancelled job is retried, never lost).
		SoftStopTimeout: 20 * time.Second,
	})
	if err != nil {
		return fmt.Errorf("river: %w", err)
	}
	st := store.New(pool, rc)
	st.SetKey(key)
	reminders.Store = st // reminders queue their e-mails with River
	demo.BaseURL = base
	seeded, err := demo.Seed(ctx, st)
	if err != nil {
		return err
	}
	if cmd == "seed-demo" {
		log.Info("demo", "seeded", seeded)
		return nil
	}
	return serve(ctx, log, st, rc)
}

// database returns the URL of a role that may own the schema: DATABASE_URL, or
// a private PostgreSQL started in DATA_DIR whose data survives restarts.
func database(ctx context.Context, log *slog.Logger) (string, func(), error) {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u, func() {}, nil
	}
	dir, err := filepath.Abs(env("DATA_DIR", ".data"))
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
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

// migrate applies the schema as the owner, after making sure the restricted
// application role exists.
// It returns the server key, which only the owner may read.
func migrate(ctx context.Context, ownerURL string) ([]byte, error) {
	owner, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	if err := store.EnsureAppRole(ctx, owner); err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, owner); err != nil {
		return nil, err
	}
	return store.LoadKey(ctx, owner)
}

// serve runs the HTTP server and the job workers until ctx ends, then lets
// in-flight requests finish before stopping.
func serve(ctx context.Context, log *slog.Logger, st *store.Store, rc *river.Client[pgx.Tx]) error {
	addr := env("ADDR", "localhost:8080")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := env("BASE_URL", "http://"+addr)
	srv := server.New(server.Config{BaseURL: base, Dev: os.Getenv("TRIADE_ENV") == "development", Logger: log, SessionCleanup: 5 * time.Minute}, st)
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// River is stopped after the HTTP server has drained, not by the signal
	// itself: jobs queued by the last requests are still worked.
	if err := rc.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("river start: %w", err)
	}
	printWelcome(base, st)
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
	if rerr := rc.Stop(shutdownCtx); rerr != nil && !errors.Is(rerr, context.Canceled) {
		log.Error("river stop", "err", rerr)
	}
	return err
}

func printWelcome(base string, st *store.Store) {
	fmt.Printf("\nTriade is running at %s\n", base)
	if _, err := st.WorkspaceBySlug(context.Background(), "demo"); err == nil {
		fmt.Printf("Demo accounts (password %q):\n", demo.Password)
		for _, a := range demo.Accounts {
			fmt.Printf("  %-20s %-8s %s/w/%s/\n", a.Email, a.Role, base, a.Workspace)
		}
	}
	fmt.Println("Stop with Ctrl-C.")
	fmt.Println()
}
