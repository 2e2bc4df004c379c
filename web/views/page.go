// Package views holds Triade's pages as templ components. Components take typed
// props and never query anything; messages come from the catalogs via t().
package views

import (
	"context"
	"io"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"triade/internal/domain"
	"triade/internal/i18n"
)

// Page is what every page's layout needs to know about the request.
type Page struct {
	Title      string // catalog ID of the page title
	TitleArgs  []any
	Lang       string
	CSS        string // URL of the stylesheet, with its content hash
	JS         string // URL of the one script (progressive enhancement), with its content hash
	PrintCSS   string // URL of a page's own print stylesheet (a document's page footer), or ""
	Path       string // current path, where the language switch returns to
	User       *Person
	Workspace  *WorkspaceLink
	Roles      domain.RoleSet
	Workspaces []WorkspaceLink // the switcher
	Nav        []NavItem
	Flash      string // catalog ID of a one-time message
	Dev        bool
	// SignupClosed hides the links to /signup (SIGNUP=closed).
	SignupClosed bool
	// SeenAs frames a page shown as another party sees it, or nil.
	SeenAs *SeenAs
}

// SeenAs names whose view a page shows ("Ce que voit Marc Lefèvre (RH)") and
// the way back to one's own.
type SeenAs struct {
	Name string
	Part string // catalog ID of the person's part
	Back string
}

// Can reports whether the signed-in member has a workspace capability: pages
// ask the rules, they never compare roles.
func (p Page) Can(c domain.Capability) bool { return domain.Can(p.Roles, c) }

// Person is the signed-in person.
type Person struct {
	Name, Email string
	AddressForm string // how the person chose to be named (i18n.AddressForms)
}

// WorkspaceLink names a workspace and the person's roles in it.
type WorkspaceLink struct {
	Slug, Name string
	Roles      domain.RoleSet
}

// NavItem is an entry of the main navigation.
type NavItem struct {
	Label   string // catalog ID
	Href    string
	Current bool
}

// Form keeps what the person typed and what is wrong with it, so a refused form
// comes back filled in with a message beside each field.
type Form struct {
	Values url.Values
	Errors domain.FieldErrors
	Error  string // catalog ID of a message about the whole form
}

// Get returns the value typed in a field.
func (f Form) Get(name string) string { return f.Values.Get(name) }

// Err returns the catalog ID of the field's error, or "".
func (f Form) Err(name string) string { return f.Errors[name] }

// HasErrors reports whether anything is wrong.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 || f.Error != "" }

func t(ctx context.Context, id string, args ...any) string { return i18n.T(ctx, id, args...) }

// AsDocument renders a document (a synthesis or report version) for no reader
// in particular: filed by HR, signed by the three parties, it names each party
// by its part, "l'auto-évaluation de la coachée", whoever reads or prints it.
func AsDocument(c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		return c.Render(i18n.WithViewer(ctx, ""), w)
	})
}

func date(ctx context.Context, tm time.Time) string { return i18n.DateTime(ctx, tm) }

func roleLabel(r domain.Role) string { return "role." + string(r) }

// rolesText names every role of a set, in the interface's order: "Administrateur, Coach".
func rolesText(ctx context.Context, rs domain.RoleSet) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += ", "
		}
		out += t(ctx, roleLabel(r))
	}
	return out
}

// pick is a if cond, else b: for a message ID that depends on the page.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

func orDash(ctx context.Context, s string) string {
	if s == "" {
		return t(ctx, "text.none")
	}
	return s
}

func willing(ctx context.Context, at string) string {
	if at == "" {
		return t(ctx, "eng.willingness.pending")
	}
	return t(ctx, "eng.willingness.confirmed", "At", at)
}

// fid is a field's id on the page: its own ID when several forms share field
// names, its name otherwise.
func fid(id, name string) string {
	if id != "" {
		return id
	}
	return name
}

func score(ctx context.Context, s int) string {
	if s == 0 {
		return t(ctx, "autonomy.none")
	}
	return t(ctx, "autonomy.score", "Score", s)
}

// rated shows a rating of the session. Ratings are blind: until the viewer
// who rates has given theirs, the other side's is withheld by the database,
// and the page says so rather than "not rated".
func rated(ctx context.Context, v SessionView, r RatingView, otherSide bool) string {
	if r.Score == 0 && otherSide && v.CanRate && v.Own.Score == 0 {
		return t(ctx, "autonomy.blind")
	}
	return score(ctx, r.Score)
}

// formFor returns the form that came back with errors when it is the named one,
// an empty form otherwise.
func formFor(v SessionView, kind string) Form {
	if v.FormFor == kind {
		return v.New
	}
	return Form{}
}

// ratingWord is the rating's word as typed (when refused) or as stored.
func ratingWord(v SessionView) string {
	if v.FormFor == "rating" {
		return v.New.Get("word")
	}
	return v.Own.Word
}
