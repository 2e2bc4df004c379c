package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

const engagementKey ctxKey = 100

// engCtx is the engagement of a /e/{id} request and the viewer's part in it.
type engCtx struct {
	*store.Engagement
	Part domain.Part
}

// engagement loads /w/{slug}/e/{id}: a person with no right to see the
// engagement's summary gets 404, as if it did not exist.
func (s *Server) engagement(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := s.store.EngagementHeader(r.Context(), scope(r), chi.URLParam(r, "id"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		part := domain.ViewerPart(e.PartOf(person(r).ID), member(r).Roles)
		if !domain.RightOf(part, domain.InfoSummary).Has(domain.Read) {
			s.fail(w, r, domain.ErrNotFound)
			return
		}
		ctx := context.WithValue(r.Context(), engagementKey, &engCtx{Engagement: e, Part: part})
		ctx = partiesNamed(ctx, e, part)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// partiesNamed gives an engagement's pages their words: each party named in
// the form of address the person chose, and the messages that name the
// viewer's own part spoken to them.
func partiesNamed(ctx context.Context, e *store.Engagement, viewer domain.Part) context.Context {
	ctx = i18n.WithCoachee(ctx, e.CoacheeForm())
	ctx = i18n.WithCoach(ctx, e.FormOf(domain.PartCoach))
	ctx = i18n.WithSponsor(ctx, e.FormOf(domain.PartSponsor))
	return i18n.WithViewer(ctx, string(viewer))
}

func eng(r *http.Request) *engCtx { return r.Context().Value(engagementKey).(*engCtx) }

// need guards a handler with the rule for one operation on a kind of
// information in the engagement's phase (domain.Allowed): a refused read is a
// 404, a refused write a 403 given before any form is read (a closed or
// interrupted engagement says it is read-only).
func (s *Server) need(info domain.Info, op domain.Right, fn handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		e := eng(r)
		if !domain.Allowed(e.Part, info, op, e.Phase) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return domain.ErrNotFound
			}
			return domain.Refusal(e.Part, info, op, e.Phase)
		}
		return fn(w, r)
	}
}

// can reports whether the viewer may do op on a kind of information now: the
// booleans the pages receive come from here, the rule the routes apply.
func can(r *http.Request, info domain.Info, op domain.Right) bool {
	e := eng(r)
	if op != domain.Read && seenAsOf(r) != nil { // the sponsor's view, shown to another, offers no write
		return false
	}
	return domain.Allowed(e.Part, info, op, e.Phase)
}

// engPath is the URL of a page of the current engagement.
func engPath(r *http.Request, rest string) string {
	base := "/w/" + member(r).Workspace.Slug + "/e/" + eng(r).ID
	if seenAsOf(r) != nil { // links of the sponsor's view stay in it
		return base + "/as-sponsor?page=" + rest
	}
	return base + rest
}

