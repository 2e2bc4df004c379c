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

// sessions lists the sessions against the contract, with the autonomy trend.
func (s *Server) sessionList(w http.ResponseWriter, r *http.Request) error {
	return s.sessionsPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	e := eng(r)
	ov, err := s.store.Sessions(r.Context(), scope(r), e.ID)
	if err != nil {
		return err
	}
	v := views.SessionsView{Eng: s.engView(r, "/sessions"), Progress: progressView(ov.Progress),
		CanPlan: canEdit(r, domain.InfoSessions), Form: f,
		CanOpen: can(r, domain.InfoSessionContent, domain.Read)}
	if f.Values == nil {
		v.Form = emptyForm("minutes", "90")
	}
	for _, ss := range ov.Sessions {
		v.Sessions = append(v.Sessions, sessionRow(r, ss, ov.Progress.Planned))
	}
	if domain.RightOf(e.Part, domain.InfoAutonomy).Has(domain.Read) {
		pts, err := s.store.Autonomy(r.Context(), scope(r), e.ID)
		if err != nil {
			return err
		}
		for _, p := range pts {
			v.Autonomy = append(v.Autonomy, views.AutonomyPoint{Number: p.Number, Coach: p.Coach, Coachee: p.Coachee})
		}
	}
	s.render(w, r, status, views.Sessions(s.page(r, "eng.tab.sessions"), v))
	return nil
}

func progressView(p domain.Progress) views.Progress {
	return views.Progress{Held: p.Held, Planned: p.Planned, Scheduled: p.Scheduled, Used: p.MinutesUsed, Total: p.MinutesTotal,
		RunningOut: p.ContractRunningOut(), OpenActions: p.OpenActions}
}

func sessionRow(r *http.Request, ss store.Session, planned int) views.SessionRow {
	return views.SessionRow{ID: ss.ID, Number: ss.Number, Of: planned, At: i18n.DateTime(r.Context(), ss.ScheduledAt), Minutes: ss.Minutes,
		Status: ss.Status, CancelReason: ss.CancelReason, Href: engPath(r, "/sessions/"+ss.ID)}
}

func (s *Server) planSession(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	at := parseWhen(r, f, "at")
	if at == nil && f.Err("at") == "" {
		f.Errors.Add("at", "field.required")
	}
	minutes := parseCount(f, "minutes", 15, 480)
	if minutes == nil && f.Err("minutes") == "" {
		f.Errors.Add("minutes", "field.required")
	}
	if len(f.Errors) > 0 {
		return s.sessionsPage(w, r, http.StatusUnprocessableEntity, f)
	}
	sid, err := s.store.PlanSession(r.Context(), scope(r), eng(r).ID, *at, *minutes)
	if err != nil {
		return err
	}
	s.flash(r, "session.planned")
	http.Redirect(w, r, engPath(r, "/sessions/"+sid), http.StatusSeeOther)
	return nil
}

// sessionPage shows one session: the coach records its content with the coachee,
// who reads it; the sponsor and the admin never reach it (404).
func (s *Server) session(w http.ResponseWriter, r *http.Request) error {
	return s.sessionPage(w, r, http.StatusOK, "", views.Form{})
}

