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
}

// Targets are the personas (login e-mails) and pages of a dataset: a workspace
// in the middle of it, an engagement in accompagnement, a closed one.
func Targets(sc Scale) (personas map[string]string, pages []Page) {
	w := sc.Workspaces / 2
	e := w*engagementsPer + 4       // accompagnement; coach 5, coachee 104, sponsor 15
	closed := w*engagementsPer + 16 // clos; sponsor 17
	slug := fmt.Sprintf("/w/ws%04d", w)
	off, _ := offsets(sc.Workspaces*engagementsPer, sessionsOf)
	session := id(kSession, off[e])
	personas = map[string]string{
		"coach":    fmt.Sprintf("u5@ws%04d.test", w),
		"coachee":  fmt.Sprintf("u104@ws%04d.test", w),
		"sponsor":  fmt.Sprintf("u15@ws%04d.test", w),
		"sponsor2": fmt.Sprintf("u17@ws%04d.test", w),
	}
	eid, cid := uuidString(id(kEngagement, e)), uuidString(id(kEngagement, closed))
	pages = []Page{
		{"home (no page query)", "/", "coach"},
		{"coach dashboard", slug + "/", "coach"},
		{"engagement page", slug + "/e/" + eid, "coach"},
		{"coachee's actions", slug + "/e/" + eid + "/actions", "coachee"},
		{"sponsor dashboard", slug + "/", "sponsor"},
		{"session page", slug + "/e/" + eid + "/sessions/" + uuidString(session), "coach"},
		{"final report", slug + "/e/" + cid + "/report/1", "sponsor2"},
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

// Load requests one page from conc workers for the duration (after a short
// warm-up), and measures throughput, latency percentiles and database round
// trips per request.
func Load(ctx context.Context, base string, client *http.Client, p Page, conc int, dur time.Duration) Result {
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
	run(time.Second, false) // warm-up: statement caches, connections
	rt0 := store.RoundTrips()
	t0 := time.Now()
	lat, fails := run(dur, true)
	elapsed := time.Since(t0)
	rts := store.RoundTrips() - rt0
	r := Result{Page: p, Requests: len(lat), Failures: fails}
	if len(lat) == 0 {
		return r
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.RPS = float64(len(lat)) / elapsed.Seconds()
	r.P50 = lat[len(lat)/2]
	r.P99 = lat[len(lat)*99/100]
	r.RoundTrips = float64(rts) / float64(len(lat)+fails)
	return r
}

// Print writes a results table.
func Print(w io.Writer, title string, rs []Result) {
	fmt.Fprintf(w, "\n%s\n%-20s %9s %9s %9s %7s %7s\n", title, "page", "req/s", "p50", "p99", "rt/req", "errors")
	fmt.Fprintln(w, strings.Repeat("-", 66))
	for _, r := range rs {
		fmt.Fprintf(w, "%-20s %9.0f %9s %9s %7.2f %7d\n", r.Name, r.RPS, ms(r.P50), ms(r.P99), r.RoundTrips, r.Failures)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
