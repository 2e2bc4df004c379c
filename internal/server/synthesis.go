package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

func (s *Server) synthesis(w http.ResponseWriter, r *http.Request) error {
	return s.synthesisPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) synthesisPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	if f.Values == nil {
		f = emptyForm("text", file.SynthesisText, "version", strconv.Itoa(file.SynthesisVersion))
	}
	v := views.SynthesisView{Eng: s.engView(r, "/synthesis"), Form: f, CanEdit: canEdit(r, domain.InfoSynthesis), Text: file.SynthesisText}
	for i, sv := range file.Syntheses {
		v.Versions = append(v.Versions, s.versionRow(r, domain.InfoSynthesis, sv, i == 0))
	}
	if st := file.State().Synthesis; st.Drifted {
		frozen, now, err := file.Snapshots()
		if err != nil {
			return err
		}
		lines := synthesisLines(r.Context())
		d := diffView(lines([]byte(frozen)), lines([]byte(now)), st.Current, 0)
		v.Drift, v.DriftValidated = &d, st.CoachValidated && st.CoacheeValidated && st.SponsorOK
	}
	s.render(w, r, status, views.Synthesis(s.page(r, "eng.tab.synthesis"), v))
	return nil
}

// versionRow is one version of a document (the synthesis or the report, named
// by its row of the rules).
func (s *Server) versionRow(r *http.Request, doc domain.Info, sv store.SynthesisVersion, current bool) views.VersionRow {
	row := views.VersionRow{Number: sv.Number, At: i18n.DateTime(r.Context(), sv.CreatedAt), By: sv.CreatedBy, Current: current,
		Href: engPath(r, "/synthesis/"+strconv.Itoa(sv.Number))}
	for _, v := range sv.Validations {
		row.Validations = append(row.Validations, views.ValidationRow{Name: v.Name, Part: v.Part, At: i18n.DateTime(r.Context(), v.At)})
	}
	row.CanValidate = current && can(r, doc, domain.Validate) && !sv.ValidatedBy(person(r).ID)
	return row
}

