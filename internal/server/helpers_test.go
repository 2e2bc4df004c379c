package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"triade/internal/demo"
	"triade/internal/server"
	"triade/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type app struct {
	t   *testing.T
	env *testenv.Env
	srv *httptest.Server
}

func newApp(t *testing.T, seed bool) *app {
	t.Helper()
	env := testenv.New(t)
	if seed {
		if _, err := demo.Seed(context.Background(), env.Store); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = server.New(server.Config{BaseURL: "http://" + srv.Listener.Addr().String(), Dev: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginMaxPerAccount: 5, LoginMaxPerAddress: 20}, env.Store)
	srv.Start()
	t.Cleanup(srv.Close)
	return &app{t: t, env: env, srv: srv}
}

// client is a person's browser without JavaScript: a cookie jar, no automatic
// redirects (so statuses can be asserted).
type client struct {
	a    *app
	http *http.Client
}

func (a *app) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{a: a, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) resp {
	c.a.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), header: res.Header}
}

func (c *client) get(path string) resp {
	req, _ := http.NewRequest(http.MethodGet, c.a.srv.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, kv ...string) resp {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	req, _ := http.NewRequest(http.MethodPost, c.a.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) login(email string) {
	c.a.t.Helper()
	r := c.post("/login", "email", email, "password", demo.Password)
	if r.status != http.StatusSeeOther {
		c.a.t.Fatalf("login %s: status %d", email, r.status)
	}
}

func (c *client) cookie(name string) string {
	u, _ := url.Parse(c.a.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func contains(t *testing.T, r resp, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.body, w) {
			t.Errorf("page (status %d) lacks %q", r.status, w)
		}
	}
}
