package domain

// Capability is something a member may do in a workspace, independent of any
// engagement.
type Capability string

const (
	SeeMembers    Capability = "members.see"
	InviteMembers Capability = "members.invite"
	// GrantRoles sets a member's roles, one's own included.
	GrantRoles Capability = "roles.grant"
	ManageOrgs Capability = "orgs.manage"
	// CreateEngagements opens new engagements.
	CreateEngagements Capability = "engagements.create"
	// SeeLibrary and ManageLibrary: the theoretical input library.
	SeeLibrary    Capability = "library.see"
	ManageLibrary Capability = "library.manage"
	// SeeActivity: the workspace's activity log. ManageWorkspace: retention,
	// erasing a person.
	SeeActivity     Capability = "activity.see"
	ManageWorkspace Capability = "workspace.manage"
	// SeeAllEngagements: every engagement's metadata and the workspace's figures.
	SeeAllEngagements Capability = "engagements.see_all"
	// CoachEngagements: may lead or co-coach an engagement; has a coach's week.
	CoachEngagements Capability = "engagements.coach"
	// KeepActions: carries intersession actions across engagements.
	KeepActions Capability = "keep-actions"
	// SeeProgramme: a client organisation's programme figures (k-anonymous);
	// a sponsor sees their own organisation's only, which the database checks.
	SeeProgramme Capability = "programme.see"
)

// workspaceAccess is the table of who may do what in a workspace, read as the
// access matrix of DESIGN.md. Engagement-level rights depend on the person's part
// in the engagement and live beside the engagement rules.
var workspaceAccess = map[Capability][]Role{
	SeeMembers:        {RoleAdmin, RoleCoach},
	InviteMembers:     {RoleAdmin, RoleCoach},
	GrantRoles:        {RoleAdmin},
	ManageOrgs:        {RoleAdmin},
	CreateEngagements: {RoleAdmin, RoleCoach},
	SeeLibrary:        {RoleAdmin, RoleCoach},
	ManageLibrary:     {RoleAdmin, RoleCoach},
	SeeActivity:       {RoleAdmin},
	ManageWorkspace:   {RoleAdmin},
	SeeAllEngagements: {RoleAdmin},
	CoachEngagements:  {RoleCoach},
	KeepActions:       {RoleCoachee},
	SeeProgramme:      {RoleAdmin, RoleSponsor},
}

// Can reports whether a member holding the roles rs has capability c: one of
// the roles must have it.
func Can(rs RoleSet, c Capability) bool {
	for _, x := range workspaceAccess[c] {
		if rs.Has(x) {
			return true
		}
	}
	return false
}
