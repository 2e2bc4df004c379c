package domain

import (
	"slices"
	"testing"
)

// TestRoleSet: a person holding several roles may do what any of them allows,
// and the independent coach (admin and coach) works as a coach first.
func TestRoleSet(t *testing.T) {
	solo := RoleSet{RoleAdmin, RoleCoach}
	for _, c := range []Capability{ManageLibrary, CoachEngagements, SeeAllEngagements, ManageOrgs, ManageWorkspace} {
		if !Can(solo, c) {
			t.Errorf("an admin and coach lacks %s", c)
		}
	}
	if Can(RoleSet{RoleAdmin}, CoachEngagements) || Can(RoleSet{RoleCoach}, ManageOrgs) || Can(RoleSet{}, SeeLibrary) {
		t.Error("a capability that none of the roles has")
	}
	if solo.Main() != RoleCoach || (RoleSet{RoleAdmin}).Main() != RoleAdmin || (RoleSet{RoleSponsor, RoleCoachee}).Main() != RoleCoachee {
		t.Error("Main")
	}
	if got := (RoleSet{RoleAdmin}).With(RoleCoach).With(RoleCoach); !slices.Equal(got, solo) {
		t.Errorf("With: %v", got)
	}
	if !solo.CanInvite(RoleCoach) || (RoleSet{RoleCoach}).CanInvite(RoleCoach) || !(RoleSet{RoleCoach}).CanInvite(RoleSponsor) {
		t.Error("CanInvite")
	}
	if !Can(solo, GrantRoles) || Can(RoleSet{RoleCoach, RoleCoachee}, GrantRoles) {
		t.Error("GrantRoles")
	}
	if !(RoleSet{RoleCoach, RoleCoachee}).CanTakePart(PartCoachee) || solo.CanTakePart(PartSponsor) {
		t.Error("CanTakePart")
	}
	if (RoleSet{}).Valid() || (RoleSet{"owner"}).Valid() || !solo.Valid() {
		t.Error("Valid")
	}
}
