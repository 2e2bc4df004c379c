package server_test

// Fuzz targets for the form decoders, driven through the real handlers against
// a real database. Each target makes its database, server and signed-in
// browsers once, in the outer function; every input is posted to the route as
// a person allowed to use it. Whatever the input:
//
//   - the answer is never a 5xx;
//   - a refused form (422) comes back with a message beside a field and with
//     what the person typed (each valid UTF-8 value, HTML-escaped);
//   - a refusal stores nothing, and a 303 stored exactly the cleaned input.
//
// Without -fuzz, `go test` runs the seed corpus (the f.Add cases) as ordinary
// tests; `make fuzz` runs each target for a bounded time.

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/server"
	"triade/internal/store"
	"triade/internal/testenv"
)

// fzLog keeps the server's error log of the current input, to explain a 5xx.
type fzLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *fzLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 1<<16 {
		l.buf.Reset()
	}
	return l.buf.Write(p)
}

func (l *fzLog) reset() { l.mu.Lock(); l.buf.Reset(); l.mu.Unlock() }

func (l *fzLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.buf.String()
	if len(s) > 3000 {
		s = s[len(s)-3000:]
	}
	return s
}

// fzApp is what a fuzz target shares between its inputs: the seeded demo
// database, the server, a signed-in cookie jar per persona and the ids of the
// demo's objects.
type fzApp struct {
	env  *testenv.Env
	srv  *httptest.Server
	log  *fzLog
	ctx  context.Context
	jars map[string]http.CookieJar
	ids  map[string]string
}

var fzPersonas = map[string]string{
	"admin": "admin@demo.test", "coach": "coach@demo.test", "coachee": "coachee@demo.test",
	"sponsor": "sponsor@demo.test", "other": "coach@autre.test",
}

