package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"triade/internal/store"
)

// Page is one page loaded by the benchmark, as one persona.
type Page struct {
	Name, Path, Persona string
}

// Result is what one page measured.
type Result struct {
	Page
	Requests, Failures int
	RPS                float64
	P50, P99           time.Duration
	RoundTrips         float64 // database round trips per request
	// BaseRPS is the baseline's throughput measured just before this page
	// (0 for the baseline row itself): the machine's speed drifts over a
	// run by a third at moments (its neighbours), so each page is compared
	// with the baseline of its own minute.
	BaseRPS float64
	// CPU time per request, of this process (server and load generator) and
	// of the database's processes: less noisy than throughput on a shared
	// machine. Zero when CPU is not sampled.
	CPU, DBCPU time.Duration
}

// CPU, when set, reports the CPU time used so far by this process and by the
// database server's processes.
var CPU func() (self, db time.Duration)

// Measuring, when set, is called once a page's warm-up is over, before its
// measure (the bench resets pg_stat_statements there: each connection's
// first planning of a statement, 1–6 ms, belongs to the warm-up).
var Measuring func()

// Fixture is what a dataset's pages address: a workspace in the middle of
// it, an engagement in accompagnement there (coach 5, coachee 104, sponsor
// 15), one of its sessions, and a closed engagement (sponsor 17).
type Fixture struct {
	Workspace                     int
	Slug                          string // "/w/ws0500"
	Engagement, Closed, SessionID string
}

// Personas are the people the pages are loaded as: their number in the
// fixture's workspace (see Generate: 0 admin, 1–10 coaches, 11–20 sponsors,
// 100 and up coachees).
var Personas = map[string]int{"coach": 5, "coachee": 104, "sponsor": 15, "sponsor2": 17}

// BaselinePage is the reference row: one indexed query and a small template
// (see Baseline), served by the same server; every page's throughput is
// printed as a ratio to it.
var BaselinePage = Page{"baseline (1 query)", BaselinePath, "coach"}

// Pages are the rows of the benchmark, in order. A page of a new feature adds
// its row from its own file: func init() { Pages = append(Pages, ...) }.
var Pages = []func(Fixture) Page{
	func(Fixture) Page { return BaselinePage },
	func(Fixture) Page { return Page{"home (no page query)", "/", "coach"} },
	func(f Fixture) Page { return Page{"coach dashboard", f.Slug + "/", "coach"} },
	func(f Fixture) Page { return Page{"engagement page", f.Slug + "/e/" + f.Engagement, "coach"} },
	func(f Fixture) Page {
		return Page{"coachee's actions", f.Slug + "/e/" + f.Engagement + "/actions", "coachee"}
	},
	func(f Fixture) Page { return Page{"sponsor dashboard", f.Slug + "/", "sponsor"} },
	func(f Fixture) Page {
		return Page{"session page", f.Slug + "/e/" + f.Engagement + "/sessions/" + f.SessionID, "coach"}
	},
	func(f Fixture) Page { return Page{"final report", f.Slug + "/e/" + f.Closed + "/report/1", "sponsor2"} },
}

// Targets are the personas (login e-mails) and pages of a dataset.
func Targets(sc Scale) (personas map[string]string, pages []Page) {
	w := sc.Workspaces / 2
	e := w*engagementsPer + 4       // accompagnement
	closed := w*engagementsPer + 16 // clos
	off, _ := offsets(sc.Workspaces*engagementsPer, sessionsOf)
	f := Fixture{Workspace: w, Slug: fmt.Sprintf("/w/ws%04d", w), Engagement: uuidString(id(kEngagement, e)),
		Closed: uuidString(id(kEngagement, closed)), SessionID: uuidString(id(kSession, off[e]))}
	personas = map[string]string{}
	for name, n := range Personas {
		personas[name] = fmt.Sprintf("u%d@ws%04d.test", n, w)
	}
	for _, p := range Pages {
		pages = append(pages, p(f))
	}
	return withProgramme(personas, pages)
}

