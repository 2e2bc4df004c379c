package views

import (
	"context"

	"triade/internal/domain"
)

// Eng is what every page of an engagement shows in its header.
type Eng struct {
	ID, Title, ClientOrg, Base string
	Phase                      domain.Phase
	Part                       domain.Part
	Parties                    []PartyRow
	Tabs                       []NavItem
	ReadOnly                   bool
	EndedReason                string
	List                       string // the workspace's list of engagements
}

// PartyRow is a participant and their part.
type PartyRow struct {
	Me          bool   // the reader
	Form        string // how the person chose to be named (i18n.AddressForms)
	Name        string
	Part        domain.Part
	SponsorKind string
}

// EngagementList is the list page.
type EngagementList struct {
	Slug, Phase, Org, Coach string
	Prev, Next              string // pages around this one, "" when none
	Rows                    []EngagementRow
	Phases, Orgs, Coaches   []Option
	CanCreate               bool
}

// EngagementRow is one engagement in the list.
type EngagementRow struct {
	ID, Title, ClientOrg, Coach, Coachee, Since string
	Phase                                       domain.Phase
}

// EngagementForm is the form that opens an engagement.
type EngagementForm struct {
	Slug                              string
	Form                              Form
	Orgs, Coaches, Coachees, Sponsors []Option
	Kinds                             []Option
	Cocoaches                         []Checkbox
	CanAddOrg                         bool // may type a new client organisation's name
}

// GateRow is one condition of the gate.
type GateRow struct {
	Label string
	Done  bool
}

// Todo is something waiting on the signed-in person.
type Todo struct {
	Label, Href string
	N           int    // what the label counts or names
	Due         string // the date it is due, if any
	Late        bool
}

// Overview is the engagement's home.
type Overview struct {
	Eng
	Gate                            []GateRow
	GateTitle                       string // catalog ID: which gate the checklist is
	GateOpen, CanMove, CanInterrupt bool
	Todo                            []Todo
	FirstMeeting, Framing           string
	FramingHeld                     bool
	Intermediate                    []string
	CoachWilling, CoacheeWilling    string
	CanConfirmWillingness           bool
	Progress                        *Progress
	CanMoveBouclage                 bool
	Warnings                        []string
}

// HistoryRow is one event of the history.
type HistoryRow struct {
	At, Actor, What string
}

// FirstMeetingView is the first meeting page.
type FirstMeetingView struct {
	Eng
	Form                         Form
	CanEdit, CanConfirm          bool
	At, Stakes, DraftObjectives  string
	CoachWilling, CoacheeWilling string
}

// MeetingView is a three-way meeting.
type MeetingView struct {
	Eng
	Form               Form
	CanEdit            bool
	ID, Kind, At       string
	Held               bool
	Notes, Adjustments string
	Attendees          []Checkbox
	AttendeeNames      []string
}

// RequestsView is the page of the two levels of request.
type RequestsView struct {
	Eng
	Form                          Form
	CanValidate, Coherent         bool
	CoherenceComment, CoherenceAt string
	Requests                      []RequestView
}

// RequestView is one level of request.
type RequestView struct {
	Level, Body, WrittenBy, Validated, Updated string
	Draft, Error                               string
	Version                                    int
	CanWrite                                   bool
}

// ContractView is the contract page.
type ContractView struct {
	Eng
	Form                                    Form
	CanEdit, Complete                       bool
	Approach, Sessions, Minutes, Start, End string
	Confidentiality, Exceptions             string
}

// ObjectivesView is the objectives and indicators page.
type ObjectivesView struct {
	Eng
	CanEdit    bool
	New        Form
	NewFor     string
	Kinds      []Option
	Objectives []ObjectiveView
}

// ObjectiveView is one objective.
type ObjectiveView struct {
	ID, Title, Description string
	N                      int
	First, Last            bool
	Editing                bool // shown as forms; the others are read
	Form, NewInd           Form
	Indicators             []IndicatorView
}

// IndicatorView is one progress indicator.
type IndicatorView struct {
	ID, Kind, Description, Baseline, Target, Observe string
	Form                                             Form
}

// SynthesisView is the synthesis page: free text and versions.
type SynthesisView struct {
	Eng
	Form     Form
	CanEdit  bool
	Text     string
	Versions []VersionRow
	// Drift is what changed since the current version was made (nil: nothing);
	// DriftValidated: all three had validated that version.
	Drift          *DiffView
	DriftValidated bool
}

// VersionRow is one synthesis version with its validations.
type VersionRow struct {
	Number               int
	At, By, Href         string
	Current, CanValidate bool
	Validations          []ValidationRow
}

// ValidationRow is one party's validation.
type ValidationRow struct {
	Name, At string
	Part     domain.Part
}

// SynthesisDoc is one version shown as a document.
type SynthesisDoc struct {
	Eng
	Frame      DocFrame
	Version    VersionRow
	Content    SynthesisContent
	Comments   []CommentRow
	CanComment bool
	Comment    Form
}

// SynthesisContent is the frozen content of a version.
type SynthesisContent struct {
	Title, ClientOrg, Coach, Coachee          string
	Sponsors                                  []string
	CompanyRequest, CoacheeRequest, Coherence string
	Text, Approach, Start, End                string
	Sessions, Minutes                         int
	Confidentiality, Exceptions               string
	Objectives                                []ObjectiveView
}

// MeetingsView is the intermediate meetings page.
type MeetingsView struct {
	Eng
	CanAsk, CanSchedule, Pending bool
	Ask, Schedule                Form
	Requests                     []MeetingRequestRow
	Meetings                     []MeetingView
}

// MeetingRequestRow is one request for an intermediate meeting.
type MeetingRequestRow struct {
	By, Reason, At string
	Scheduled      bool
}

// ConflictView is shown when a save was based on a stale version.
type ConflictView struct {
	Eng
	Action  string
	Version int
	Fields  []ConflictField
	Hidden  []Option // other fields of the form, sent again as they were (Label = name)
}

// ConflictField is one text in conflict: the current one and the person's.
type ConflictField struct {
	Name, Label, Current, Mine string
	Short                      bool
}

func partLabel(p domain.Part) string { return "part." + string(p) }

// partOf names a participant's part in the form of address she or he chose
// (two sponsors of one engagement may have chosen differently).
func partOf(ctx context.Context, pr PartyRow) string {
	return t(ctx, partLabel(pr.Part), "CoacheeForm", pr.Form, "CoachForm", pr.Form, "SponsorForm", pr.Form)
}
func phaseLabel(p domain.Phase) string { return "phase." + string(p) }

// warningCount is the number a bouclage warning speaks of.
func warningCount(id string, p *Progress) int {
	return domain.Progress{Planned: p.Planned, Held: p.Held, OpenActions: p.OpenActions}.WarningCount(id)
}

// requestHint is the help under a request's field: spoken to the coachee
// when she or he writes her or his own.
func requestHint(level string, reader domain.Part) string {
	if level == "coachee" && reader == domain.PartCoachee {
		return "request.hint.coachee.self"
	}
	return "request.hint." + level
}
