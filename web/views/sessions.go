package views

import (
	"fmt"
	"strings"
)

// Progress is where the engagement stands against its contract.
type Progress struct {
	Held, Planned, Scheduled, Used, Total, OpenActions int
	RunningOut                                         bool
}

// SessionRow is one session in a list.
type SessionRow struct {
	ID, At, Status, CancelReason, Href string
	Number, Of, Minutes                int
	Warning                            string // catalog ID: planned outside the contract's period
}

// AutonomyPoint is both ratings of one held session.
type AutonomyPoint struct {
	Number, Coach, Coachee int
	// The session's actions and those the coachee proposed herself.
	Actions, CoacheeActions int
}

// SessionsView is the sessions page.
type SessionsView struct {
	Eng
	Progress         Progress
	CanPlan, CanOpen bool
	Form             Form
	Sessions         []SessionRow
	Autonomy         []AutonomyPoint
}

// Item is a line of a session's lists (situation, option, input) or of the library.
type Item struct {
	ID, Title, Body, Extra, Note string
	Chosen                       bool // the option retained
}

// RatingView is one autonomy rating.
type RatingView struct {
	Score int
	Word  string
}

// SessionView is one session's page.
type SessionView struct {
	Eng
	Row                           SessionRow
	CanEdit, SeesNote, CanRate    bool // SeesNote: the viewer keeps private notes
	CanRecordHeld                 bool // planned, its time has come: held in one submit
	Analysis, Scenarios, Decision string
	PrivateNote, FormFor          string
	Meta, New                     Form
	Situations, Options, Inputs   []Item
	Actions                       []ActionRow
	CoachRating, CoacheeRating    RatingView
	Own                           RatingView // the viewer's own rating, to edit
	RatesAsCoach                  bool       // the viewer rates for the coaches' side
	Library, Objectives, Statuses []Option
	// The session record's one form: as stored, or as typed when refused.
	Record           Form
	NSit, NOpt, NAct int         // rows of situations, options, action-plan lines
	Locked           []ActionRow // plan actions with journal entries: the coachee's work now
	Items            []Item      // the library, to check what was brought in
}

// rowName names a field of a row of the session record: sit.0.title.
func rowName(kind string, i int, field string) string { return kind + "." + itoa(i) + "." + field }

// rowID is the element id of a row's field: sit-0-title.
func rowID(kind string, i int, field string) string { return kind + "-" + itoa(i) + "-" + field }

// ActionRow is one intersession action.
type ActionRow struct {
	ID, Title, Description, Objective, Status, Href, Due string
	Session, Entries                                     int
	Open, Overdue, Shared                                bool
	ProposedBy                                           string // coach or coachee
}

// ActionsView is the coachee's space.
type ActionsView struct {
	Eng
	CanWork, SharedOnly, CanAdd bool // CanWork: journal and status; SharedOnly: sees only what was shared
	Form                        Form
	Actions                     []ActionRow
	Objectives, Statuses        []Option
}

// ActionView is one action with its journal.
type ActionView struct {
	Eng
	Row                               ActionRow
	CanWork, CanComment, ShowComments bool
	Journal, Comment                  Form
	Entries                           []JournalRow
	Comments                          []CommentRow
	Statuses                          []Option
}

// JournalRow is one journal entry.
type JournalRow struct {
	At, Did, Happened, Learnt string
}

// CommentRow is one of the coach's comments.
type CommentRow struct {
	At, Author, Body string
}

// LibraryView is the library page.
type LibraryView struct {
	Slug   string
	Form   Form
	CanAdd bool // may add, edit and remove items
	Items  []Item
	// Editing is the item whose edit form came back refused, as typed in Edit.
	Editing string
	Edit    Form
}

// libraryValue is an item's field as typed when its edit came back refused,
// as stored otherwise.
func libraryValue(v LibraryView, it Item, field string) string {
	if v.Editing == it.ID {
		return v.Edit.Get(field)
	}
	switch field {
	case "title":
		return it.Title
	case "summary":
		return it.Body
	}
	return it.Extra
}

// The autonomy chart's geometry: sessions along x, ratings 1–5 along y.
const (
	chartW, chartH       = 640, 260
	chartLeft, chartTop  = 48, 16
	chartRight, chartBot = 16, 40
)

func chartX(i, n int) int {
	if n <= 1 {
		return chartLeft + (chartW-chartLeft-chartRight)/2
	}
	return chartLeft + i*(chartW-chartLeft-chartRight)/(n-1)
}

func chartY(score int) int {
	return chartTop + (5-score)*(chartH-chartTop-chartBot)/4
}

// points is the polyline of one series; unrated sessions are skipped.
func points(pts []AutonomyPoint, coach bool) string {
	var b strings.Builder
	for i, p := range pts {
		v := p.Coachee
		if coach {
			v = p.Coach
		}
		if v == 0 {
			continue
		}
		fmt.Fprintf(&b, "%d,%d ", chartX(i, len(pts)), chartY(v))
	}
	return strings.TrimSpace(b.String())
}

func itoa(i int) string { return fmt.Sprint(i) }

// keepStatus offers, before the statuses, to leave the action's as it is: a
// journal entry may change it in the same submit, or not.
func keepStatus(statuses []Option) []Option {
	return append([]Option{{Value: "", Label: "journal.status.keep"}}, statuses...)
}