func uuidString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// Login signs each persona in and returns their clients (each with its own
// cookie jar, sharing one connection pool sized for the load).
func Login(base string, personas map[string]string, conc int) (map[string]*http.Client, error) {
	transport := &http.Transport{MaxIdleConns: conc * 2, MaxIdleConnsPerHost: conc * 2, IdleConnTimeout: time.Minute}
	out := map[string]*http.Client{}
	for name, email := range personas {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Transport: transport, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {Password}})
		if err != nil {
			return nil, err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("bench: login %s: status %d", email, res.StatusCode)
		}
		out[name] = c
	}
	return out, nil
}

// Load requests one page from conc workers for the duration (after a
// warm-up of warm), and measures throughput, latency percentiles and
// database round trips per request.
func Load(ctx context.Context, base string, client *http.Client, p Page, conc int, warm, dur time.Duration) Result {
	run := func(d time.Duration, record bool) ([]time.Duration, int) {
		var mu sync.Mutex
		var lat []time.Duration
		fails := 0
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		for i := 0; i < conc; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				bad := 0
				for time.Now().Before(deadline) && ctx.Err() == nil {
					t0 := time.Now()
					res, err := client.Get(base + p.Path)
					if err == nil {
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
					}
					if err != nil || res.StatusCode != http.StatusOK {
						bad++
						continue
					}
					mine = append(mine, time.Since(t0))
				}
				if record {
					mu.Lock()
					lat = append(lat, mine...)
					fails += bad
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return lat, fails
	}
	run(warm, false) // warm-up: statement caches, connections
	if Measuring != nil {
		Measuring()
	}
	rt0 := store.RoundTrips()
	var cpu0, db0 time.Duration
	if CPU != nil {
		cpu0, db0 = CPU()
	}
	t0 := time.Now()
	lat, fails := run(dur, true)
	elapsed := time.Since(t0)
	rts := store.RoundTrips() - rt0
	var cpu1, db1 time.Duration
	if CPU != nil {
		cpu1, db1 = CPU()
	}
	r := Result{Page: p, Requests: len(lat), Failures: fails}
	if len(lat) == 0 {
		return r
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.RPS = float64(len(lat)) / elapsed.Seconds()
	r.P50 = lat[len(lat)/2]
	r.P99 = lat[len(lat)*99/100]
	r.RoundTrips = float64(rts) / float64(len(lat)+fails)
	r.CPU = (cpu1 - cpu0) / time.Duration(len(lat)+fails)
	r.DBCPU = (db1 - db0) / time.Duration(len(lat)+fails)
	return r
}

// Print writes a results table; "× base" is a page's throughput as a
// fraction of the baseline's measured just before it ("base", req/s), or of
// the baseline row's when it was not.
func Print(w io.Writer, title string, rs []Result) {
	var row float64
	for _, r := range rs {
		if r.Page == BaselinePage {
			row = r.RPS
		}
	}
	fmt.Fprintf(w, "\n%s\n%-20s %9s %7s %7s %9s %9s %7s %7s %14s\n", title, "page", "req/s", "base", "× base", "p50", "p99", "rt/req", "errors", "cpu/req go+db")
	fmt.Fprintln(w, strings.Repeat("-", 97))
	for _, r := range rs {
		base := r.BaseRPS
		if base == 0 {
			base = row
		}
		ratio := "-"
		if base > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*r.RPS/base)
		}
		fmt.Fprintf(w, "%-20s %9.0f %7.0f %7s %9s %9s %7.2f %7d %6.2f+%.2fms\n", r.Name, r.RPS, base, ratio, ms(r.P50), ms(r.P99), r.RoundTrips, r.Failures,
			float64(r.CPU.Microseconds())/1000, float64(r.DBCPU.Microseconds())/1000)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
