package server

import (
	"net/http"
	"strconv"
	"time"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

// Dates travel in forms as the browser's datetime-local and date values, in the
// workspace's time zone.
const (
	dtLayout   = "2006-01-02T15:04"
	dateLayout = "2006-01-02"
)

func dt(r *http.Request, t *time.Time) string {
	if t == nil {
		return ""
	}
	return i18n.DateTime(r.Context(), *t)
}

func dtInput(r *http.Request, t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(i18n.Zone(r.Context())).Format(dtLayout)
}

func dateInput(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(dateLayout)
}

// parseWhen reads an optional date-time field; a bad value is reported on it.
func parseWhen(r *http.Request, f views.Form, name string) *time.Time {
	v := f.Get(name)
	if v == "" {
		return nil
	}
	t, err := time.ParseInLocation(dtLayout, v, i18n.Zone(r.Context()))
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		f.Errors.Add(name, "field.datetime.invalid")
		return nil
	}
	return &t
}

func parseDay(f views.Form, name string) *time.Time {
	v := f.Get(name)
	if v == "" {
		return nil
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		f.Errors.Add(name, "field.date.invalid")
		return nil
	}
	return &t
}

func parseCount(f views.Form, name string, min, max int) *int {
	v := f.Get(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		f.Errors.Add(name, "field.number.range")
		return nil
	}
	return &n
}

// version reads the version a form was based on; anything unreadable counts as
// stale, so the save ends on the conflict page rather than overwriting.
func version(f views.Form) int {
	n, err := strconv.ParseInt(f.Get("version"), 10, 32)
	if err != nil {
		return 0
	}
	return int(n)
}

// idField reads a field that names a row (an organisation, a person, an
// objective): it must at least look like an id.
func idField(f views.Form, name string) string {
	v := f.Get(name)
	if v != "" && !domain.ValidID(v) {
		f.Errors.Add(name, "field.invalid_choice")
		return ""
	}
	return v
}

// ids reads a multi-valued field of ids (checkboxes).
func ids(f views.Form, name string) []string {
	var out []string
	for _, v := range f.Values[name] {
		if !domain.ValidID(v) {
			f.Errors.Add(name, "field.invalid_choice")
			continue
		}
		out = append(out, v)
	}
	return out
}

// text reads a long text field, limited to max characters.
func text(f views.Form, name string, max int, required bool) string {
	v, msg := domain.CheckText(f.Get(name), max)
	if msg != "" {
		f.Errors.Add(name, msg)
	} else if required && v == "" {
		f.Errors.Add(name, "field.required")
	}
	return v
}

// saved finishes a successful write: a flash, back to the page.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, path string) error {
	s.flash(r, "form.saved")
	http.Redirect(w, r, engPath(r, path), http.StatusSeeOther)
	return nil
}

// conflict shows, for a save based on a stale version, the current text beside
// the person's own, kept in a form they can merge and send again.
func (s *Server) conflict(w http.ResponseWriter, r *http.Request, path string, current int, f views.Form, fields []views.ConflictField) error {
	for i := range fields {
		fields[i].Mine = f.Get(fields[i].Name)
	}
	var hidden []views.Option
	for k, vs := range f.Values {
		keep := k != "version"
		for _, fd := range fields {
			keep = keep && fd.Name != k
		}
		if keep && len(vs) > 0 {
			for _, v := range vs {
				hidden = append(hidden, views.Option{Value: v, Label: k, Raw: true})
			}
		}
	}
	c := views.ConflictView{Eng: s.engView(r, path), Action: r.URL.Path, Version: current, Fields: fields, Hidden: hidden}
	s.render(w, r, http.StatusConflict, views.Conflict(s.page(r, "conflict.title"), c))
	return nil
}

func isConflict(err error) bool { return domain.ErrorCode(err) == domain.EConflict }

// --- first meeting -----------------------------------------------------------