func (s *Server) sessionPage(w http.ResponseWriter, r *http.Request, status int, formFor string, f views.Form) error {
	e := eng(r)
	canEditContent := canEdit(r, domain.InfoSessionContent)
	page, err := s.store.SessionPage(r.Context(), scope(r), e.ID, chi.URLParam(r, "sid"), canEditContent)
	if err != nil {
		return err
	}
	file := page.SessionFile
	if file.Content == nil { // PostgreSQL hides it: the handler's rule and the database agree
		return domain.ErrNotFound
	}
	v := views.SessionView{Eng: s.engView(r, "/sessions"), Row: sessionRow(r, file.Session, page.Progress.Planned), CanEdit: canEditContent,
		Analysis: file.Content.Analysis, Scenarios: file.Content.Scenarios, Decision: file.Content.Decision, FormFor: formFor,
		SeesNote: can(r, domain.InfoPrivateNotes, domain.Read), PrivateNote: file.PrivateNote}
	v.Meta = emptyForm("at", dtInput(r, &file.ScheduledAt), "minutes", strconv.Itoa(file.Minutes), "status", file.Status,
		"cancel_reason", file.CancelReason, "version", strconv.Itoa(file.Version))
	v.Content = emptyForm("analysis", file.Content.Analysis, "scenarios", file.Content.Scenarios, "decision", file.Content.Decision,
		"version", strconv.Itoa(file.Content.Version))
	v.New = emptyForm()
	switch formFor {
	case "meta":
		v.Meta = f
	case "content":
		v.Content = f
	case "":
	default:
		v.New = f
	}
	for _, st := range file.Situations {
		v.Situations = append(v.Situations, views.Item{ID: st.ID, Title: st.Title, Body: st.Context})
	}
	for _, o := range file.Options {
		v.Options = append(v.Options, views.Item{ID: o.ID, Title: o.Body})
	}
	for _, in := range file.Inputs {
		v.Inputs = append(v.Inputs, views.Item{ID: in.ItemID, Title: in.Title, Body: in.Summary, Extra: in.Reference, Note: in.Note})
	}
	for _, a := range file.Actions {
		v.Actions = append(v.Actions, s.actionRow(r, a))
	}
	for _, rt := range file.Ratings {
		rv := views.RatingView{Score: rt.Score, Word: rt.Word}
		switch rt.Part {
		case domain.PartCoach:
			v.CoachRating = rv
		case domain.PartCoachee:
			v.CoacheeRating = rv
		}
		if rt.Part.SameSide(e.Part) {
			v.Own = rv
		}
	}
	v.CanRate = file.Status == "held" && canEdit(r, domain.InfoAutonomy)
	if canEditContent {
		v.Library = []views.Option{{Value: "", Label: "form.choose"}}
		for _, it := range page.Library {
			v.Library = append(v.Library, views.Option{Value: it.ID, Label: it.Title, Raw: true})
		}
		v.Objectives = objectiveOptions(page.Objectives)
	}
	for _, st := range []string{"planned", "held", "cancelled"} {
		v.Statuses = append(v.Statuses, views.Option{Value: st, Label: "session.status." + st})
	}
	s.render(w, r, status, views.SessionPage(s.page(r, "session.title", "Number", file.Number), v))
	return nil
}

func objectiveOptions(objectives []store.Objective) []views.Option {
	opts := []views.Option{{Value: "", Label: "form.none"}}
	for _, o := range objectives {
		opts = append(opts, views.Option{Value: o.ID, Label: o.Title, Raw: true})
	}
	return opts
}

func (s *Server) sessionRedirect(w http.ResponseWriter, r *http.Request) error {
	return s.saved(w, r, "/sessions/"+chi.URLParam(r, "sid"))
}

func (s *Server) updateSession(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	ss := store.Session{ID: chi.URLParam(r, "sid"), Status: f.Get("status"), CancelReason: text(f, "cancel_reason", 2000, false), Version: version(f)}
	if at := parseWhen(r, f, "at"); at != nil {
		ss.ScheduledAt = *at
	} else if f.Err("at") == "" {
		f.Errors.Add("at", "field.required")
	}
	if m := parseCount(f, "minutes", 15, 480); m != nil {
		ss.Minutes = *m
	} else if f.Err("minutes") == "" {
		f.Errors.Add("minutes", "field.required")
	}
	if !contains([]string{"planned", "held", "cancelled"}, ss.Status) {
		f.Errors.Add("status", "field.invalid_choice")
	}
	if ss.Status == "cancelled" && ss.CancelReason == "" {
		f.Errors.Add("cancel_reason", "field.reason.required")
	}
	if domain.CheckHeld(ss.Status == "held", &ss.ScheduledAt, s.store.Now()) == "field.meeting.held_future" {
		f.Errors.Add("status", "field.session.held_future")
	}
	if len(f.Errors) > 0 {
		return s.sessionPage(w, r, http.StatusUnprocessableEntity, "meta", f)
	}
	if err := s.store.UpdateSession(r.Context(), scope(r), eng(r).ID, ss); err != nil {
		if isConflict(err) {
			f.Error = "conflict.stale_form"
			return s.sessionPage(w, r, http.StatusConflict, "meta", f)
		}
		return err
	}
	return s.sessionRedirect(w, r)
}

