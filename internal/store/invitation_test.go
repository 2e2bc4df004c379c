package store_test

import (
	"testing"

	"triade/internal/domain"
	"triade/internal/store"
)

// TestNamingAnExistingAccountDoesNotJoinIt: naming, as the new coachee of an
// engagement, the e-mail of an account that lives in another workspace must
// neither make that person a member at once nor show the name their account
// holds: they are invited, under the name given, and join when they accept.
func TestNamingAnExistingAccountDoesNotJoinIt(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	demoID := f.str(`SELECT id::text FROM workspaces WHERE slug = 'demo'`)
	coach := store.Scope{TenantID: demoID, UserID: f.user("coach@demo.test")}
	admin := store.Scope{TenantID: demoID, UserID: f.user("admin@demo.test")}
	elsewhere := f.user("coach@autre.test") // "Coach Autre", of the other workspace
	const given = "Camille Invitée"

	var token string
	id, err := st.CreateEngagement(ctx, coach, store.NewEngagement{
		Title: "Prise de poste", ClientOrgID: f.str(`SELECT id::text FROM client_orgs WHERE tenant_id = $1 LIMIT 1`, demoID),
		CoachID: coach.UserID, NewCoachee: &store.NewPerson{Name: given, Email: "coach@autre.test"},
		Sponsors: []store.SponsorChoice{{UserID: f.user("sponsor@demo.test"), Kind: "hr"}},
	}, func(in store.Invited) store.Mail {
		token = in.Token
		return store.Mail{To: in.Email, Subject: "Invitation", Body: "…"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if token == "" {
		t.Fatal("no invitation was sent to the existing account")
	}
	inDemo := func() bool {
		_, all, err := st.Person(ctx, elsewhere)
		if err != nil {
			t.Fatal(err)
		}
		_, err = store.Resolve(all, "demo")
		return err == nil
	}
	coacheeName := func() string {
		e, err := st.EngagementHeader(ctx, coach, id)
		if err != nil {
			t.Fatal(err)
		}
		return e.Name(domain.PartCoachee)
	}
	if inDemo() {
		t.Error("the existing account became a member of the workspace without accepting")
	}
	if got := coacheeName(); got != given {
		t.Errorf("the engagement names the coachee %q, want the name given by the coach %q (not the account's own)", got, given)
	}
	members, err := st.Members(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.UserID == elsewhere && (!m.Invited || m.Name != given) {
			t.Errorf("the members list shows %+v, want an invited member named %q", m, given)
		}
	}

	// The person accepts, signed in with their own account: now a member,
	// under their own name.
	if _, err := st.AcceptInvitation(ctx, demoID, store.Acceptance{Token: token, UserID: elsewhere}); err != nil {
		t.Fatal(err)
	}
	if !inDemo() {
		t.Error("after accepting, the person is not a member")
	}
	if got := coacheeName(); got != "Coach Autre" {
		t.Errorf("after accepting, the engagement names the coachee %q, want their own name", got)
	}
}

// TestPartsNeedTheirWorkspaceRole: opening an engagement with a sponsor of the
// workspace as co-coach (who would then read the diagnosis and the history)
// or a coachee as coach is refused beside the field, and nothing is stored.
func TestPartsNeedTheirWorkspaceRole(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	demoID := f.str(`SELECT id::text FROM workspaces WHERE slug = 'demo'`)
	coach := store.Scope{TenantID: demoID, UserID: f.user("coach@demo.test")}
	org := f.str(`SELECT id::text FROM client_orgs WHERE tenant_id = $1 LIMIT 1`, demoID)
	sponsor, coachee := f.user("sponsor@demo.test"), f.user("coachee@demo.test")
	before := f.count(`SELECT count(*) FROM engagements`)
	for _, c := range []struct {
		field string
		ne    store.NewEngagement
	}{
		{"cocoach", store.NewEngagement{Title: "Co-coach sponsor", ClientOrgID: org, CoachID: coach.UserID, CocoachIDs: []string{sponsor}, CoacheeID: coachee}},
		{"coach", store.NewEngagement{Title: "Sponsor coach", ClientOrgID: org, CoachID: sponsor, CoacheeID: coachee}},
		{"coachee", store.NewEngagement{Title: "Sponsor coaché", ClientOrgID: org, CoachID: coach.UserID, CoacheeID: sponsor}},
	} {
		_, err := st.CreateEngagement(ctx, coach, c.ne, nil)
		fe, ok := err.(domain.FieldErrors)
		if !ok || fe[c.field] == "" {
			t.Errorf("%s: %v, want a refusal beside the %s field", c.ne.Title, err, c.field)
		}
	}
	if after := f.count(`SELECT count(*) FROM engagements`); after != before {
		t.Errorf("%d engagement(s) stored by refused forms", after-before)
	}
}

// TestPlantedResetLinkOpensNothing: the request role may write
// password_resets (a reset is asked before anyone signs in), but a link it
// plants for someone else's account, hashed as a link is, opens nothing: the
// stored hash is keyed with the server key, which it cannot read.
func TestPlantedResetLinkOpensNothing(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	const planted = "lien-fabrique-par-un-attaquant"
	if _, err := f.env.App.Exec(ctx, `INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '1 hour')`,
		store.HashToken(planted), f.user("sponsor@demo.test")); err != nil {
		t.Fatal(err)
	}
	if err := st.ValidPasswordReset(ctx, planted); err == nil {
		t.Fatal("a reset link planted through the request role is accepted")
	}
	if _, err := st.UsePasswordReset(ctx, planted, "x"); err == nil {
		t.Fatal("a reset link planted through the request role set a password")
	}
}
