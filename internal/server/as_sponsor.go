package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/store"
	"triade/web/views"
)

const seenAsKey ctxKey = 101

// seenAs marks a request answered as the engagement's sponsor sees it, for
// the coachee or a coach who asked to check what HR reads.
type seenAs struct {
	viewer  *store.User // who asked, still the one signed in
	sponsor store.Party
	back    string // the asker's own page of the engagement
}

func seenAsOf(r *http.Request) *seenAs {
	v, _ := r.Context().Value(seenAsKey).(*seenAs)
	return v
}

// sponsorPages answers the sponsor's own pages of an engagement, for the
// preview: every GET route of an engagement, with the same handlers and the
// same rules (need), taken from the router itself so that no page is written
// twice (a document's print style, PDF and calendar files included).
func (s *Server) sponsorPages(root chi.Routes, notFound http.HandlerFunc) http.Handler {
	const prefix = "/w/{slug}/e/{id}"
	pr := chi.NewRouter()
	pr.NotFound(notFound)
	pr.MethodNotAllowed(notFound)
	chi.Walk(root, func(method, route string, h http.Handler, _ ...func(http.Handler) http.Handler) error {
		rest, ok := strings.CutPrefix(route, prefix)
		if method != http.MethodGet || !ok || strings.HasPrefix(rest, "/as-sponsor") {
			return nil
		}
		pr.Method(method, rest, h)
		return nil
	})
	return pr
}

// asSponsor shows the engagement exactly as its (first) sponsor sees it: the
// sponsor's page handler runs with the sponsor's part and a database scope of
// the sponsor (row-level security as the sponsor), read-only in PostgreSQL and
// with no write offered. ?page= names the page ("/synthesis/2"); the links of
// the page stay in the preview. No sponsor, nothing to show: 404.
func (s *Server) asSponsor(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	sponsors := e.With(domain.PartSponsor)
	if len(sponsors) == 0 {
		return domain.ErrNotFound
	}
	sp := sponsors[0]
	page, query, _ := strings.Cut(r.URL.Query().Get("page"), "?")
	if page == "" {
		page = "/"
	}
	if !strings.HasPrefix(page, "/") {
		return domain.ErrNotFound
	}
	u, err := s.store.UserByID(r.Context(), sp.UserID)
	if err != nil {
		return err
	}
	ctx := context.WithValue(r.Context(), seenAsKey, &seenAs{viewer: person(r), sponsor: sp, back: engPath(r, "/")})
	ctx = context.WithValue(ctx, personKey, &u)
	ctx = context.WithValue(ctx, engagementKey, &engCtx{Engagement: e.Engagement, Part: domain.PartSponsor})
	ctx = partiesNamed(ctx, e.Engagement, domain.PartSponsor)
	rctx := chi.NewRouteContext()
	rctx.URLParams.Add("slug", chi.URLParam(r, "slug"))
	rctx.URLParams.Add("id", e.ID)
	rctx.RoutePath = page
	r = r.WithContext(context.WithValue(ctx, chi.RouteCtxKey, rctx))
	if query != "" { // the page's own parameters ("?from=1"), beside page=
		u := *r.URL
		u.RawQuery += "&" + query
		r.URL = &u
	}
	s.sponsorView.ServeHTTP(w, r)
	return nil
}

// seenAsBanner frames a page shown as the sponsor sees it.
func seenAsBanner(r *http.Request) *views.SeenAs {
	v := seenAsOf(r)
	if v == nil {
		return nil
	}
	kind := "part.sponsor"
	if v.sponsor.SponsorKind != "" {
		kind = "sponsor_kind." + v.sponsor.SponsorKind
	}
	return &views.SeenAs{Name: v.sponsor.Name, Part: kind, Back: v.back}
}