// fzNew builds a fuzz target's world. Login limits are lifted: every input
// comes from the same address, and the fuzzer must reach the handlers, not the
// limiter.
func fzNew(f testing.TB) *fzApp {
	f.Helper()
	ctx := context.Background()
	env := testenv.New(f)
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		f.Fatal(err)
	}
	z := &fzApp{env: env, log: &fzLog{}, ctx: ctx, jars: map[string]http.CookieJar{}, ids: map[string]string{}}
	z.srv = httptest.NewUnstartedServer(nil)
	z.srv.Config.Handler = server.New(server.Config{BaseURL: "http://" + z.srv.Listener.Addr().String(), Dev: true,
		Logger:             slog.New(slog.NewTextHandler(z.log, &slog.HandlerOptions{Level: slog.LevelWarn})),
		LoginMaxPerAccount: 1 << 30, LoginMaxPerAddress: 1 << 30}, env.Store)
	z.srv.Start()
	f.Cleanup(z.srv.Close)

	ids := z.ids
	ids["t0"] = z.q(f, `SELECT now()::text`)
	ids["tenant"] = z.q(f, `SELECT id FROM workspaces WHERE slug = 'demo'`)
	ids["autre"] = z.q(f, `SELECT id FROM workspaces WHERE slug = 'autre'`)
	ids["org"] = z.q(f, `SELECT id FROM client_orgs WHERE tenant_id = $1 AND name = 'Industries Horizon'`, ids["tenant"])
	for p, email := range fzPersonas {
		ids["u:"+p] = z.q(f, `SELECT id FROM users WHERE email = $1`, email)
	}
	// A client organisation of the other workspace: a foreign id for the forms.
	// (Written directly: the other workspace has no admin to create it.)
	ids["foreignOrg"] = z.q(f, `INSERT INTO client_orgs (tenant_id, name) VALUES ($1, 'Organisation d''ailleurs') RETURNING id`, ids["autre"])
	ids["fresh"] = z.q(f, `SELECT id FROM engagements WHERE title = 'Prise de poste — direction des achats'`)
	ids["ready"] = z.q(f, `SELECT id FROM engagements WHERE title = 'Leadership d''équipe — site de Lyon'`)
	ids["acc"] = z.q(f, `SELECT id FROM engagements WHERE title = 'Conduite du changement — service client'`)
	ids["bou"] = z.q(f, `SELECT id FROM engagements WHERE title = 'Prise de fonction — responsable qualité'`)
	coach := store.Scope{TenantID: ids["tenant"], UserID: ids["u:coach"]}
	var err error
	if ids["objA"], err = env.Store.AddObjective(ctx, coach, ids["fresh"], store.Objective{Title: "Objectif A"}); err != nil {
		f.Fatal(err)
	}
	ids["objReady"] = z.q(f, `SELECT id FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, ids["ready"])
	ids["sid"] = z.q(f, `SELECT id FROM coaching_sessions WHERE engagement_id = $1 AND status = 'planned' ORDER BY number LIMIT 1`, ids["acc"])
	ids["heldSid"] = z.q(f, `SELECT id FROM coaching_sessions WHERE engagement_id = $1 AND status = 'held' ORDER BY number DESC LIMIT 1`, ids["acc"])
	ids["bouSid"] = z.q(f, `SELECT id FROM coaching_sessions WHERE engagement_id = $1 ORDER BY number LIMIT 1`, ids["bou"])
	ids["aid"] = z.q(f, `SELECT id FROM actions WHERE engagement_id = $1 ORDER BY created_at LIMIT 1`, ids["acc"])
	// An action of another engagement (the seed may have none: then a missing id).
	ids["bouAid"] = z.q(f, `SELECT coalesce((SELECT id::text FROM actions WHERE engagement_id <> $1 ORDER BY created_at LIMIT 1),
		'00000000-0000-4000-8000-000000000001')`, ids["acc"])
	ids["indBou"] = z.q(f, `SELECT i.id FROM indicators i JOIN objectives o ON o.id = i.objective_id
		WHERE i.engagement_id = $1 ORDER BY o.position, i.position LIMIT 1`, ids["bou"])
	ids["indAcc"] = z.q(f, `SELECT id FROM indicators WHERE engagement_id = $1 LIMIT 1`, ids["acc"])
	ids["lib"] = z.q(f, `SELECT id FROM library_items WHERE tenant_id = $1 ORDER BY title LIMIT 1`, ids["tenant"])
	ids["missing"] = "00000000-0000-4000-8000-000000000000"

	for p, email := range fzPersonas {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := hc.PostForm(z.srv.URL+"/login", url.Values{"email": {email}, "password": {demo.Password}})
		if err != nil {
			f.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			f.Fatalf("login %s: %d", email, res.StatusCode)
		}
		z.jars[p] = jar
	}
	return z
}

// q runs a one-value query as the superuser and returns it as text ("" for NULL).
func (z *fzApp) q(tb testing.TB, sql string, args ...any) string {
	tb.Helper()
	var v any
	if err := z.env.Super.QueryRow(z.ctx, z.fill(sql), args...).Scan(&v); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	switch x := v.(type) {
	case nil:
		return ""
	case [16]byte: // uuid
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	}
	return fmt.Sprint(v)
}

// exec runs a statement as the superuser (clean-up between inputs).
func (z *fzApp) exec(tb testing.TB, sql string, args ...any) {
	tb.Helper()
	if _, err := z.env.Super.Exec(z.ctx, z.fill(sql), args...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// fill replaces {name} by the id of that name (ids are uuids or timestamps,
// never typed by the fuzzer).
func (z *fzApp) fill(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	for k, v := range z.ids {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// pick turns a fuzzed id into an id: "{name}" names one of the demo's objects
// (the right one, one of another engagement or workspace, a missing one);
// anything else is sent as typed.
func (z *fzApp) pick(s string) string {
	if len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' {
		if v, ok := z.ids[s[1:len(s)-1]]; ok {
			return v
		}
	}
	return s
}

// as is the browser of a signed-in persona for one input; "anon" is a new,
// anonymous browser.
func (z *fzApp) as(t *testing.T, who string) *client {
	z.log.reset()
	a := &app{t: t, env: z.env, srv: z.srv}
	jar := z.jars[who]
	if who == "anon" {
		jar, _ = cookiejar.New(nil)
	}
	return &client{a: a, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// snapshot is the content of the rows of a table that match where, as one
// string: equal snapshots, nothing written.
func (z *fzApp) snapshot(tb testing.TB, table, where string) string {
	tb.Helper()
	return z.q(tb, fmt.Sprintf(`SELECT count(*)::text || ' ' || md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM %s x WHERE %s`, table, where))
}

// answer checks what every fuzzed form must get: never a 5xx, one of the
// statuses the route may answer, and for a 422 a message beside a field and
// the person's input kept.
func (z *fzApp) answer(t *testing.T, r resp, form []string, keep []string, allowed ...int) {
	t.Helper()
	if r.status >= 500 {
		t.Fatalf("status %d for %s\nserver log: %s", r.status, fzForm(form), z.log)
	}
	if !slices.Contains(allowed, r.status) {
		t.Fatalf("status %d (want one of %v) for %s\npage: %s", r.status, allowed, fzForm(form), fzExcerpt(r.body))
	}
	if r.status == http.StatusUnprocessableEntity {
		if !strings.Contains(r.body, `class="error"`) {
			t.Errorf("422 without a message beside a field for %s\npage: %s", fzForm(form), fzExcerpt(r.body))
		}
		fzKept(t, r, form, keep...)
	}
}

// fzKept checks that the page shows, HTML-escaped, each named field's value
// that is valid UTF-8.
func fzKept(t *testing.T, r resp, form []string, keep ...string) {
	t.Helper()
	for i := 0; i+1 < len(form); i += 2 {
		name, v := form[i], form[i+1]
		if !slices.Contains(keep, name) || !utf8.ValidString(v) {
			continue
		}
		if !strings.Contains(r.body, html.EscapeString(v)) {
			t.Errorf("status %d: field %s lost the input %.80q", r.status, name, v)
		}
	}
}

func fzForm(form []string) string {
	var b strings.Builder
	for i := 0; i+1 < len(form); i += 2 {
		fmt.Fprintf(&b, "%s=%.60q ", form[i], form[i+1])
	}
	return b.String()
}

func fzExcerpt(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 1500 {
		body = body[:1500]
	}
	return body
}

// clean is what the handlers store for a text field.
func fzClean(s string) string {
	out, _ := domain.CleanText(s, 1<<30)
	return out
}

// Seed values shared by the targets.
var (
	fzLong     = strings.Repeat("x", 100000)
	fzLongRune = strings.Repeat("é", 10001)
	fzTexts    = []string{
		"", " ", "Réunion d'équipe\r\nsuite", "\xff\xfe", "ok\xffok", "a\x00b", "\x00", "שלום \u202e‮ 👩🏽‍💻 🎉",
		"<script>alert(1)</script>", `"><img src=x onerror=alert(1)>`, "'; DROP TABLE users; --", "%00%27", fzLong, fzLongRune,
	}
	fzDays      = []string{"", "2026-03-02", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1999-12-31", "2101-01-01", "02/03/2026", "2026-03-02T10:00", "\xff"}
	fzMoments   = []string{"", "2026-03-02T10:00", "2025-11-20T14:30", "0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "2026-13-01T25:61", "2026-03-29T02:30", "2026-03-02", "2026-03-02T10:00:00Z", "\xff"}
	fzNumbers   = []string{"", "1", "0", "-1", "90", "99999999999999999999", "2147483648", "1e3", "0x10", "+8", " 8", "８", "\xff"}
	fzVersions  = []string{"", "0", "-1", "1", "2147483648", "9223372036854775807", "99999999999999999999", "abc", "\xff"}
	fzForeignID = []string{"{missing}", "not-a-uuid", "'; DROP TABLE engagements; --", "\xff", "", "00000000-0000-0000-0000-00000000000g"}
)

// FuzzLogin: the login and forgotten-password forms. A wrong login is a 401
// with the message and the address kept; only a demo account with its password
// gets in, and the redirect stays on the site.
func FuzzLogin(f *testing.F) {
	z := fzNew(f)
	f.Add("coach@demo.test", demo.Password, "")
	f.Add(" COACH@demo.test ", demo.Password, "/w/demo/engagements")
	f.Add("coach@demo.test", demo.Password, "//evil.example/")
	f.Add("coach@demo.test", demo.Password, "/\\evil.example/")
	f.Add("coach@demo.test", demo.Password, "https://evil.example/")
	f.Add("coach@demo.test", demo.Password, "/\t/evil.example")          // a browser drops the tab: "//evil.example"
	f.Add("coach@demo.test", demo.Password, "/w/dem\x00\x01engagements") // found by the fuzzer: the answer was not valid HTTP
	f.Add("coach@demo.test", "wrong password", "")
	for _, s := range fzTexts {
		f.Add(s, s, s)
	}
	f.Add("a\x00@demo.test", "x", "")
	f.Add("coach@demo.test\xff", demo.Password, "")
	f.Add(strings.Repeat("a", 300)+"@demo.test", "", "")
	f.Fuzz(func(t *testing.T, email, pw, next string) {
		c := z.as(t, "anon")
		form := []string{"email", email, "password", pw, "next", next}
		r, err := fzPost(c, "/login", form...)
		if err != nil {
			t.Fatalf("POST /login with next=%q: the redirect is not a clean local path (a browser drops tabs, a control character breaks the answer): %v", next, err)
		}
		z.answer(t, r, form, nil, http.StatusSeeOther, http.StatusUnauthorized)
		switch r.status {
		case http.StatusUnauthorized:
			contains(t, r, `class="form-error"`)
			fzKept(t, r, form, "email")
		case http.StatusSeeOther:
			if _, ok := fzPersonaOf(domain.NormalizeEmail(email)); !ok || pw != demo.Password {
				t.Fatalf("signed in with %q / %q", email, pw)
			}
			// What a browser makes of the address: tabs and line breaks dropped.
			loc := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(r.location)
			if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
				t.Fatalf("login redirects off the site: %q", r.location)
			}
			if strings.IndexFunc(r.location, func(c rune) bool { return c < 0x20 || c == 0x7f }) >= 0 {
				t.Fatalf("control character in the login redirect %q", r.location)
			}
		}
		form = []string{"email", email}
		r = c.post("/password/forgot", form...)
		z.answer(t, r, form, []string{"email"}, http.StatusOK, http.StatusUnprocessableEntity)
	})
}

