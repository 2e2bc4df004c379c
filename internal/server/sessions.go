package server

import (
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
		v.Sessions = append(v.Sessions, sessionRow(r, ss, ov.Progress.Planned, ov.Window))
	}
	if domain.RightOf(e.Part, domain.InfoAutonomy).Has(domain.Read) {
		pts, err := s.store.Autonomy(r.Context(), scope(r), e.ID)
		if err != nil {
			return err
		}
		for _, p := range pts {
			v.Autonomy = append(v.Autonomy, views.AutonomyPoint{Number: p.Number, Coach: p.Coach, Coachee: p.Coachee,
				Actions: p.Actions, CoacheeActions: p.CoacheeActions})
		}
	}
	s.render(w, r, status, views.Sessions(s.page(r, "eng.tab.sessions"), v))
	return nil
}

func progressView(p domain.Progress) views.Progress {
	return views.Progress{Held: p.Held, Planned: p.Planned, Scheduled: p.Scheduled, Used: p.MinutesUsed, Total: p.MinutesTotal,
		RunningOut: p.ContractRunningOut(), OpenActions: p.OpenActions}
}

// sessionRow is a session as its list and its page show it, warned when it
// is planned outside the contract's period.
func sessionRow(r *http.Request, ss store.Session, planned int, window domain.ContractWindow) views.SessionRow {
	row := views.SessionRow{ID: ss.ID, Number: ss.Number, Of: planned, At: i18n.DateTime(r.Context(), ss.ScheduledAt), Minutes: ss.Minutes,
		Status: ss.Status, CancelReason: ss.CancelReason, Href: engPath(r, "/sessions/"+ss.ID)}
	if ss.Status != "cancelled" {
		row.Warning = window.Outside(ss.ScheduledAt, i18n.Zone(r.Context()))
	}
	return row
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
	v := views.SessionView{Eng: s.engView(r, "/sessions"), Row: sessionRow(r, file.Session, page.Planned, page.Window), CanEdit: canEditContent,
		Analysis: file.Content.Analysis, Scenarios: file.Content.Scenarios, Decision: file.Content.Decision, FormFor: formFor,
		SeesNote: can(r, domain.InfoPrivateNotes, domain.Read), PrivateNote: file.PrivateNote}
	v.Meta = emptyForm("at", dtInput(r, &file.ScheduledAt), "minutes", strconv.Itoa(file.Minutes), "status", file.Status,
		"cancel_reason", file.CancelReason, "version", strconv.Itoa(file.Version))
	v.New = emptyForm()
	switch formFor {
	case "meta":
		v.Meta = f
	case "":
	default:
		v.New = f
	}
	for _, st := range file.Situations {
		v.Situations = append(v.Situations, views.Item{ID: st.ID, Title: st.Title, Body: st.Context})
	}
	for _, o := range file.Options {
		v.Options = append(v.Options, views.Item{ID: o.ID, Title: o.Body, Chosen: o.Chosen})
	}
	for _, in := range file.Inputs {
		v.Inputs = append(v.Inputs, views.Item{ID: in.ItemID, Title: in.Title, Body: in.Summary, Extra: in.Reference, Note: in.Note})
	}
	for _, a := range file.Actions {
		v.Actions = append(v.Actions, s.actionRow(r, a))
		if a.Entries > 0 {
			v.Locked = append(v.Locked, s.actionRow(r, a))
		}
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
	v.CanRecordHeld = canEdit(r, domain.InfoSessions) && domain.CanRecordHeld(file.Status, file.ScheduledAt, s.store.Now())
	v.RatesAsCoach = e.Part.IsCoach()
	if canEditContent {
		s.recordForm(&v, page, formFor, f)
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

// recordForm fills the session record's form: as typed when it comes back
// refused, else as stored.
func (s *Server) recordForm(v *views.SessionView, page *store.SessionPage, formFor string, typed views.Form) {
	for _, it := range page.Library {
		v.Items = append(v.Items, views.Item{ID: it.ID, Title: it.Title, Body: it.Summary})
	}
	if formFor == "record" {
		v.Record = typed
		v.NSit, v.NOpt, v.NAct = rowCount(typed, "n_sit"), rowCount(typed, "n_opt"), rowCount(typed, "n_act")
		return
	}
	file := page.SessionFile
	f := emptyForm("analysis", file.Content.Analysis, "scenarios", file.Content.Scenarios, "decision", file.Content.Decision,
		"version", strconv.Itoa(file.Content.Version), "note", file.PrivateNote)
	for i, st := range file.Situations {
		f.Values.Set(rowKey("sit", i, "title"), st.Title)
		f.Values.Set(rowKey("sit", i, "context"), st.Context)
	}
	for i, o := range file.Options {
		f.Values.Set(rowKey("opt", i, "body"), o.Body)
		if o.Chosen {
			f.Values.Set("chosen", strconv.Itoa(i))
		}
	}
	for _, in := range file.Inputs {
		f.Values.Set("input."+in.ItemID, "on")
		f.Values.Set("input."+in.ItemID+".note", in.Note)
	}
	for _, a := range file.Actions {
		if a.Entries > 0 {
			continue // the coachee has worked on it: listed, not edited here
		}
		f.Values.Set(rowKey("act", v.NAct, "id"), a.ID)
		f.Values.Set(rowKey("act", v.NAct, "title"), a.Title)
		f.Values.Set(rowKey("act", v.NAct, "objective"), a.ObjectiveID)
		if a.Due != nil {
			f.Values.Set(rowKey("act", v.NAct, "due"), a.Due.Format(time.DateOnly))
		}
		v.NAct++
	}
	// One empty row of each kind stands ready: the first situation, option or
	// action line is typed without pressing "add" first.
	v.Record, v.NSit, v.NOpt, v.NAct = f, len(file.Situations)+1, len(file.Options)+1, v.NAct+1
}

func rowKey(kind string, i int, field string) string {
	return kind + "." + strconv.Itoa(i) + "." + field
}

// rowCount reads a row count the form carries, within reason.
func rowCount(f views.Form, name string) int {
	n, err := strconv.Atoi(f.Get(name))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, maxRows)
}

// maxRows bounds the rows of each kind one record may carry.
const maxRows = 50

// recordAnchors is where each op's rows are on the page.
var recordAnchors = map[string]string{"situation": "#situations", "option": "#options", "action": "#plan"}

// saveSessionRecord saves the whole session record, then applies the op of
// the button pressed: add an empty row, remove one, or nothing more. A refused
// field or a conflict shows the form again with everything typed kept.
func (s *Server) saveSessionRecord(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	op, kind, drop := recordOp(f.Get("op"))
	rec := parseRecord(f, kind, drop, can(r, domain.InfoPrivateNotes, domain.Write))
	if len(f.Errors) > 0 {
		return s.sessionPage(w, r, http.StatusUnprocessableEntity, "record", f)
	}
	sid := chi.URLParam(r, "sid")
	err = s.store.SaveSessionRecord(r.Context(), scope(r), eng(r).ID, sid, rec)
	if fe, ok := err.(domain.FieldErrors); ok {
		for k, m := range fe {
			f.Errors.Add(k, m)
		}
		return s.sessionPage(w, r, http.StatusUnprocessableEntity, "record", f)
	}
	if isConflict(err) {
		// Someone saved since this form was read: say so, keep the text typed,
		// and take the current version so that a second submit is a choice.
		file, lerr := s.store.Session(r.Context(), scope(r), eng(r).ID, sid)
		if lerr != nil || file.Content == nil {
			return err
		}
		f.Values.Set("version", strconv.Itoa(file.Content.Version))
		f.Error = "conflict.stale_form"
		return s.sessionPage(w, r, http.StatusConflict, "record", f)
	}
	if err != nil {
		return err
	}
	s.flash(r, "form.saved")
	to := engPath(r, "/sessions/"+sid)
	if op != "save" {
		// What was typed in the empty row is now stored, and a new empty row
		// stands after it: the page opens where the button was.
		to += recordAnchors[kind]
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// recordOp reads the button pressed: "save", "add-option", "remove-situation-2".
func recordOp(v string) (op, kind string, row int) {
	parts := strings.SplitN(v, "-", 3)
	row = -1
	if len(parts) < 2 || recordAnchors[parts[1]] == "" {
		return "save", "", row
	}
	switch {
	case parts[0] == "add" && len(parts) == 2:
		return "add", parts[1], row
	case parts[0] == "remove" && len(parts) == 3:
		if n, err := strconv.Atoi(parts[2]); err == nil {
			return "remove", parts[1], n
		}
	}
	return "save", "", row
}

// parseRecord reads the session record's form, checking every field; an empty
// row is skipped, and the row of kind numbered drop is left out (removed).
func parseRecord(f views.Form, kind string, drop int, withNote bool) store.SessionRecord {
	rec := store.SessionRecord{Content: store.SessionContent{Analysis: text(f, "analysis", 20000, false),
		Scenarios: text(f, "scenarios", 20000, false), Decision: text(f, "decision", 20000, false), Version: version(f)}}
	skip := func(k string, i int) bool { return k == kind && i == drop }
	for i := range rowCount(f, "n_sit") {
		title, ctx := text(f, rowKey("sit", i, "title"), 300, false), text(f, rowKey("sit", i, "context"), 5000, false)
		if skip("situation", i) || title == "" && ctx == "" {
			continue
		}
		if title == "" {
			f.Errors.Add(rowKey("sit", i, "title"), "field.required")
		}
		rec.Situations = append(rec.Situations, store.Situation{Title: title, Context: ctx})
	}
	for i := range rowCount(f, "n_opt") {
		body := text(f, rowKey("opt", i, "body"), 2000, false)
		if skip("option", i) || body == "" {
			continue
		}
		rec.Options = append(rec.Options, store.Option{Body: body, Chosen: f.Get("chosen") == strconv.Itoa(i)})
	}
	for i := range rowCount(f, "n_act") {
		id, title := idField(f, rowKey("act", i, "id")), text(f, rowKey("act", i, "title"), 300, false)
		line := store.PlanLine{ID: id, Title: title, ObjectiveID: idField(f, rowKey("act", i, "objective")), Due: parseDay(f, rowKey("act", i, "due")), Row: i}
		if skip("action", i) || id == "" && title == "" && line.ObjectiveID == "" && line.Due == nil {
			continue
		}
		if title == "" {
			f.Errors.Add(rowKey("act", i, "title"), "field.required")
		}
		rec.Plan = append(rec.Plan, line)
	}
	for name := range f.Values {
		item, ok := strings.CutPrefix(name, "input.")
		if !ok || strings.Contains(item, ".") || f.Get(name) != "on" {
			continue
		}
		if !domain.ValidID(item) {
			f.Errors.Add(name, "field.invalid_choice")
			continue
		}
		rec.Inputs = append(rec.Inputs, store.Input{ItemID: item, Note: text(f, name+".note", 2000, false)})
	}
	if withNote {
		note := text(f, "note", 20000, false)
		rec.Note = &note
	}
	return rec
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
