package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
)

type ctxKey int

const (
	personKey ctxKey = iota
	memberKey
	switcherKey
	prefetchKey
)

// accessLog writes one structured line per request and counts it in the
// metrics. Both name the route pattern (/password/reset/{token}), never the
// path: reset, join, calendar and unsubscribe links carry their secret in it.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		took := time.Since(start)
		route := routePattern(r)
		s.metrics.observe(r.Method, route, ww.Status(), took)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("id", middleware.GetReqID(r.Context())),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", ww.Status()),
			slog.Int("bytes", ww.BytesWritten()),
			slog.Duration("duration", took))
	})
}

// routePattern is the chi pattern that served r, or "unmatched" (a 404 whose
// path is whatever the visitor typed).
func routePattern(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		if p := rc.RoutePattern(); p != "" && !strings.HasSuffix(p, "/*") || p == "/static/*" {
			return p
		}
	}
	return "unmatched"
}

// realIP takes the client address from X-Forwarded-For when, and only when,
// the connection comes from a trusted proxy; the rate limits key on it. The
// header is read from the right: the first address that is not a trusted
// proxy is the client (anything left of it may be forged by the client).
func (s *Server) realIP(next http.Handler) http.Handler {
	if len(s.cfg.TrustedProxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := s.forwardedFor(r); ok {
			r.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) forwardedFor(r *http.Request) (netip.Addr, bool) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !s.trusted(peer.Addr()) {
		return netip.Addr{}, false
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false // a garbled chain: keep the peer
		}
		if a = a.Unmap(); !s.trusted(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// recoverer turns a panic into a logged 500 page instead of a dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "id", middleware.GetReqID(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.fail(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders: no script at all, styles only from our own stylesheet, no
// framing, and no caching of pages that hold personal data.
// Over https, browsers are told to never come back over plain http (HSTS).
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// rejectNUL answers 404 to a path holding a NUL byte: no page has one, and
// PostgreSQL cannot compare it.
func (s *Server) rejectNUL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.ContainsRune(r.URL.Path, 0) {
			s.fail(w, r, domain.ErrNotFound)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps what a request may send; forms are small.
func limitBody(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, max)
			next.ServeHTTP(w, r)
		})
	}
}

// loadPerson finds the signed-in person (if any) and the language of the page.
func (s *Server) loadPerson(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var account string
		if id := s.sessions.GetString(ctx, "user_id"); id != "" {
			u, all, err := s.personOf(ctx, id)
			switch {
			case err == nil:
				ctx = context.WithValue(ctx, personKey, &u)
				ctx = context.WithValue(ctx, switcherKey, all)
				account = u.Locale
			case domain.ErrorCode(err) == domain.ENotFound: // account erased since
				s.sessions.Remove(ctx, "user_id")
			default:
				s.fail(w, r, err)
				return
			}
		}
		cookie := ""
		if c, err := r.Cookie("lang"); err == nil {
			cookie = c.Value
		}
		ctx = i18n.WithLang(ctx, i18n.Negotiate(account, cookie, r.Header.Get("Accept-Language")))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// sessionPerson puts a place in the request's context for the person read
// with the session (sessionStore.FindCtx): the session and the person come in
// one round trip, not two.
func sessionPerson(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), prefetchKey, &prefetched{})))
	})
}

type prefetched struct{ person *store.Person }

// personOf is the signed-in person: the one read with the session when the
// session's data names the same id, else read now.
func (s *Server) personOf(ctx context.Context, id string) (store.User, []store.Membership, error) {
	if pf, _ := ctx.Value(prefetchKey).(*prefetched); pf != nil && pf.person != nil && pf.person.User.ID == id {
		return pf.person.User, pf.person.Memberships, nil
	}
	return s.store.Person(ctx, id)
}

// person returns the signed-in person, or nil.
func person(r *http.Request) *store.User {
	u, _ := r.Context().Value(personKey).(*store.User)
	return u
}

// member returns the workspace and roles of the current /w/{slug} request.
func member(r *http.Request) store.Membership {
	m, _ := r.Context().Value(memberKey).(store.Membership)
	return m
}

// memberships returns the signed-in person's workspaces, loaded with them.
func memberships(r *http.Request) []store.Membership {
	all, _ := r.Context().Value(switcherKey).([]store.Membership)
	return all
}

// scope is what the current request's queries are allowed to see.
func scope(r *http.Request) store.Scope {
	sc := store.Scope{TenantID: member(r).Workspace.ID}
	if u := person(r); u != nil {
		sc.UserID = u.ID
	}
	sc.ReadOnly = seenAsOf(r) != nil // another person's view: read with their rights, write nothing
	return sc
}

