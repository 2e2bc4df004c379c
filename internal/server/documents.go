package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/sergi/go-diff/diffmatchpatch"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web"
	"triade/web/views"
)

// Documents HR can file: the synthesis and the final report versions carry
// the workspace's letterhead, who they are for, page numbers, and the
// evidence of their validation; they download as PDF and compare with the
// version before.

// docFrame builds what surrounds a version: letterhead, audience, fingerprints,
// links, and the changes since the version the reader validated last.
func (s *Server) docFrame(r *http.Request, doc string, p *store.DocumentPage, lines func(raw []byte) []string, names []string) views.DocFrame {
	ctx := r.Context()
	n := p.Version.Number
	base := engPath(r, "/"+doc+"/"+strconv.Itoa(n))
	f := views.DocFrame{
		Letterhead:  letterheadView(p.Letterhead),
		Audience:    i18n.T(ctx, "doc.audience", "Names", strings.Join(names, ", ")),
		Fingerprint: hex.EncodeToString(p.Version.SHA256),
	}
	if p.SelfAssessment != nil {
		f.SelfFingerprint = hex.EncodeToString(p.SelfSHA256)
	}
	if s.pdf.Available() {
		f.PDFHref = base + "/pdf"
	}
	if n > 1 {
		f.DiffHref = base + "/diff"
	}
	if p.Validated > 0 {
		d := diffView(lines(p.ValidatedContent), lines(p.Content), p.Validated, n)
		f.Changes = &d
	}
	return f
}

func letterheadView(l store.Letterhead) views.Letterhead {
	v := views.Letterhead{Name: l.Name, Address: l.Address}
	if len(l.Logo) > 0 {
		v.Logo = "data:" + l.LogoType + ";base64," + base64.StdEncoding.EncodeToString(l.Logo)
	}
	return v
}

// audience names the parties of a document, each with their part.
func audience(ctx context.Context, coach, coachee string, sponsors []string) []string {
	out := []string{fmt.Sprintf("%s (%s)", coach, i18n.T(ctx, "part.coach")), fmt.Sprintf("%s (%s)", coachee, i18n.T(ctx, "part.coachee"))}
	for _, sp := range sponsors {
		out = append(out, fmt.Sprintf("%s (%s)", sp, i18n.T(ctx, "part.sponsor")))
	}
	return out
}

// --- comparing versions --------------------------------------------------------

// diffView compares two renderings of a document line by line (Myers' diff,
// on lines), keeping two unchanged lines around each change.
func diffView(old, cur []string, from, to int) views.DiffView {
	dmp := diffmatchpatch.New()
	a, b, index := dmp.DiffLinesToChars(strings.Join(old, "\n")+"\n", strings.Join(cur, "\n")+"\n")
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), index)
	var all []views.DiffLine
	for _, d := range diffs {
		op := map[diffmatchpatch.Operation]string{diffmatchpatch.DiffEqual: "same", diffmatchpatch.DiffInsert: "add", diffmatchpatch.DiffDelete: "del"}[d.Type]
		for _, l := range strings.Split(strings.TrimSuffix(d.Text, "\n"), "\n") {
			all = append(all, views.DiffLine{Op: op, Text: l})
		}
	}
	v := views.DiffView{From: from, To: to}
	const context = 2
	near := func(i int) bool {
		for j := max(0, i-context); j <= min(len(all)-1, i+context); j++ {
			if all[j].Op != "same" {
				return true
			}
		}
		return false
	}
	for i, l := range all {
		switch {
		case l.Op != "same":
			v.Changed = true
			v.Lines = append(v.Lines, l)
		case near(i):
			v.Lines = append(v.Lines, l)
		case len(v.Lines) == 0 || v.Lines[len(v.Lines)-1].Op != "gap":
			v.Lines = append(v.Lines, views.DiffLine{Op: "gap"})
		}
	}
	return v
}

// textLines writes a labelled text as lines: the label, then the text.
func textLines(out []string, label, text string) []string {
	out = append(out, "— "+label+" —")
	if strings.TrimSpace(text) == "" {
		return append(out, "∅")
	}
	return append(out, strings.Split(text, "\n")...)
}

