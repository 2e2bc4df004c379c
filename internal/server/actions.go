package server

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

func (s *Server) actionRow(r *http.Request, a store.Action) views.ActionRow {
	row := views.ActionRow{ID: a.ID, Title: a.Title, Description: a.Description, Objective: a.Objective, Session: a.SessionNumber,
		Status: string(a.Status), Open: a.Status.Open(), Overdue: a.Overdue(time.Now()), Shared: a.Shared != nil, Entries: a.Entries,
		Href: engPath(r, "/actions/"+a.ID), ProposedBy: string(a.ProposedBy)}
	if a.Due != nil {
		row.Due = i18nDate(r, a.Due)
	}
	return row
}

// actions is the coachee's space: open actions first, overdue marked, a journal
// entry two clicks away. The sponsor sees only what the coachee shared.
func (s *Server) actions(w http.ResponseWriter, r *http.Request) error {
	return s.actionsPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) actionsPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	e := eng(r)
	canAdd := canEdit(r, domain.InfoActions)
	list, objectives, err := s.store.ActionsPage(r.Context(), scope(r), e.ID, canAdd)
	if err != nil {
		return err
	}
	// The coachee's quick journal forms exist only while the work goes on.
	v := views.ActionsView{Eng: s.engView(r, "/actions"), CanWork: canAdd, SharedOnly: !can(r, domain.InfoActions, domain.Read),
		CanAdd: canAdd, Form: f, Statuses: statusOptions()}
	if f.Values == nil {
		v.Form = emptyForm()
	}
	for _, a := range list {
		v.Actions = append(v.Actions, s.actionRow(r, a))
	}
	if v.CanAdd {
		v.Objectives = objectiveOptions(objectives)
	}
	s.render(w, r, status, views.Actions(s.page(r, "eng.tab.actions"), v))
	return nil
}

func (s *Server) addAction(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	a := store.NewAction{ObjectiveID: idField(f, "objective"), Title: text(f, "title", 300, true), Description: text(f, "description", 5000, false), Due: parseDay(f, "due")}
	if len(f.Errors) == 0 {
		_, err = s.store.AddAction(r.Context(), scope(r), eng(r).ID, a)
		if fe, ok := err.(domain.FieldErrors); ok {
			return s.invalidWith(w, r, f, fe, s.actionsPage)
		}
		if err != nil {
			return err
		}
		return s.saved(w, r, "/actions")
	}
	return s.actionsPage(w, r, http.StatusUnprocessableEntity, f)
}

func (s *Server) action(w http.ResponseWriter, r *http.Request) error {
	return s.actionPage(w, r, http.StatusOK, "", views.Form{})
}

func (s *Server) actionPage(w http.ResponseWriter, r *http.Request, status int, formFor string, f views.Form) error {
	e := eng(r)
	a, err := s.store.ActionDetail(r.Context(), scope(r), e.ID, chi.URLParam(r, "aid"))
	if err != nil {
		return err
	}
	v := views.ActionView{Eng: s.engView(r, "/actions"), Row: s.actionRow(r, a.Action),
		CanWork: canEdit(r, domain.InfoActions), CanComment: can(r, domain.InfoActions, domain.Comment),
		Journal: emptyForm(), Comment: emptyForm(), ShowComments: can(r, domain.InfoActions, domain.Read)}
	switch formFor {
	case "journal":
		v.Journal = f
	case "comment":
		v.Comment = f
	}
	for _, j := range a.Journal {
		v.Entries = append(v.Entries, views.JournalRow{At: i18n.DateTime(r.Context(), j.At), Did: j.Did, Happened: j.Happened, Learnt: j.Learnt})
	}
	for _, c := range a.Comments {
		v.Comments = append(v.Comments, views.CommentRow{At: i18n.DateTime(r.Context(), c.At), Author: c.Author, Body: c.Body})
	}
	v.Statuses = statusOptions()
	s.render(w, r, status, views.ActionPage(s.page(r, "action.title"), v))
	return nil
}

// statusOptions are the statuses an action can take, for a select.
func statusOptions() []views.Option {
	var out []views.Option
	for _, st := range domain.ActionStatuses {
		out = append(out, views.Option{Value: string(st), Label: "action.status." + string(st)})
	}
	return out
}

func (s *Server) setActionStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	st := domain.ActionStatus(r.PostForm.Get("status"))
	if !st.Valid() {
		return domain.Errorf(domain.EInvalid, "field.invalid_choice")
	}
	if err := s.store.SetActionStatus(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "aid"), st); err != nil {
		return err
	}
	return s.backTo(w, r, "/actions/"+chi.URLParam(r, "aid"))
}