// fzPost is client.post that reports an answer that is not valid HTTP instead
// of failing on it.
func fzPost(c *client, path string, kv ...string) (resp, error) {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	req, _ := http.NewRequest(http.MethodPost, c.a.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}, err
}

func fzPersonaOf(email string) (string, bool) {
	for p, e := range fzPersonas {
		if e == email {
			return p, true
		}
	}
	return "", false
}

// FuzzSignup: the sign-up form (a new workspace and its admin).
func FuzzSignup(f *testing.F) {
	z := fzNew(f)
	f.Add("Cabinet Fuzz", "", "Alice Fuzz", "alice@fuzz.test", "un mot de passe long")
	f.Add("Cabinet Démo 2", "cabinet-demo-2", "Bob", "BOB@fuzz.test", "un mot de passe long")
	f.Add("Doublon", "demo", "Carole", "carole@fuzz.test", "un mot de passe long")     // slug taken
	f.Add("Compte existant", "", "Coach", "coach@demo.test", "un mot de passe long")   // e-mail taken
	f.Add("Réservé", "admin", "Dan", "dan@fuzz.test", "un mot de passe long")          // reserved slug
	f.Add("Court", "court", "Eve", "eve@fuzz.test", "court")                           // short password
	f.Add("Émojis 🎉", "", "Fay", "fay@fuzz.test", strings.Repeat("p", 129))            // long password
	f.Add("---", "", "Gus", "gus@fuzz.test", "un mot de passe long")                   // nothing to slugify
	f.Add(strings.Repeat("W", 121), "w", strings.Repeat("N", 201), "n@fuzz.test", "x") // too long
	for _, s := range fzTexts {
		f.Add(s, s, s, s, s)
	}
	f.Add("Cabinet", "cabinet\x00", "Nul", "nul@fuzz.test", "un mot de passe long")
	f.Add("Cabinet NUL\x00", "", "Nul", "nul2@fuzz.test", "un mot de passe long")
	f.Add("Cabinet", "", "Nom\x00", "nul3@fuzz.test", "un mot de passe long")
	f.Fuzz(func(t *testing.T, workspace, slug, name, email, pw string) {
		c := z.as(t, "anon")
		before := z.snapshot(t, "workspaces", "true")
		form := []string{"workspace", workspace, "slug", slug, "name", name, "email", email, "password", pw, "practice", "solo"}
		r := c.post("/signup", form...)
		keep := []string{"workspace", "name", "email"}
		if strings.TrimSpace(slug) != "" {
			keep = append(keep, "slug")
		}
		z.answer(t, r, form, keep, http.StatusOK, http.StatusUnprocessableEntity)
		if after := z.snapshot(t, "workspaces", "true"); after != before {
			t.Fatalf("a sign-up (%d) created a workspace before its address was confirmed", r.status)
		}
		if r.status != http.StatusOK {
			return
		}
		// Accepted: the address receives a confirmation link (or, when it has
		// an account, word of the attempt); the link creates the workspace.
		link := ""
		mails, err := z.env.Store.Outbox(z.ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if m.To == domain.NormalizeEmail(email) && strings.Contains(m.Link, "/signup/confirm/") {
				link = m.Link[strings.Index(m.Link, "/signup/confirm/"):]
				break
			}
		}
		if link == "" {
			return // an address with an account: nothing to confirm
		}
		if r = c.post(link); r.status != http.StatusSeeOther {
			t.Fatalf("confirming the sign-up: %d", r.status)
		}
		s := strings.TrimPrefix(strings.TrimSuffix(r.location, "/"), "/w/")
		got := z.q(t, `SELECT w.name || '|' || u.email || '|' || u.name FROM workspaces w JOIN memberships m ON m.tenant_id = w.id AND 'admin' = ANY (m.roles)
			JOIN users u ON u.id = m.user_id WHERE w.slug = $1`, s)
		if want := fzClean(workspace) + "|" + domain.NormalizeEmail(email) + "|" + fzClean(name); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
	})
}

// FuzzInvite: the invitation form, with client organisation ids of this
// workspace, of another, missing or malformed.
func FuzzInvite(f *testing.F) {
	z := fzNew(f)
	f.Add("nouveau@fuzz.test", "Nouveau", "coachee", "{org}")
	f.Add("nouveau2@fuzz.test", "", "coach", "")
	f.Add("etranger@fuzz.test", "Étranger", "sponsor", "{foreignOrg}")
	f.Add("coach@demo.test", "Déjà membre", "coach", "")
	f.Add("x@fuzz.test", "X", "superadmin", "")
	for _, id := range fzForeignID {
		f.Add("id@fuzz.test", "Id", "coachee", id)
	}
	for _, s := range fzTexts {
		f.Add(s, s, s, s)
	}
	f.Add("nul@fuzz.test", "Nom\x00", "coachee", "")
	f.Fuzz(func(t *testing.T, email, name, role, org string) {
		c := z.as(t, "admin")
		before := z.snapshot(t, "invitations", "tenant_id = '{tenant}'")
		org = z.pick(org)
		form := []string{"email", email, "name", name, "role", role, "client_org", org}
		r := c.post("/w/demo/invitations", form...)
		z.answer(t, r, form, []string{"email", "name"}, http.StatusSeeOther, http.StatusUnprocessableEntity)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "invitations", "tenant_id = '{tenant}'"); after != before {
				t.Fatalf("a refused invitation (%d) was stored", r.status)
			}
			return
		}
		if org != "" && org != z.ids["org"] {
			t.Fatalf("invitation accepted with client organisation %q", org)
		}
		got := z.q(t, `SELECT name || '|' || role || '|' || coalesce(client_org_id::text, '') FROM invitations
			WHERE tenant_id = '{tenant}' AND email = $1 ORDER BY created_at DESC LIMIT 1`, domain.NormalizeEmail(email))
		if want := fzClean(name) + "|" + role + "|" + org; got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
		z.exec(t, `DELETE FROM invitations WHERE tenant_id = '{tenant}' AND created_at > '{t0}'`)
	})
}