// engView is what the engagement's pages show in their header and tabs.
func (s *Server) engView(r *http.Request, current string) views.Eng {
	e := eng(r)
	v := views.Eng{ID: e.ID, Title: e.Title, ClientOrg: e.ClientOrg, Phase: e.Phase, Part: e.Part,
		ReadOnly: !e.Phase.Open(), EndedReason: e.EndedReason, Base: engPath(r, ""), List: "/w/" + member(r).Workspace.Slug + "/engagements"}
	for _, p := range e.Parties {
		v.Parties = append(v.Parties, views.PartyRow{Me: p.UserID == person(r).ID, Form: p.AddressForm, Name: p.Name, Part: p.Part, SponsorKind: p.SponsorKind})
	}
	// A tab shows when its page may be read: the same rule as its route, so
	// nothing shows before its phase.
	tabs := []struct {
		path, label string
		info        domain.Info
	}{
		{"", "eng.tab.overview", domain.InfoSummary},
		{"/first-meeting", "eng.tab.first_meeting", domain.InfoDiagnosis},
		{"/framing", "eng.tab.framing", domain.InfoSummary},
		{"/requests", "eng.tab.requests", domain.InfoFraming},
		{"/objectives", "eng.tab.objectives", domain.InfoFraming},
		{"/contract", "eng.tab.contract", domain.InfoFraming},
		{"/synthesis", "eng.tab.synthesis", domain.InfoSynthesis},
		{"/meetings", "eng.tab.meetings", domain.InfoMeetingRequests},
		{"/sessions", "eng.tab.sessions", domain.InfoSessions},
		{"/actions", "eng.tab.actions", domain.InfoSharedActions},
		{"/evaluation", "eng.tab.evaluation", domain.InfoEvaluation},
		{"/closing", "eng.tab.closing", domain.InfoClosing},
		{"/report", "eng.tab.report", domain.InfoClosing},
		{"/history", "eng.tab.history", domain.InfoHistory},
	}
	for _, t := range tabs {
		if can(r, t.info, domain.Read) {
			v.Tabs = append(v.Tabs, views.NavItem{Label: t.label, Href: v.Base + t.path, Current: t.path == current})
		}
	}
	// What the sponsor sees, for the coachee and her coaches: when there is one.
	if can(r, domain.InfoSponsorView, domain.Read) && len(e.With(domain.PartSponsor)) > 0 {
		v.Tabs = append(v.Tabs, views.NavItem{Label: "eng.tab.as_sponsor", Href: v.Base + "/as-sponsor"})
	}
	return v
}

// canEdit reports whether the viewer may write this kind of information now.
func canEdit(r *http.Request, info domain.Info) bool { return can(r, info, domain.Write) }

