package views

import "triade/internal/domain"

// DashboardView is a workspace's home page.
type DashboardView struct {
	Base, Name string
	// What the page always shows, from the person's capabilities.
	AlwaysWaiting, ShowActions, AlwaysAgenda bool
	Figures, ShowCoachee                     bool // the workspace's figures; the coachee of each engagement
	Mine                                     bool // the person's own engagements
	Engagements                              []DashRow
	Waiting                                  []WaitRow
	Agenda                                   []AgendaRow
	Actions                                  []ActionRow
	Members                                  []CountRow
	ByPhase                                  []PhaseRow
	Orgs                                     []OrgRow
	Programmes                               []OrgRow // the programmes a sponsor may see
	Invitations                              []InvitationRow
	EngagementsN                             int
}

// DashRow is an engagement on a dashboard.
type DashRow struct {
	Href, Title, Other, Next string
	Phase                    domain.Phase
	Held, Planned            int
	GateOpen                 bool
}

// WaitRow is something waiting on the person.
type WaitRow struct {
	Label, Title, Href string
	N                  int
}

// AgendaRow is a meeting of the coming week.
type AgendaRow struct {
	At, Title, Kind, Href string
	N                     int
}

// CountRow is a labelled count.
type CountRow struct {
	Label string
	N     int
}

// PhaseRow counts a coach's engagements in a phase.
type PhaseRow struct {
	Coach string
	Phase domain.Phase
	N     int
}
