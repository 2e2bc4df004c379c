package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"triade/internal/password"
	"triade/internal/server"
	"triade/internal/store"
	"triade/internal/testenv"
)

// prod is a server in production mode, driven in-process so that each request
// can come from a chosen peer address.
type prod struct {
	t   *testing.T
	env *testenv.Env
	srv *server.Server
	log *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const ownerEmail, ownerPassword = "owner@cabinet.test", "le-vrai-mot-de-passe"

func newProd(t *testing.T, cfg server.Config) *prod {
	t.Helper()
	env := testenv.New(t)
	hash, err := password.Hash(ownerPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Store.CreateWorkspace(context.Background(), store.NewWorkspace{
		Name: "Cabinet", Slug: "cabinet", AdminEmail: ownerEmail, AdminNm: "Owner", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	buf := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(buf, nil))
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://triade.test"
	}
	return &prod{t: t, env: env, srv: server.New(cfg, env.Store), log: buf}
}

// do sends one request from peer (host:port), with an optional X-Forwarded-For.
func (p *prod) do(method, path, peer, xff string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, "http://triade.test"+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.RemoteAddr = peer
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	w := httptest.NewRecorder()
	p.srv.ServeHTTP(w, req)
	return w
}

func (p *prod) login(peer, xff, email, pw string) int {
	return p.do(http.MethodPost, "/login", peer, xff, url.Values{"email": {email}, "password": {pw}}).Code
}

// Behind a trusted proxy, the limits key on the client named by the proxy: an
// attacker's failures do not shut the door on everyone else behind it. From an
// untrusted peer the header is ignored: forging it does not escape the limit.
func TestTrustedProxyNamesTheClient(t *testing.T) {
	p := newProd(t, server.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
		LoginMaxPerAccount: 3, LoginMaxPerAddress: 6})
	const proxy = "10.0.0.2:41000"
	for i := range 8 { // past the per-address budget, over many accounts
		p.login(proxy, "203.0.113.9", "nobody"+string(rune('a'+i))+"@cabinet.test", "wrong")
	}
	if got := p.login(proxy, "203.0.113.9", "other@cabinet.test", "wrong"); got != http.StatusTooManyRequests {
		t.Fatalf("attacker behind the proxy: %d, want 429", got)
	}
	// A client left of the proxy's own entry may be forged: the proxy appended
	// the attacker's real address last, and that is the one counted.
	if got := p.login(proxy, "198.51.100.7, 203.0.113.9", "other@cabinet.test", "wrong"); got != http.StatusTooManyRequests {
		t.Fatalf("forged left-most address: %d, want 429", got)
	}
	if got := p.login(proxy, "198.51.100.7", ownerEmail, ownerPassword); got != http.StatusSeeOther {
		t.Fatalf("owner behind the same proxy: %d, want 303", got)
	}

	// Untrusted peer: X-Forwarded-For is ignored, each forged value included.
	for i := range 8 {
		p.login("192.0.2.1:5000", "198.51.100."+string(rune('1'+i)), "nobody"+string(rune('a'+i))+"@cabinet.test", "wrong")
	}
	if got := p.login("192.0.2.1:5000", "198.51.100.200", ownerEmail, ownerPassword); got != http.StatusTooManyRequests {
		t.Fatalf("untrusted peer with a forged header: %d, want 429", got)
	}
}

// Ten wrong passwords on an account slow that address down, and the real owner
// signing in from elsewhere gets in at once.
func TestWrongPasswordsDoNotLockTheOwnerOut(t *testing.T) {
	p := newProd(t, server.Config{}) // the production defaults
	for range 12 {
		p.login("203.0.113.9:1000", "", ownerEmail, "guess")
	}
	if got := p.login("203.0.113.9:1000", "", ownerEmail, ownerPassword); got != http.StatusTooManyRequests {
		t.Fatalf("guesser's address: %d, want 429 (slowed down)", got)
	}
	if got := p.login("198.51.100.7:2000", "", ownerEmail, ownerPassword); got != http.StatusSeeOther {
		t.Fatalf("owner from another address: %d, want 303", got)
	}
}

func TestHSTSOnlyOverHTTPS(t *testing.T) {
	for base, want := range map[string]bool{"https://coach.example": true, "http://localhost:8080": false} {
		p := newProd(t, server.Config{BaseURL: base})
		w := p.do(http.MethodGet, "/login", "192.0.2.1:1", "", nil)
		if got := w.Header().Get("Strict-Transport-Security") != ""; got != want {
			t.Errorf("%s: HSTS sent = %v, want %v", base, got, want)
		}
		w = p.do(http.MethodPost, "/login", "192.0.2.1:1", "", url.Values{"email": {ownerEmail}, "password": {ownerPassword}})
		if got := strings.Contains(w.Header().Get("Set-Cookie"), "; Secure"); got != want {
			t.Errorf("%s: session cookie Secure = %v, want %v (%q)", base, got, want, w.Header().Get("Set-Cookie"))
		}
	}
}

func TestStaticDirectoryIsNotListed(t *testing.T) {
	p := newProd(t, server.Config{})
	for path, want := range map[string]int{"/static/": 404, "/static/app.css": 200} {
		w := p.do(http.MethodGet, path, "192.0.2.1:1", "", nil)
		if w.Code != want {
			t.Errorf("%s: %d, want %d", path, w.Code, want)
		}
		if path == "/static/" && strings.Contains(w.Body.String(), `<a href="app.css">`) {
			t.Errorf("/static/ lists its files")
		}
	}
}

func TestSignupClosed(t *testing.T) {
	p := newProd(t, server.Config{SignupClosed: true})
	w := p.do(http.MethodGet, "/signup", "192.0.2.1:1", "", nil)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Les inscriptions sont fermées") {
		t.Fatalf("GET /signup: %d\n%s", w.Code, w.Body.String())
	}
	w = p.do(http.MethodPost, "/signup", "192.0.2.1:1", "", url.Values{"workspace": {"Intrus"}, "slug": {"intrus"},
		"name": {"Intrus"}, "email": {"intrus@example.test"}, "password": {"un-long-mot-de-passe"}, "practice": {"solo"}})
	if w.Code != http.StatusForbidden {
		t.Fatalf("POST /signup: %d", w.Code)
	}
	var n int
	p.env.Super.QueryRow(context.Background(), `SELECT count(*) FROM workspaces WHERE slug = 'intrus'`).Scan(&n)
	if n != 0 {
		t.Fatal("a closed sign-up created a workspace")
	}
	for _, path := range []string{"/", "/login"} { // no link leads there
		if body := p.do(http.MethodGet, path, "192.0.2.1:1", "", nil).Body.String(); strings.Contains(body, `href="/signup"`) {
			t.Errorf("%s links to the closed sign-up", path)
		}
	}
	// Open (the default), the form is there and linked.
	open := newProd(t, server.Config{})
	if w := open.do(http.MethodGet, "/signup", "192.0.2.1:1", "", nil); w.Code != http.StatusOK {
		t.Fatalf("open sign-up: %d", w.Code)
	}
	if body := open.do(http.MethodGet, "/login", "192.0.2.1:1", "", nil).Body.String(); !strings.Contains(body, `href="/signup"`) {
		t.Error("/login does not link to the open sign-up")
	}
}

