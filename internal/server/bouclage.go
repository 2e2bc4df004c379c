package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

// evaluation: for every indicator, the value reached, an assessment and the
// evidence, entered by the coach and the coachee each on their own; the other's
// is shown only once both are in.
func (s *Server) evaluation(w http.ResponseWriter, r *http.Request) error {
	return s.evaluationPage(w, r, http.StatusOK, views.Form{})
}

// evaluationPage shows every indicator with, for the viewer, one form holding
// an evaluation per indicator: the stored ones, or what was typed (typed, when
// it comes back refused, over the stored values). No assessment is chosen
// until the person chooses it.
func (s *Server) evaluationPage(w http.ResponseWriter, r *http.Request, status int, typed views.Form) error {
	e := eng(r)
	file, err := s.store.Closing(r.Context(), scope(r), e.ID)
	if err != nil {
		return err
	}
	v := views.EvaluationView{Eng: s.engView(r, "/evaluation"), CanEdit: canEdit(r, domain.InfoEvaluation), Form: emptyForm()}
	v.Assessments = append(v.Assessments, views.Option{Value: "", Label: "form.choose"})
	for _, a := range domain.Assessments {
		v.Assessments = append(v.Assessments, views.Option{Value: a, Label: "assessment." + a})
	}
	for _, o := range file.Objectives {
		for _, ind := range o.Indicators {
			row := views.EvalRow{ID: ind.ID, Objective: o.Title, Kind: ind.Kind, Description: ind.Description, Baseline: ind.Baseline, Target: ind.Target}
			var mine, other *store.Evaluation
			for i := range file.Evaluations {
				ev := &file.Evaluations[i]
				if ev.IndicatorID != ind.ID {
					continue
				}
				if ev.Part.SameSide(e.Part) {
					mine = ev
				} else {
					other = ev
				}
			}
			if mine != nil {
				row.Mine = evalView(*mine)
			}
			if mine != nil && other != nil {
				row.Other, row.Both = evalView(*other), true
			}
			v.Form.Values.Set("reached."+ind.ID, row.Mine.Reached)
			v.Form.Values.Set("assessment."+ind.ID, row.Mine.Assessment)
			v.Form.Values.Set("evidence."+ind.ID, row.Mine.Evidence)
			v.Rows = append(v.Rows, row)
		}
	}
	for k, vs := range typed.Values {
		v.Form.Values[k] = vs
	}
	v.Form.Errors, v.Form.Error = typed.Errors, typed.Error
	s.render(w, r, status, views.Evaluation(s.page(r, "eng.tab.evaluation"), v))
	return nil
}

// evalFields are an evaluation's fields; on the page each is named
// "<field>.<indicator id>".
var evalFields = []string{"reached", "assessment", "evidence"}

func evalView(e store.Evaluation) views.EvalView {
	return views.EvalView{Reached: e.Reached, Assessment: e.Assessment, Evidence: e.Evidence, Set: true}
}

// evaluationFrom reads the evaluation of indicator iid from fields named
// "<field><suffix>"; a missing or unknown assessment is an error beside it.
func evaluationFrom(f views.Form, iid, suffix string, part domain.Part) store.Evaluation {
	ev := store.Evaluation{IndicatorID: iid, Part: part, Reached: text(f, "reached"+suffix, 500, false),
		Assessment: f.Get("assessment" + suffix), Evidence: text(f, "evidence"+suffix, 5000, false)}
	switch {
	case ev.Assessment == "":
		f.Errors.Add("assessment"+suffix, "field.assessment.required")
	case !contains(domain.Assessments, ev.Assessment):
		f.Errors.Add("assessment"+suffix, "field.invalid_choice")
	}
	return ev
}

