package domain

// Part is what a person is in one engagement. A workspace admin with no part
// reads the engagement's metadata; anyone else with no part sees nothing.
type Part string

const (
	PartCoach   Part = "coach"   // lead coach
	PartCocoach Part = "cocoach" // co-coach: the coach's rights, except what is personal to the lead coach
	PartCoachee Part = "coachee"
	PartSponsor Part = "sponsor"
	PartAdmin   Part = "admin" // workspace admin without a part
	PartNone    Part = ""
)

// Parts lists every part, PartNone included, for tables and tests.
var Parts = []Part{PartCoach, PartCocoach, PartCoachee, PartSponsor, PartAdmin, PartNone}

// ViewerPart combines a person's part in an engagement with their workspace roles.
func ViewerPart(part Part, roles RoleSet) Part {
	if part == PartNone && roles.Has(RoleAdmin) {
		return PartAdmin
	}
	return part
}

// IsCoach reports whether the part has the coach's rights.
func (p Part) IsCoach() bool { return p == PartCoach || p == PartCocoach }

// Side is the side of the coaching relationship a part speaks for where the
// method counts one voice per side (autonomy ratings, assessments): a co-coach
// speaks for the coach.
func (p Part) Side() Part {
	if p == PartCocoach {
		return PartCoach
	}
	return p
}

// SameSide reports whether two parts speak for the same side.
func (p Part) SameSide(q Part) bool { return p != PartNone && p.Side() == q.Side() }

// Info is a row of DESIGN.md's "who sees what" table. Where one part may write a
// piece of a row and not the rest (the two requests, the coachee's synthesis,
// the sponsor's feedback...), that piece is a row of its own.
type Info string

const (
	InfoSummary         Info = "summary"           // engagement summary, phase, participants, meeting dates
	InfoWillingness     Info = "willingness"       // each of the coach and the coachee confirms wanting to work together
	InfoDiagnosis       Info = "diagnosis"         // first-meeting diagnosis
	InfoFraming         Info = "framing"           // objectives, indicators, contract, the requests' validation
	InfoCompanyRequest  Info = "company_request"   // the company's request: the sponsor's (or the coach's for them)
	InfoCoacheeRequest  Info = "coachee_request"   // the coachee's request: hers (or the coach's with her)
	InfoSynthesis       Info = "synthesis"         // synthesis documents and validations
	InfoDocComments     Info = "doc_comments"      // the sponsor's comments on a synthesis or a report version
	InfoMeetingRequests Info = "meeting_requests"  // intermediate meeting requests
	InfoHistory         Info = "history"           // history of the engagement
	InfoSessions        Info = "sessions"          // the sessions: numbers, dates, status
	InfoSessionContent  Info = "session_content"   // session content and theoretical input
	InfoActions         Info = "actions"           // intersession actions and journal
	InfoSharedActions   Info = "shared_actions"    // the actions the coachee chose to share
	InfoAutonomy        Info = "autonomy"          // autonomy ratings, each side its own
	InfoPrivateNotes    Info = "private_notes"     // the coach's own notes: rows are their author's alone
	InfoEvaluation      Info = "evaluation"        // assessment of each indicator, by coach and coachee
	InfoClosing         Info = "closing"           // final meeting, final report and its validations
	InfoCoacheeSynth    Info = "coachee_synthesis" // the synthesis the coachee writes and presents
	InfoRecommendations Info = "recommendations"   // how results last: the coach's and the sponsor's
	InfoFeedback        Info = "feedback"          // the sponsor's feedback at the final meeting
	InfoSponsorView     Info = "sponsor_view"      // the engagement as its sponsor sees it, shown to the coach and the coachee
)

// Right is an operation on a kind of information; a set of them is what a part
// may do.
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

// Ops lists every operation, for tables and tests.
var Ops = []Right{Read, Write, Validate, Ask, Comment, Share}

// Has reports whether r includes all of want.
func (r Right) Has(want Right) bool { return r&want == want }

// String names an operation (for test names and the database matrix).
func (r Right) String() string {
	names := map[Right]string{Read: "read", Write: "write", Validate: "validate", Ask: "ask", Comment: "comment", Share: "share", None: "none"}
	if n, ok := names[r]; ok {
		return n
	}
	return "mixed"
}

// Phase windows: when a kind of information exists (may be read) and when it
// may be changed. Every change window lies inside the open phases: a closed or
// interrupted engagement is read-only for everyone.
var (
	always       = []Phase{PhaseCadrage, PhaseAccompagnement, PhaseBouclage, PhaseClos, PhaseInterrompu}
	fromCoaching = []Phase{PhaseAccompagnement, PhaseBouclage, PhaseClos, PhaseInterrompu}
	atClosing    = []Phase{PhaseBouclage, PhaseClos}
	openPhases   = []Phase{PhaseCadrage, PhaseAccompagnement, PhaseBouclage}
	framingOnly  = []Phase{PhaseCadrage}
	coachingOnly = []Phase{PhaseAccompagnement}
	workPhases   = []Phase{PhaseAccompagnement, PhaseBouclage}
	closingOnly  = []Phase{PhaseBouclage}
)

// rule is one row of the table: what each part may do, and when.
type rule struct {
	Coach, Cocoach, Coachee, Sponsor, Admin Right
	Readable, Changeable                    []Phase
}

