package domain

// Role is what a member is in a workspace. One person may hold a different role
// in each workspace they belong to.
type Role string

const (
	RoleAdmin   Role = "admin"
	RoleCoach   Role = "coach"
	RoleCoachee Role = "coachee"
	RoleSponsor Role = "sponsor"
)

// Roles lists the roles in the order the interface offers them.
var Roles = []Role{RoleAdmin, RoleCoach, RoleCoachee, RoleSponsor}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// CanInvite reports who may invite a person with the given role. Admins invite
// anyone; coaches bring in the coachees and sponsors of their engagements.
func CanInvite(inviter, invitee Role) bool {
	switch inviter {
	case RoleAdmin:
		return invitee.Valid()
	case RoleCoach:
		return invitee == RoleCoachee || invitee == RoleSponsor
	}
	return false
}

// CanManageWorkspace reports whether the role administers members and client
// organisations.
func CanManageWorkspace(r Role) bool { return r == RoleAdmin }

// IsCoachee reports whether the role is the coachee's: their own pages name
// them as they chose to be named.
func (r Role) IsCoachee() bool { return r == RoleCoachee }
