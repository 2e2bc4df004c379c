package server_test

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/server"
	"triade/internal/store"
	"triade/internal/testenv"
)

// Superuser look-ups for assertions.

func (a *app) sqlStr(q string, args ...any) string {
	a.t.Helper()
	var s string
	if err := a.env.Super.QueryRow(context.Background(), q, args...).Scan(&s); err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
	return s
}

func (a *app) sqlStrs(q string, args ...any) []string {
	a.t.Helper()
	rows, _ := a.env.Super.Query(context.Background(), q, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
	var kept []string
	for _, s := range out {
		if strings.TrimSpace(s) != "" {
			kept = append(kept, s)
		}
	}
	return kept
}

func (a *app) userID(email string) string {
	return a.sqlStr(`SELECT id::text FROM users WHERE email = $1`, email)
}

func (a *app) engagementID(title string) string {
	return a.sqlStr(`SELECT id::text FROM engagements WHERE title = $1`, title)
}

func (a *app) demoScope(email string) store.Scope {
	return store.Scope{TenantID: a.sqlStr(`SELECT id::text FROM workspaces WHERE slug = 'demo'`), UserID: a.userID(email)}
}

func (a *app) as(email string) *client {
	c := a.client()
	c.login(email)
	return c
}

// text is a page's body with its HTML entities decoded, so that titles with an
// apostrophe can be searched as written.
func text(r resp) string { return html.UnescapeString(r.body) }

func has(t *testing.T, who string, r resp, want ...string) {
	t.Helper()
	body := text(r)
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: page (status %d) lacks %q", who, r.status, w)
		}
	}
}

func hasNot(t *testing.T, who string, r resp, unwanted ...string) {
	t.Helper()
	body := text(r)
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s: page shows %q", who, w)
		}
	}
}

