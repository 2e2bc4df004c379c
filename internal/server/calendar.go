package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"triade/internal/i18n"
	"triade/internal/ical"
	"triade/internal/store"
)

// calendarFeed serves a person's private iCalendar feed. It is reached without a
// session (calendar applications have none): the secret token is the key.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.store.WorkspaceBySlug(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	token := strings.TrimSuffix(chi.URLParam(r, "token"), ".ics")
	uid, err := s.store.CalendarOwner(r.Context(), ws.ID, token)
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(r.Context(), uid)
	if err != nil {
		return err
	}
	lang := u.Locale
	if lang == "" {
		lang = "fr"
	}
	ctx := i18n.WithZone(i18n.WithLang(r.Context(), lang), ws.Timezone)
	evs, err := s.store.Calendar(ctx, store.Scope{TenantID: ws.ID, UserID: uid}, s.store.Now().AddDate(0, -1, 0))
	if err != nil {
		return err
	}
	cal := ical.Calendar{Name: "Triade — " + ws.Name, TimeZone: ws.Timezone, Stamp: s.store.Now()}
	for _, e := range evs {
		cal.Events = append(cal.Events, s.icalEvent(r, ws.Slug, lang, e))
	}
	writeICS(w, cal, "triade.ics")
	return nil
}

func (s *Server) icalEvent(r *http.Request, slug, lang string, e store.CalendarEvent) ical.Event {
	what := i18n.Translate(lang, "meeting.kind."+e.Kind)
	path := "/w/" + slug + "/e/" + e.EngagementID
	switch e.Kind {
	case "session":
		what = i18n.Translate(lang, "session.title", "Number", e.Number)
		path += "/sessions/" + e.ID
	case "first":
		what = i18n.Translate(lang, "eng.first_meeting")
	}
	return ical.Event{UID: ical.UID(e.Kind, e.ID), Start: e.At, End: e.At.Add(time.Duration(e.Minutes) * time.Minute),
		Summary: what + " — " + e.Title, URL: s.cfg.BaseURL + path}
}

func writeICS(w http.ResponseWriter, cal ical.Calendar, name string) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write([]byte(cal.String()))
}

// meetingICS offers one meeting of the engagement as an .ics download.
func (s *Server) meetingICS(w http.ResponseWriter, r *http.Request) error {
	kind := chi.URLParam(r, "kind")
	e, err := s.store.MeetingEvent(r.Context(), scope(r), eng(r).ID, kind, strings.TrimSuffix(chi.URLParam(r, "mid"), ".ics"))
	if err != nil {
		return err
	}
	lang := i18n.Lang(r.Context())
	cal := ical.Calendar{Name: "Triade", TimeZone: member(r).Workspace.Timezone, Stamp: s.store.Now(),
		Events: []ical.Event{s.icalEvent(r, member(r).Workspace.Slug, lang, e)}}
	writeICS(w, cal, kind+".ics")
	return nil
}

// renewCalendar creates (or renews, which revokes the old link) the person's feed.
func (s *Server) renewCalendar(w http.ResponseWriter, r *http.Request) error {
	token, err := s.store.NewCalendarToken(r.Context(), scope(r))
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "calendar_url", s.cfg.BaseURL+"/w/"+member(r).Workspace.Slug+"/calendar/"+token+".ics")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/calendar", http.StatusSeeOther)
	return nil
}

func (s *Server) revokeCalendar(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.RevokeCalendarToken(r.Context(), scope(r)); err != nil {
		return err
	}
	s.flash(r, "calendar.revoked")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/calendar", http.StatusSeeOther)
	return nil
}
