// Command triadebench is `make bench`: it generates a small and a large dataset
// (bulk COPY into a throwaway PostgreSQL on tmpfs), serves each with the real
// server, loads the main pages as each role over loopback and prints, per page,
// requests per second, p50, p99 and database round trips per request, then the
// ratio of p50 between the large and the small dataset.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"triade/internal/bench"
	"triade/internal/password"
	"triade/internal/pglocal"
	"triade/internal/server"
	"triade/internal/store"
)

func main() {
	conc := flag.Int("c", 32, "concurrent connections")
	dur := flag.Duration("d", 5*time.Second, "measured duration per page")
	large := flag.Int("large", 1000, "workspaces in the large dataset (100 engagements each)")
	only := flag.String("only", "", "run only the small or the large dataset")
	pause = flag.Duration("pause", 0, "after generating, wait this long (to inspect the database) before loading")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the load to this file")
	stats = flag.Bool("stats", false, "after each page, print the statements that cost the database most (pg_stat_statements)")
	explain = flag.String("explain", "", "log the plans of statements slower than 3 ms (auto_explain) to this file")
	poolSize = flag.Int("pool", 0, "connections of the request pool (0: the server's default)")
	maxActive = flag.Int("active", 0, "requests at work at once, the others waiting their turn (0: the server's default)")
	pageFilter = flag.String("pages", "", "load only the pages whose name contains this (and the baseline)")
	flag.Parse()
	server.TuneGC() // as the server runs
	// Stopped by Ctrl-C or kill, it still removes its database (gigabytes in
	// shared memory for the large dataset).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Printf("Triade benchmark — %s, %d cores, %d connections, %s per page\n", time.Now().Format("2006-01-02"), runtime.NumCPU(), *conc, *dur)
	scales := []struct {
		name string
		sc   bench.Scale
	}{{"small", bench.Scale{Workspaces: *large / 100}}, {"large", bench.Scale{Workspaces: *large}}}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "triadebench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	results := map[string][]bench.Result{}
	for _, s := range scales {
		if *only != "" && *only != s.name {
			continue
		}
		rs, err := runScale(ctx, s.name, s.sc, *conc, *dur)
		if err != nil {
			fmt.Fprintln(os.Stderr, "triadebench:", err)
			os.Exit(1)
		}
		results[s.name] = rs
		bench.Print(os.Stdout, fmt.Sprintf("%s dataset (%d workspaces, %d engagements)", s.name, s.sc.Workspaces, s.sc.Workspaces*100), rs)
		fmt.Printf("peak resident memory while serving it (VmHWM of the server and the load together): %s\n", peak[s.name])
	}
	if small, big := results["small"], results["large"]; len(small) > 0 && len(big) > 0 {
		fmt.Printf("\np50 large / small\n")
		for i := range big {
			fmt.Printf("%-20s %5.2f\n", big[i].Name, float64(big[i].P50)/float64(small[i].P50))
		}
	}
	// The server, the generator and the load share this process: the peak
	// of each dataset's load is printed after its table.
}

// vmHWM reads the process's peak resident set size from /proc (Linux).
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func sep(url string) string {
	if strings.Contains(url, "?") {
		return "&"
	}
	return "?"
}

// peak is each dataset's peak resident memory during its load.
var peak = map[string]string{}

// Before each page the baseline is loaded again, briefly, and the page's
// "× base" is taken against that measure: on this kind of machine the
// speed drifts within a run (neighbours take up to a third of its time at
// moments; one run measured the baseline at 13,365 and 10,099 req/s a few
// seconds apart), and a page loaded in a slow minute was compared with a
// baseline loaded in a fast one.
const (
	baselineWarm  = 200 * time.Millisecond
	baselineAgain = 2 * time.Second
)

var (
	pause      *time.Duration
	stats      *bool
	explain    *string
	poolSize   *int
	maxActive  *int
	pageFilter *string
)

