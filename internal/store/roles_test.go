package store_test

import (
	"slices"
	"testing"

	"triade/internal/domain"
	"triade/internal/store"
)

// TestRolesGrantedByAdminOnly: a person holds several roles in a workspace;
// an administrator gives them, to herself too; nobody else gives any, to
// themselves or to others, even through the request role directly.
func TestRolesGrantedByAdminOnly(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	demoID := f.tenant("demo")
	admin := store.Scope{TenantID: demoID, UserID: f.user("admin@demo.test")}
	coach := store.Scope{TenantID: demoID, UserID: f.user("coach@demo.test")}
	roles := func(uid string) string {
		return f.str(`SELECT array_to_string(roles, ',') FROM memberships WHERE tenant_id = $1 AND user_id = $2`, demoID, uid)
	}
	rolesIn := func(uid string) domain.RoleSet {
		_, all, err := st.Person(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		m, err := store.Resolve(all, "demo")
		if err != nil {
			t.Fatal(err)
		}
		return m.Roles
	}

	t.Run("AdminAddsCoachToHerself", func(t *testing.T) {
		if err := st.SetRoles(ctx, admin, admin.UserID, domain.RoleSet{domain.RoleAdmin, domain.RoleCoach}); err != nil {
			t.Fatal(err)
		}
		if got := rolesIn(admin.UserID); !slices.Equal(got, domain.RoleSet{domain.RoleAdmin, domain.RoleCoach}) {
			t.Fatalf("the admin's roles: %v", got)
		}
		if !domain.Can(rolesIn(admin.UserID), domain.ManageLibrary) || !domain.Can(rolesIn(admin.UserID), domain.CoachEngagements) {
			t.Error("an admin and coach lacks the coach's capabilities")
		}
		if n := f.count(`SELECT count(*) FROM events WHERE tenant_id = $1 AND kind = 'member.roles' AND subject_id = $2`, demoID, admin.UserID); n != 1 {
			t.Errorf("%d history lines for the change of roles, want 1", n)
		}
	})
	t.Run("CoachCannotPromoteHerself", func(t *testing.T) {
		err := st.SetRoles(ctx, coach, coach.UserID, domain.RoleSet{domain.RoleAdmin, domain.RoleCoach})
		if domain.ErrorCode(err) != domain.EForbidden && domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("a coach adding admin to herself: %v, want a refusal", err)
		}
		if got := roles(coach.UserID); got != "coach" {
			t.Fatalf("the coach's roles became %q", got)
		}
	})
	t.Run("CoachCannotGrantOthers", func(t *testing.T) {
		sponsor := f.user("sponsor@demo.test")
		err := st.SetRoles(ctx, coach, sponsor, domain.RoleSet{domain.RoleSponsor, domain.RoleCoach})
		if domain.ErrorCode(err) != domain.EForbidden && domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("a coach giving roles: %v, want a refusal", err)
		}
		if got := roles(sponsor); got != "sponsor" {
			t.Fatalf("the sponsor's roles became %q", got)
		}
	})
	t.Run("InvitedPersonCannotAddRoles", func(t *testing.T) {
		// Taking up an invitation lets one write one's own membership with the
		// invited role: never with another one.
		var token string
		if _, err := st.Invite(ctx, admin, store.NewInvitation{Email: "invitee@demo.test", Role: domain.RoleCoachee},
			func(tk string) store.Mail {
				token = tk
				return store.Mail{To: "invitee@demo.test", Subject: "Invitation", Body: "…"}
			}); err != nil {
			t.Fatal(err)
		}
		u, err := st.AcceptInvitation(ctx, demoID, store.Acceptance{Token: token, Name: "Invitée", PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			`UPDATE memberships SET roles = roles || '{admin}' WHERE user_id = app_user()`,
			`UPDATE memberships SET roles = '{coach}' WHERE user_id = app_user()`,
		} {
			if n, err := asRequestRole(t, f.env, demoID, u.ID, stmt); err == nil && n > 0 {
				t.Errorf("%s: changed %d rows, want a refusal", stmt, n)
			}
		}
		if got := roles(u.ID); got != "coachee" {
			t.Errorf("the invited coachee's roles became %q", got)
		}
	})
	t.Run("EachRoleOnce", func(t *testing.T) {
		for _, stmt := range []string{
			`UPDATE memberships SET roles = '{admin,admin}' WHERE user_id = app_user()`,
			`UPDATE memberships SET roles = '{admin,owner}' WHERE user_id = app_user()`,
			`UPDATE memberships SET roles = '{}' WHERE user_id = app_user()`,
		} {
			if _, err := asRequestRole(t, f.env, demoID, admin.UserID, stmt); !containsCode(err, "23514") {
				t.Errorf("as the admin, %s: %v, want the roles check", stmt, err)
			}
		}
	})
	t.Run("RefusedBesideTheField", func(t *testing.T) {
		coachee := f.user("coachee@demo.test")
		for _, c := range []struct {
			who   string
			roles domain.RoleSet
			want  string
		}{
			{coachee, domain.RoleSet{}, "field.roles.required"},
			// The coachee takes part as coachee in the demo engagements.
			{coachee, domain.RoleSet{domain.RoleSponsor}, "field.roles.parts"},
			// The workspace's one admin (now also coach) keeps the admin role.
			{admin.UserID, domain.RoleSet{domain.RoleCoach}, "field.roles.last_admin"},
		} {
			err := st.SetRoles(ctx, admin, c.who, c.roles)
			if fe, ok := err.(domain.FieldErrors); !ok || fe["roles"] != c.want {
				t.Errorf("roles %v: %v, want %s", c.roles, err, c.want)
			}
		}
		if got := roles(coachee); got != "coachee" {
			t.Errorf("a refused change left the coachee with %q", got)
		}
	})
}