func (s *Server) saveSessionContent(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	c := store.SessionContent{Analysis: text(f, "analysis", 20000, false), Scenarios: text(f, "scenarios", 20000, false),
		Decision: text(f, "decision", 20000, false), Version: version(f)}
	if len(f.Errors) > 0 {
		return s.sessionPage(w, r, http.StatusUnprocessableEntity, "content", f)
	}
	sid := chi.URLParam(r, "sid")
	err = s.store.SaveSessionContent(r.Context(), scope(r), eng(r).ID, sid, c)
	if isConflict(err) {
		file, lerr := s.store.Session(r.Context(), scope(r), eng(r).ID, sid)
		if lerr != nil || file.Content == nil {
			return err
		}
		return s.conflict(w, r, "/sessions", file.Content.Version, f, []views.ConflictField{
			{Name: "analysis", Label: "field.analysis", Current: file.Content.Analysis},
			{Name: "scenarios", Label: "field.scenarios", Current: file.Content.Scenarios},
			{Name: "decision", Label: "field.decision", Current: file.Content.Decision}})
	}
	if err != nil {
		return err
	}
	return s.sessionRedirect(w, r)
}

// addToSession handles the small forms that add a situation, an option, a
// theoretical input or an action-plan item to a session.
func (s *Server) addToSession(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := form(r)
		if err != nil {
			return err
		}
		ctx, sc, id, sid := r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "sid")
		switch kind {
		case "situation":
			st := store.Situation{Title: text(f, "title", 300, true), Context: text(f, "context", 5000, false)}
			if len(f.Errors) == 0 {
				err = s.store.AddSituation(ctx, sc, id, sid, st)
			}
		case "option":
			body := text(f, "body", 2000, true)
			if len(f.Errors) == 0 {
				err = s.store.AddOption(ctx, sc, id, sid, body)
			}
		case "input":
			item, note := idField(f, "item"), text(f, "note", 2000, false)
			if item == "" {
				f.Errors.Add("item", "field.required")
			}
			if len(f.Errors) == 0 {
				err = s.store.LinkInput(ctx, sc, id, sid, item, note)
			}
		case "action":
			a := store.NewAction{SessionID: sid, ObjectiveID: idField(f, "objective"), Title: text(f, "title", 300, true),
				Description: text(f, "description", 5000, false), Due: parseDay(f, "due")}
			if len(f.Errors) == 0 {
				_, err = s.store.AddAction(ctx, sc, id, a)
			}
		}
		if fe, ok := err.(domain.FieldErrors); ok {
			for k, v := range fe {
				f.Errors.Add(k, v)
			}
		} else if err != nil {
			return err
		}
		if len(f.Errors) > 0 {
			return s.sessionPage(w, r, http.StatusUnprocessableEntity, kind, f)
		}
		return s.sessionRedirect(w, r)
	}
}

func (s *Server) removeFromSession(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.RemoveFromSession(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "sid"), chi.URLParam(r, "kind"), chi.URLParam(r, "item")); err != nil {
		return err
	}
	return s.sessionRedirect(w, r)
}

// savePrivateNote saves the signed-in coach's own note; nobody else reads it.
func (s *Server) savePrivateNote(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	body := text(f, "note", 20000, false)
	if len(f.Errors) > 0 {
		return s.sessionPage(w, r, http.StatusUnprocessableEntity, "note", f)
	}
	if err := s.store.SavePrivateNote(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "sid"), body); err != nil {
		return err
	}
	return s.sessionRedirect(w, r)
}

// rateAutonomy: the coach and the coachee each rate, for themselves.
func (s *Server) rateAutonomy(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	f, err := form(r)
	if err != nil {
		return err
	}
	score := parseCount(f, "score", 1, 5)
	if score == nil && f.Err("score") == "" {
		f.Errors.Add("score", "field.required")
	}
	word := text(f, "word", 200, false)
	if len(f.Errors) > 0 {
		return s.sessionPage(w, r, http.StatusUnprocessableEntity, "rating", f)
	}
	if err := s.store.RateAutonomy(r.Context(), scope(r), e.ID, chi.URLParam(r, "sid"), e.Part.Side(), *score, word); err != nil {
		return err
	}
	return s.sessionRedirect(w, r)
}