func (s *Server) saveSynthesisText(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	body := text(f, "text", 50000, false)
	if len(f.Errors) > 0 {
		return s.synthesisPage(w, r, http.StatusUnprocessableEntity, f)
	}
	err = s.store.SaveSynthesisText(r.Context(), scope(r), eng(r).ID, body, version(f))
	if isConflict(err) {
		file, lerr := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
		if lerr != nil {
			return err
		}
		return s.conflict(w, r, "/synthesis", file.SynthesisVersion, f, []views.ConflictField{{Name: "text", Label: "field.synthesis_text", Current: file.SynthesisText}})
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/synthesis")
}

// publishSynthesis freezes a new numbered version; its validations start afresh.
//
// The publish button sits in the free-text form, so the text being typed is
// saved first: nothing typed is lost from the new version.
func (s *Server) publishSynthesis(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	if _, typed := f.Values["text"]; typed {
		body := text(f, "text", 50000, false)
		if len(f.Errors) > 0 {
			return s.synthesisPage(w, r, http.StatusUnprocessableEntity, f)
		}
		file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
		if err != nil {
			return err
		}
		if body != file.SynthesisText {
			err = s.store.SaveSynthesisText(r.Context(), scope(r), eng(r).ID, body, version(f))
			if isConflict(err) {
				return s.conflict(w, r, "/synthesis", file.SynthesisVersion, f, []views.ConflictField{{Name: "text", Label: "field.synthesis_text", Current: file.SynthesisText}})
			}
			if err != nil {
				return err
			}
		}
	}
	n, err := s.store.PublishSynthesis(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	s.flash(r, "synthesis.published")
	http.Redirect(w, r, engPath(r, "/synthesis/"+strconv.Itoa(n)), http.StatusSeeOther)
	return nil
}

// synthesisVersion shows one version as a document, printable on A4.
func (s *Server) synthesisVersion(w http.ResponseWriter, r *http.Request) error {
	return s.synthesisVersionPage(w, r, http.StatusOK, views.Form{})
}

// synthesisVersionPage renders a synthesis version; comment is the comment form
// when it comes back refused.
func (s *Server) synthesisVersionPage(w http.ResponseWriter, r *http.Request, status int, comment views.Form) error {
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil {
		return domain.ErrNotFound
	}
	v, doc, err := s.synthesisDoc(r, n)
	if err != nil {
		return err
	}
	v.Comment = comment
	p := s.page(r, "synthesis.doc.title", "Number", n)
	p.PrintCSS = engPath(r, "/synthesis/"+strconv.Itoa(doc.Version.Number)+"/print.css")
	s.render(w, r, status, views.SynthesisDocument(p, v))
	return nil
}

// synthesisDoc is the view of synthesis version n, as its page and its PDF
// show it.
func (s *Server) synthesisDoc(r *http.Request, n int) (views.SynthesisDoc, *store.DocumentPage, error) {
	doc, err := s.store.Document(r.Context(), scope(r), "synthesis", eng(r).ID, n)
	if err != nil {
		return views.SynthesisDoc{}, nil, err
	}
	sv := doc.Version
	if err := json.Unmarshal(doc.Content, &sv.Content); err != nil {
		return views.SynthesisDoc{}, nil, err
	}
	current := doc.Current == n
	c := sv.Content
	v := views.SynthesisDoc{Eng: s.engView(r, "/synthesis"), Version: s.versionRow(r, domain.InfoSynthesis, sv, current), Content: views.SynthesisContent{
		Title: c.Title, ClientOrg: c.ClientOrg, Coach: c.Coach, Coachee: c.Coachee, Sponsors: c.Sponsors,
		CompanyRequest: c.CompanyRequest, CoacheeRequest: c.CoacheeRequest, Coherence: c.CoherenceComment, Text: c.Text,
		Approach: c.Contract.Approach, Sessions: c.Contract.SessionsPlanned, Minutes: c.Contract.SessionMin,
		Start: i18nDate(r, c.Contract.Start), End: i18nDate(r, c.Contract.End),
		Confidentiality: c.Contract.Confidentiality, Exceptions: c.Contract.Exceptions}}
	for _, o := range c.Objectives {
		ov := views.ObjectiveView{Title: o.Title, Description: o.Description}
		for _, i := range o.Indicators {
			ov.Indicators = append(ov.Indicators, views.IndicatorView{Kind: i.Kind, Description: i.Description, Baseline: i.Baseline, Target: i.Target, Observe: i.Observe})
		}
		v.Content.Objectives = append(v.Content.Objectives, ov)
	}
	v.Comments = commentRows(r, doc.Comments)
	v.CanComment = canEdit(r, domain.InfoDocComments)
	v.Frame = s.docFrame(r, "synthesis", doc, synthesisLines(r.Context()), audience(r.Context(), c.Coach, c.Coachee, c.Sponsors))
	return v, doc, nil
}

func (s *Server) validateSynthesis(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil {
		return domain.ErrNotFound
	}
	if err := s.store.ValidateSynthesis(r.Context(), scope(r), eng(r).ID, n, eng(r).Part); err != nil {
		return err
	}
	s.flash(r, "synthesis.validated")
	http.Redirect(w, r, engPath(r, "/synthesis/"+strconv.Itoa(n)), http.StatusSeeOther)
	return nil
}

// --- intermediate three-way meetings ----------------------------------------

func (s *Server) meetings(w http.ResponseWriter, r *http.Request) error {
	return s.meetingsPage(w, r, http.StatusOK, "", views.Form{})
}

func (s *Server) meetingsPage(w http.ResponseWriter, r *http.Request, status int, formFor string, f views.Form) error {
	file, err := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	v := views.MeetingsView{Eng: s.engView(r, "/meetings"), CanAsk: can(r, domain.InfoMeetingRequests, domain.Ask),
		CanSchedule: canEdit(r, domain.InfoMeetingRequests), Ask: emptyForm(), Schedule: emptyForm()}
	switch formFor {
	case "ask":
		v.Ask = f
	case "schedule":
		v.Schedule = f
	}
	for _, q := range file.MeetingRequests {
		v.Requests = append(v.Requests, views.MeetingRequestRow{By: q.By, Reason: q.Reason, At: i18n.DateTime(r.Context(), q.At), Scheduled: q.MeetingID != ""})
		if q.MeetingID == "" {
			v.Pending = true
		}
	}
	for _, m := range file.Intermediate {
		mf := emptyForm("at", dtInput(r, m.ScheduledAt), "notes", m.Notes, "adjustments", m.Adjustments, "version", strconv.Itoa(m.Version))
		if m.Held {
			mf.Values.Set("held", "on")
		}
		mf.Values["attendees"] = m.Attendees
		if formFor == m.ID {
			mf = f
		}
		v.Meetings = append(v.Meetings, s.meetingView(r, m, mf, "/meetings"))
	}
	s.render(w, r, status, views.Meetings(s.page(r, "eng.tab.meetings"), v))
	return nil
}

func (s *Server) askMeeting(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	reason := text(f, "reason", 2000, true)
	if len(f.Errors) > 0 {
		return s.meetingsPage(w, r, http.StatusUnprocessableEntity, "ask", f)
	}
	if err := s.store.AskMeeting(r.Context(), scope(r), eng(r).ID, reason); err != nil {
		return err
	}
	s.flash(r, "meeting.asked")
	http.Redirect(w, r, engPath(r, "/meetings"), http.StatusSeeOther)
	return nil
}

func (s *Server) scheduleMeeting(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	at := parseWhen(r, f, "at")
	if at == nil && len(f.Errors) == 0 {
		f.Errors.Add("at", "field.required")
	}
	if len(f.Errors) > 0 {
		return s.meetingsPage(w, r, http.StatusUnprocessableEntity, "schedule", f)
	}
	if _, err := s.store.ScheduleMeeting(r.Context(), scope(r), eng(r).ID, *at); err != nil {
		return err
	}
	return s.saved(w, r, "/meetings")
}

func (s *Server) saveIntermediate(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	m := store.Meeting{ID: chi.URLParam(r, "mid"), Kind: "intermediate", ScheduledAt: parseWhen(r, f, "at"), Held: f.Get("held") != "",
		Notes: text(f, "notes", 20000, false), Adjustments: text(f, "adjustments", 20000, false), Version: version(f), Attendees: ids(f, "attendees")}
	if msg := domain.CheckHeld(m.Held, m.ScheduledAt, s.store.Now()); msg != "" {
		f.Errors.Add("at", msg)
	}
	if len(f.Errors) > 0 {
		return s.meetingsPage(w, r, http.StatusUnprocessableEntity, m.ID, f)
	}
	err = s.store.SaveMeeting(r.Context(), scope(r), eng(r).ID, m)
	if isConflict(err) {
		file, lerr := s.store.Cadrage(r.Context(), scope(r), eng(r).ID)
		if lerr != nil {
			return err
		}
		for _, cur := range file.Intermediate {
			if cur.ID == m.ID {
				return s.conflict(w, r, "/meetings", cur.Version, f, []views.ConflictField{
					{Name: "notes", Label: "field.meeting_review", Current: cur.Notes},
					{Name: "adjustments", Label: "field.adjustments", Current: cur.Adjustments}})
			}
		}
	}
	if fe, ok := err.(domain.FieldErrors); ok {
		for k, v := range fe {
			f.Errors.Add(k, v)
		}
		return s.meetingsPage(w, r, http.StatusUnprocessableEntity, m.ID, f)
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/meetings")
}