func (s *Server) firstMeeting(w http.ResponseWriter, r *http.Request) error {
	return s.firstMeetingPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) firstMeetingPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	if file.Diagnosis == nil { // hidden by PostgreSQL: the handler's check and the database agree
		return domain.ErrNotFound
	}
	if f.Values == nil {
		f = emptyForm("at", dtInput(r, file.FirstMeetingAt), "stakes", file.Diagnosis.Stakes,
			"draft_objectives", file.Diagnosis.DraftObjectives, "version", strconv.Itoa(file.Diagnosis.Version))
	}
	v := views.FirstMeetingView{Eng: s.engView(r, "/first-meeting"), Form: f, CanEdit: canEdit(r, domain.InfoDiagnosis),
		At: dt(r, file.FirstMeetingAt), Stakes: file.Diagnosis.Stakes, DraftObjectives: file.Diagnosis.DraftObjectives,
		CoachWilling: dt(r, file.CoachWillingAt), CoacheeWilling: dt(r, file.CoacheeWillingAt),
		CanConfirm: canConfirmWillingness(r, file)}
	s.render(w, r, status, views.FirstMeeting(s.page(r, "eng.tab.first_meeting"), v))
	return nil
}

func (s *Server) saveFirstMeeting(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	at := parseWhen(r, f, "at")
	d := store.Diagnosis{Stakes: text(f, "stakes", 10000, false), DraftObjectives: text(f, "draft_objectives", 10000, false), Version: version(f)}
	if len(f.Errors) > 0 {
		return s.firstMeetingPage(w, r, http.StatusUnprocessableEntity, f)
	}
	err = s.store.SaveFirstMeeting(r.Context(), scope(r), eng(r).ID, at, d)
	if isConflict(err) {
		file, lerr := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
		if lerr != nil || file.Diagnosis == nil {
			return err
		}
		return s.conflict(w, r, "/first-meeting", file.Diagnosis.Version, f, []views.ConflictField{
			{Name: "stakes", Label: "field.stakes", Current: file.Diagnosis.Stakes},
			{Name: "draft_objectives", Label: "field.draft_objectives", Current: file.Diagnosis.DraftObjectives}})
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/first-meeting")
}

// --- three-way framing meeting -------------------------------------------------

func (s *Server) framing(w http.ResponseWriter, r *http.Request) error {
	return s.framingPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) framingPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	m := file.Framing
	if f.Values == nil {
		f = emptyForm("at", dtInput(r, m.ScheduledAt), "notes", m.Notes, "version", strconv.Itoa(m.Version))
		if m.Held {
			f.Values.Set("held", "on")
		}
		f.Values["attendees"] = m.Attendees
	}
	s.render(w, r, status, views.Framing(s.page(r, "eng.tab.framing"), s.meetingView(r, m, f, "/framing")))
	return nil
}

func (s *Server) meetingView(r *http.Request, m store.Meeting, f views.Form, path string) views.MeetingView {
	e := eng(r)
	v := views.MeetingView{Eng: s.engView(r, path), Form: f, CanEdit: canEdit(r, domain.InfoSummary), ID: m.ID, Kind: m.Kind,
		At: dt(r, m.ScheduledAt), Held: m.Held, Notes: m.Notes, Adjustments: m.Adjustments}
	for _, p := range e.Parties {
		v.Attendees = append(v.Attendees, views.Checkbox{Name: "attendees", Value: p.UserID, Label: p.Name + " (" + i18n.T(r.Context(), "part."+string(p.Part)) + ")",
			Checked: contains(f.Values["attendees"], p.UserID)})
		if contains(m.Attendees, p.UserID) {
			v.AttendeeNames = append(v.AttendeeNames, p.Name)
		}
	}
	return v
}