// TestStarterLibrary: a new workspace starts with the classic references, each
// with its source; the firm's administrator (no coach role) edits and removes
// them, and a removed item stays with the sessions that cite it.
func TestStarterLibrary(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	u, w, err := st.CreateWorkspace(ctx, store.NewWorkspace{Name: "Cabinet Neuf", Slug: "cabinet-neuf", AdminEmail: "fondatrice@neuf.test",
		AdminNm: "Fondatrice", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	sc := store.Scope{TenantID: w.ID, UserID: u.ID}
	items, err := st.Library(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(store.StarterLibrary) || len(items) < 7 {
		t.Fatalf("%d library items, want the %d of the starter set", len(items), len(store.StarterLibrary))
	}
	for _, it := range items {
		if it.Summary == "" || it.Reference == "" {
			t.Errorf("%q lacks its summary or its source", it.Title)
		}
	}
	grow := items[slices.IndexFunc(items, func(it store.LibraryItem) bool { return it.Title == "Modèle GROW" })]
	grow.Summary = "Objectif, réalité, options, volonté."
	if err := st.UpdateLibraryItem(ctx, sc, grow); err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT summary FROM library_items WHERE id = $1`, grow.ID); got != grow.Summary {
		t.Errorf("edited summary: %q", got)
	}
	if err := st.ArchiveLibraryItem(ctx, sc, grow.ID); err != nil {
		t.Fatal(err)
	}
	if items, _ = st.Library(ctx, sc); len(items) != len(store.StarterLibrary)-1 {
		t.Errorf("%d items after removing one", len(items))
	}
	if n := f.count(`SELECT count(*) FROM library_items WHERE id = $1 AND archived_at IS NOT NULL`, grow.ID); n != 1 {
		t.Error("the removed item is gone from the database: the sessions citing it would lose it")
	}
	if err := st.ArchiveLibraryItem(ctx, sc, grow.ID); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("removing it twice: %v, want not found", err)
	}
	// Each workspace has its own copy: another workspace's item is not found.
	demoCoach := store.Scope{TenantID: f.tenant("demo"), UserID: f.user("coach@demo.test")}
	if err := st.UpdateLibraryItem(ctx, demoCoach, grow); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("editing another workspace's item: %v, want not found", err)
	}
}

// TestEngagementCreatesItsClientOrg: the engagement form's new organisation is
// created in the engagement's transaction (one of the same name is reused);
// a coach who may not add organisations gets nothing stored at all.
func TestEngagementCreatesItsClientOrg(t *testing.T) {
	f := seededDemo(t)
	ctx, st := f.ctx, f.env.Store
	demoID := f.tenant("demo")
	admin := store.Scope{TenantID: demoID, UserID: f.user("admin@demo.test")}
	coach := store.Scope{TenantID: demoID, UserID: f.user("coach@demo.test")}
	if err := st.SetRoles(ctx, admin, admin.UserID, domain.RoleSet{domain.RoleAdmin, domain.RoleCoach}); err != nil {
		t.Fatal(err)
	}
	open := func(sc store.Scope, title, org, coachee string) (string, error) {
		return st.CreateEngagement(ctx, sc, store.NewEngagement{Title: title, NewClientOrg: org, CoachID: sc.UserID,
			NewCoachee: &store.NewPerson{Name: "Nouvelle Coachée", Email: coachee},
			Sponsors:   []store.SponsorChoice{{New: &store.NewPerson{Name: "Nouveau RH", Email: "rh." + coachee}, Kind: "hr"}},
		}, func(in store.Invited) store.Mail { return store.Mail{To: in.Email, Subject: "Invitation", Body: "…"} })
	}
	id, err := open(admin, "Premier accompagnement", "Laiterie Moderne", "coachee@laiterie.test")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.str(`SELECT o.name FROM engagements e JOIN client_orgs o ON o.tenant_id = e.tenant_id AND o.id = e.client_org_id WHERE e.id = $1`, id); got != "Laiterie Moderne" {
		t.Errorf("the engagement's organisation: %q", got)
	}
	if n := f.count(`SELECT count(*) FROM memberships m JOIN client_orgs o ON o.id = m.client_org_id WHERE o.name = 'Laiterie Moderne'`); n != 2 {
		t.Errorf("%d people invited into the new organisation, want the coachee and the sponsor", n)
	}
	if _, err := open(admin, "Deuxième accompagnement", "Laiterie Moderne", "autre@laiterie.test"); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM client_orgs WHERE tenant_id = $1 AND name = 'Laiterie Moderne'`, demoID); n != 1 {
		t.Errorf("%d organisations of that name, want the one reused", n)
	}
	if _, err := open(coach, "Par un coach", "Fromagerie Neuve", "coachee@fromagerie.test"); domain.ErrorCode(err) != domain.EForbidden {
		t.Fatalf("a coach creating an organisation: %v, want forbidden", err)
	}
	if n := f.count(`SELECT (SELECT count(*) FROM client_orgs WHERE name = 'Fromagerie Neuve') + (SELECT count(*) FROM users WHERE email LIKE '%fromagerie.test')
		+ (SELECT count(*) FROM engagements WHERE title = 'Par un coach')`); n != 0 {
		t.Errorf("a refused engagement left %d rows behind", n)
	}
}