// FuzzEngagementForm: the form that opens an engagement, with ids of this
// workspace, of another, missing or malformed in its selects.
func FuzzEngagementForm(f *testing.F) {
	z := fzNew(f)
	f.Add("Nouvel accompagnement", "{org}", "{u:coachee}", "{u:sponsor}", "", "")
	f.Add("Avec un nouveau sponsor", "{org}", "{u:coachee}", "", "Nouveau Sponsor", "nouveau.sponsor@fuzz.test")
	f.Add("Organisation étrangère", "{foreignOrg}", "{u:coachee}", "{u:sponsor}", "", "")
	f.Add("Coaché étranger", "{org}", "{u:other}", "{u:sponsor}", "", "")
	f.Add("Sponsor étranger", "{org}", "{u:coachee}", "{u:other}", "", "")
	f.Add("Même personne", "{org}", "{u:coach}", "{u:sponsor}", "", "")
	f.Add("Sponsor = coaché", "{org}", "{u:coachee}", "{u:coachee}", "", "")
	f.Add("Organisation étrangère, nouveau sponsor", "{foreignOrg}", "{u:coachee}", "", "Nouveau", "nouveau2@fuzz.test")
	for _, id := range fzForeignID {
		f.Add("Id "+id, id, "{u:coachee}", "{u:sponsor}", "", "")
		f.Add("Id "+id, "{org}", id, id, "", "")
		f.Add("Id "+id, id, "{u:coachee}", "", "Nouveau", "nouveau3@fuzz.test")
	}
	for _, s := range fzTexts {
		f.Add(s, "{org}", "{u:coachee}", "{u:sponsor}", s, s)
	}
	f.Fuzz(func(t *testing.T, title, org, coachee, sponsor, newName, newEmail string) {
		c := z.as(t, "coach")
		before := z.snapshot(t, "engagements", "tenant_id = '{tenant}'")
		form := []string{"title", title, "client_org", z.pick(org), "coach", z.ids["u:coach"], "coachee", z.pick(coachee),
			"sponsor", z.pick(sponsor), "sponsor_kind", "hr", "new_sponsor_name", newName, "new_sponsor_email", newEmail, "new_sponsor_kind", "manager"}
		r := c.post("/w/demo/engagements", form...)
		z.answer(t, r, form, []string{"title", "new_sponsor_name", "new_sponsor_email"}, http.StatusSeeOther, http.StatusUnprocessableEntity)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "engagements", "tenant_id = '{tenant}'"); after != before {
				t.Fatalf("a refused engagement (%d) was stored", r.status)
			}
			return
		}
		id := r.location[strings.LastIndex(r.location, "/")+1:]
		got := z.q(t, `SELECT e.title || '|' || e.client_org_id || '|' || (SELECT count(*) FROM engagement_parties p
			WHERE p.engagement_id = e.id AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = e.tenant_id AND m.user_id = p.user_id))
			FROM engagements e WHERE e.tenant_id = '{tenant}' AND e.id = $1`, id)
		if want := fzClean(title) + "|" + z.ids["org"] + "|0"; got != want {
			t.Fatalf("stored %q, want %q (title, the workspace's organisation, no party from outside)", got, want)
		}
		z.exec(t, `DELETE FROM engagements WHERE id = $1`, id)
	})
}

// FuzzContract: the contract's counts, dates and texts, and its version.
func FuzzContract(f *testing.F) {
	z := fzNew(f)
	f.Add("Approche", "8", "90", "2026-03-02", "2026-09-30", "Confidentialité", "")
	f.Add("", "", "", "", "", "", "")
	f.Add("Fin avant début", "8", "90", "2026-09-30", "2026-03-02", "", "")
	for _, n := range fzNumbers {
		f.Add("Nombres", n, n, "", "", "", "")
	}
	for _, d := range fzDays {
		f.Add("Dates", "", "", d, d, "", "")
	}
	for _, v := range fzVersions {
		f.Add("Version", "8", "90", "", "", "", v)
	}
	for _, s := range fzTexts {
		f.Add(s, "8", "90", "2026-03-02", "", s, "")
	}
	f.Fuzz(func(t *testing.T, approach, sessions, minutes, start, end, text, version string) {
		c := z.as(t, "coach")
		const where = "engagement_id = '{fresh}'"
		before := z.snapshot(t, "contracts", where)
		if version == "" {
			version = z.q(t, `SELECT version FROM contracts WHERE `+where)
		}
		form := []string{"approach", approach, "sessions_planned", sessions, "session_minutes", minutes, "start", start, "end", end,
			"confidentiality", text, "exceptions", text, "version", version}
		r := c.post("/w/demo/e/"+z.ids["fresh"]+"/contract", form...)
		z.answer(t, r, form, []string{"approach", "sessions_planned", "session_minutes", "start", "end", "confidentiality", "exceptions"},
			http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusConflict)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "contracts", where); after != before {
				t.Fatalf("a refused contract (%d) was stored", r.status)
			}
			return
		}
		got := z.q(t, `SELECT approach || '|' || coalesce(sessions_planned::text, '') || '|' || coalesce(session_minutes::text, '') || '|' ||
			coalesce(start_date::text, '') || '|' || coalesce(end_date::text, '') || '|' || confidentiality || '|' || exceptions FROM contracts WHERE `+where)
		want := strings.Join([]string{fzClean(approach), fzInt(sessions), fzInt(minutes), start, end, fzClean(text), fzClean(text)}, "|")
		if got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
	})
}

func fzInt(s string) string {
	if s == "" {
		return ""
	}
	n, _ := strconv.Atoi(s)
	return strconv.Itoa(n)
}

