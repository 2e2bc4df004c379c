package server

import (
	"net/http"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/web/views"
)

// dashboard is a workspace's home page, by role: what waits on the person, their
// engagements and the coming week. It is served with a constant number of
// queries, whatever the amount of data.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	m := member(r)
	now := s.store.Now()
	d, err := s.store.Dashboard(r.Context(), scope(r), m.Roles, now)
	if err != nil {
		return err
	}
	base := "/w/" + m.Workspace.Slug
	all, coach := domain.Can(m.Roles, domain.SeeAllEngagements), domain.Can(m.Roles, domain.CoachEngagements)
	// A coach who also administers the workspace works from the coach's
	// dashboard; the workspace's figures come below it.
	v := views.DashboardView{Base: base, Name: person(r).Name, AlwaysWaiting: !all || coach, Mine: !all || coach,
		ShowActions: domain.Can(m.Roles, domain.KeepActions), AlwaysAgenda: coach,
		Figures: all, ShowCoachee: !domain.Can(m.Roles, domain.KeepActions)}
	for _, e := range d.Engagements {
		row := views.DashRow{Href: base + "/e/" + e.ID, Title: e.Title, Other: e.Other, Phase: e.Phase, Held: e.Held, Planned: e.Planned, GateOpen: e.GateOpen}
		if e.NextMeeting != nil {
			row.Next = i18n.DateTime(r.Context(), *e.NextMeeting)
		}
		v.Engagements = append(v.Engagements, row)
	}
	for _, wt := range d.Waiting {
		v.Waiting = append(v.Waiting, views.WaitRow{Label: "wait." + wt.Kind, Title: wt.Title, Href: base + "/e/" + wt.EngagementID + wt.Path, N: wt.N})
	}
	for _, a := range d.Agenda {
		v.Agenda = append(v.Agenda, views.AgendaRow{At: i18n.DateTime(r.Context(), a.At), Title: a.Title, Kind: a.Kind, N: a.Number,
			Href: base + "/e/" + a.EngagementID})
	}
	for _, a := range d.OpenActions {
		row := views.ActionRow{ID: a.ID, Title: a.Title, Status: string(a.Status), Open: true, Overdue: a.Overdue(now),
			Href: base + "/e/" + d.ActionEng[a.ID] + "/actions/" + a.ID, Entries: a.Entries}
		if a.Due != nil {
			row.Due = i18nDate(r, a.Due)
		}
		v.Actions = append(v.Actions, row)
	}
	if all {
		for _, role := range domain.Roles {
			v.Members = append(v.Members, views.CountRow{Label: "role." + string(role), N: d.Members[role]})
		}
		for _, c := range d.ByPhase {
			v.ByPhase = append(v.ByPhase, views.PhaseRow{Coach: c.Coach, Phase: c.Phase, N: c.N})
		}
		for _, o := range d.Orgs {
			v.Orgs = append(v.Orgs, views.OrgRow{Name: o.Name, Members: o.Members, Programme: programmePath(r, o.ID)})
		}
		for _, inv := range d.Invitations {
			v.Invitations = append(v.Invitations, views.InvitationRow{Email: inv.Email, Role: inv.Role, Expires: i18n.DateTime(r.Context(), inv.Expires)})
		}
		v.EngagementsN = d.EngagementsN
	}
	for _, o := range d.Programmes { // a sponsor's own organisation's programme
		v.Programmes = append(v.Programmes, views.OrgRow{Name: o.Name, Programme: programmePath(r, o.ID)})
	}
	s.render(w, r, http.StatusOK, views.Dashboard(s.page(r, "nav.dashboard"), v))
	return nil
}
