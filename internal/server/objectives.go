package server

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

var indicatorKinds = []string{"observable", "performance"}

func (s *Server) objectives(w http.ResponseWriter, r *http.Request) error {
	return s.objectivesPage(w, r, http.StatusOK, "", views.Form{})
}

// editObjective shows the page with one objective open for editing: its form,
// its indicators' forms and the form to add one; the others stay read.
func (s *Server) editObjective(w http.ResponseWriter, r *http.Request) error {
	return s.objectivesPage(w, r, http.StatusOK, "", views.Form{})
}

// objectivesPage shows the objectives and their indicators as text. The
// objective of the URL ({oid}), or the one holding the form that comes back,
// is shown as forms. formFor names the form (an objective, an indicator, or
// "new") that comes back with the person's input and errors; every other form
// shows the stored values.
func (s *Server) objectivesPage(w http.ResponseWriter, r *http.Request, status int, formFor string, f views.Form) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	editing := chi.URLParam(r, "oid")
	if o := objectiveOf(file, formFor); o != "" {
		editing = o
	}
	v := views.ObjectivesView{Eng: s.engView(r, "/objectives"), CanEdit: canEdit(r, domain.InfoFraming), New: emptyForm(), NewFor: formFor}
	if formFor == "new" {
		v.New = f
	}
	for _, k := range indicatorKinds {
		v.Kinds = append(v.Kinds, views.Option{Value: k, Label: "indicator.kind." + k})
	}
	for i, o := range file.Objectives {
		ov := views.ObjectiveView{ID: o.ID, N: i + 1, Title: o.Title, Description: o.Description, First: i == 0, Last: i == len(file.Objectives)-1,
			Editing: v.CanEdit && editing == o.ID,
			Form:    emptyForm("title", o.Title, "description", o.Description, "version", strconv.Itoa(o.Version)),
			NewInd:  emptyForm("kind", "observable")}
		if formFor == o.ID {
			ov.Form = f
		}
		if formFor == "ind-new-"+o.ID {
			ov.NewInd = f
		}
		for _, ind := range o.Indicators {
			iv := views.IndicatorView{ID: ind.ID, Kind: ind.Kind, Description: ind.Description, Baseline: ind.Baseline, Target: ind.Target, Observe: ind.Observe,
				Form: emptyForm("kind", ind.Kind, "description", ind.Description, "baseline", ind.Baseline, "target", ind.Target,
					"observation", ind.Observe, "version", strconv.Itoa(ind.Version))}
			if formFor == ind.ID {
				iv.Form = f
			}
			ov.Indicators = append(ov.Indicators, iv)
		}
		v.Objectives = append(v.Objectives, ov)
	}
	if !formFound(formFor, v) || (editing != "" && objectiveOf(file, editing) == "") {
		return domain.ErrNotFound // an objective or indicator of another engagement
	}
	s.render(w, r, status, views.Objectives(s.page(r, "eng.tab.objectives"), v))
	return nil
}

// objectiveOf names the objective that id is, or holds (an indicator, or
// "ind-new-" and the objective), or "".
func objectiveOf(file *store.CadrageFile, id string) string {
	if id == "" {
		return ""
	}
	for _, o := range file.Objectives {
		if id == o.ID || id == "ind-new-"+o.ID {
			return o.ID
		}
		for _, i := range o.Indicators {
			if id == i.ID {
				return o.ID
			}
		}
	}
	return ""
}

// backToObjective ends a write on an objective or one of its indicators: the
// page opens where the person was, not at its top.
func (s *Server) backToObjective(w http.ResponseWriter, r *http.Request, oid, flash string) error {
	s.flash(r, flash)
	http.Redirect(w, r, engPath(r, "/objectives")+"#objective-"+oid, http.StatusSeeOther)
	return nil
}

// formFound reports whether the form that comes back belongs to this page.
func formFound(formFor string, v views.ObjectivesView) bool {
	if formFor == "" || formFor == "new" {
		return true
	}
	for _, o := range v.Objectives {
		if formFor == o.ID || formFor == "ind-new-"+o.ID {
			return true
		}
		for _, i := range o.Indicators {
			if formFor == i.ID {
				return true
			}
		}
	}
	return false
}

func objectiveFrom(f views.Form) store.Objective {
	return store.Objective{Title: text(f, "title", 300, true), Description: text(f, "description", 5000, false), Version: version(f)}
}

func (s *Server) addObjective(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	o := objectiveFrom(f)
	if len(f.Errors) > 0 {
		return s.objectivesPage(w, r, http.StatusUnprocessableEntity, "new", f)
	}
	oid, err := s.store.AddObjective(r.Context(), scope(r), eng(r).ID, o)
	if err != nil {
		return err
	}
	return s.backToObjective(w, r, oid, "form.saved")
}

func (s *Server) updateObjective(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	o := objectiveFrom(f)
	o.ID = chi.URLParam(r, "oid")
	if len(f.Errors) > 0 {
		return s.objectivesPage(w, r, http.StatusUnprocessableEntity, o.ID, f)
	}
	err = s.store.UpdateObjective(r.Context(), scope(r), eng(r).ID, o)
	if isConflict(err) {
		// The conflict page posts back here; its save returns to the objective.
		file, lerr := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
		if lerr != nil {
			return err
		}
		for _, cur := range file.Objectives {
			if cur.ID == o.ID {
				return s.conflict(w, r, "/objectives", cur.Version, f, []views.ConflictField{
					{Name: "title", Label: "field.objective_title", Current: cur.Title, Short: true},
					{Name: "description", Label: "field.description", Current: cur.Description}})
			}
		}
	}
	if err != nil {
		return err
	}
	return s.backToObjective(w, r, o.ID, "form.saved")
}