// saveEvaluations: the person's evaluation of every indicator, one submit.
// Each indicator needs an assessment; a refused form stores nothing and
// comes back with everything typed.
func (s *Server) saveEvaluations(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	f, err := form(r)
	if err != nil {
		return err
	}
	file, err := s.store.Closing(r.Context(), scope(r), e.ID)
	if err != nil {
		return err
	}
	var evs []store.Evaluation
	for _, o := range file.Objectives {
		for _, ind := range o.Indicators {
			evs = append(evs, evaluationFrom(f, ind.ID, "."+ind.ID, e.Part.Side()))
		}
	}
	if len(f.Errors) > 0 {
		return s.evaluationPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := s.store.SaveEvaluations(r.Context(), scope(r), e.ID, evs); err != nil {
		return err
	}
	return s.saved(w, r, "/evaluation")
}

// saveEvaluation saves one indicator's evaluation, its fields named without
// the indicator; refused, it comes back on the page's form.
func (s *Server) saveEvaluation(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	f, err := form(r)
	if err != nil {
		return err
	}
	ev := evaluationFrom(f, chi.URLParam(r, "iid"), "", e.Part.Side())
	if len(f.Errors) > 0 {
		file, err := s.store.Closing(r.Context(), scope(r), e.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(file.Objectives, func(o store.Objective) bool {
			return slices.ContainsFunc(o.Indicators, func(i store.Indicator) bool { return i.ID == ev.IndicatorID })
		}) {
			return domain.ErrNotFound // an indicator of another engagement
		}
		page := emptyForm()
		for _, fd := range evalFields {
			page.Values.Set(fd+"."+ev.IndicatorID, f.Get(fd))
			if msg := f.Err(fd); msg != "" {
				page.Errors.Add(fd+"."+ev.IndicatorID, msg)
			}
		}
		return s.evaluationPage(w, r, http.StatusUnprocessableEntity, page)
	}
	if err := s.store.SaveEvaluation(r.Context(), scope(r), e.ID, ev); err != nil {
		return err
	}
	return s.saved(w, r, "/evaluation")
}

// closing is the final three-way meeting: the coachee presents their synthesis,
// the recommendations are written, the sponsor gives feedback.
func (s *Server) closing(w http.ResponseWriter, r *http.Request) error {
	return s.closingPage(w, r, http.StatusOK, "", views.Form{})
}

func (s *Server) closingPage(w http.ResponseWriter, r *http.Request, status int, formFor string, f views.Form) error {
	e := eng(r)
	file, err := s.store.Closing(r.Context(), scope(r), e.ID)
	if err != nil {
		return err
	}
	mf := emptyForm("at", dtInput(r, file.Final.ScheduledAt), "notes", file.Final.Notes, "version", strconv.Itoa(file.Final.Version))
	if file.Final.Held {
		mf.Values.Set("held", "on")
	}
	mf.Values["attendees"] = file.Final.Attendees
	if formFor == "meeting" {
		mf = f
	}
	mv := s.meetingView(r, file.Final, mf, "/closing")
	mv.CanEdit = canEdit(r, domain.InfoClosing) && file.Final.ID != ""
	v := views.ClosingView{Eng: s.engView(r, "/closing"), Meeting: mv, Synthesis: file.CoacheeSynthesis,
		CanWriteSynthesis: canEdit(r, domain.InfoCoacheeSynth), CanRecommend: canEdit(r, domain.InfoRecommendations),
		CanDelete: canEdit(r, domain.InfoClosing), CanFeedback: canEdit(r, domain.InfoFeedback), HasMeeting: file.Final.ID != ""}
	v.SynthesisForm = emptyForm("body", file.CoacheeSynthesis, "version", strconv.Itoa(file.SynthesisVersion))
	v.Recommend = emptyForm("carrier", "coachee")
	v.Feedback = emptyForm()
	switch formFor {
	case "synthesis":
		v.SynthesisForm = f
	case "recommend":
		v.Recommend = f
	case "feedback":
		v.Feedback = f
	}
	for _, rc := range file.Recommendations {
		v.Recommendations = append(v.Recommendations, recommendationRow(r, rc))
	}
	for _, fb := range file.Feedback {
		v.FeedbackRows = append(v.FeedbackRows, views.Item{Title: fb.Author, Body: fb.Body})
		if v.CanFeedback && fb.Author == person(r).Name && formFor != "feedback" {
			v.Feedback.Values.Set("body", fb.Body)
		}
	}
	for _, c := range domain.Carriers {
		v.Carriers = append(v.Carriers, views.Option{Value: c, Label: "carrier." + c})
	}
	s.render(w, r, status, views.Closing(s.page(r, "eng.tab.closing"), v))
	return nil
}

func recommendationRow(r *http.Request, rc store.Recommendation) views.RecommendationRow {
	return views.RecommendationRow{ID: rc.ID, Body: rc.Body, Carrier: rc.Carrier, Author: rc.Author, Due: i18nDate(r, rc.Due)}
}

func (s *Server) saveFinalMeeting(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	file, err := s.store.Closing(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	m := store.Meeting{ID: file.Final.ID, Kind: "final", ScheduledAt: parseWhen(r, f, "at"), Held: f.Get("held") != "",
		Notes: text(f, "notes", 20000, false), Version: version(f), Attendees: ids(f, "attendees")}
	if msg := domain.CheckHeld(m.Held, m.ScheduledAt, s.store.Now()); msg != "" {
		f.Errors.Add("at", msg)
	}
	if len(f.Errors) > 0 {
		return s.closingPage(w, r, http.StatusUnprocessableEntity, "meeting", f)
	}
	err = s.store.SaveMeeting(r.Context(), scope(r), eng(r).ID, m)
	if isConflict(err) {
		return s.conflict(w, r, "/closing", file.Final.Version, f, []views.ConflictField{{Name: "notes", Label: "field.meeting_notes", Current: file.Final.Notes}})
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/closing")
}

// saveCoacheeSynthesis: the coachee's own text; the coach cannot edit it.
func (s *Server) saveCoacheeSynthesis(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	body := text(f, "body", 30000, true)
	if len(f.Errors) > 0 {
		return s.closingPage(w, r, http.StatusUnprocessableEntity, "synthesis", f)
	}
	err = s.store.SaveCoacheeSynthesis(r.Context(), scope(r), eng(r).ID, body, version(f))
	if isConflict(err) {
		file, lerr := s.store.Closing(r.Context(), scope(r), eng(r).ID)
		if lerr != nil {
			return err
		}
		return s.conflict(w, r, "/closing", file.SynthesisVersion, f, []views.ConflictField{{Name: "body", Label: "field.coachee_synthesis", Current: file.CoacheeSynthesis}})
	}
	if err != nil {
		return err
	}
	return s.saved(w, r, "/closing")
}

func (s *Server) addRecommendation(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	rc := store.Recommendation{Body: text(f, "body", 2000, true), Carrier: f.Get("carrier"), Due: parseDay(f, "due")}
	if !contains(domain.Carriers, rc.Carrier) {
		f.Errors.Add("carrier", "field.invalid_choice")
	}
	if len(f.Errors) > 0 {
		return s.closingPage(w, r, http.StatusUnprocessableEntity, "recommend", f)
	}
	if err := s.store.AddRecommendation(r.Context(), scope(r), eng(r).ID, rc); err != nil {
		return err
	}
	return s.saved(w, r, "/closing")
}

func (s *Server) deleteRecommendation(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteRecommendation(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "rid")); err != nil {
		return err
	}
	return s.saved(w, r, "/closing")
}

func (s *Server) saveFeedback(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	body := text(f, "body", 10000, true)
	if len(f.Errors) > 0 {
		return s.closingPage(w, r, http.StatusUnprocessableEntity, "feedback", f)
	}
	if err := s.store.SaveFeedback(r.Context(), scope(r), eng(r).ID, body); err != nil {
		return err
	}
	return s.saved(w, r, "/closing")
}

// report lists the final report's versions; the coach makes a new one from the
// engagement as it stands.
func (s *Server) report(w http.ResponseWriter, r *http.Request) error {
	return s.reportPage(w, r, http.StatusOK, views.Form{})
}

// reportPage lists the versions; before the closing, the coach reads what
// the contract still holds and may say why the engagement closes all the
// same (note: the closing-note form when it comes back refused).
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, status int, note views.Form) error {
	e := eng(r)
	file, err := s.store.Closing(r.Context(), scope(r), e.ID)
	if err != nil {
		return err
	}
	v := views.ReportList{Eng: s.engView(r, "/report"), CanPublish: canEdit(r, domain.InfoClosing), Note: file.ClosingNote, NoteForm: note}
	for i, rv := range file.Reports {
		row := s.versionRow(r, domain.InfoClosing, rv, i == 0)
		row.Href = engPath(r, "/report/"+strconv.Itoa(rv.Number))
		v.Versions = append(v.Versions, row)
	}
	if v.CanPublish {
		v.Warnings = warningLines(r, file.Progress)
		if note.Values == nil {
			v.NoteForm = emptyForm("note", file.ClosingNote)
		}
	}
	s.render(w, r, status, views.Reports(s.page(r, "eng.tab.report"), v))
	return nil
}

// saveClosingNote: the coach says why the engagement closes short of its
// contract; the coachee reads it, the company does not.
func (s *Server) saveClosingNote(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	body := text(f, "note", 2000, true)
	if len(f.Errors) > 0 {
		return s.reportPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := s.store.SaveClosingNote(r.Context(), scope(r), eng(r).ID, body); err != nil {
		return err
	}
	return s.saved(w, r, "/report")
}

func (s *Server) publishReport(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.PublishReport(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	s.flash(r, "report.published")
	http.Redirect(w, r, engPath(r, "/report/"+strconv.Itoa(n)), http.StatusSeeOther)
	return nil
}

// reportVersion shows one version as a clean A4 document.
func (s *Server) reportVersion(w http.ResponseWriter, r *http.Request) error {
	return s.reportVersionPage(w, r, http.StatusOK, views.Form{})
}

// reportVersionPage renders a report version; comment is the comment form when
// it comes back refused.
func (s *Server) reportVersionPage(w http.ResponseWriter, r *http.Request, status int, comment views.Form) error {
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil {
		return domain.ErrNotFound
	}
	v, doc, err := s.reportDoc(r, n)
	if err != nil {
		return err
	}
	v.Comment = comment
	if v.Version.CanValidate && canEdit(r, domain.InfoClosing) {
		ov, err := s.store.Sessions(r.Context(), scope(r), eng(r).ID)
		if err != nil {
			return err
		}
		v.Warnings = warningLines(r, ov.Progress)
	}
	p := s.page(r, "report.doc.title", "Number", n)
	p.PrintCSS = engPath(r, "/report/"+strconv.Itoa(doc.Version.Number)+"/print.css")
	s.render(w, r, status, views.ReportDocument(p, v))
	return nil
}

// reportDoc is the view of report version n, as its page and its PDF show it.
func (s *Server) reportDoc(r *http.Request, n int) (views.ReportDoc, *store.DocumentPage, error) {
	e := eng(r)
	doc, err := s.store.Document(r.Context(), scope(r), "report", e.ID, n)
	if err != nil {
		return views.ReportDoc{}, nil, err
	}
	var c store.ReportContent
	if err := json.Unmarshal(doc.Content, &c); err != nil {
		return views.ReportDoc{}, nil, err
	}
	rv := doc.Version
	row := s.versionRow(r, domain.InfoClosing, rv, doc.Current == n)
	row.Href = engPath(r, "/report/"+strconv.Itoa(n))
	v := views.ReportDoc{Eng: s.engView(r, "/report"), Version: row, CanComment: canEdit(r, domain.InfoDocComments),
		Title: c.Title, ClientOrg: c.ClientOrg, Coach: c.Coach, Coachee: c.Coachee, Sponsors: c.Sponsors,
		CompanyRequest: c.CompanyRequest, CoacheeRequest: c.CoacheeRequest, CoacheeSynthesis: c.CoacheeSynthesis,
		Held: c.SessionsHeld, Planned: c.SessionsPlanned, Used: c.MinutesUsed, Total: c.MinutesTotal,
		Start: i18nDate(r, c.Start), End: i18nDate(r, c.End), Final: dt(r, c.FinalMeeting)}
	// The coachee's self-assessment reaches the others through the report once
	// the coachee has validated that version (their validation is their
	// consent); the database shows its row to them only then.
	shown, err := c.Merge(doc.SelfAssessment)
	if err != nil {
		return v, nil, err
	}
	withheld := !shown
	for _, o := range c.Objectives {
		ro := views.ReportObjective{Title: o.Title}
		for _, i := range o.Indicators {
			row := views.EvalRow{Kind: i.Kind, Description: i.Description, Baseline: i.Baseline, Target: i.Target,
				Mine: evalView(i.Coach), Other: evalView(i.Coachee), Both: !withheld, Withheld: withheld}
			if withheld {
				row.Other = views.EvalView{}
			}
			ro.Indicators = append(ro.Indicators, row)
		}
		v.Objectives = append(v.Objectives, ro)
	}
	for _, rc := range c.Recommendations {
		v.Recommendations = append(v.Recommendations, recommendationRow(r, rc))
	}
	for _, fb := range c.Feedback {
		v.Feedback = append(v.Feedback, views.Item{Title: fb.Author, Body: fb.Body})
	}
	v.Comments = commentRows(r, doc.Comments)
	v.Frame = s.docFrame(r, "report", doc, reportLines(r.Context()), audience(r.Context(), c.Coach, c.Coachee, c.Sponsors))
	return v, doc, nil
}

func commentRows(r *http.Request, cs []store.DocComment) []views.CommentRow {
	var out []views.CommentRow
	for _, c := range cs {
		out = append(out, views.CommentRow{At: i18n.DateTime(r.Context(), c.At), Author: c.Author, Body: c.Body})
	}
	return out
}

func (s *Server) validateReport(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil {
		return domain.ErrNotFound
	}
	closed, err := s.store.ValidateReport(r.Context(), scope(r), eng(r).ID, n, eng(r).Part)
	if err != nil {
		return err
	}
	if closed {
		s.flash(r, "report.closed")
	} else {
		s.flash(r, "synthesis.validated")
	}
	http.Redirect(w, r, engPath(r, "/report/"+strconv.Itoa(n)), http.StatusSeeOther)
	return nil
}

// commentDocument: the sponsor comments on a version of the synthesis or the
// report before validating it; the coach reads the comments.
func (s *Server) commentDocument(doc string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		n, err := strconv.Atoi(chi.URLParam(r, "n"))
		if err != nil {
			return domain.ErrNotFound
		}
		f, err := form(r)
		if err != nil {
			return err
		}
		body := text(f, "body", 5000, true)
		if len(f.Errors) > 0 {
			if doc == "report" {
				return s.reportVersionPage(w, r, http.StatusUnprocessableEntity, f)
			}
			return s.synthesisVersionPage(w, r, http.StatusUnprocessableEntity, f)
		}
		if err := s.store.CommentDocument(r.Context(), scope(r), eng(r).ID, doc, n, body); err != nil {
			return err
		}
		s.flash(r, "comment.added")
		http.Redirect(w, r, engPath(r, "/"+doc+"/"+strconv.Itoa(n)), http.StatusSeeOther)
		return nil
	}
}