func (s *Server) saveFraming(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	m := store.Meeting{ID: file.Framing.ID, Kind: "framing", ScheduledAt: parseWhen(r, f, "at"), Held: f.Get("held") != "",
		Notes: text(f, "notes", 20000, false), Version: version(f), Attendees: ids(f, "attendees")}
	if msg := domain.CheckHeld(m.Held, m.ScheduledAt, s.store.Now()); msg != "" {
		f.Errors.Add("at", msg)
	}
	if m.Held && !hasSponsor(eng(r).Engagement, m.Attendees) {
		f.Errors.Add("attendees", "field.meeting.sponsor_needed")
	}
	if len(f.Errors) > 0 {
		return s.framingPage(w, r, http.StatusUnprocessableEntity, f)
	}
	err = s.store.SaveMeeting(r.Context(), scope(r), eng(r).ID, m)
	if isConflict(err) {
		return s.conflict(w, r, "/framing", file.Framing.Version, f, []views.ConflictField{{Name: "notes", Label: "field.meeting_notes", Current: file.Framing.Notes}})
	}
	if fe, ok := err.(domain.FieldErrors); ok {
		return s.invalidWith(w, r, f, fe, s.framingPage)
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/framing")
}

// invalidWith re-renders a page with field errors returned by the store.
func (s *Server) invalidWith(w http.ResponseWriter, r *http.Request, f views.Form, fe domain.FieldErrors, page func(http.ResponseWriter, *http.Request, int, views.Form) error) error {
	for k, v := range fe {
		f.Errors.Add(k, v)
	}
	return page(w, r, http.StatusUnprocessableEntity, f)
}

func hasSponsor(e *store.Engagement, attendees []string) bool {
	for _, p := range e.With(domain.PartSponsor) {
		if contains(attendees, p.UserID) {
			return true
		}
	}
	return false
}

// --- the two levels of request -------------------------------------------------

func (s *Server) requests(w http.ResponseWriter, r *http.Request) error {
	return s.requestsPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	if f.Values == nil {
		f = emptyForm("coherence_comment", file.CoherenceComment)
		if file.CoherenceOK {
			f.Values.Set("coherent", "on")
		}
	}
	v := views.RequestsView{Eng: s.engView(r, "/requests"), Form: f, CanValidate: canEdit(r, domain.InfoFraming),
		Coherent: file.CoherenceOK, CoherenceComment: file.CoherenceComment, CoherenceAt: dt(r, file.CoherenceAt)}
	for _, level := range []domain.RequestLevel{domain.RequestCompany, domain.RequestCoachee} {
		q := file.Requests[level]
		rv := views.RequestView{Level: string(level), Body: q.Body, WrittenBy: q.WrittenBy, Validated: dt(r, q.Validated), Updated: dt(r, &q.Updated),
			Version: q.Version, CanWrite: canWriteRequest(r, level)}
		rv.Draft = q.Body
		if f.Get("level") == string(level) {
			// The refused text comes back with the version it was based on.
			rv.Draft, rv.Error, rv.Version = f.Get("body"), f.Err("body"), version(f)
		}
		v.Requests = append(v.Requests, rv)
	}
	s.render(w, r, status, views.Requests(s.page(r, "eng.tab.requests"), v))
	return nil
}

// saveRequest saves one level of request; the route names who may write it.
func (s *Server) saveRequest(level domain.RequestLevel) handler {
	return func(w http.ResponseWriter, r *http.Request) error { return s.saveRequestLevel(w, r, level) }
}

func (s *Server) saveRequestLevel(w http.ResponseWriter, r *http.Request, level domain.RequestLevel) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	f.Values.Set("level", string(level))
	body := text(f, "body", 10000, true)
	if len(f.Errors) > 0 {
		return s.requestsPage(w, r, http.StatusUnprocessableEntity, f)
	}
	err = s.store.SaveRequest(r.Context(), scope(r), eng(r).ID, level, body, version(f))
	if isConflict(err) {
		file, lerr := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
		if lerr != nil {
			return err
		}
		q := file.Requests[level]
		return s.conflict(w, r, "/requests", q.Version, f, []views.ConflictField{{Name: "body", Label: "request.level." + string(level), Current: q.Body}})
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/requests")
}

func (s *Server) validateRequests(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	comment := text(f, "coherence_comment", 5000, false)
	coherent := f.Get("coherent") != ""
	if coherent && comment == "" {
		f.Errors.Add("coherence_comment", "field.coherence.comment_needed")
	}
	if len(f.Errors) == 0 {
		err = s.store.ValidateRequests(r.Context(), scope(r), eng(r).ID, f.Get("company_ok") != "", f.Get("coachee_ok") != "", coherent, comment)
		if fe, ok := err.(domain.FieldErrors); ok {
			for k, v := range fe {
				f.Errors.Add(k, v)
			}
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		return s.requestsPage(w, r, http.StatusUnprocessableEntity, f)
	}
	return s.saved(w, r, "/requests")
}

// --- contract --------------------------------------------------------------

func (s *Server) contract(w http.ResponseWriter, r *http.Request) error {
	return s.contractPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) contractPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	c := file.Contract
	itoa := func(p *int) string {
		if p == nil {
			return ""
		}
		return strconv.Itoa(*p)
	}
	if f.Values == nil {
		f = emptyForm("approach", c.Approach, "sessions_planned", itoa(c.SessionsPlanned), "session_minutes", itoa(c.SessionMin),
			"start", dateInput(c.Start), "end", dateInput(c.End), "confidentiality", c.Confidentiality, "exceptions", c.Exceptions,
			"version", strconv.Itoa(c.Version))
	}
	v := views.ContractView{Eng: s.engView(r, "/contract"), Form: f, CanEdit: canEdit(r, domain.InfoFraming), Complete: c.Complete(),
		Approach: c.Approach, Sessions: itoa(c.SessionsPlanned), Minutes: itoa(c.SessionMin),
		Start: i18nDate(r, c.Start), End: i18nDate(r, c.End), Confidentiality: c.Confidentiality, Exceptions: c.Exceptions}
	s.render(w, r, status, views.Contract(s.page(r, "eng.tab.contract"), v))
	return nil
}

func i18nDate(r *http.Request, t *time.Time) string {
	if t == nil {
		return ""
	}
	return i18n.Date(i18n.WithZone(r.Context(), "UTC"), *t)
}

func (s *Server) saveContract(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	c := store.Contract{Approach: text(f, "approach", 10000, false), SessionsPlanned: parseCount(f, "sessions_planned", 1, 100),
		SessionMin: parseCount(f, "session_minutes", 15, 480), Start: parseDay(f, "start"), End: parseDay(f, "end"),
		Confidentiality: text(f, "confidentiality", 10000, false), Exceptions: text(f, "exceptions", 10000, false), Version: version(f)}
	if c.Start != nil && c.End != nil && c.End.Before(*c.Start) {
		f.Errors.Add("end", "field.end_before_start")
	}
	if len(f.Errors) > 0 {
		return s.contractPage(w, r, http.StatusUnprocessableEntity, f)
	}
	err = s.store.SaveContract(r.Context(), scope(r), eng(r).ID, c)
	if isConflict(err) {
		file, lerr := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
		if lerr != nil {
			return err
		}
		k := file.Contract
		return s.conflict(w, r, "/contract", k.Version, f, []views.ConflictField{
			{Name: "approach", Label: "field.approach", Current: k.Approach},
			{Name: "confidentiality", Label: "field.confidentiality", Current: k.Confidentiality},
			{Name: "exceptions", Label: "field.exceptions", Current: k.Exceptions}})
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/contract")
}

// canWriteRequest: each level of request is its own row of the rules.
func canWriteRequest(r *http.Request, level domain.RequestLevel) bool {
	info, ok := level.Info()
	return ok && canEdit(r, info)
}

// canConfirmWillingness: the viewer may confirm and has not yet.
func canConfirmWillingness(r *http.Request, f *store.CadrageFile) bool {
	return canEdit(r, domain.InfoWillingness) && f.State().WillingnessPending(eng(r).Part)
}
