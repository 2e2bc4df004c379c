package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

// render writes a page with its status. The page is rendered to a buffer first so
// that a rendering failure still becomes a clean error page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	// Render even when the request's deadline has passed: the error page of a
	// timed-out request must still be written.
	if err := c.Render(context.WithoutCancel(r.Context()), buf); err != nil {
		s.log.Error("render", "route", routePattern(r), "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageBuffers keeps the buffers pages are rendered into: a dashboard is
// 20–60 kB, and a new buffer would grow to it by a dozen copies per request.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putPageBuffer gives a buffer back, empty; one grown by an unusually large
// page (a long export) is left to the collector rather than kept.
func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// page gathers what the layout needs about this request.
func (s *Server) page(r *http.Request, title string, args ...any) views.Page {
	p := views.Page{Title: title, TitleArgs: args, Lang: i18n.Lang(r.Context()), CSS: s.cssURL, JS: s.jsURL, Path: returnPath(r), Dev: s.cfg.Dev, SignupClosed: s.cfg.SignupClosed}
	if u := person(r); u != nil {
		p.User = &views.Person{Name: u.Name, Email: u.Email, AddressForm: u.AddressForm}
		p.Flash = s.sessions.PopString(r.Context(), "flash")
	}
	if v := seenAsOf(r); v != nil { // the header stays the asker's; the page is framed
		p.User = &views.Person{Name: v.viewer.Name, Email: v.viewer.Email, AddressForm: v.viewer.AddressForm}
		p.SeenAs = seenAsBanner(r)
	}
	m := member(r)
	if m.Workspace.ID != "" {
		p.Workspace = &views.WorkspaceLink{Slug: m.Workspace.Slug, Name: m.Workspace.Name, Roles: m.Roles}
		p.Roles = m.Roles
		p.Nav = navFor(m, r.URL.Path)
	}
	if p.Workspace != nil {
		p.Workspaces = workspaceLinks(memberships(r))
	}
	return p
}

func workspaceLinks(all []store.Membership) []views.WorkspaceLink {
	out := make([]views.WorkspaceLink, len(all))
	for i, m := range all {
		out[i] = views.WorkspaceLink{Slug: m.Workspace.Slug, Name: m.Workspace.Name, Roles: m.Roles}
	}
	return out
}

// navFor is the main navigation of a member, by roles.
func navFor(m store.Membership, current string) []views.NavItem {
	base := "/w/" + m.Workspace.Slug
	items := []views.NavItem{{Label: "nav.dashboard", Href: base + "/"}, {Label: "nav.engagements", Href: base + "/engagements"}}
	if domain.Can(m.Roles, domain.SeeMembers) {
		items = append(items, views.NavItem{Label: "nav.members", Href: base + "/members"})
	}
	if domain.Can(m.Roles, domain.SeeLibrary) {
		items = append(items, views.NavItem{Label: "nav.library", Href: base + "/library"})
	}
	if domain.Can(m.Roles, domain.ManageOrgs) {
		items = append(items, views.NavItem{Label: "nav.orgs", Href: base + "/orgs"})
	}
	if domain.Can(m.Roles, domain.SeeActivity) {
		items = append(items, views.NavItem{Label: "nav.activity", Href: base + "/activity"})
	}
	if domain.Can(m.Roles, domain.ManageWorkspace) {
		items = append(items, views.NavItem{Label: "nav.settings", Href: base + "/settings"})
	}
	for i := range items {
		items[i].Current = items[i].Href == current
	}
	return items
}

func errorPage(p views.Page, status int, msg string) templ.Component {
	return views.ErrorPage(p, status, msg)
}

// flash leaves a one-time message for the next page.
func (s *Server) flash(r *http.Request, id string) { s.sessions.Put(r.Context(), "flash", id) }

// parseForm reads a posted form; a body that is not a form at all is a 400 (and
// an oversized one stays a 413).
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.EBadRequest, Message: "error.bad_form", Cause: err}
	}
	return nil
}

// form parses a posted form into a views.Form that keeps the person's input.
func form(r *http.Request) (views.Form, error) {
	if err := parseForm(r); err != nil {
		return views.Form{}, err
	}
	return views.Form{Values: r.PostForm, Errors: domain.FieldErrors{}}, nil
}

// emptyForm starts a form with some values filled in.
func emptyForm(kv ...string) views.Form {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return views.Form{Values: v, Errors: domain.FieldErrors{}}
}

// invalid re-renders a refused form with 422 and the person's input.
func (s *Server) invalid(w http.ResponseWriter, r *http.Request, f views.Form, err error, c func(views.Form) templ.Component) error {
	switch fe := err.(type) {
	case domain.FieldErrors:
		for k, v := range fe {
			f.Errors.Add(k, v)
		}
	default:
		return err
	}
	s.render(w, r, http.StatusUnprocessableEntity, c(f))
	return nil
}

// localPath keeps redirects on this site: an absolute path without scheme or
// host, and without control characters (browsers drop tabs and line breaks
// from URLs, so "/\t/evil.example" would become "//evil.example").
func localPath(next, fallback string) string {
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return fallback
		}
	}
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return fallback
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return fallback
	}
	return u.RequestURI()
}

// returnPath is where the language switch brings the person back: this page, or
// for a form re-rendered after a POST, the page the form was on.
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host {
		return localPath(ref.RequestURI(), "/")
	}
	return "/"
}