// rules is DESIGN.md's table, row by row, with the phase of each row. It is the
// one place that says who may do what: routes name a row and an operation, pages
// ask Allowed, and the database policies are tested against it. PostgreSQL
// enforces the None cells of confidential rows itself.
var rules = map[Info]rule{
	InfoSummary:         {Read | Write, Read | Write, Read, Read, Read, always, openPhases},
	InfoWillingness:     {Read | Write, Read, Read | Write, Read, Read, always, framingOnly},
	InfoDiagnosis:       {Read | Write, Read | Write, Read, None, None, always, openPhases},
	InfoFraming:         {Read | Write, Read | Write, Read, Read, Read, always, openPhases},
	InfoCompanyRequest:  {Read | Write, Read | Write, Read, Read | Write, Read, always, openPhases},
	InfoCoacheeRequest:  {Read | Write, Read | Write, Read | Write, Read, Read, always, openPhases},
	InfoSynthesis:       {Read | Write | Validate, Read | Write | Validate, Read | Validate, Read | Validate, Read, always, openPhases},
	InfoDocComments:     {Read, Read, Read, Read | Write, Read, always, openPhases},
	InfoMeetingRequests: {Read | Ask | Write, Read | Ask | Write, Read | Ask, Read | Ask, None, always, openPhases},
	InfoHistory:         {Read, Read, None, None, Read, always, nil},
	InfoSessions:        {Read | Write, Read | Write, Read, Read, Read, fromCoaching, coachingOnly},
	InfoSessionContent:  {Read | Write, Read | Write, Read, None, None, fromCoaching, coachingOnly},
	InfoActions:         {Read | Comment, Read | Comment, Read | Write | Share, None, None, fromCoaching, workPhases},
	InfoSharedActions:   {Read, Read, Read, Read, None, fromCoaching, nil},
	InfoAutonomy:        {Read | Write, Read | Write, Read | Write, None, None, fromCoaching, workPhases},
	InfoPrivateNotes:    {Read | Write, Read | Write, None, None, None, fromCoaching, workPhases},
	InfoEvaluation:      {Read | Write, Read | Write, Read | Write, None, None, atClosing, closingOnly},
	InfoClosing:         {Read | Write | Validate, Read | Write | Validate, Read | Validate, Read | Validate, Read, atClosing, closingOnly},
	InfoCoacheeSynth:    {Read, Read, Read | Write, Read, Read, atClosing, closingOnly},
	InfoRecommendations: {Read | Write, Read | Write, Read, Read | Write, Read, atClosing, closingOnly},
	InfoFeedback:        {Read, Read, Read, Read | Write, Read, atClosing, closingOnly},
	// The coachee (and her coaches) may check what HR reads of her work; the
	// page shows the sponsor's own pages, so it gives nothing the sponsor
	// cannot read, and an admin with no part sees no more than before.
	InfoSponsorView: {Read, Read, Read, None, None, always, nil},
}

// Infos lists every row of the table, in a stable order.
var Infos = []Info{InfoSummary, InfoWillingness, InfoDiagnosis, InfoFraming, InfoCompanyRequest, InfoCoacheeRequest,
	InfoSynthesis, InfoDocComments, InfoMeetingRequests, InfoHistory, InfoSessions, InfoSessionContent, InfoActions,
	InfoSharedActions, InfoAutonomy, InfoPrivateNotes, InfoEvaluation, InfoClosing, InfoCoacheeSynth,
	InfoRecommendations, InfoFeedback, InfoSponsorView}

// RightOf returns what a part may do with a kind of information in some phase
// (the phase left aside: see Allowed).
func RightOf(p Part, i Info) Right {
	row := rules[i]
	switch p {
	case PartCoach:
		return row.Coach
	case PartCocoach:
		return row.Cocoach
	case PartCoachee:
		return row.Coachee
	case PartSponsor:
		return row.Sponsor
	case PartAdmin:
		return row.Admin
	}
	return None
}

// Allowed is the rule: may part p do op on information i while the engagement
// is in phase ph? Reading needs the information to exist in that phase;
// anything else needs the phase to be one where it may change.
func Allowed(p Part, i Info, op Right, ph Phase) bool {
	if op == None || !RightOf(p, i).Has(op) {
		return false
	}
	if op == Read {
		return inPhases(ph, rules[i].Readable)
	}
	return inPhases(ph, rules[i].Changeable)
}

// Refusal explains why Allowed says no, as the error a write gets: a closed
// engagement is read-only, else the part has no such right, or not now.
// It returns nil when the operation is allowed.
func Refusal(p Part, i Info, op Right, ph Phase) error {
	switch {
	case Allowed(p, i, op, ph):
		return nil
	case op != Read && !ph.Open():
		return Errorf(EForbidden, "phase.read_only") // for everyone: nothing changes any more
	case !RightOf(p, i).Has(op) || op == Read:
		return ErrForbidden
	}
	return Errorf(EForbidden, "phase.not_now")
}

func inPhases(ph Phase, in []Phase) bool {
	for _, x := range in {
		if x == ph {
			return true
		}
	}
	return false
}

// Assessments of an indicator at the end, in the order offered.
var Assessments = []string{"reached", "partly", "not_reached"}

// Carriers of a recommendation.
var Carriers = []string{"coachee", "manager", "hr", "other"}

// RequestLevel is one of the two levels of request.
type RequestLevel string

const (
	RequestCompany RequestLevel = "company"
	RequestCoachee RequestLevel = "coachee"
)

// Info is the row of the table each level of request is.
func (l RequestLevel) Info() (Info, bool) {
	switch l {
	case RequestCompany:
		return InfoCompanyRequest, true
	case RequestCoachee:
		return InfoCoacheeRequest, true
	}
	return "", false
}

// CanTakePart reports whether a member with a workspace role may take a part
// in an engagement: the coachee's part needs the coachee role, a sponsor's
// the sponsor role, and the coaches' parts the coach role — or the admin role,
// kept from when a member had one role per workspace and an independent coach
// was her practice's admin only. The database holds the same rule
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