// confirmDeleteObjective says what the deletion takes away before it is done.
func (s *Server) confirmDeleteObjective(w http.ResponseWriter, r *http.Request) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	oid := chi.URLParam(r, "oid")
	for _, o := range file.Objectives {
		if o.ID != oid {
			continue
		}
		lead := i18n.T(r.Context(), "objectives.delete.confirm.alone", "Title", o.Title)
		if n := len(o.Indicators); n > 0 {
			lead = i18n.T(r.Context(), "objectives.delete.confirm.lead", "Title", o.Title, "Count", n)
		}
		return s.confirmStep(w, r, http.StatusOK, "/objectives", views.ConfirmView{Heading: "objectives.delete.confirm", Submit: "objectives.delete",
			Lines: []string{lead, i18n.T(r.Context(), "confirm.final")}, Back: "/objectives#objective-" + oid})
	}
	return domain.ErrNotFound
}

func (s *Server) deleteObjective(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteObjective(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "oid")); err != nil {
		return err
	}
	s.flash(r, "objectives.deleted")
	http.Redirect(w, r, engPath(r, "/objectives"), http.StatusSeeOther)
	return nil
}

func (s *Server) moveObjective(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	dir := 1
	if r.PostForm.Get("dir") == "up" {
		dir = -1
	}
	oid := chi.URLParam(r, "oid")
	if err := s.store.MoveObjective(r.Context(), scope(r), eng(r).ID, oid, dir); err != nil {
		return err
	}
	http.Redirect(w, r, engPath(r, "/objectives")+"#objective-"+oid, http.StatusSeeOther)
	return nil
}

func indicatorFrom(f views.Form) store.Indicator {
	i := store.Indicator{Kind: f.Get("kind"), Description: text(f, "description", 1000, true), Baseline: text(f, "baseline", 1000, false),
		Target: text(f, "target", 1000, false), Observe: text(f, "observation", 2000, false), Version: version(f)}
	if !contains(indicatorKinds, i.Kind) {
		f.Errors.Add("kind", "field.invalid_choice")
	}
	return i
}

func (s *Server) addIndicator(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	i := indicatorFrom(f)
	i.ObjectiveID = chi.URLParam(r, "oid")
	if len(f.Errors) > 0 {
		return s.objectivesPage(w, r, http.StatusUnprocessableEntity, "ind-new-"+i.ObjectiveID, f)
	}
	if err := s.store.AddIndicator(r.Context(), scope(r), eng(r).ID, i); err != nil {
		return err
	}
	return s.backToObjective(w, r, i.ObjectiveID, "form.saved")
}

func (s *Server) updateIndicator(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	i := indicatorFrom(f)
	i.ID = chi.URLParam(r, "iid")
	if len(f.Errors) > 0 {
		return s.objectivesPage(w, r, http.StatusUnprocessableEntity, i.ID, f)
	}
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	err = s.store.UpdateIndicator(r.Context(), scope(r), eng(r).ID, i)
	if isConflict(err) {
		for _, o := range file.Objectives {
			for _, cur := range o.Indicators {
				if cur.ID == i.ID {
					return s.conflict(w, r, "/objectives", cur.Version, f, []views.ConflictField{
						{Name: "description", Label: "field.indicator", Current: cur.Description},
						{Name: "baseline", Label: "field.baseline", Current: cur.Baseline, Short: true},
						{Name: "target", Label: "field.target", Current: cur.Target, Short: true},
						{Name: "observation", Label: "field.observation", Current: cur.Observe}})
				}
			}
		}
	}
	if err != nil {
		return err
	}
	return s.backToObjective(w, r, objectiveOf(file, i.ID), "form.saved")
}

// confirmDeleteIndicator says which indicator of which objective goes.
func (s *Server) confirmDeleteIndicator(w http.ResponseWriter, r *http.Request) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	iid := chi.URLParam(r, "iid")
	for _, o := range file.Objectives {
		for _, ind := range o.Indicators {
			if ind.ID == iid {
				lead := i18n.T(r.Context(), "indicators.delete.confirm.lead", "Title", ind.Description, "Objective", o.Title)
				return s.confirmStep(w, r, http.StatusOK, "/objectives", views.ConfirmView{Heading: "indicators.delete.confirm", Submit: "indicators.delete",
					Lines: []string{lead, i18n.T(r.Context(), "confirm.final")}, Back: "/objectives/" + o.ID + "/edit#objective-" + o.ID})
			}
		}
	}
	return domain.ErrNotFound
}

func (s *Server) deleteIndicator(w http.ResponseWriter, r *http.Request) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	iid := chi.URLParam(r, "iid")
	if err := s.store.DeleteIndicator(r.Context(), scope(r), eng(r).ID, iid); err != nil {
		return err
	}
	return s.backToObjective(w, r, objectiveOf(file, iid), "indicators.deleted")
}