func TestDevMailAbsentInProduction(t *testing.T) {
	p := newProd(t, server.Config{})
	if w := p.do(http.MethodGet, "/dev/mail", "192.0.2.1:1", "", nil); w.Code != http.StatusNotFound {
		t.Fatalf("/dev/mail in production: %d", w.Code)
	}
}

// The access log names route patterns: a token in a link never reaches it.
func TestAccessLogHasNoToken(t *testing.T) {
	p := newProd(t, server.Config{})
	const token = "Zk3cretT0kenThatMustNotBeLogged"
	paths := []string{"/password/reset/" + token, "/w/cabinet/join/" + token, "/unsubscribe/" + token,
		"/w/cabinet/calendar/" + token, "/no/such/" + token}
	for _, path := range paths {
		p.do(http.MethodGet, path, "192.0.2.1:1", "", nil)
	}
	p.do(http.MethodPost, "/password/reset/"+token, "192.0.2.1:1", "", url.Values{"password": {"x"}})
	log := p.log.String()
	if strings.Contains(log, token) {
		t.Fatalf("a token reached the log:\n%s", log)
	}
	for _, want := range []string{`"route":"/password/reset/{token}"`, `"route":"/w/{slug}/join/{token}"`, `"route":"unmatched"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
}

func TestMetricsExposeRequestsPoolAndQueue(t *testing.T) {
	p := newProd(t, server.Config{})
	if err := p.srv.Register(server.PoolCollector(p.env.App), server.QueueCollector(func(context.Context) (map[string]int64, int64, error) {
		return map[string]int64{"available": 2, "discarded": 1}, 3, nil
	})); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		p.do(http.MethodGet, "/login", "192.0.2.1:1", "", nil)
	}
	p.do(http.MethodGet, "/password/reset/abc", "192.0.2.1:1", "", nil)
	p.do("BREW", "/login", "192.0.2.1:1", "", nil)
	w := httptest.NewRecorder()
	p.srv.Metrics().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := w.Body.String()
	for _, want := range []string{
		`triade_http_requests_total{method="GET",route="/login",status="200"} 3`,
		`triade_http_request_duration_seconds_bucket{method="GET",route="/login",status="200",le="+Inf"} 3`,
		`route="/password/reset/{token}"`,
		"triade_db_pool_max_conns ", "triade_db_pool_acquired_conns ",
		`triade_jobs{state="discarded"} 1`, "triade_outbox_unsent 3", "go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "/password/reset/abc") || strings.Contains(body, "BREW") {
		t.Error("/metrics names a raw path or a made-up method")
	}
	// The public site does not serve them.
	if w := p.do(http.MethodGet, "/metrics", "192.0.2.1:1", "", nil); w.Code != http.StatusNotFound {
		t.Errorf("public /metrics: %d", w.Code)
	}
}

// The workspace time zone is edited on the settings page; an unknown name is
// refused beside the field, the input kept and nothing stored.
func TestWorkspaceTimezoneSetting(t *testing.T) {
	a := newApp(t, false)
	hash, err := password.Hash(ownerPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.env.Store.CreateWorkspace(context.Background(), store.NewWorkspace{
		Name: "Cabinet", Slug: "cabinet", AdminEmail: ownerEmail, AdminNm: "Owner", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	if r := c.post("/login", "email", ownerEmail, "password", ownerPassword); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	zone := func() (z string, years int) {
		a.env.Super.QueryRow(context.Background(), `SELECT timezone, retention_years FROM workspaces WHERE slug = 'cabinet'`).Scan(&z, &years)
		return
	}
	contains(t, c.get("/w/cabinet/settings"), `name="timezone"`, `value="Europe/Paris"`)

	for _, bad := range []string{"Mars/Olympus", "Local", "", "../etc/passwd", "Europe//Paris", "./Europe/Paris"} {
		r := c.post("/w/cabinet/settings", "years", "5", "timezone", bad)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("%q: %d", bad, r.status)
		}
		contains(t, r, `id="e-timezone"`, "Fuseau horaire inconnu", `value="5"`)
		if bad != "" {
			contains(t, r, `value="`+bad+`"`)
		}
		if z, y := zone(); z != "Europe/Paris" || y != 3 {
			t.Fatalf("refused form stored %q, %d", z, y)
		}
	}
	if r := c.post("/w/cabinet/settings", "years", "5", "timezone", "America/Montreal"); r.status != http.StatusSeeOther {
		t.Fatalf("valid settings: %d", r.status)
	}
	if z, y := zone(); z != "America/Montreal" || y != 5 {
		t.Fatalf("stored %q, %d", z, y)
	}
	contains(t, c.get("/w/cabinet/settings"), `value="America/Montreal"`)
	contains(t, c.get("/w/cabinet/activity"), "Fuseau horaire fixé à America/Montreal")
}

// With sign-up closed, people still come in through invitations.
func TestInvitationsWorkWithSignupClosed(t *testing.T) {
	p := newProd(t, server.Config{SignupClosed: true})
	srv := httptest.NewServer(p.srv)
	t.Cleanup(srv.Close)
	a := &app{t: t, env: p.env, srv: srv}
	admin := a.client()
	if r := admin.post("/login", "email", ownerEmail, "password", ownerPassword); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	if r := admin.post("/w/cabinet/invitations", "email", "invitee@client.test", "name", "Invitée", "role", "coach"); r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.status)
	}
	link := a.mail("invitee@client.test", "").Link
	path := link[strings.Index(link, "/w/cabinet/join/"):]
	guest := a.client()
	if r := guest.post(path, "name", "Invitée", "password", "mot-de-passe-solide"); r.status != http.StatusSeeOther || r.location != "/w/cabinet/" {
		t.Fatalf("accept: %d %q", r.status, r.location)
	}
	if r := guest.get("/w/cabinet/"); r.status != http.StatusOK {
		t.Fatalf("invitee's dashboard: %d", r.status)
	}
}