func runScale(ctx context.Context, name string, sc bench.Scale, conc int, dur time.Duration) ([]bench.Result, error) {
	scratch, err := pglocal.NewScratch("triade-bench-")
	if err != nil {
		return nil, err
	}
	defer scratch.Remove()
	dir := scratch.Dir
	// pg_stat_statements tells where the database's time goes (-stats). It is
	// loaded only then: tracking every statement, nested ones and planning
	// included, is an instrument's cost that a served request does not pay.
	// No autovacuum: the dataset is vacuumed once generated (bench.Generate),
	// and a worker waking during a page's measure would add its CPU to the
	// page's database time (counted over all the cluster's processes).
	settings := map[string]string{"shared_buffers": "1GB", "autovacuum": "off"}
	var preload []string
	if *stats {
		preload = append(preload, "pg_stat_statements")
		settings["pg_stat_statements.track"] = "all"
		settings["pg_stat_statements.track_planning"] = "on"
	}
	var log io.Writer
	if *explain != "" {
		f, err := os.Create(*explain)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		log = f
		preload = append(preload, "auto_explain")
		settings["auto_explain.log_min_duration"] = "3ms"
		settings["auto_explain.log_analyze"] = "on"
	}
	if len(preload) > 0 {
		settings["shared_preload_libraries"] = strings.Join(preload, ",")
	}
	pg, err := pglocal.Start(ctx, pglocal.Options{Dir: dir, Ephemeral: true, Log: log, Settings: settings})
	if err != nil {
		return nil, err
	}
	defer pg.Stop()
	admin, err := pgx.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE bench"); err != nil {
		return nil, err
	}
	admin.Close(ctx)
	owner, err := pgxpool.New(ctx, pg.URL("bench"))
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
	key, err := store.LoadKey(ctx, owner)
	if err != nil {
		return nil, err
	}
	hash, err := password.Hash(bench.Password)
	if err != nil {
		return nil, err
	}
	fmt.Printf("\ngenerating the %s dataset:\n", name)
	if err := bench.Generate(ctx, owner, sc, hash, os.Stdout); err != nil {
		return nil, err
	}
	if *pause > 0 {
		fmt.Printf("database: %s (waiting %s)\n", pg.URL("bench"), *pause)
		select {
		case <-time.After(*pause):
		case <-ctx.Done():
		}
	}
	appURL := pg.URL("bench")
	if *poolSize > 0 {
		appURL += sep(appURL) + fmt.Sprintf("pool_max_conns=%d", *poolSize)
	}
	pool, err := store.OpenApp(ctx, appURL)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	st := store.New(pool, nil)
	st.SetKey(key)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	srv := server.New(server.Config{BaseURL: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LoginMaxPerAccount: 1000, LoginMaxPerAddress: 1000, MaxActive: *maxActive}, st)
	// The reference page beside the application's routes, in this build only.
	mux := http.NewServeMux()
	mux.Handle(bench.BaselinePath, bench.Baseline(pool))
	mux.Handle("/", srv)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	bench.CPU = cpuSampler(ctx, owner)
	personas, pages := bench.Targets(sc)
	clients, err := bench.Login(base, personas, conc)
	if err != nil {
		return nil, err
	}
	if *stats {
		if _, err := owner.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
			return nil, err
		}
	}
	// From here on the process serves and loads: its peak resident memory
	// is counted from this point, the generator's memory given back first.
	debug.FreeOSMemory()
	resetHWM()
	var out []bench.Result
	for _, p := range pages {
		if p != bench.BaselinePage && !strings.Contains(p.Name, *pageFilter) {
			continue
		}
		bench.Measuring = nil
		var adjacent float64
		if p != bench.BaselinePage {
			adjacent = bench.Load(ctx, base, clients[bench.BaselinePage.Persona], bench.BaselinePage, conc, baselineWarm, baselineAgain).RPS
		}
		if *stats {
			bench.Measuring = func() { owner.Exec(ctx, "SELECT pg_stat_statements_reset()") }
		}
		r := bench.Load(ctx, base, clients[p.Persona], p, conc, time.Second, dur)
		r.BaseRPS = adjacent
		out = append(out, r)
		if *stats {
			printStats(ctx, owner, p.Name)
		}
	}
	peak[name] = vmHWM()
	return out, nil
}

// resetHWM sets the process's peak resident size back to its current size
// (Linux: clear_refs 5), so that VmHWM then measures the load alone.
func resetHWM() {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		fmt.Fprintln(os.Stderr, "triadebench: cannot reset the peak resident size:", err)
	}
}

// printStats shows the statements that cost the database most during one page's
// load: total planning and execution time, per call.
func printStats(ctx context.Context, pool *pgxpool.Pool, page string) {
	rows, err := pool.Query(ctx, `SELECT calls, plans, round((total_plan_time + total_exec_time)::numeric / calls, 3),
		round(total_plan_time::numeric / calls, 3), left(regexp_replace(query, '\s+', ' ', 'g'), 400)
		FROM pg_stat_statements WHERE calls > 10 ORDER BY total_plan_time + total_exec_time DESC LIMIT 16`)
	if err != nil {
		fmt.Println("stats:", err)
		return
	}
	defer rows.Close()
	fmt.Printf("\n  %s — statements by database time (calls, plans, ms/call, of which planning, query)\n", page)
	for rows.Next() {
		var calls, plans int64
		var per, plan float64
		var q string
		rows.Scan(&calls, &plans, &per, &plan, &q)
		fmt.Printf("  %8d %8d %7.3f %7.3f  %s\n", calls, plans, per, plan, q)
	}
}

// cpuSampler reads the CPU time of this process and of the database server
// (the postmaster and its backends, from /proc; Linux only).
func cpuSampler(ctx context.Context, owner *pgxpool.Pool) func() (self, db time.Duration) {
	var dataDir string
	if err := owner.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dataDir); err != nil {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return nil
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return nil
	}
	const tick = 10 * time.Millisecond // USER_HZ = 100 on Linux
	return func() (self, db time.Duration) {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		dirs, _ := os.ReadDir("/proc")
		for _, d := range dirs {
			pid, err := strconv.Atoi(d.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
			if err != nil {
				continue
			}
			// Fields after the command (which may hold spaces): state ppid ... utime(14) stime(15).
			f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
			if len(f) < 13 {
				continue
			}
			ppid, _ := strconv.Atoi(f[1])
			if pid != pm && ppid != pm {
				continue
			}
			u, _ := strconv.Atoi(f[11])
			s, _ := strconv.Atoi(f[12])
			db += time.Duration(u+s) * tick
		}
		return self, db
	}
}
