package domain

// Role is what a member is in a workspace. One person may hold several roles in
// a workspace (RoleSet) and different ones in each workspace they belong to.
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

// RoleSet is the roles one person holds in a workspace: an independent coach is
// both the administrator of her practice and its coach. What the person may do
// is what any of the roles allows.
type RoleSet []Role

// Has reports whether the set holds the role.
func (s RoleSet) Has(r Role) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

// Valid reports whether the set holds at least one role and only known ones.
func (s RoleSet) Valid() bool {
	for _, r := range s {
		if !r.Valid() {
			return false
		}
	}
	return len(s) > 0
}

// With returns the set with r added, in the order of Roles.
func (s RoleSet) With(r Role) RoleSet {
	out := RoleSet{}
	for _, x := range Roles {
		if x == r || s.Has(x) {
			out = append(out, x)
		}
	}
	return out
}

// Main is the role a person's home page is built around: a coach who also
// administers the workspace works as a coach first.
func (s RoleSet) Main() Role {
	for _, r := range []Role{RoleCoach, RoleAdmin, RoleCoachee, RoleSponsor} {
		if s.Has(r) {
			return r
		}
	}
	return ""
}

// CanInvite reports whether a member holding these roles may invite a person
// with the given role.
func (s RoleSet) CanInvite(invitee Role) bool {
	for _, r := range s {
		if CanInvite(r, invitee) {
			return true
		}
	}
	return false
}

// CanTakePart reports whether a member holding these roles may take the part
// in an engagement.
func (s RoleSet) CanTakePart(p Part) bool {
	for _, r := range s {
		if CanTakePart(r, p) {
			return true
		}
	}
	return false
}

// IsCoachee reports whether the person is a coachee here: their own pages name
// them as they chose to be named.
func (s RoleSet) IsCoachee() bool { return s.Has(RoleCoachee) }