// FuzzObjective: adding an objective and editing one, with its version.
func FuzzObjective(f *testing.F) {
	z := fzNew(f)
	f.Add("Déléguer davantage", "Description", "", "{objA}")
	f.Add("", "", "", "{objA}")
	f.Add("Objectif d'un autre accompagnement", "", "", "{objReady}")
	f.Add("", "Titre manquant, objectif d'un autre accompagnement", "", "{objReady}")
	for _, id := range fzForeignID {
		f.Add("Objectif", "", "", id)
	}
	for _, v := range fzVersions {
		f.Add("Version", "", v, "{objA}")
	}
	for _, s := range fzTexts {
		f.Add(s, s, "", "{objA}")
	}
	f.Add(strings.Repeat("t", 301), "", "", "{objA}")
	f.Fuzz(func(t *testing.T, title, description, version, oid string) {
		c := z.as(t, "coach")
		base := "/w/demo/e/" + z.ids["fresh"]
		const where = "engagement_id IN ('{fresh}', '{ready}')"
		keep := []string{"title", "description"}
		allowed := []int{http.StatusSeeOther, http.StatusUnprocessableEntity}

		before := z.snapshot(t, "objectives", where)
		form := []string{"title", title, "description", description}
		r := c.post(base+"/objectives", form...)
		z.answer(t, r, form, keep, allowed...)
		if r.status == http.StatusSeeOther {
			got := z.q(t, `SELECT title || '|' || description FROM objectives WHERE engagement_id = '{fresh}' ORDER BY position DESC LIMIT 1`)
			if want := fzClean(title) + "|" + fzClean(description); got != want {
				t.Fatalf("added %q, want %q", got, want)
			}
			z.exec(t, `DELETE FROM objectives WHERE engagement_id = '{fresh}' AND id <> '{objA}'`)
		} else if after := z.snapshot(t, "objectives", where); after != before {
			t.Fatalf("a refused objective (%d) was stored", r.status)
		}

		oid = z.pick(oid)
		if version == "" {
			version = z.q(t, `SELECT version FROM objectives WHERE id = '{objA}'`)
		}
		before = z.snapshot(t, "objectives", where)
		form = []string{"title", title, "description", description, "version", version}
		r = c.post(base+"/objectives/"+url.PathEscape(oid), form...)
		z.answer(t, r, form, keep, append(allowed, http.StatusConflict, http.StatusNotFound)...)
		if r.status == http.StatusSeeOther {
			if oid != z.ids["objA"] {
				t.Fatalf("objective %q of another engagement edited", oid)
			}
			got := z.q(t, `SELECT title || '|' || description FROM objectives WHERE id = '{objA}'`)
			if want := fzClean(title) + "|" + fzClean(description); got != want {
				t.Fatalf("stored %q, want %q", got, want)
			}
		} else if after := z.snapshot(t, "objectives", where); after != before {
			t.Fatalf("a refused edit (%d) was stored", r.status)
		}
	})
}

// FuzzIndicator: adding an indicator to an objective of this engagement, of
// another one, or a missing or malformed one.
func FuzzIndicator(f *testing.F) {
	z := fzNew(f)
	f.Add("observable", "Réunions animées", "0", "1 par semaine", "", "{objA}")
	f.Add("performance", "Taux", "-2 %", "-10 %", "Relevé", "{objA}")
	f.Add("observable", "Objectif d'un autre accompagnement", "", "", "", "{objReady}")
	f.Add("observable", "", "", "", "", "{objReady}")
	f.Add("inconnu", "Sorte inconnue", "", "", "", "{objA}")
	for _, id := range fzForeignID {
		f.Add("observable", "Indicateur", "", "", "", id)
		f.Add("observable", "", "", "", "", id)
	}
	for _, s := range fzTexts {
		f.Add(s, s, s, s, s, "{objA}")
		f.Add("observable", s, s, s, s, "{objA}")
	}
	f.Fuzz(func(t *testing.T, kind, description, baseline, target, observation, oid string) {
		c := z.as(t, "coach")
		const where = "engagement_id IN ('{fresh}', '{ready}')"
		before := z.snapshot(t, "indicators", where)
		oid = z.pick(oid)
		form := []string{"kind", kind, "description", description, "baseline", baseline, "target", target, "observation", observation}
		r := c.post("/w/demo/e/"+z.ids["fresh"]+"/objectives/"+url.PathEscape(oid)+"/indicators", form...)
		z.answer(t, r, form, []string{"description", "baseline", "target", "observation"},
			http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusNotFound)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "indicators", where); after != before {
				t.Fatalf("a refused indicator (%d) was stored", r.status)
			}
			return
		}
		if oid != z.ids["objA"] {
			t.Fatalf("indicator added to objective %q of another engagement", oid)
		}
		got := z.q(t, `SELECT kind || '|' || description || '|' || baseline || '|' || target || '|' || observation FROM indicators
			WHERE objective_id = '{objA}' ORDER BY position DESC LIMIT 1`)
		if want := strings.Join([]string{kind, fzClean(description), fzClean(baseline), fzClean(target), fzClean(observation)}, "|"); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
		z.exec(t, `DELETE FROM indicators WHERE objective_id = '{objA}'`)
	})
}

// FuzzSessionMeta: a session's date, length, status and cancellation reason,
// and planning a new session.
func FuzzSessionMeta(f *testing.F) {
	z := fzNew(f)
	f.Add("2026-03-02T10:00", "90", "planned", "", "")
	f.Add("2025-11-20T14:30", "60", "held", "", "")
	f.Add("2026-12-20T14:30", "60", "held", "", "") // held in the future
	f.Add("2026-03-02T10:00", "90", "cancelled", "", "")
	f.Add("2026-03-02T10:00", "90", "cancelled", "Malade", "")
	f.Add("2026-03-02T10:00", "90", "deleted", "", "")
	for _, m := range fzMoments {
		f.Add(m, "90", "planned", "", "")
	}
	for _, n := range fzNumbers {
		f.Add("2026-03-02T10:00", n, "planned", "", "")
	}
	for _, v := range fzVersions {
		f.Add("2026-03-02T10:00", "90", "planned", "", v)
	}
	for _, s := range fzTexts {
		f.Add("2026-03-02T10:00", "90", "cancelled", s, "")
		f.Add(s, s, s, s, "")
	}
	f.Fuzz(func(t *testing.T, at, minutes, status, reason, version string) {
		c := z.as(t, "coach")
		base := "/w/demo/e/" + z.ids["acc"] + "/sessions"
		const where = "engagement_id = '{acc}'"
		before := z.snapshot(t, "coaching_sessions", where)
		if version == "" {
			version = z.q(t, `SELECT version FROM coaching_sessions WHERE id = '{sid}'`)
		}
		form := []string{"at", at, "minutes", minutes, "status", status, "cancel_reason", reason, "version", version}
		r := c.post(base+"/"+z.ids["sid"], form...)
		z.answer(t, r, form, []string{"at", "minutes", "cancel_reason"}, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusConflict)
		if r.status == http.StatusSeeOther {
			got := z.q(t, `SELECT extract(epoch FROM s.scheduled_at)::bigint || '|' || s.minutes || '|' || s.status || '|' || coalesce(c.reason, '')
				FROM coaching_sessions s LEFT JOIN session_cancellations c ON c.tenant_id = s.tenant_id AND c.session_id = s.id WHERE s.id = '{sid}'`)
			if want := fzEpoch(t, at) + "|" + fzInt(minutes) + "|" + status + "|" + fzClean(reason); got != want {
				t.Fatalf("stored %q, want %q", got, want)
			}
		} else if after := z.snapshot(t, "coaching_sessions", where); after != before {
			t.Fatalf("a refused session edit (%d) was stored", r.status)
		}

		before = z.snapshot(t, "coaching_sessions", where)
		form = []string{"at", at, "minutes", minutes}
		r = c.post(base, form...)
		z.answer(t, r, form, []string{"at", "minutes"}, http.StatusSeeOther, http.StatusUnprocessableEntity)
		if r.status == http.StatusSeeOther {
			sid := r.location[strings.LastIndex(r.location, "/")+1:]
			got := z.q(t, `SELECT extract(epoch FROM scheduled_at)::bigint || '|' || minutes FROM coaching_sessions WHERE id = $1`, sid)
			if want := fzEpoch(t, at) + "|" + fzInt(minutes); got != want {
				t.Fatalf("planned %q, want %q", got, want)
			}
			z.exec(t, `DELETE FROM coaching_sessions WHERE id = $1`, sid)
		} else if after := z.snapshot(t, "coaching_sessions", where); after != before {
			t.Fatalf("a refused session (%d) was stored", r.status)
		}
	})
}

