package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web"
	"triade/web/views"
)

// The company's view of its coaching programme. Every figure comes from the
// database's app_programme(), which withholds what covers fewer than k
// engagements: these handlers only lay out what they are given.

func (s *Server) programme(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.ProgrammeOf(r.Context(), scope(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	v := programmeView(r.Context(), p)
	base := programmePath(r, p.OrgID)
	v.CSVHref, v.PrintHref = base+".csv", base+"/print"
	if s.pdf.Available() {
		v.PDFHref = base + ".pdf"
	}
	s.render(w, r, http.StatusOK, views.Programme(s.page(r, "programme.title", "Org", p.OrgName), v))
	return nil
}

// programmePrint is the A4 report with the workspace's letterhead, printed
// from the browser.
func (s *Server) programmePrint(w http.ResponseWriter, r *http.Request) error {
	html, err := s.programmeReport(r, true)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(html)
	return err
}

// programmePDF is the same report as a PDF, where a PDF engine is installed.
func (s *Server) programmePDF(w http.ResponseWriter, r *http.Request) error {
	if !s.pdf.Available() {
		return domain.ErrNotFound
	}
	html, err := s.programmeReport(r, false)
	if err != nil {
		return err
	}
	out, err := s.pdf.Print(r.Context(), string(html))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="programme.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(out)
	return err
}

// programmeReport renders the printable report: the letterhead, the figures,
// an A4 page frame with the title on every page; in a browser, a way back to
// the page.
func (s *Server) programmeReport(r *http.Request, browser bool) ([]byte, error) {
	p, err := s.store.ProgrammeOf(r.Context(), scope(r), chi.URLParam(r, "id"))
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	v := programmeView(ctx, p)
	v.Letterhead = letterheadView(p.Letterhead)
	if browser {
		v.BackHref = programmePath(r, p.OrgID)
	}
	css, err := web.Static.ReadFile("static/app.css")
	if err != nil {
		return nil, err
	}
	title := i18n.T(ctx, "programme.title", "Org", p.OrgName)
	frame := pageFrame(title, i18n.T(ctx, "programme.lead", "K", p.K), i18n.T(ctx, "doc.page_of"))
	var html bytes.Buffer
	err = views.PrintDocument(i18n.Lang(ctx), title, string(css)+"\n"+frame, views.ProgrammeReport(v)).Render(ctx, &html)
	return html.Bytes(), err
}

// programmeCSV exports the same figures, one per line, with the same k rule:
// a withheld figure says so and carries no number.
func (s *Server) programmeCSV(w http.ResponseWriter, r *http.Request) error {
	p, err := s.store.ProgrammeOf(r.Context(), scope(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	fewer := i18n.T(ctx, "programme.fewer", "K", p.K)
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	_ = cw.Write([]string{i18n.T(ctx, "programme.csv.section"), i18n.T(ctx, "programme.csv.item"),
		i18n.T(ctx, "programme.csv.engagements"), i18n.T(ctx, "programme.csv.value"), i18n.T(ctx, "programme.csv.text")})
	if len(p.Figures) == 0 {
		_ = cw.Write([]string{"engagements", "total", "", fewer, ""})
	}
	for _, f := range p.Figures {
		row := []string{f.Section, f.Item, "", fewer, ""}
		if !f.Hidden() {
			row[2], row[3] = strconv.Itoa(*f.N), ""
			if f.Value != nil {
				row[3] = strconv.FormatFloat(*f.Value, 'f', -1, 64)
			}
			if f.Body != nil {
				row[4] = *f.Body
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="programme.csv"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(b.Bytes())
	return err
}

// programmeView lays the figures out by section, in the order of the page.
func programmeView(ctx context.Context, p *store.Programme) views.ProgrammeView {
	v := views.ProgrammeView{OrgName: p.OrgName, K: p.K, Below: len(p.Figures) == 0}
	by := map[string]store.Figure{}
	lists := map[string][]string{}
	sessions := map[int]bool{}
	for _, f := range p.Figures {
		by[f.Section+"/"+f.Item] = f
		if f.Body != nil {
			line := *f.Body
			if f.Value != nil && *f.Value > 1 { // a text several engagements share
				line += " (" + decimal(ctx, *f.Value) + ")"
			}
			lists[f.Section] = append(lists[f.Section], line)
		}
		if n, err := strconv.Atoi(f.Item); err == nil && strings.HasPrefix(f.Section, "autonomy.") {
			sessions[n] = true
		}
	}
	fewer := i18n.T(ctx, "programme.fewer", "K", p.K)
	value := func(key, unit string) (string, float64, bool) {
		f, ok := by[key]
		if !ok || f.Hidden() || f.Value == nil {
			return fewer, 0, false
		}
		return decimal(ctx, *f.Value) + unit, *f.Value, true
	}
	bars := func(section, labelPrefix string, items []string, unit string) []views.Bar {
		out := make([]views.Bar, len(items))
		var most float64
		for _, it := range items {
			if _, x, ok := value(section+"/"+it, unit); ok {
				most = max(most, x)
			}
		}
		for i, it := range items {
			text, x, ok := value(section+"/"+it, unit)
			out[i] = views.Bar{Label: labelPrefix + it, Value: text, Hidden: !ok}
			if ok && most > 0 {
				out[i].Width = int(100 * x / most)
			}
		}
		return out
	}
	v.Total, _, _ = value("engagements/total", "")
	v.Phases = bars("phase", "phase.", []string{"cadrage", "accompagnement", "bouclage", "clos", "interrompu"}, "")
	days := " " + i18n.T(ctx, "programme.days")
	v.Durations = []views.Bar{bars("duration", "programme.duration.", []string{"cadrage"}, days)[0],
		bars("duration", "programme.duration.", []string{"engagement"}, days)[0]}
	v.Sessions = bars("sessions", "programme.sessions.", []string{"contracted", "held"}, "")
	assessments := []string{"reached", "partly", "not_reached"}
	v.EvalCoach = bars("evaluation.coach", "assessment.", assessments, "")
	v.EvalCoachee = bars("evaluation.coachee", "assessment.", assessments, "")
	v.Themes, v.ThemesHidden = lists["theme"], len(lists["theme"]) == 0
	v.Recos, v.RecosHidden = lists["recommendation"], len(lists["recommendation"]) == 0
	for _, n := range slices.Sorted(maps.Keys(sessions)) {
		num := strconv.Itoa(n)
		step := views.AutonomyStep{Session: n}
		var share float64
		step.Initiative, share, _ = value("autonomy.initiative/"+num, " %")
		step.Width = int(share)
		step.Coach, _, _ = value("autonomy.coach/"+num, "")
		step.Coachee, _, _ = value("autonomy.coachee/"+num, "")
		v.Autonomy = append(v.Autonomy, step)
	}
	return v
}

// decimal writes a figure with at most one decimal, the way the reader's
// language writes it.
func decimal(ctx context.Context, x float64) string {
	out := strconv.FormatFloat(x, 'f', -1, 64)
	if i18n.Lang(ctx) == "fr" {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out
}

// programmePath is the address of an organisation's programme page.
func programmePath(r *http.Request, orgID string) string {
	return "/w/" + member(r).Workspace.Slug + "/orgs/" + orgID + "/programme"
}