// synthesisLines renders a synthesis version as the lines a reader compares.
func synthesisLines(ctx context.Context) func([]byte) []string {
	return func(raw []byte) []string {
		var c store.SynthesisContent
		if err := json.Unmarshal(raw, &c); err != nil {
			return []string{err.Error()}
		}
		t := func(id string, args ...any) string { return i18n.T(ctx, id, args...) }
		out := []string{c.Title, strings.Join(audience(ctx, c.Coach, c.Coachee, c.Sponsors), ", ")}
		out = textLines(out, t("request.level.company"), c.CompanyRequest)
		out = textLines(out, t("request.level.coachee"), c.CoacheeRequest)
		out = textLines(out, t("requests.coherence"), c.CoherenceComment)
		for i, o := range c.Objectives {
			out = textLines(out, t("objectives.n", "N", i+1)+" : "+o.Title, o.Description)
			for _, ind := range o.Indicators {
				out = append(out, fmt.Sprintf("• %s (%s) : %s → %s ; %s", ind.Description, t("indicator.kind."+ind.Kind), ind.Baseline, ind.Target, ind.Observe))
			}
		}
		k := c.Contract
		out = append(out, "— "+t("eng.tab.contract")+" —",
			fmt.Sprintf("%s : %d", t("field.sessions_planned"), k.SessionsPlanned),
			fmt.Sprintf("%s : %d", t("field.session_minutes"), k.SessionMin),
			fmt.Sprintf("%s : %s → %s", t("report.dates"), dateOrDash(ctx, k.Start), dateOrDash(ctx, k.End)))
		out = textLines(out, t("field.approach"), k.Approach)
		out = textLines(out, t("field.confidentiality"), k.Confidentiality)
		out = textLines(out, t("field.exceptions"), k.Exceptions)
		return textLines(out, t("doc.h.synthesis_text"), c.Text)
	}
}

// reportLines renders a report version as the lines a reader compares (the
// coachee's self-assessment, kept apart, is not part of it).
func reportLines(ctx context.Context) func([]byte) []string {
	return func(raw []byte) []string {
		var c store.ReportContent
		if err := json.Unmarshal(raw, &c); err != nil {
			return []string{err.Error()}
		}
		t := func(id string, args ...any) string { return i18n.T(ctx, id, args...) }
		out := []string{c.Title, strings.Join(audience(ctx, c.Coach, c.Coachee, c.Sponsors), ", "),
			t("progress.sessions_value", "Held", c.SessionsHeld, "Planned", c.SessionsPlanned)}
		out = textLines(out, t("request.level.company"), c.CompanyRequest)
		out = textLines(out, t("request.level.coachee"), c.CoacheeRequest)
		for i, o := range c.Objectives {
			out = append(out, "— "+t("objectives.n", "N", i+1)+" : "+o.Title+" —")
			for _, ind := range o.Indicators {
				a := ""
				if ind.Coach.Assessment != "" {
					a = t("assessment." + ind.Coach.Assessment)
				}
				out = append(out, fmt.Sprintf("• %s : %s → %s ; %s %s", ind.Description, ind.Baseline, ind.Target, ind.Coach.Reached, a))
			}
		}
		out = textLines(out, t("field.coachee_synthesis"), c.CoacheeSynthesis)
		out = append(out, "— "+t("closing.recommendations")+" —")
		for _, rec := range c.Recommendations {
			out = append(out, "• "+rec.Body+" ("+rec.Author+")")
		}
		for _, fb := range c.Feedback {
			out = textLines(out, t("closing.feedback")+" ("+fb.Author+")", fb.Body)
		}
		return out
	}
}

func dateOrDash(ctx context.Context, t *time.Time) string {
	if t == nil {
		return "—"
	}
	return i18n.Date(ctx, *t)
}