func (s *Server) engagements(w http.ResponseWriter, r *http.Request) error {
	m := member(r)
	q := r.URL.Query()
	f := store.EngagementFilter{Phase: q.Get("phase"), ClientOrgID: q.Get("org"), CoachID: q.Get("coach"), All: domain.Can(m.Roles, domain.SeeAllEngagements)}
	if f.Phase != "" && !domain.Phase(f.Phase).Valid() {
		f.Phase = ""
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 0 && p < 10000 {
		f.Page = p
	}
	rows, err := s.store.Engagements(r.Context(), scope(r), f)
	if err != nil {
		return err
	}
	// One row more than a page says whether a next page exists.
	more := len(rows) > store.PageSize
	if more {
		rows = rows[:store.PageSize]
	}
	orgs, err := s.store.ClientOrgs(r.Context(), scope(r))
	if err != nil {
		return err
	}
	members, err := s.store.Members(r.Context(), scope(r))
	if err != nil {
		return err
	}
	v := views.EngagementList{Slug: m.Workspace.Slug, Phase: f.Phase, Org: f.ClientOrgID, Coach: f.CoachID, CanCreate: domain.Can(m.Roles, domain.CreateEngagements)}
	pageURL := func(p int) string {
		return "/w/" + m.Workspace.Slug + "/engagements?" + url.Values{"phase": {f.Phase}, "org": {f.ClientOrgID}, "coach": {f.CoachID}, "page": {strconv.Itoa(p)}}.Encode()
	}
	if f.Page > 0 {
		v.Prev = pageURL(f.Page - 1)
	}
	if more {
		v.Next = pageURL(f.Page + 1)
	}
	for _, e := range rows {
		v.Rows = append(v.Rows, views.EngagementRow{ID: e.ID, Title: e.Title, ClientOrg: e.ClientOrg, Coach: e.Coach, Coachee: e.Coachee,
			Phase: e.Phase, Since: i18n.Date(r.Context(), e.PhaseChanged)})
	}
	v.Phases = []views.Option{{Value: "", Label: "filter.all"}}
	for _, p := range domain.Phases {
		v.Phases = append(v.Phases, views.Option{Value: string(p), Label: "phase." + string(p)})
	}
	v.Orgs = []views.Option{{Value: "", Label: "filter.all"}}
	for _, o := range orgs {
		v.Orgs = append(v.Orgs, views.Option{Value: o.ID, Label: o.Name, Raw: true})
	}
	v.Coaches = []views.Option{{Value: "", Label: "filter.all"}}
	for _, mb := range members {
		if domain.Can(mb.Roles, domain.CoachEngagements) {
			v.Coaches = append(v.Coaches, views.Option{Value: mb.UserID, Label: mb.Name, Raw: true})
		}
	}
	s.render(w, r, http.StatusOK, views.Engagements(s.page(r, "eng.list.title"), v))
	return nil
}

func (s *Server) newEngagement(w http.ResponseWriter, r *http.Request) error {
	f := emptyForm("sponsor_kind", "hr", "new_sponsor_kind", "manager")
	if domain.Can(member(r).Roles, domain.CoachEngagements) {
		f.Values.Set("coach", person(r).ID)
	}
	return s.engagementForm(w, r, http.StatusOK, f)
}

func (s *Server) engagementForm(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	members, err := s.store.Members(r.Context(), scope(r))
	if err != nil {
		return err
	}
	orgs, err := s.store.ClientOrgs(r.Context(), scope(r))
	if err != nil {
		return err
	}
	v := views.EngagementForm{Slug: member(r).Workspace.Slug, Form: f, CanAddOrg: domain.Can(member(r).Roles, domain.ManageOrgs)}
	choose := []views.Option{{Value: "", Label: "form.choose"}}
	v.Orgs = append([]views.Option{}, choose...)
	for _, o := range orgs {
		v.Orgs = append(v.Orgs, views.Option{Value: o.ID, Label: o.Name, Raw: true})
	}
	v.Coaches, v.Coachees, v.Sponsors = append([]views.Option{}, choose...), append([]views.Option{}, choose...), []views.Option{{Value: "", Label: "form.none"}}
	for _, m := range members {
		o := views.Option{Value: m.UserID, Label: m.Name + " — " + m.Email, Raw: true}
		// One person may be offered in several lists: roles are a set.
		if m.Roles.CanTakePart(domain.PartCoach) {
			v.Coaches = append(v.Coaches, o)
		}
		if domain.Can(m.Roles, domain.CoachEngagements) {
			v.Cocoaches = append(v.Cocoaches, views.Checkbox{Name: "cocoach", Value: m.UserID, Label: m.Name, Checked: contains(f.Values["cocoach"], m.UserID)})
		}
		if m.Roles.CanTakePart(domain.PartCoachee) {
			v.Coachees = append(v.Coachees, o)
		}
		if m.Roles.CanTakePart(domain.PartSponsor) {
			v.Sponsors = append(v.Sponsors, o)
		}
	}
	for _, k := range sponsorKinds {
		v.Kinds = append(v.Kinds, views.Option{Value: k, Label: "sponsor_kind." + k})
	}
	s.render(w, r, status, views.NewEngagement(s.page(r, "eng.new.title"), v))
	return nil
}

var sponsorKinds = []string{"manager", "hr", "training", "other"}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// createEngagement opens an engagement; a coachee or sponsor not yet in the
// workspace is invited from the same form.
func (s *Server) createEngagement(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	ne := store.NewEngagement{ClientOrgID: idField(f, "client_org"), CoachID: idField(f, "coach"), CoacheeID: idField(f, "coachee"), CocoachIDs: ids(f, "cocoach")}
	ne.Title = text(f, "title", 200, true)
	clientOrg(f, &ne, domain.Can(member(r).Roles, domain.ManageOrgs))
	if ne.CoachID == "" {
		f.Errors.Add("coach", "field.required")
	}
	if np := newPerson(f, "new_coachee"); np != nil {
		ne.NewCoachee, ne.CoacheeID = np, ""
	} else if ne.CoacheeID == "" {
		f.Errors.Add("coachee", "field.coachee.required")
	}
	if id := idField(f, "sponsor"); id != "" {
		ne.Sponsors = append(ne.Sponsors, store.SponsorChoice{UserID: id, Kind: kindOf(f.Get("sponsor_kind"))})
	}
	if np := newPerson(f, "new_sponsor"); np != nil {
		ne.Sponsors = append(ne.Sponsors, store.SponsorChoice{New: np, Kind: kindOf(f.Get("new_sponsor_kind"))})
	}
	if len(ne.Sponsors) == 0 {
		f.Errors.Add("sponsor", "field.sponsor.required")
	}
	if len(f.Errors) > 0 {
		return s.engagementForm(w, r, http.StatusUnprocessableEntity, f)
	}
	m, inviter := member(r), person(r)
	id, err := s.store.CreateEngagement(r.Context(), scope(r), ne, func(in store.Invited) store.Mail {
		return s.invitationMail(r.Context(), m.Workspace, inviter.Name, store.NewInvitation{Email: in.Email, Name: in.Name, Role: in.Role}, in.Token)
	})
	if fe, ok := err.(domain.FieldErrors); ok {
		for k, v := range fe {
			f.Errors.Add(k, v)
		}
		return s.engagementForm(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.flash(r, "eng.created")
	http.Redirect(w, r, "/w/"+m.Workspace.Slug+"/e/"+id, http.StatusSeeOther)
	return nil
}

// clientOrg reads the engagement's client organisation: one of the list, or
// (for who may add organisations) the name of a new one, created with the
// engagement.
func clientOrg(f views.Form, ne *store.NewEngagement, canAdd bool) {
	if canAdd {
		ne.NewClientOrg = text(f, "new_client_org", 200, false)
	}
	switch {
	case ne.ClientOrgID == "" && ne.NewClientOrg == "" && canAdd:
		f.Errors.Add("client_org", "field.client_org.choose_or_new")
	case ne.ClientOrgID == "" && ne.NewClientOrg == "":
		f.Errors.Add("client_org", "field.required")
	case ne.ClientOrgID != "" && ne.NewClientOrg != "":
		f.Errors.Add("new_client_org", "field.client_org.both")
	}
}

// newPerson reads the "invite someone new" pair of fields named prefix_name and
// prefix_email; both empty means nobody new.
func newPerson(f views.Form, prefix string) *store.NewPerson {
	if strings.TrimSpace(f.Get(prefix+"_name")) == "" && strings.TrimSpace(f.Get(prefix+"_email")) == "" {
		return nil
	}
	name := text(f, prefix+"_name", 200, true)
	email := domain.NormalizeEmail(f.Get(prefix + "_email"))
	if !domain.ValidEmail(email) {
		f.Errors.Add(prefix+"_email", "field.email.invalid")
	}
	return &store.NewPerson{Name: name, Email: email}
}

func kindOf(k string) string {
	if contains(sponsorKinds, k) {
		return k
	}
	return "other"
}

// overview is the engagement's home: phase, parties, the gate checklist and what
// the signed-in person should do next.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) error {
	return s.overviewPage(w, r, http.StatusOK)
}

// overviewPage renders the overview (the interruption asks on a page of its own).
func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request, status int) error {
	e := eng(r)
	f, progress, facts, err := s.store.Overview(r.Context(), scope(r), e.Engagement, s.store.Now())
	if err != nil {
		return err
	}
	v := views.Overview{Eng: s.engView(r, "")}
	items := domain.CadrageGate(f.State())
	if e.Phase == domain.PhaseCadrage {
		v.Gate, v.GateTitle = gateRows(items), "gate.title"
		v.GateOpen = len(domain.Missing(items)) == 0
	}
	// The closing's checklist is the coach's: they see every party's part of it.
	if e.Phase == domain.PhaseBouclage && facts != nil && canEdit(r, domain.InfoClosing) {
		v.Gate, v.GateTitle = gateRows(domain.BouclageGate(facts.EngagementFacts)), "gate.closing.title"
	}
	steers := canEdit(r, domain.InfoSummary) // the coach moves and interrupts
	v.CanMove = steers && e.Phase == domain.PhaseCadrage
	v.CanInterrupt = steers
	if facts != nil {
		v.Todo = todo(r, facts.Duties(s.store.Now()))
	}
	v.FirstMeeting = dt(r, f.FirstMeetingAt)
	v.Framing = dt(r, f.Framing.ScheduledAt)
	v.FramingHeld = f.Framing.Held
	for _, m := range f.Intermediate {
		v.Intermediate = append(v.Intermediate, dt(r, m.ScheduledAt))
	}
	if e.Phase != domain.PhaseCadrage {
		pv := progressView(progress)
		v.Progress = &pv
		if e.Phase == domain.PhaseAccompagnement && steers {
			v.CanMoveBouclage = true
			v.Warnings = domain.BouclageWarnings(progress)
		}
	}
	v.CoachWilling, v.CoacheeWilling = dt(r, f.CoachWillingAt), dt(r, f.CoacheeWillingAt)
	v.CanConfirmWillingness = canConfirmWillingness(r, f)
	s.render(w, r, status, views.EngagementOverview(s.page(r, "eng.tab.overview"), v))
	return nil
}

func gateRows(items []domain.GateItem) []views.GateRow {
	rows := make([]views.GateRow, len(items))
	for i, it := range items {
		rows[i] = views.GateRow{Label: it.Label, Done: it.Done}
	}
	return rows
}

// todo turns the person's duties in this engagement into the overview's
// list, each with its page and its date.
func todo(r *http.Request, ds []domain.Duty) []views.Todo {
	var out []views.Todo
	for _, d := range ds {
		td := views.Todo{Label: "todo." + d.Kind, Href: d.Path, N: d.N, Late: d.Late}
		if !d.Due.IsZero() {
			td.Due = i18n.Date(r.Context(), d.Due)
		}
		if d.Kind == domain.DutyWillingness || d.Kind == domain.DutyMovePhase || d.Kind == domain.DutyMoveBouclage {
			td.Href = "" // done with the button of this page
		}
		out = append(out, td)
	}
	return out
}

// confirmWillingness: the lead coach and the coachee each confirm their own.
func (s *Server) confirmWillingness(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	if err := s.store.ConfirmWillingness(r.Context(), scope(r), e.ID, e.Part); err != nil {
		return err
	}
	s.flash(r, "eng.willingness.done")
	http.Redirect(w, r, engPath(r, ""), http.StatusSeeOther)
	return nil
}

// movePhase passes the gate to the next phase.
func (s *Server) movePhase(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	if err := s.store.MovePhase(r.Context(), scope(r), e.ID, e.Phase.Next()); err != nil {
		return err
	}
	s.flash(r, "eng.phase.moved")
	http.Redirect(w, r, engPath(r, ""), http.StatusSeeOther)
	return nil
}

func (s *Server) interrupt(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	f, err := form(r)
	if err != nil {
		return err
	}
	reason := text(f, "reason", 2000, true)
	if len(f.Errors) > 0 {
		return s.interruptStep(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := s.store.Interrupt(r.Context(), scope(r), e.ID, reason); err != nil {
		return err
	}
	s.flash(r, "eng.interrupted")
	http.Redirect(w, r, engPath(r, ""), http.StatusSeeOther)
	return nil
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	entries, err := s.store.History(r.Context(), scope(r), eng(r).ID)
	if err != nil {
		return err
	}
	rows := make([]views.HistoryRow, len(entries))
	for i, h := range entries {
		rows[i] = views.HistoryRow{At: i18n.DateTime(r.Context(), h.At), Actor: h.Actor,
			What: i18n.T(r.Context(), "history."+strings.ReplaceAll(h.Kind, ".", "_"), historyArgs(r.Context(), h.Data)...)}
	}
	s.render(w, r, http.StatusOK, views.History(s.page(r, "eng.tab.history"), s.engView(r, "/history"), rows))
	return nil
}

// historyArgs turns an event's data into message arguments, translating the
// words of the product (phases, parts, levels). Events carry no confidential text.
func historyArgs(ctx context.Context, data map[string]any) []any {
	prefix := map[string]string{"from": "phase.", "to": "phase.", "part": "part.", "level": "request.level.", "meeting": "meeting.kind.", "role": "role."}
	var args []any
	for k, v := range data {
		str := fmt.Sprint(v)
		if p, ok := prefix[k]; ok {
			str = i18n.T(ctx, p+str)
		}
		args = append(args, k, str)
		if k == "years" { // the count that chooses the message's plural form
			args = append(args, "Count", str)
		}
	}
	return args
}