// workspace resolves /w/{slug}: the person must be signed in and a member;
// otherwise the workspace does not exist for them (404).
func (s *Server) workspace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := person(r)
		if u == nil {
			s.fail(w, r, domain.Errorf(domain.EUnauthorized, "error.unauthorized"))
			return
		}
		m, err := store.Resolve(memberships(r), chi.URLParam(r, "slug"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// A workspace that requires a second factor sends a member without one
		// to enrol first, then back here.
		if m.RequireTwoFactor && !u.TwoFactor {
			http.Redirect(w, r, "/account/2fa?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), memberKey, m)
		ctx = i18n.WithZone(ctx, m.Workspace.Timezone)
		if m.Roles.IsCoachee() { // the coachee's own pages name her or him as chosen
			ctx = i18n.WithCoachee(ctx, u.AddressForm)
			ctx = i18n.WithViewer(ctx, string(domain.PartCoachee))
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// handler is an HTTP handler that returns its failure instead of writing it.
type handler func(w http.ResponseWriter, r *http.Request) error

// h adapts a handler: every error goes through fail, the one place that maps
// errors to pages and statuses.
func (s *Server) h(fn handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !idsInURL(r) {
			s.fail(w, r, domain.ErrNotFound)
			return
		}
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// signedIn refuses anonymous visitors, sending them to the login page.
func (s *Server) signedIn(fn handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if person(r) == nil {
			return domain.Errorf(domain.EUnauthorized, "error.unauthorized")
		}
		return fn(w, r)
	}
}

// allow lets through members one of whose roles has the capability. A refused read is
// a 404 (no hint the page exists), a refused write a 403.
func (s *Server) allow(c domain.Capability, fn handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !domain.Can(member(r).Roles, c) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return domain.ErrNotFound
			}
			return domain.ErrForbidden
		}
		return fn(w, r)
	}
}

var statusOf = map[domain.Code]int{
	domain.ENotFound:     http.StatusNotFound,
	domain.EForbidden:    http.StatusForbidden,
	domain.EInvalid:      http.StatusUnprocessableEntity,
	domain.EBadRequest:   http.StatusBadRequest,
	domain.EConflict:     http.StatusConflict,
	domain.ETooMany:      http.StatusTooManyRequests,
	domain.EUnavailable:  http.StatusServiceUnavailable,
	domain.EInternal:     http.StatusInternalServerError,
	domain.EUnauthorized: http.StatusUnauthorized,
}

var titleOf = map[int]string{
	http.StatusBadRequest:            "error.400",
	http.StatusNotFound:              "error.404",
	http.StatusForbidden:             "error.403",
	http.StatusUnprocessableEntity:   "error.422",
	http.StatusConflict:              "error.409",
	http.StatusTooManyRequests:       "error.429",
	http.StatusServiceUnavailable:    "error.503",
	http.StatusInternalServerError:   "error.500",
	http.StatusRequestEntityTooLarge: "error.413",
}

// fail is the one place where an error becomes a response.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	// A client that left (or gave up waiting its turn) gets no answer, and
	// its request is no server error.
	if errors.Is(r.Context().Err(), context.Canceled) {
		s.log.Debug("client went away", "id", middleware.GetReqID(r.Context()), "route", routePattern(r), "err", err)
		return
	}
	err = store.Classify(err) // an outage seen by the session store is a 503 too
	code := domain.ErrorCode(err)
	if code == domain.EUnauthorized && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status := statusOf[code]
	msg := domain.ErrorMessage(err)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		status, msg = http.StatusRequestEntityTooLarge, "error.too_large"
	}
	if status >= 500 {
		s.log.Error("request failed", "id", middleware.GetReqID(r.Context()), "route", routePattern(r), "err", err)
	}
	if code == domain.EInternal {
		msg = "error.internal"
	}
	p := s.page(r, titleOf[status])
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	s.render(w, r, status, errorPage(p, status, msg))
}

// idParams are the URL parameters that name a row: an id that is not even
// shaped like one names nothing, so the page does not exist.
var idParams = map[string]bool{"id": true, "oid": true, "iid": true, "sid": true, "aid": true, "mid": true, "rid": true, "uid": true, "item": true}

func idsInURL(r *http.Request) bool {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return true
	}
	for i, k := range rc.URLParams.Keys {
		if idParams[k] && !domain.ValidID(strings.TrimSuffix(rc.URLParams.Values[i], ".ics")) {
			return false
		}
	}
	return true
}