// documentDiff compares version n of a document with the version before, or
// with ?from=m.
func (s *Server) documentDiff(doc string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := strconv.Atoi(chi.URLParam(r, "n"))
		if err != nil || n < 2 {
			return domain.ErrNotFound
		}
		from := n - 1
		if q := r.URL.Query().Get("from"); q != "" {
			if from, err = strconv.Atoi(q); err != nil || from < 1 || from >= n {
				return domain.ErrNotFound
			}
		}
		old, cur, err := s.store.VersionContents(r.Context(), scope(r), doc, eng(r).ID, from, n)
		if err != nil {
			return err
		}
		lines := synthesisLines(r.Context())
		title := "synthesis.doc.title"
		if doc == "report" {
			lines, title = reportLines(r.Context()), "report.doc.title"
		}
		back := engPath(r, "/"+doc+"/"+strconv.Itoa(n))
		v := diffView(lines(old), lines(cur), from, n)
		s.render(w, r, http.StatusOK, views.DocumentDiff(s.page(r, "doc.diff.page_title", "From", from, "To", n), s.engView(r, "/"+doc),
			i18n.T(r.Context(), title, "Number", n), v, back))
		return nil
	}
}

// --- paper and PDF ----------------------------------------------------------

// documentPrintCSS is the page frame of a printed version: running title,
// confidentiality footer and page X / Y, which CSS can only give per
// document in a stylesheet of its own (inline styles are refused by the
// Content-Security-Policy).
func (s *Server) documentPrintCSS(doc string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := strconv.Atoi(chi.URLParam(r, "n"))
		if err != nil {
			return domain.ErrNotFound
		}
		p, err := s.store.Document(r.Context(), scope(r), doc, eng(r).ID, n)
		if err != nil {
			return err
		}
		css, err := s.pageFrameCSS(r, doc, p)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "private, no-store")
		_, err = w.Write([]byte(css))
		return err
	}
}

func (s *Server) pageFrameCSS(r *http.Request, doc string, p *store.DocumentPage) (string, error) {
	ctx := r.Context()
	var names []string
	var title string
	switch doc {
	case "synthesis":
		var c store.SynthesisContent
		if err := json.Unmarshal(p.Content, &c); err != nil {
			return "", err
		}
		names, title = audience(ctx, c.Coach, c.Coachee, c.Sponsors), c.Title
	default:
		var c store.ReportContent
		if err := json.Unmarshal(p.Content, &c); err != nil {
			return "", err
		}
		names, title = audience(ctx, c.Coach, c.Coachee, c.Sponsors), c.Title
	}
	kind := i18n.T(ctx, map[string]string{"synthesis": "synthesis.doc.kicker", "report": "report.kicker"}[doc])
	return pageFrame(
		kind+" — "+title+" — "+i18n.T(ctx, "synthesis.version_n", "Number", p.Version.Number),
		i18n.T(ctx, "doc.audience", "Names", strings.Join(names, ", ")),
		i18n.T(ctx, "doc.page_of")), nil
}

// pageFrame writes the @page rules: A4, the running head, the footer and the
// page counter ("page X / Y", with the words of the catalog).
func pageFrame(head, footer, pageOf string) string {
	page, of, _ := strings.Cut(pageOf, "{page}")
	of, rest, _ := strings.Cut(of, "{pages}")
	return `@page { size: A4; margin: 20mm 18mm 22mm;
  @top-left { content: ` + cssString(head) + `; font: 8pt sans-serif; color: #555; }
  @bottom-left { content: ` + cssString(footer) + `; font: 8pt sans-serif; color: #555; width: 75%; }
  @bottom-right { content: ` + cssString(page) + ` counter(page) ` + cssString(of) + ` counter(pages) ` + cssString(rest) + `; font: 8pt sans-serif; color: #555; }
}
`
}