var fzParis, _ = time.LoadLocation("Europe/Paris")

func fzEpoch(t *testing.T, at string) string {
	tm, err := time.ParseInLocation("2006-01-02T15:04", at, fzParis)
	if err != nil {
		t.Fatalf("a session was saved with the date %q", at)
	}
	return strconv.FormatInt(tm.Unix(), 10)
}

// FuzzJournal: the coachee's journal entry on an action, theirs or another
// engagement's.
func FuzzJournal(f *testing.F) {
	z := fzNew(f)
	f.Add("J'ai réuni l'équipe", "Ça s'est bien passé", "Préparer davantage", "{aid}")
	f.Add("", "", "", "{aid}")
	f.Add("Action d'un autre accompagnement", "", "", "{bouAid}")
	for _, id := range fzForeignID {
		f.Add("Action", "", "", id)
	}
	for _, s := range fzTexts {
		f.Add(s, s, s, "{aid}")
		f.Add(s, "", "", "{aid}")
	}
	f.Fuzz(func(t *testing.T, did, happened, learnt, aid string) {
		c := z.as(t, "coachee")
		const where = "engagement_id IN ('{acc}', '{bou}')"
		before := z.snapshot(t, "journal_entries", where)
		aid = z.pick(aid)
		form := []string{"did", did, "happened", happened, "learnt", learnt}
		r := c.post("/w/demo/e/"+z.ids["acc"]+"/actions/"+url.PathEscape(aid)+"/journal", form...)
		z.answer(t, r, form, []string{"did", "happened", "learnt"}, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusNotFound)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "journal_entries", where); after != before {
				t.Fatalf("a refused journal entry (%d) was stored", r.status)
			}
			return
		}
		if aid != z.ids["aid"] {
			t.Fatalf("journal entry added to action %q of another engagement", aid)
		}
		got := z.q(t, `SELECT did || '|' || happened || '|' || learnt FROM journal_entries WHERE action_id = '{aid}' ORDER BY at DESC LIMIT 1`)
		if want := fzClean(did) + "|" + fzClean(happened) + "|" + fzClean(learnt); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
		z.exec(t, `DELETE FROM journal_entries WHERE action_id = '{aid}' AND at > '{t0}'`)
	})
}

// FuzzEvaluation: the coach's evaluation of an indicator, of this engagement
// or another.
func FuzzEvaluation(f *testing.F) {
	z := fzNew(f)
	f.Add("1 par semaine", "reached", "Comptes rendus", "{indBou}")
	f.Add("", "", "", "{indBou}")
	f.Add("2", "partly", "", "{indAcc}")
	f.Add("2", "excellent", "", "{indBou}")
	for _, id := range fzForeignID {
		f.Add("2", "partly", "", id)
		f.Add("", "", "", id)
	}
	for _, s := range fzTexts {
		f.Add(s, "not_reached", s, "{indBou}")
		f.Add(s, s, s, "{indBou}")
	}
	f.Fuzz(func(t *testing.T, reached, assessment, evidence, iid string) {
		c := z.as(t, "coach")
		const where = "engagement_id IN ('{acc}', '{bou}')"
		before := z.snapshot(t, "evaluations", where)
		iid = z.pick(iid)
		form := []string{"reached", reached, "assessment", assessment, "evidence", evidence}
		r := c.post("/w/demo/e/"+z.ids["bou"]+"/evaluation/"+url.PathEscape(iid), form...)
		z.answer(t, r, form, []string{"reached", "evidence"}, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusNotFound)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "evaluations", where); after != before {
				t.Fatalf("a refused evaluation (%d) was stored", r.status)
			}
			return
		}
		if iid != z.ids["indBou"] {
			t.Fatalf("evaluation of indicator %q of another engagement stored", iid)
		}
		got := z.q(t, `SELECT reached || '|' || assessment || '|' || evidence FROM evaluations WHERE indicator_id = '{indBou}' AND part = 'coach'`)
		if want := fzClean(reached) + "|" + assessment + "|" + fzClean(evidence); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
	})
}

// FuzzRecommendation: a recommendation of the final meeting.
func FuzzRecommendation(f *testing.F) {
	z := fzNew(f)
	f.Add("Poursuivre les points hebdomadaires", "coachee", "2026-12-31")
	f.Add("", "", "")
	f.Add("Porteur inconnu", "ceo", "")
	for _, d := range fzDays {
		f.Add("Échéance", "hr", d)
	}
	for _, s := range fzTexts {
		f.Add(s, "manager", "")
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, body, carrier, due string) {
		c := z.as(t, "coach")
		const where = "engagement_id = '{bou}'"
		before := z.snapshot(t, "recommendations", where)
		form := []string{"body", body, "carrier", carrier, "due", due}
		r := c.post("/w/demo/e/"+z.ids["bou"]+"/closing/recommendations", form...)
		z.answer(t, r, form, []string{"body", "due"}, http.StatusSeeOther, http.StatusUnprocessableEntity)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "recommendations", where); after != before {
				t.Fatalf("a refused recommendation (%d) was stored", r.status)
			}
			return
		}
		got := z.q(t, `SELECT body || '|' || carrier || '|' || coalesce(due_date::text, '') FROM recommendations WHERE `+where+` ORDER BY created_at DESC LIMIT 1`)
		if want := fzClean(body) + "|" + carrier + "|" + due; got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
		z.exec(t, `DELETE FROM recommendations WHERE `+where+` AND created_at > '{t0}'`)
	})
}

