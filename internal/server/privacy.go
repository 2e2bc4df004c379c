package server

import (
	"archive/zip"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

// export downloads everything the workspaces hold about the signed-in person: a
// ZIP of JSON files, one per kind of record, as they may see it.
func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	files, err := s.store.Export(r.Context(), person(r).ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="triade-export.zip"`)
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.Create(f.Name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// eraseForm asks the admin to confirm erasing a person from the workspace.
func (s *Server) eraseForm(w http.ResponseWriter, r *http.Request) error {
	members, err := s.store.Members(r.Context(), scope(r))
	if err != nil {
		return err
	}
	uid := chi.URLParam(r, "uid")
	for _, m := range members {
		if m.UserID == uid {
			s.render(w, r, http.StatusOK, views.Erase(s.page(r, "erase.title"), views.EraseView{Slug: member(r).Workspace.Slug, UserID: uid, Name: m.Name, Email: m.Email}))
			return nil
		}
	}
	return domain.ErrNotFound
}

func (s *Server) erase(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.ErasePerson(r.Context(), scope(r), chi.URLParam(r, "uid")); err != nil {
		return err
	}
	s.flash(r, "erase.done")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/members", http.StatusSeeOther)
	return nil
}

// settings: the workspace's retention period, and the closed engagements due
// for erasure.
func (s *Server) settings(w http.ResponseWriter, r *http.Request) error {
	return s.settingsPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	years, due, err := s.store.RetentionDue(r.Context(), scope(r), s.store.Now())
	if err != nil {
		return err
	}
	if f.Values == nil {
		k, err := s.store.ProgrammeK(r.Context(), scope(r))
		if err != nil {
			return err
		}
		f = emptyForm("years", strconv.Itoa(years), "timezone", member(r).Workspace.Timezone, "k", strconv.Itoa(k))
	}
	v := views.SettingsView{Slug: member(r).Workspace.Slug, Form: f, Years: years, RequireTwoFactor: member(r).RequireTwoFactor}
	for _, e := range due {
		v.Due = append(v.Due, views.Item{Title: e.Title, Body: i18n.Date(r.Context(), e.Closed)})
	}
	s.render(w, r, status, views.Settings(s.page(r, "settings.title"), v))
	return nil
}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	years := parseCount(f, "years", 1, 30)
	if years == nil {
		f.Errors.Add("years", "field.number.range")
	}
	// k below 3 would let a figure describe one person (the database refuses
	// it too). A form without the field (an older page) keeps it: 0.
	k := 0
	if f.Values.Has("k") {
		if k, err = strconv.Atoi(strings.TrimSpace(f.Get("k"))); err != nil || k < 3 || k > 1000 {
			f.Errors.Add("k", "field.programme_k.range")
		}
	}
	zone := strings.TrimSpace(f.Get("timezone"))
	if !validTimezone(zone) {
		f.Errors.Add("timezone", "field.timezone.invalid")
	}
	if len(f.Errors) > 0 {
		return s.settingsPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := s.store.SetSettings(r.Context(), scope(r), *years, zone, k); err != nil {
		return err
	}
	s.flash(r, "form.saved")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/settings", http.StatusSeeOther)
	return nil
}

// validTimezone accepts IANA zone names that this binary knows (its own
// copy of the database is compiled in): "" and "Local" name no zone.
func validTimezone(name string) bool {
	if name == "" || name == "Local" || len(name) > 64 || !i18n.CanonicalZone(name) {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// activity is the admin's log of who did what, when: never what was said.
func (s *Server) activity(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	f := struct{ kind, actor string }{q.Get("kind"), q.Get("actor")}
	entries, next, err := s.store.Activity(r.Context(), scope(r), store.ActivityFilter{Kind: f.kind, ActorID: f.actor, Before: before})
	if err != nil {
		return err
	}
	members, err := s.store.Members(r.Context(), scope(r))
	if err != nil {
		return err
	}
	base := "/w/" + member(r).Workspace.Slug
	v := views.ActivityView{Slug: member(r).Workspace.Slug, Kind: f.kind, Actor: f.actor}
	for _, e := range entries {
		row := views.HistoryRow{At: i18n.DateTime(r.Context(), e.At), Actor: e.Actor,
			What: i18n.T(r.Context(), "history."+strings.ReplaceAll(e.Kind, ".", "_"), historyArgs(r.Context(), e.Data)...)}
		v.Rows = append(v.Rows, views.ActivityRow{HistoryRow: row, Engagement: e.Title, Href: engHref(base, e.EngagementID)})
	}
	if next > 0 {
		v.Next = base + "/activity?kind=" + f.kind + "&actor=" + f.actor + "&before=" + strconv.FormatInt(next, 10)
	}
	v.Kinds = []views.Option{{Value: "", Label: "filter.all"}}
	for _, k := range []string{"engagement", "phase", "synthesis", "report", "session", "meeting", "invitation", "person"} {
		v.Kinds = append(v.Kinds, views.Option{Value: k, Label: "activity.kind." + k})
	}
	v.Actors = []views.Option{{Value: "", Label: "filter.all"}}
	for _, m := range members {
		v.Actors = append(v.Actors, views.Option{Value: m.UserID, Label: m.Name, Raw: true})
	}
	s.render(w, r, http.StatusOK, views.Activity(s.page(r, "activity.title"), v))
	return nil
}

func engHref(base, id string) string {
	if id == "" {
		return ""
	}
	return base + "/e/" + id
}

// unsubscribeForm and unsubscribe: every reminder e-mail carries a link that
// turns reminders off, without signing in.
func (s *Server) unsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, views.Unsubscribe(s.page(r, "unsubscribe.title"), r.URL.Path, false))
	return nil
}

func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.Unsubscribe(r.Context(), chi.URLParam(r, "token")); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, views.Unsubscribe(s.page(r, "unsubscribe.title"), r.URL.Path, true))
	return nil
}

// calendarPage shows the person's feed link settings in this workspace.
func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	has, err := s.store.HasCalendarToken(r.Context(), scope(r))
	if err != nil {
		return err
	}
	v := views.CalendarView{Slug: member(r).Workspace.Slug, Has: has, URL: s.sessions.PopString(r.Context(), "calendar_url")}
	s.render(w, r, http.StatusOK, views.CalendarSettings(s.page(r, "calendar.title"), v))
	return nil
}