// cssString quotes a text for a CSS string: no character of it can end the
// string or the rule.
func cssString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r < 0x20 || r == 0x7f || r == '<' || r == '>':
			fmt.Fprintf(&b, "\\%x ", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// documentPDF prints a version to PDF from the same markup as its page.
func (s *Server) documentPDF(doc string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !s.pdf.Available() {
			return domain.ErrNotFound
		}
		n, err := strconv.Atoi(chi.URLParam(r, "n"))
		if err != nil {
			return domain.ErrNotFound
		}
		article, p, title, err := s.documentArticle(r, doc, n)
		if err != nil {
			return err
		}
		frame, err := s.pageFrameCSS(r, doc, p)
		if err != nil {
			return err
		}
		css, err := web.Static.ReadFile("static/app.css")
		if err != nil {
			return err
		}
		var html bytes.Buffer
		if err := views.PrintDocument(i18n.Lang(r.Context()), title, string(css)+"\n"+frame, article).Render(r.Context(), &html); err != nil {
			return err
		}
		out, err := s.pdf.Print(r.Context(), html.String())
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%s-v%d.pdf", doc, n)
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
		w.Header().Set("Cache-Control", "private, no-store")
		_, err = w.Write(out)
		return err
	}
}

// documentArticle is the article of version n of a document, its data and its
// title, for the PDF.
func (s *Server) documentArticle(r *http.Request, doc string, n int) (templ.Component, *store.DocumentPage, string, error) {
	if doc == "report" {
		v, p, err := s.reportDoc(r, n)
		return views.AsDocument(views.ReportArticle(v)), p, v.Title, err
	}
	v, p, err := s.synthesisDoc(r, n)
	return views.AsDocument(views.SynthesisArticle(v)), p, v.Content.Title, err
}

// --- the letterhead ----------------------------------------------------------

// maxLogo is the largest logo accepted (the database holds the same limit).
const maxLogo = 256 << 10

func (s *Server) letterhead(w http.ResponseWriter, r *http.Request) error {
	return s.letterheadPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) letterheadPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	l, err := s.store.WorkspaceLetterhead(r.Context(), scope(r))
	if err != nil {
		return err
	}
	if f.Values == nil {
		f = emptyForm("address", l.Address)
	}
	v := views.LetterheadView{Slug: member(r).Workspace.Slug, Current: letterheadView(l), Form: f}
	s.render(w, r, status, views.LetterheadSettings(s.page(r, "settings.letterhead"), v))
	return nil
}

// saveLetterhead stores the address and, when one is sent, the logo: a PNG or
// a JPEG (by its content, not its name) of at most maxLogo bytes.
func (s *Server) saveLetterhead(w http.ResponseWriter, r *http.Request) error {
	err := r.ParseMultipartForm(maxLogo + 64<<10)
	if errors.Is(err, http.ErrNotMultipart) { // no file field: the address alone
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || strings.Contains(err.Error(), "too large") {
			f := emptyForm()
			f.Errors.Add("logo", "field.logo.too_big")
			return s.letterheadPage(w, r, http.StatusUnprocessableEntity, f)
		}
		return &domain.Error{Code: domain.EBadRequest, Message: "error.bad_form", Cause: err}
	}
	f := views.Form{Values: r.PostForm, Errors: domain.FieldErrors{}}
	address := text(f, "address", 500, false)
	var logo []byte
	var logoType string
	if file, _, err := r.FormFile("logo"); err == nil {
		defer file.Close()
		logo, err = io.ReadAll(io.LimitReader(file, maxLogo+1))
		switch {
		case err != nil:
			return err
		case len(logo) > maxLogo:
			f.Errors.Add("logo", "field.logo.too_big")
		case len(logo) == 0:
			logo = nil
		default:
			logoType = http.DetectContentType(logo)
			if logoType != "image/png" && logoType != "image/jpeg" {
				f.Errors.Add("logo", "field.logo.invalid")
			}
		}
	}
	if len(f.Errors) > 0 {
		return s.letterheadPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := s.store.SetLetterhead(r.Context(), scope(r), address, logo, logoType, f.Get("remove_logo") == "on"); err != nil {
		return err
	}
	s.flash(r, "settings.letterhead.saved")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/settings/letterhead", http.StatusSeeOther)
	return nil
}
