// Package server is Triade's HTTP layer: routes, middleware, handlers. Handlers
// parse the request, check the rules of internal/domain, call internal/store and
// render a web/views page.
package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"

	"triade/internal/pdf"
	"triade/internal/store"
	"triade/web"
)

// Config is what the server needs from its environment.
type Config struct {
	BaseURL string // absolute URL of the site, for links in e-mails
	Dev     bool   // development mode: the outbox is readable at /dev/mail
	Logger  *slog.Logger
	// Login limits: failures before a sign-in is slowed down, per account
	// from one address and per address; zero means the defaults.
	LoginMaxPerAccount, LoginMaxPerAddress int
	// TrustedProxies are the peers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// SignupClosed refuses /signup: workspaces come from create-admin, people
	// from invitations.
	SignupClosed bool
	// MaxActive is how many requests work at once (admission); 0 means
	// ActivePerCore for each core the process may use.
	MaxActive int
	// SessionCleanup is how often expired sessions are deleted; 0 turns it off.
	SessionCleanup time.Duration
	// PDF prints documents to PDF; nil without a Chromium (the documents then
	// print from the browser only).
	PDF *pdf.Printer
}

// ActivePerCore is the default number of requests at work per core: on 2
// cores with the database on the same machine, 4 or 8 at work served as many
// requests per second as 32 did, with the lowest p99 (see admission). A
// database on another machine keeps each request waiting for its round
// trips, cores idle: there MAX_ACTIVE_REQUESTS may be raised.
const ActivePerCore = 4

// Server serves Triade.
type Server struct {
	cfg       Config
	store     *store.Store
	sessions  *scs.SessionManager
	log       *slog.Logger
	logins    *loginGuard
	metrics   *metrics
	cssURL    string
	jsURL     string // the one script, progressive enhancement, with its content hash
	pdf       *pdf.Printer
	admission *admission
	secure    bool // served over https: HSTS
	static    http.Handler
	handler   http.Handler
	// sponsorView answers an engagement's pages as its sponsor sees them
	// (asSponsor): the same handlers as the routes, without the writes.
	sponsorView http.Handler
}

// New builds the server and its routes.
func New(cfg Config, st *store.Store) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.LoginMaxPerAccount == 0 {
		cfg.LoginMaxPerAccount = 10
	}
	if cfg.LoginMaxPerAddress == 0 {
		cfg.LoginMaxPerAddress = 50
	}
	if cfg.MaxActive <= 0 {
		cfg.MaxActive = ActivePerCore * runtime.GOMAXPROCS(0)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{
		cfg:       cfg,
		store:     st,
		log:       cfg.Logger,
		logins:    newLoginGuard(cfg.LoginMaxPerAccount, cfg.LoginMaxPerAddress),
		metrics:   newMetrics(),
		pdf:       cfg.PDF,
		admission: newAdmission(cfg.MaxActive),
	}
	s.metrics.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "triade_http_requests_active", Help: "Requests at work (admitted)."},
			func() float64 { return float64(s.admission.working()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "triade_http_requests_waiting", Help: "Requests waiting their turn to be admitted."},
			func() float64 { return float64(s.admission.queued()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "triade_http_requests_max_active", Help: "Requests admitted at once at most (MAX_ACTIVE_REQUESTS)."},
			func() float64 { return float64(s.admission.limit) }))
	s.sessions = scs.New()
	s.sessions.Store = sessionStore{st}
	s.sessions.Codec = sessionCodec{}
	if cfg.SessionCleanup > 0 {
		go cleanSessions(st, cfg.SessionCleanup, cfg.Logger)
	}
	s.sessions.Lifetime = 7 * 24 * time.Hour
	s.sessions.Cookie.Name = "triade_session"
	s.sessions.Cookie.HttpOnly = true
	s.sessions.Cookie.SameSite = http.SameSiteLaxMode
	s.sessions.Cookie.Secure = strings.HasPrefix(cfg.BaseURL, "https://")
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) }

	static, _ := fs.Sub(web.Static, "static")
	s.cssURL = assetURL(static, "app.css")
	s.jsURL = assetURL(static, "app.js")
	s.static = http.StripPrefix("/static/", http.FileServerFS(static))
	s.secure = strings.HasPrefix(cfg.BaseURL, "https://")
	s.handler = s.routes()
	return s
}

// assetURL links a static file with a hash of its content, so that the URL
// may be cached for good.
func assetURL(static fs.FS, name string) string {
	b, _ := fs.ReadFile(static, name)
	sum := sha256.Sum256(b)
	return "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Router exposes the routes, so that tests can walk every one of them.
func (s *Server) Router() chi.Routes { return s.handler.(chi.Routes) }

// Sessions exposes the session manager (tests and the second-instance check).
func (s *Server) Sessions() *scs.SessionManager { return s.sessions }
