package views

// EraseView confirms erasing a person from the workspace.
type EraseView struct {
	Slug, UserID, Name, Email string
}

// SettingsView is the workspace settings page.
type SettingsView struct {
	Slug  string
	Form  Form
	Years int
	Due   []Item
	// RequireTwoFactor: members must sign in with a second factor.
	RequireTwoFactor bool
}

// ActivityView is the admin's activity log.
type ActivityView struct {
	Slug, Kind, Actor, Next string
	Rows                    []ActivityRow
	Kinds, Actors           []Option
}

// ActivityRow is one line of the activity log.
type ActivityRow struct {
	HistoryRow
	Engagement, Href string
}

// CalendarView is the calendar feed settings page.
type CalendarView struct {
	Slug, URL string
	Has       bool
}