// section is the part of a page from a heading's text to the next <h2>.
func section(body, heading string) string {
	i := strings.Index(body, heading)
	if i < 0 {
		return ""
	}
	rest := body[i+len(heading):]
	if j := strings.Index(rest, "<h2"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

const (
	tLeadership     = "Leadership d'équipe — site de Lyon"
	tPriseDePoste   = "Prise de poste — direction des achats"
	tAccompagnement = "Conduite du changement — service client"
	tClos           = "Management transversal — projet ERP"
)

var liBlock = regexp.MustCompile(`(?s)<li class="([^"]*)">(.*?)</li>`)

func TestDashboards(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	demoTitles := a.sqlStrs(`SELECT title FROM engagements e JOIN workspaces w ON w.id = e.tenant_id WHERE w.slug = 'demo' ORDER BY title`)
	if len(demoTitles) < 5 {
		t.Fatalf("demo engagements: %v", demoTitles)
	}

	t.Run("coach", func(t *testing.T) {
		r := a.as("coach@demo.test").get("/w/demo/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		has(t, "coach", r, "Ce qui vous attend", "Cette semaine", "Mes accompagnements")
		has(t, "coach", r, demoTitles...)
		body := text(r)
		mine := section(body, "Mes accompagnements")
		rows := strings.Split(mine, "<tr>")
		badged := 0
		for _, row := range rows {
			if strings.Contains(row, "prêt à passer en accompagnement") {
				badged++
				if !strings.Contains(row, tLeadership) {
					t.Errorf("the gate-open badge is on another engagement: %s", row)
				}
			}
		}
		if badged != 1 {
			t.Errorf("%d engagements carry the gate-open badge, want 1 (%q)", badged, tLeadership)
		}
		hasNot(t, "coach", r, "Mes actions en cours")
	})

	t.Run("sponsor", func(t *testing.T) {
		r := a.as("sponsor@demo.test").get("/w/demo/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		sponsored := a.sqlStrs(`SELECT e.title FROM engagements e JOIN engagement_parties p ON p.tenant_id = e.tenant_id AND p.engagement_id = e.id
			WHERE p.user_id = $1 AND p.part = 'sponsor'`, a.userID("sponsor@demo.test"))
		has(t, "sponsor", r, "Mes accompagnements")
		has(t, "sponsor", r, sponsored...)
		unshared := a.sqlStrs(`SELECT title FROM actions WHERE shared_at IS NULL`)
		if len(unshared) == 0 {
			t.Fatal("no unshared action in the demo")
		}
		hasNot(t, "sponsor", r, unshared...)
		hasNot(t, "sponsor", r, a.sqlStrs(`SELECT analysis FROM session_contents`)...)
		hasNot(t, "sponsor", r, "Mes actions en cours")
	})

	t.Run("admin", func(t *testing.T) {
		r := a.as("admin@demo.test").get("/w/demo/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		body := text(r)
		labels := map[string]string{"admin": "Administrateur", "coach": "Coach", "coachee": "Personne coachée", "sponsor": "Représentant de l'entreprise"}
		rows, _ := a.env.Super.Query(ctx, `SELECT r, count(*)::text FROM memberships m JOIN workspaces w ON w.id = m.tenant_id, unnest(m.roles) r
			WHERE w.slug = 'demo' GROUP BY r`)
		counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
			var p [2]string
			return p, r.Scan(&p[0], &p[1])
		})
		if err != nil {
			t.Fatal(err)
		}
		members := section(body, "<h2>Membres")
		if members == "" {
			members = body
		}
		for _, c := range counts {
			want := regexp.MustCompile(`<strong>` + c[1] + `</strong>\s*` + regexp.QuoteMeta(labels[c[0]]) + `\s*</li>`)
			if !want.MatchString(members) {
				t.Errorf("admin dashboard lacks the member count %s %s", c[1], labels[c[0]])
			}
		}
		phases := map[string]string{"cadrage": "Cadrage", "accompagnement": "Accompagnement", "bouclage": "Bouclage", "clos": "Clos", "interrompu": "Interrompu"}
		rows, _ = a.env.Super.Query(ctx, `SELECT u.name, e.phase, count(*)::text FROM engagements e JOIN workspaces w ON w.id = e.tenant_id AND w.slug = 'demo'
			JOIN engagement_parties p ON p.tenant_id = e.tenant_id AND p.engagement_id = e.id AND p.part = 'coach'
			JOIN users u ON u.id = p.user_id GROUP BY u.name, e.phase`)
		byPhase, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([3]string, error) {
			var p [3]string
			return p, r.Scan(&p[0], &p[1], &p[2])
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(byPhase) < 4 {
			t.Fatalf("demo phases: %v", byPhase)
		}
		for _, c := range byPhase {
			want := regexp.MustCompile(`<td[^>]*>` + regexp.QuoteMeta(c[0]) + `</td>\s*<td[^>]*>` + phases[c[1]] + `</td>\s*<td[^>]*>` + c[2] + `</td>`)
			if !want.MatchString(body) {
				t.Errorf("admin dashboard lacks the row %s / %s / %s", c[0], phases[c[1]], c[2])
			}
		}
		has(t, "admin", r, "Invitations en attente", "nouveau.coach@demo.test")
		// Metadata only.
		hasNot(t, "admin", r, a.sqlStrs(`SELECT analysis FROM session_contents`)...)
		hasNot(t, "admin", r, a.sqlStrs(`SELECT title FROM actions`)...)
	})

	t.Run("coachee", func(t *testing.T) {
		// A new synthesis version waits for the coachee's validation.
		n, err := a.env.Store.PublishSynthesis(ctx, a.demoScope("coach@demo.test"), a.engagementID(tPriseDePoste))
		if err != nil {
			t.Fatal(err)
		}
		r := a.as("coachee@demo.test").get("/w/demo/")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		has(t, "coachee", r, "Ce qui vous attend", "Mes actions en cours", "Valider la version")
		body := text(r)
		waiting := section(body, "Ce qui vous attend")
		href := "/w/demo/e/" + a.engagementID(tPriseDePoste) + "/synthesis/" + itoa(n)
		if !strings.Contains(waiting, href) {
			t.Errorf("the waiting validation does not link to %s:\n%s", href, waiting)
		}

		type open struct{ title, overdue string }
		rows, _ := a.env.Super.Query(ctx, `SELECT a.title, (a.due_date < (now() AT TIME ZONE 'Europe/Paris')::date)::text
			FROM actions a JOIN engagement_parties p ON p.tenant_id = a.tenant_id AND p.engagement_id = a.engagement_id AND p.part = 'coachee'
			WHERE p.user_id = $1 AND a.status IN ('todo', 'in_progress')`, a.userID("coachee@demo.test"))
		want, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (open, error) {
			var o open
			var overdue *string
			err := r.Scan(&o.title, &overdue)
			if overdue != nil {
				o.overdue = *overdue
			}
			return o, err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(want, func(o open) bool { return o.overdue == "true" }) {
			t.Fatal("the demo coachee has no overdue action")
		}
		actions := section(body, "Mes actions en cours")
		items := liBlock.FindAllStringSubmatch(actions, -1)
		for _, o := range want {
			found := false
			for _, it := range items {
				if !strings.Contains(it[2], ">"+o.title+"<") {
					continue
				}
				found = true
				late := strings.Contains(it[2], "En retard") && strings.Contains(it[1], "overdue")
				if late != (o.overdue == "true") {
					t.Errorf("open action %q: marked late %v, overdue %s", o.title, late, o.overdue)
				}
			}
			if !found {
				t.Errorf("open action %q not on the coachee's dashboard", o.title)
			}
		}
		closed := a.sqlStrs(`SELECT title FROM actions WHERE status IN ('done', 'dropped')`)
		for _, c := range closed {
			if strings.Contains(actions, ">"+c+"<") {
				t.Errorf("closed action %q listed among the open ones", c)
			}
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// queryCounter counts the round trips the application's pool makes (a
// statement, or a pipelined batch) and the transactions it opens (a BEGIN sent
// alone, as pgx.Tx does, or inside a batch).
type queryCounter struct {
	mu                      sync.Mutex
	statements, batches, tx int
	log                     []string
}

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	sql := strings.ToLower(strings.TrimSpace(d.SQL))
	if strings.HasPrefix(sql, "set role") {
		return ctx // a new connection, not the request's work
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statements++
	if strings.HasPrefix(sql, "begin") {
		c.tx++
	}
	c.log = append(c.log, firstLine(sql))
	return ctx
}
func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches++
	c.log = append(c.log, "batch of "+itoa(d.Batch.Len()))
	return ctx
}
func (c *queryCounter) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(d.SQL)), "begin") {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.tx++ // a transaction pipelined in a batch
	}
}
func (c *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

type tally struct {
	roundTrips, tx int
	log            []string
}

func (c *queryCounter) measure(fn func()) tally {
	c.mu.Lock()
	s0, b0, t0, l0 := c.statements, c.batches, c.tx, len(c.log)
	c.mu.Unlock()
	fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	return tally{roundTrips: c.statements - s0 + c.batches - b0, tx: c.tx - t0, log: slices.Clone(c.log[l0:])}
}

// tracedApp serves the demo through a pool whose every statement is counted.
func tracedApp(t *testing.T) (*app, *queryCounter) {
	t.Helper()
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	counter := &queryCounter{}
	appURL, err := store.AppURL(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgxpool.ParseConfig(appURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := store.CheckRestricted(ctx, pool); err != nil {
		t.Fatal(err)
	}
	st := store.New(pool, env.River)
	st.SetKey(env.Key)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = server.New(server.Config{BaseURL: "http://" + srv.Listener.Addr().String(), Dev: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginMaxPerAccount: 5, LoginMaxPerAddress: 20}, st)
	srv.Start()
	t.Cleanup(srv.Close)
	return &app{t: t, env: env, srv: srv}, counter
}

func TestDashboardConstantQueries(t *testing.T) {
	a, counter := tracedApp(t)
	ctx := context.Background()
	coach := a.as("coach@demo.test")
	get := func() {
		if r := coach.get("/w/demo/"); r.status != http.StatusOK {
			t.Fatalf("dashboard: status %d", r.status)
		}
	}
	get() // warm the pool
	before := counter.measure(get)

	sc := a.demoScope("coach@demo.test")
	org := a.sqlStr(`SELECT id::text FROM client_orgs WHERE name = 'Industries Horizon'`)
	var titles []string
	for i := range 20 {
		title := "Accompagnement supplémentaire " + itoa(i+1)
		id, err := a.env.Store.CreateEngagement(ctx, sc, store.NewEngagement{Title: title, ClientOrgID: org, CoachID: sc.UserID,
			CoacheeID: a.userID("coachee@demo.test"), Sponsors: []store.SponsorChoice{{UserID: a.userID("sponsor@demo.test"), Kind: "hr"}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 { // some with a willingness confirmed, so that the rows differ
			if err := a.env.Store.ConfirmWillingness(ctx, sc, id, domain.PartCoach); err != nil {
				t.Fatal(err)
			}
		}
		titles = append(titles, title)
	}
	var page resp
	after := counter.measure(func() { page = coach.get("/w/demo/") })
	if page.status != http.StatusOK {
		t.Fatalf("dashboard after: status %d", page.status)
	}
	has(t, "coach", page, titles...)
	t.Logf("dashboard: %d round trips in %d transactions before, %d in %d after: %q", before.roundTrips, before.tx, after.roundTrips, after.tx, after.log)
	if after.tx != before.tx || after.roundTrips != before.roundTrips {
		t.Errorf("the dashboard's queries grow with the data: %d round trips / %d transactions with the demo, %d / %d with 20 more engagements\nbefore: %q\nafter:  %q",
			before.roundTrips, before.tx, after.roundTrips, after.tx, before.log, after.log)
	}
	if before.roundTrips == 0 {
		t.Error("no round trip counted: the tracer sees nothing")
	}
}

// parseICS unfolds a feed and checks the RFC 5545 structure: CRLF line ends,
// lines of at most 75 octets, a VCALENDAR around VEVENTs that each carry UID,
// DTSTAMP and DTSTART.
func parseICS(t *testing.T, feed string) []map[string]string {
	t.Helper()
	if !strings.HasSuffix(feed, "\r\n") {
		t.Fatal("feed does not end with CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(feed, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line longer than 75 octets: %q", l)
		}
		if strings.Contains(l, "\n") || strings.Contains(l, "\r") {
			t.Errorf("bare line break in %q", l)
		}
	}
	unfolded := strings.ReplaceAll(feed, "\r\n ", "")
	var events []map[string]string
	var cur map[string]string
	depth := 0
	sc := bufio.NewScanner(strings.NewReader(unfolded))
	for sc.Scan() {
		l := strings.TrimSuffix(sc.Text(), "\r")
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line without a colon: %q", l)
		}
		switch {
		case l == "BEGIN:VCALENDAR":
			depth++
		case l == "END:VCALENDAR":
			depth--
		case l == "BEGIN:VEVENT":
			if depth != 1 {
				t.Error("VEVENT outside the VCALENDAR")
			}
			cur = map[string]string{}
		case l == "END:VEVENT":
			for _, req := range []string{"UID", "DTSTAMP", "DTSTART"} {
				if cur[req] == "" {
					t.Errorf("event lacks %s", req)
				}
			}
			events = append(events, cur)
			cur = nil
		case cur != nil:
			cur[name] = value
		}
	}
	if depth != 0 || !strings.HasPrefix(feed, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") || !strings.HasSuffix(feed, "END:VCALENDAR\r\n") {
		t.Fatal("not a well-formed VCALENDAR")
	}
	return events
}

var feedURL = regexp.MustCompile(`<input[^>]*id="feed-url"[^>]*value="([^"]*)"`)

// newFeed creates (or renews) the person's feed link and reads it from the page.
func newFeed(t *testing.T, c *client) string {
	t.Helper()
	r := c.post("/w/demo/calendar")
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST /w/demo/calendar: status %d", r.status)
	}
	page := c.get("/w/demo/calendar")
	m := feedURL.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no input#feed-url on the calendar page:\n%s", page.body)
	}
	u := html.UnescapeString(m[1])
	if !strings.HasPrefix(u, "http") || !strings.Contains(u, "/w/demo/calendar/") {
		t.Fatalf("feed URL %q is not an absolute link to a feed", u)
	}
	// Shown once only.
	if again := c.get("/w/demo/calendar"); strings.Contains(again.body, m[1]) {
		t.Error("the feed URL is shown again on a later visit")
	}
	return u
}

// fetch reads a URL without any cookie, as a calendar application would.
func fetch(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestCalendarFeed(t *testing.T) {
	a := newApp(t, true)
	coach := a.as("coach@demo.test")
	u := newFeed(t, coach)
	status, header, body := fetch(t, u)
	if status != http.StatusOK {
		t.Fatalf("coach's feed: status %d", status)
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("Content-Type %q", ct)
	}
	events := parseICS(t, body)
	var sid, at string
	if err := a.env.Super.QueryRow(context.Background(), `SELECT s.id::text, to_char(s.scheduled_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"')
		FROM coaching_sessions s JOIN engagements e ON e.id = s.engagement_id WHERE e.title = $1 AND s.status = 'planned'`, tAccompagnement).Scan(&sid, &at); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		if e["UID"] == "session-"+sid+"@triade" {
			found = true
			if e["DTSTART"] != at {
				t.Errorf("planned session starts %s in the feed, %s in the database", e["DTSTART"], at)
			}
			if !strings.Contains(e["SUMMARY"], "Séance") || !strings.Contains(e["SUMMARY"], "Conduite du changement") {
				t.Errorf("planned session summary %q", e["SUMMARY"])
			}
		}
	}
	if !found {
		t.Errorf("the coach's feed lacks the planned session %s; events: %v", sid, events)
	}

	// The sponsor's feed: only the three-way meetings they attend.
	sponsor := a.as("sponsor@demo.test")
	su := newFeed(t, sponsor)
	status, _, body = fetch(t, su)
	if status != http.StatusOK {
		t.Fatalf("sponsor's feed: status %d", status)
	}
	sevents := parseICS(t, body)
	if len(sevents) == 0 {
		t.Fatal("the sponsor's feed is empty, though they attend three-way meetings")
	}
	attended := a.sqlStrs(`SELECT meeting_id::text FROM meeting_attendees WHERE user_id = $1`, a.userID("sponsor@demo.test"))
	for _, e := range sevents {
		kind, id, _ := strings.Cut(strings.TrimSuffix(e["UID"], "@triade"), "-")
		if kind == "session" || kind == "first" || strings.HasPrefix(e["SUMMARY"], "Séance") {
			t.Errorf("the sponsor's feed shows %q (%s)", e["SUMMARY"], e["UID"])
			continue
		}
		if !slices.Contains(attended, id) {
			t.Errorf("the sponsor's feed shows a meeting they do not attend: %v", e)
		}
	}

	// Renewing the link kills the old one; revoking kills the new one.
	u2 := newFeed(t, coach)
	if u2 == u {
		t.Fatal("renewing gave the same link")
	}
	if status, _, _ := fetch(t, u); status != http.StatusNotFound {
		t.Errorf("old link after renewal: status %d, want 404", status)
	}
	if status, _, _ := fetch(t, u2); status != http.StatusOK {
		t.Errorf("renewed link: status %d", status)
	}
	if r := coach.post("/w/demo/calendar/revoke"); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", r.status)
	}
	if status, _, _ := fetch(t, u2); status != http.StatusNotFound {
		t.Errorf("revoked link: status %d, want 404", status)
	}
	if status, _, _ := fetch(t, a.srv.URL+"/w/demo/calendar/not-a-token.ics"); status != http.StatusNotFound {
		t.Errorf("wrong token: status %d, want 404", status)
	}
	// A live token opens nothing in another workspace.
	if status, _, _ := fetch(t, strings.Replace(su, "/w/demo/", "/w/autre/", 1)); status != http.StatusNotFound {
		t.Errorf("sponsor's token under another workspace: status %d, want 404", status)
	}

	// One meeting as an .ics download, from the session page.
	eng := a.engagementID(tAccompagnement)
	page := coach.get("/w/demo/e/" + eng + "/sessions/" + sid)
	icsPath := "/w/demo/e/" + eng + "/ics/session/" + sid + ".ics"
	if page.status != http.StatusOK || !strings.Contains(page.body, icsPath) {
		t.Fatalf("session page (status %d) lacks the .ics link %s", page.status, icsPath)
	}
	r := coach.get(icsPath)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf(".ics for the coach: status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	one := parseICS(t, r.body)
	if len(one) != 1 || one[0]["UID"] != "session-"+sid+"@triade" || one[0]["DTSTART"] != at {
		t.Errorf(".ics download: %v", one)
	}
	if r := sponsor.get(icsPath); r.status != http.StatusNotFound {
		t.Errorf(".ics of a session for the sponsor: status %d, want 404", r.status)
	}
	// A three-way meeting the sponsor attends downloads for them too.
	lead := a.engagementID(tLeadership)
	mid := a.sqlStr(`SELECT id::text FROM meetings WHERE engagement_id = $1 AND kind = 'intermediate'`, lead)
	r = sponsor.get("/w/demo/e/" + lead + "/ics/intermediate/" + mid + ".ics")
	if r.status != http.StatusOK {
		t.Fatalf(".ics of an intermediate meeting for the sponsor: status %d", r.status)
	}
	if one := parseICS(t, r.body); len(one) != 1 || one[0]["UID"] != "intermediate-"+mid+"@triade" {
		t.Errorf("sponsor's .ics download: %v", one)
	}
	if r := sponsor.get("/w/demo/e/" + lead + "/ics/first/" + lead + ".ics"); r.status != http.StatusNotFound {
		t.Errorf(".ics of the first meeting for the sponsor: status %d, want 404", r.status)
	}
}

// TestExportDownload: the account page's export is a ZIP of JSON files, as
// the person may see them.
func TestExportDownload(t *testing.T) {
	a := newApp(t, true)
	r := a.as("sponsor@demo.test").get("/account/export")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(strings.NewReader(r.body), int64(len(r.body)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s is not JSON: %v", f.Name, err)
		}
		all.Write(b)
	}
	for _, n := range []string{"profile.json", "demo/engagements.json", "demo/memberships.json"} {
		if !names[n] {
			t.Errorf("the export lacks %s (has %v)", n, names)
		}
	}
	if !strings.Contains(all.String(), "sponsor@demo.test") {
		t.Error("the export lacks the person's e-mail")
	}
	for _, s := range a.sqlStrs(`SELECT analysis FROM session_contents UNION ALL SELECT body FROM private_notes`) {
		if strings.Contains(all.String(), s) {
			t.Errorf("the sponsor's export reveals %q", s)
		}
	}
	if r := a.client().get("/account/export"); r.status == http.StatusOK {
		t.Error("export served without signing in")
	}
}

var activityRow = regexp.MustCompile(`(?s)<tr>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>`)

func TestActivityLog(t *testing.T) {
	a := newApp(t, true)
	admin := a.as("admin@demo.test")
	r := admin.get("/w/demo/activity")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	rows := activityRow.FindAllStringSubmatch(text(r), -1)
	if len(rows) < 10 {
		t.Fatalf("the activity log shows %d events", len(rows))
	}
	has(t, "admin", r, "Journal d'activité", "Coach Démo")

	// Nothing that was said.
	secrets := map[string][]string{
		"session content": a.sqlStrs(`SELECT x FROM session_contents, unnest(ARRAY[analysis, scenarios, decision]) x`),
		"situations":      a.sqlStrs(`SELECT title FROM session_situations`),
		"diagnosis":       a.sqlStrs(`SELECT x FROM diagnoses, unnest(ARRAY[stakes, draft_objectives]) x`),
		"journal":         a.sqlStrs(`SELECT x FROM journal_entries, unnest(ARRAY[did, happened, learnt]) x`),
		"private notes":   a.sqlStrs(`SELECT body FROM private_notes`),
		"actions":         a.sqlStrs(`SELECT title FROM actions`),
		"comments":        a.sqlStrs(`SELECT body FROM action_comments`),
	}
	for what, ts := range secrets {
		if len(ts) == 0 {
			t.Fatalf("no %s in the demo", what)
		}
	}
	for page, next := r, true; next; {
		for what, ts := range secrets {
			for _, s := range ts {
				if strings.Contains(text(page), s) {
					t.Errorf("the activity log shows %s: %q", what, s)
				}
			}
		}
		m := regexp.MustCompile(`href="(/w/demo/activity\?[^"]*before=[^"]*)"`).FindStringSubmatch(page.body)
		if next = m != nil; next {
			page = admin.get(html.UnescapeString(m[1]))
			if page.status != http.StatusOK {
				t.Fatalf("older events: status %d", page.status)
			}
		}
	}

	// Filtered: phase moves only.
	f := admin.get("/w/demo/activity?kind=phase")
	if f.status != http.StatusOK {
		t.Fatalf("filtered: status %d", f.status)
	}
	phaseRows := activityRow.FindAllStringSubmatch(text(f), -1)
	moves := len(a.sqlStrs(`SELECT e.id::text FROM events e JOIN workspaces w ON w.id = e.tenant_id WHERE w.slug = 'demo' AND e.kind = 'phase.moved'`))
	if moves == 0 || len(phaseRows) != min(moves, 50) {
		t.Errorf("filter kind=phase shows %d rows; the demo has %d phase moves", len(phaseRows), moves)
	}
	for _, row := range phaseRows {
		if !strings.Contains(row[3], "Passage de la phase") {
			t.Errorf("filter kind=phase shows %q", row[3])
		}
	}

	if r := a.as("coach@demo.test").get("/w/demo/activity"); r.status != http.StatusNotFound {
		t.Errorf("coach GET /w/demo/activity: status %d, want 404", r.status)
	}
}

var checkedBox = regexp.MustCompile(`<input[^>]*name="remind"[^>]*value="([a-z_]+)"[^>]*checked`)

func TestAccountReminderSettings(t *testing.T) {
	a := newApp(t, true)
	coachee := a.as("coachee@demo.test")
	page := coachee.get("/account")
	if got := checkedBox.FindAllStringSubmatch(page.body, -1); len(got) != len(domain.ReminderKinds) {
		t.Errorf("a new person should receive every reminder: %d boxes checked", len(got))
	}
	r := coachee.post("/account/reminders", "remind", domain.RemindMeeting)
	if r.status != http.StatusSeeOther {
		t.Fatalf("POST /account/reminders: status %d", r.status)
	}
	off := a.sqlStrs(`SELECT unnest(reminders_off) FROM users WHERE email = 'coachee@demo.test' ORDER BY 1`)
	var want []string
	for _, k := range domain.ReminderKinds {
		if k != domain.RemindMeeting {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	if !slices.Equal(off, want) {
		t.Errorf("reminders_off = %v, want %v", off, want)
	}
	got := checkedBox.FindAllStringSubmatch(coachee.get("/account").body, -1)
	if len(got) != 1 || got[0][1] != domain.RemindMeeting {
		t.Errorf("after saving, the checked boxes are %v", got)
	}
	// Another person's settings are untouched.
	if off := a.sqlStrs(`SELECT unnest(reminders_off) FROM users WHERE email = 'coach@demo.test'`); len(off) != 0 {
		t.Errorf("the coach's reminders_off changed: %v", off)
	}
}

var digestBox = regexp.MustCompile(`<input[^>]*name="digest"[^>]*>`)

// TestAccountDigestSetting: the weekly digest is off until the person asks for
// it on the account page; unchecking it turns it off again.
func TestAccountDigestSetting(t *testing.T) {
	a := newApp(t, true)
	coachee := a.as("coachee@demo.test")
	box := digestBox.FindString(coachee.get("/account").body)
	if box == "" || strings.Contains(box, "checked") {
		t.Fatalf("a new person's digest box: %q, want one, unchecked", box)
	}
	digest := func() string {
		return a.sqlStr(`SELECT weekly_digest::text FROM users WHERE email = 'coachee@demo.test'`)
	}
	if r := coachee.post("/account/reminders", "remind", domain.RemindLate, "digest", "on"); r.status != http.StatusSeeOther || digest() != "true" {
		t.Fatalf("asking for the digest: status %d, weekly_digest %s", r.status, digest())
	}
	if box := digestBox.FindString(coachee.get("/account").body); !strings.Contains(box, "checked") {
		t.Errorf("after asking, the box is %q", box)
	}
	if r := coachee.post("/account/reminders", "remind", domain.RemindLate); r.status != http.StatusSeeOther || digest() != "false" {
		t.Errorf("unchecking the digest: status %d, weekly_digest %s", r.status, digest())
	}
}

// TestUnsubscribeLink: the link of a reminder e-mail turns every reminder off,
// without signing in.
func TestUnsubscribeLink(t *testing.T) {
	a := newApp(t, true)
	token := a.env.Store.UnsubscribeToken(a.sqlStr(`SELECT id::text FROM users WHERE email = 'coachee@demo.test'`))
	anon := a.client()
	if r := anon.get("/unsubscribe/" + token); r.status != http.StatusOK || !strings.Contains(r.body, `method="post"`) {
		t.Fatalf("GET unsubscribe: status %d", r.status)
	}
	// Nothing changes on a GET (mail scanners follow links).
	if off := a.sqlStrs(`SELECT unnest(reminders_off) FROM users WHERE email = 'coachee@demo.test'`); len(off) != 0 {
		t.Errorf("GET changed reminders_off: %v", off)
	}
	r := anon.post("/unsubscribe/" + token)
	if r.status != http.StatusOK {
		t.Fatalf("POST unsubscribe: status %d", r.status)
	}
	has(t, "unsubscribe", r, "Vous ne recevrez plus de rappels")
	if off := a.sqlStrs(`SELECT unnest(reminders_off) FROM users WHERE email = 'coachee@demo.test'`); !slices.Equal(off, []string{"all"}) {
		t.Errorf("reminders_off = %v, want [all]", off)
	}
	if r := anon.post("/unsubscribe/00000000-0000-0000-0000-000000000000"); r.status != http.StatusNotFound {
		t.Errorf("unknown token: status %d, want 404", r.status)
	}
	if r := anon.post("/unsubscribe/not-a-uuid"); r.status != http.StatusNotFound {
		t.Errorf("malformed token: status %d, want 404", r.status)
	}
	// The account page shows every box unchecked.
	if got := checkedBox.FindAllStringSubmatch(a.as("coachee@demo.test").get("/account").body, -1); len(got) != 0 {
		t.Errorf("after unsubscribing, boxes still checked: %v", got)
	}
}