// fzTextRoute is a form whose decoder reads one text field (and maybe a
// version): the remaining decoders, fuzzed together by FuzzTextForms.
type fzTextRoute struct {
	who, path, field string
	extra            []string // other fields, sent as they are
	version          string   // query of the current version, sent as "version"
	table, where     string   // the rows the form writes
	stored           string   // query of the text stored by a 303
	cleanup          string   // statement run after a 303, to keep the data small
}

var fzTextRoutes = []fzTextRoute{
	{who: "coach", path: "/w/demo/e/{fresh}/first-meeting", field: "stakes", extra: []string{"at", "2026-01-12T09:00"},
		version: `SELECT version FROM diagnoses WHERE engagement_id = '{fresh}'`, table: "diagnoses", where: "engagement_id = '{fresh}'",
		stored: `SELECT stakes FROM diagnoses WHERE engagement_id = '{fresh}'`},
	{who: "coach", path: "/w/demo/e/{fresh}/framing", field: "notes",
		version: `SELECT version FROM meetings WHERE engagement_id = '{fresh}' AND kind = 'framing'`, table: "meetings", where: "engagement_id = '{fresh}'",
		stored: `SELECT notes FROM meetings WHERE engagement_id = '{fresh}' AND kind = 'framing'`},
	{who: "coachee", path: "/w/demo/e/{fresh}/requests/coachee", field: "body",
		version: `SELECT version FROM requests WHERE engagement_id = '{fresh}' AND level = 'coachee'`, table: "requests", where: "engagement_id = '{fresh}'",
		stored: `SELECT body FROM requests WHERE engagement_id = '{fresh}' AND level = 'coachee'`},
	{who: "coach", path: "/w/demo/e/{fresh}/synthesis", field: "text",
		version: `SELECT synthesis_version FROM engagements WHERE id = '{fresh}'`, table: "engagements", where: "id = '{fresh}'",
		stored: `SELECT synthesis_text FROM engagements WHERE id = '{fresh}'`},
	{who: "coachee", path: "/w/demo/e/{fresh}/meetings/ask", field: "reason", table: "meeting_requests", where: "engagement_id = '{fresh}'",
		stored:  `SELECT reason FROM meeting_requests WHERE engagement_id = '{fresh}' ORDER BY created_at DESC LIMIT 1`,
		cleanup: `DELETE FROM meeting_requests WHERE engagement_id = '{fresh}'`},
	// The session record: one form, each of its kinds of field in turn.
	{who: "coach", path: "/w/demo/e/{acc}/sessions/{sid}/record", field: "analysis",
		version: `SELECT version FROM session_contents WHERE session_id = '{sid}'`, table: "session_contents", where: "session_id = '{sid}'",
		stored: `SELECT analysis FROM session_contents WHERE session_id = '{sid}'`},
	{who: "coach", path: "/w/demo/e/{acc}/sessions/{sid}/record", field: "sit.0.title", extra: []string{"n_sit", "1", "sit.0.context", "Contexte"},
		version: `SELECT version FROM session_contents WHERE session_id = '{sid}'`, table: "session_situations", where: "engagement_id = '{acc}'",
		stored:  `SELECT title FROM session_situations WHERE session_id = '{sid}' ORDER BY position DESC LIMIT 1`,
		cleanup: `DELETE FROM session_situations WHERE session_id = '{sid}'`},
	// An empty option row is not saved: nothing stored, nothing refused.
	{who: "coach", path: "/w/demo/e/{acc}/sessions/{sid}/record", field: "opt.0.body", extra: []string{"n_opt", "1"},
		version: `SELECT version FROM session_contents WHERE session_id = '{sid}'`, table: "session_options", where: "engagement_id = '{acc}'",
		stored:  `SELECT coalesce((SELECT body FROM session_options WHERE session_id = '{sid}' ORDER BY position DESC LIMIT 1), '')`,
		cleanup: `DELETE FROM session_options WHERE session_id = '{sid}'`},
	{who: "coach", path: "/w/demo/e/{acc}/sessions/{sid}/record", field: "note",
		version: `SELECT version FROM session_contents WHERE session_id = '{sid}'`, table: "private_notes", where: "engagement_id = '{acc}'",
		stored: `SELECT coalesce((SELECT body FROM private_notes WHERE session_id = '{sid}' AND author_id = '{u:coach}'), '')`},
	{who: "coach", path: "/w/demo/e/{acc}/sessions/{sid}/record", field: "act.0.title", extra: []string{"n_act", "1", "act.0.objective", "", "act.0.due", "2026-12-01"},
		version: `SELECT version FROM session_contents WHERE session_id = '{sid}'`, table: "actions", where: "engagement_id = '{acc}'",
		stored:  `SELECT title FROM actions WHERE session_id = '{sid}' ORDER BY created_at DESC LIMIT 1`,
		cleanup: `DELETE FROM actions WHERE session_id = '{sid}' AND created_at > '{t0}'`},
	{who: "coach", path: "/w/demo/e/{acc}/sessions/{heldSid}/autonomy", field: "word", extra: []string{"score", "3"},
		table: "autonomy_ratings", where: "engagement_id = '{acc}'",
		stored: `SELECT word FROM autonomy_ratings WHERE session_id = '{heldSid}' AND part = 'coach'`},
	{who: "coachee", path: "/w/demo/e/{acc}/actions", field: "title", extra: []string{"description", "Description", "due", ""},
		table: "actions", where: "engagement_id = '{acc}'",
		stored:  `SELECT title FROM actions WHERE engagement_id = '{acc}' ORDER BY created_at DESC LIMIT 1`,
		cleanup: `DELETE FROM actions WHERE engagement_id = '{acc}' AND created_at > '{t0}'`},
	{who: "coach", path: "/w/demo/e/{acc}/actions/{aid}/comments", field: "body", table: "action_comments", where: "engagement_id = '{acc}'",
		stored:  `SELECT body FROM action_comments WHERE action_id = '{aid}' ORDER BY at DESC LIMIT 1`,
		cleanup: `DELETE FROM action_comments WHERE action_id = '{aid}' AND at > '{t0}'`},
	{who: "coachee", path: "/w/demo/e/{bou}/closing/synthesis", field: "body",
		version: `SELECT version FROM coachee_syntheses WHERE engagement_id = '{bou}'`, table: "coachee_syntheses", where: "engagement_id = '{bou}'",
		stored: `SELECT body FROM coachee_syntheses WHERE engagement_id = '{bou}'`},
	{who: "sponsor", path: "/w/demo/e/{bou}/closing/feedback", field: "body", table: "sponsor_feedback", where: "engagement_id = '{bou}'",
		stored: `SELECT body FROM sponsor_feedback WHERE engagement_id = '{bou}' AND author_id = '{u:sponsor}'`},
	{who: "sponsor", path: "/w/demo/e/{bou}/synthesis/1/comment", field: "body", table: "document_comments", where: "engagement_id = '{bou}'",
		stored:  `SELECT body FROM document_comments WHERE engagement_id = '{bou}' ORDER BY at DESC LIMIT 1`,
		cleanup: `DELETE FROM document_comments WHERE engagement_id = '{bou}' AND at > '{t0}'`},
	{who: "admin", path: "/w/demo/orgs", field: "name", table: "client_orgs", where: "tenant_id = '{tenant}'",
		stored:  `SELECT name FROM client_orgs WHERE tenant_id = '{tenant}' ORDER BY created_at DESC LIMIT 1`,
		cleanup: `DELETE FROM client_orgs WHERE tenant_id = '{tenant}' AND created_at > '{t0}'`},
	{who: "coach", path: "/w/demo/library", field: "title", extra: []string{"summary", "Résumé", "reference", "Réf."},
		table: "library_items", where: "tenant_id = '{tenant}'",
		stored:  `SELECT title FROM library_items WHERE tenant_id = '{tenant}' ORDER BY created_at DESC LIMIT 1`,
		cleanup: `DELETE FROM library_items WHERE tenant_id = '{tenant}' AND created_at > '{t0}'`},
	{who: "coach", path: "/account", field: "name", extra: []string{"locale", ""}, table: "users", where: "id = '{u:coach}'",
		stored: `SELECT name FROM users WHERE id = '{u:coach}'`},
}

