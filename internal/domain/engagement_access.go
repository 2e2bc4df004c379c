package domain

// Part is what a person is in one engagement. A workspace admin with no part
// reads the engagement's metadata; anyone else with no part sees nothing.
type Part string

const (
	PartCoach   Part = "coach"   // lead coach
	PartCocoach Part = "cocoach" // co-coach: the coach's rights
	PartCoachee Part = "coachee"
	PartSponsor Part = "sponsor"
	PartAdmin   Part = "admin" // workspace admin without a part
	PartNone    Part = ""
)

// ViewerPart combines a person's part in an engagement with their workspace role.
func ViewerPart(part Part, role Role) Part {
	if part == PartNone && role == RoleAdmin {
		return PartAdmin
	}
	return part
}

// IsCoach reports whether the part has the coach's rights.
func (p Part) IsCoach() bool { return p == PartCoach || p == PartCocoach }

// Info is a row of DESIGN.md's "who sees what" table.
type Info string

const (
	InfoSummary         Info = "summary"          // engagement summary, phase, participants, meeting dates
	InfoDiagnosis       Info = "diagnosis"        // first-meeting diagnosis
	InfoFraming         Info = "framing"          // requests, objectives, indicators, contract
	InfoSynthesis       Info = "synthesis"        // synthesis documents and validations
	InfoMeetingRequests Info = "meeting_requests" // intermediate meeting requests
	InfoHistory         Info = "history"          // history of the engagement
	InfoSessionContent  Info = "session_content"  // session content and theoretical input
	InfoActions         Info = "actions"          // intersession actions and journal
	InfoSharedActions   Info = "shared_actions"   // the actions the coachee chose to share
	InfoAutonomy        Info = "autonomy"         // autonomy ratings
	InfoPrivateNotes    Info = "private_notes"    // the coach's own notes: rows are their author's alone
	InfoEvaluation      Info = "evaluation"       // assessment of each indicator, by coach and coachee
	InfoClosing         Info = "closing"          // coachee's synthesis, recommendations, final report
)

// Right is what a part may do with a kind of information.
type Right uint8

const (
	Read     Right = 1 << iota // see it
	Write                      // create and edit it
	Validate                   // validate a version
	Ask                        // ask for something (a meeting)
	Comment                    // comment on someone else's work
	Share                      // share one's own item with the sponsor
	None     Right = 0
)

// Has reports whether r includes all of want.
func (r Right) Has(want Right) bool { return r&want == want }

// matrix is DESIGN.md's table, row by row. Columns: coach (and co-coach),
// coachee, sponsor, admin. The coachee's and the sponsor's own requests are
// writable by them: see CanWriteRequest. PostgreSQL enforces the None cells of
// confidential rows itself (see the migrations' restrictive policies).
var matrix = map[Info]struct{ Coach, Coachee, Sponsor, Admin Right }{
	InfoSummary:         {Read | Write, Read, Read, Read},
	InfoDiagnosis:       {Read | Write, Read, None, None},
	InfoFraming:         {Read | Write, Read, Read, Read},
	InfoSynthesis:       {Read | Write | Validate, Read | Validate, Read | Validate, Read},
	InfoMeetingRequests: {Read | Ask | Write, Read | Ask, Read | Ask, None},
	InfoHistory:         {Read, None, None, Read},
	InfoSessionContent:  {Read | Write, Read, None, None},
	InfoActions:         {Read | Comment, Read | Write | Share, None, None},
	InfoSharedActions:   {Read, Read, Read, None},
	InfoAutonomy:        {Read | Write, Read | Write, None, None},
	InfoPrivateNotes:    {Read | Write, None, None, None},
	InfoEvaluation:      {Read | Write, Read | Write, None, None},
	InfoClosing:         {Read | Write | Validate, Read | Validate, Read | Comment | Validate, Read},
}

// CanWriteCoacheeSynthesis: the coachee's synthesis is theirs alone.
func CanWriteCoacheeSynthesis(p Part) bool { return p == PartCoachee }

// CanRecommend: recommendations are written by the coach during the final
// meeting; the sponsor may add theirs.
func CanRecommend(p Part) bool { return p.IsCoach() || p == PartSponsor }

// CanGiveFeedback: the sponsor's feedback on the engagement.
func CanGiveFeedback(p Part) bool { return p == PartSponsor }

// Assessments of an indicator at the end, in the order offered.
var Assessments = []string{"reached", "partly", "not_reached"}

// Carriers of a recommendation.
var Carriers = []string{"coachee", "manager", "hr", "other"}

// RightOf returns what a part may do with a kind of information.
func RightOf(p Part, i Info) Right {
	row := matrix[i]
	switch p {
	case PartCoach, PartCocoach:
		return row.Coach
	case PartCoachee:
		return row.Coachee
	case PartSponsor:
		return row.Sponsor
	case PartAdmin:
		return row.Admin
	}
	return None
}

// RequestLevel is one of the two levels of request.
type RequestLevel string

const (
	RequestCompany RequestLevel = "company"
	RequestCoachee RequestLevel = "coachee"
)

// CanWriteRequest: the company's request is written by the sponsor (or by the
// coach for them), the coachee's by the coachee (or by the coach with them).
func CanWriteRequest(p Part, level RequestLevel) bool {
	switch level {
	case RequestCompany:
		return p.IsCoach() || p == PartSponsor
	case RequestCoachee:
		return p.IsCoach() || p == PartCoachee
	}
	return false
}

// CanTakePart reports whether a member with a workspace role may take a part
// in an engagement: the coachee's part needs the coachee role, a sponsor's
// the sponsor role, and the coaches' parts the coach role — or the admin role,
// which an independent coach holds in her own practice as long as a member
// has one role per workspace. The database holds the same rule
// (engagement_parties' party_role trigger).
func CanTakePart(r Role, p Part) bool {
	switch p {
	case PartCoach, PartCocoach:
		return r == RoleCoach || r == RoleAdmin
	case PartCoachee:
		return r == RoleCoachee
	case PartSponsor:
		return r == RoleSponsor
	}
	return false
}

// CanConfirmWillingness: the coach and the coachee each confirm their own.
func CanConfirmWillingness(p Part) bool { return p == PartCoach || p == PartCoachee }