// backTo returns to the page the form was on when it names one of this
// engagement's pages (the list or the action), else to the given page.
func (s *Server) backTo(w http.ResponseWriter, r *http.Request, fallback string) error {
	dest := engPath(r, fallback)
	if back := r.PostForm.Get("back"); back == "list" {
		dest = engPath(r, "/actions")
	}
	s.flash(r, "form.saved")
	http.Redirect(w, r, dest, http.StatusSeeOther)
	return nil
}

func (s *Server) addJournalEntry(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	j := store.JournalEntry{Did: text(f, "did", 5000, false), Happened: text(f, "happened", 5000, false), Learnt: text(f, "learnt", 5000, false),
		Status: domain.ActionStatus(f.Get("status"))}
	if j.Status != "" && !j.Status.Valid() {
		f.Errors.Add("status", "field.invalid_choice")
	}
	if j.Did == "" && j.Happened == "" && j.Learnt == "" && len(f.Errors) == 0 {
		f.Errors.Add("did", "field.journal.empty")
	}
	if len(f.Errors) > 0 {
		return s.actionPage(w, r, http.StatusUnprocessableEntity, "journal", f)
	}
	if err := s.store.AddJournalEntry(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "aid"), j); err != nil {
		return err
	}
	return s.backTo(w, r, "/actions/"+chi.URLParam(r, "aid"))
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	body := text(f, "body", 5000, true)
	if len(f.Errors) > 0 {
		return s.actionPage(w, r, http.StatusUnprocessableEntity, "comment", f)
	}
	if err := s.store.AddComment(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "aid"), body); err != nil {
		return err
	}
	return s.backTo(w, r, "/actions/"+chi.URLParam(r, "aid"))
}

// shareAction: the coachee shares one action (with its journal) with the
// sponsor, or takes it back.
func (s *Server) shareAction(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.store.ShareAction(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "aid"), r.PostForm.Get("share") == "on"); err != nil {
		return err
	}
	return s.backTo(w, r, "/actions/"+chi.URLParam(r, "aid"))
}

// library is the workspace's theoretical input, kept by its coaches and
// administrators.
func (s *Server) library(w http.ResponseWriter, r *http.Request) error {
	return s.libraryPage(w, r, http.StatusOK, views.LibraryView{Form: emptyForm()})
}

// libraryPage shows the library with v's forms (the add form, or an item's
// edit form, as typed).
func (s *Server) libraryPage(w http.ResponseWriter, r *http.Request, status int, v views.LibraryView) error {
	items, err := s.store.Library(r.Context(), scope(r))
	if err != nil {
		return err
	}
	v.Slug, v.CanAdd = member(r).Workspace.Slug, domain.Can(member(r).Roles, domain.ManageLibrary)
	for _, it := range items {
		v.Items = append(v.Items, views.Item{ID: it.ID, Title: it.Title, Body: it.Summary, Extra: it.Reference})
	}
	s.render(w, r, status, views.Library(s.page(r, "library.title"), v))
	return nil
}

func (s *Server) addLibraryItem(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	it := libraryItem(f)
	if len(f.Errors) > 0 {
		return s.libraryPage(w, r, http.StatusUnprocessableEntity, views.LibraryView{Form: f})
	}
	if _, err := s.store.AddLibraryItem(r.Context(), scope(r), it); err != nil {
		return err
	}
	s.flash(r, "library.added")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/library", http.StatusSeeOther)
	return nil
}

// libraryItem reads the fields of a library item's form.
func libraryItem(f views.Form) store.LibraryItem {
	return store.LibraryItem{Title: text(f, "title", 300, true), Summary: text(f, "summary", 2000, false), Reference: text(f, "reference", 500, false)}
}

// updateLibraryItem rewrites an item; a refused edit comes back in the item's
// own form, as typed.
func (s *Server) updateLibraryItem(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	it := libraryItem(f)
	it.ID = chi.URLParam(r, "item")
	if len(f.Errors) > 0 {
		return s.libraryPage(w, r, http.StatusUnprocessableEntity, views.LibraryView{Form: emptyForm(), Editing: it.ID, Edit: f})
	}
	if err := s.store.UpdateLibraryItem(r.Context(), scope(r), it); err != nil {
		return err
	}
	s.flash(r, "library.saved")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/library#item-"+it.ID, http.StatusSeeOther)
	return nil
}

// archiveLibraryItem takes an item out of the library; the sessions that used
// it keep it.
func (s *Server) archiveLibraryItem(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.ArchiveLibraryItem(r.Context(), scope(r), chi.URLParam(r, "item")); err != nil {
		return err
	}
	s.flash(r, "library.removed")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/library", http.StatusSeeOther)
	return nil
}