// FuzzTextForms: every other form decoder, each with its one text field.
func FuzzTextForms(f *testing.F) {
	z := fzNew(f)
	for i := range fzTextRoutes {
		for _, s := range fzTexts {
			f.Add(uint8(i), s, "")
		}
		f.Add(uint8(i), "Texte correct", "")
		if fzTextRoutes[i].version != "" {
			for _, v := range fzVersions[1:] {
				f.Add(uint8(i), "Avec une version", v)
			}
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, text, version string) {
		rt := fzTextRoutes[int(route)%len(fzTextRoutes)]
		c := z.as(t, rt.who)
		before := z.snapshot(t, rt.table, rt.where)
		form := []string{rt.field, text}
		for i := 0; i+1 < len(rt.extra); i += 2 {
			form = append(form, rt.extra[i], z.pick(rt.extra[i+1]))
		}
		allowed := []int{http.StatusSeeOther, http.StatusUnprocessableEntity}
		if rt.version != "" {
			if version == "" {
				version = z.q(t, rt.version)
			}
			form = append(form, "version", version)
			allowed = append(allowed, http.StatusConflict)
		}
		r := c.post(z.fill(rt.path), form...)
		z.answer(t, r, form, []string{rt.field}, allowed...)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, rt.table, rt.where); after != before {
				t.Fatalf("POST %s refused (%d) but stored", rt.path, r.status)
			}
			return
		}
		if got := z.q(t, rt.stored); got != fzClean(text) {
			t.Fatalf("POST %s stored %.80q, want %.80q", rt.path, got, fzClean(text))
		}
		if rt.cleanup != "" {
			z.exec(t, rt.cleanup)
		}
	})
}

// FuzzRawForm: the body decoder itself, with raw bodies and content types a
// browser would never send. A body that is not a form is a 400, never a 500.
func FuzzRawForm(f *testing.F) {
	z := fzNew(f)
	paths := []struct{ who, path string }{
		{"anon", "/login"}, {"anon", "/signup"}, {"admin", "/w/demo/orgs"}, {"admin", "/w/demo/invitations"},
		{"coach", "/w/demo/engagements"}, {"coach", "/w/demo/e/{fresh}/contract"}, {"coach", "/w/demo/e/{fresh}/objectives"},
		{"coachee", "/w/demo/e/{acc}/actions/{aid}/journal"}, {"coach", "/w/demo/e/{bou}/closing/recommendations"},
		{"anon", "/lang"},
	}
	form := "application/x-www-form-urlencoded"
	for i := range paths {
		for _, b := range []string{"", "title=ok", "a=%zz", "a=1;b=2", "%", "=", "&&&", "title=%FF%FE", "title=a%00b", "title=" + fzLong} {
			f.Add(uint8(i), form, b)
		}
		f.Add(uint8(i), "multipart/form-data", "title=x")
		f.Add(uint8(i), "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--x--\r\n")
		f.Add(uint8(i), "text/plain", "title=x")
		f.Add(uint8(i), ";;;", "title=x")
		f.Add(uint8(i), "application/x-www-form-urlencoded; charset=\xff", "title=x")
		f.Add(uint8(i), "", "title=x")
		f.Add(uint8(i), "text/plain\r\nX-Injected: 1", "title=x") // found by the fuzzer: no client sends it (skipped)
	}
	f.Fuzz(func(t *testing.T, route uint8, contentType, body string) {
		rt := paths[int(route)%len(paths)]
		c := z.as(t, rt.who)
		for _, b := range []byte(contentType) {
			if b < 0x20 && b != '\t' || b == 0x7f {
				t.Skip("no client can send this header")
			}
		}
		req, err := http.NewRequest(http.MethodPost, z.srv.URL+z.fill(rt.path), strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", contentType)
		r := c.do(req)
		if r.status >= 500 {
			t.Fatalf("POST %s (Content-Type %q, body %.80q): status %d\nserver log: %s", rt.path, contentType, body, r.status, z.log)
		}
		_, perr := url.ParseQuery(body)
		if contentType == form && perr != nil && r.status != http.StatusBadRequest {
			t.Errorf("POST %s with a malformed form body %.80q: status %d, want 400", rt.path, body, r.status)
		}
		if r.status >= 400 && !strings.Contains(r.body, `<main`) {
			t.Errorf("POST %s: status %d without a page", rt.path, r.status)
		}
	})
}

// FuzzSlugify: the workspace address proposed from a name is a valid slug, or
// empty (and then refused beside the field).
func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"", "Cabinet Démo", "---", "Æther Œuvre ß", "İstanbul", "ＡＢＣ", strings.Repeat("ab-", 30), strings.Repeat("é", 50), "a\x00b", "\xff", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := server.Slugify(name)
		if s != "" && !domain.ValidSlug(s) {
			t.Fatalf("Slugify(%q) = %q, not a valid slug", name, s)
		}
	})
}
