// Package demo seeds the demonstration data that `make run` shows a newcomer:
// fixed accounts (password "triade-demo") in two workspaces. Each later feature
// adds its own step to Steps, so the demo grows with the product.
package demo

import (
	"context"
	"fmt"
	"time"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
)

// Password is the password of every demo account.
const Password = "triade-demo"

// Account is a demo login, printed at start-up.
type Account struct {
	Email, Name, Workspace string
	Role                   domain.Role
}

// Accounts lists the demo logins.
var Accounts = []Account{
	{"admin@demo.test", "Admin Démo", "demo", domain.RoleAdmin},
	{"coach@demo.test", "Coach Démo", "demo", domain.RoleCoach},
	{"coachee@demo.test", "Coaché Démo", "demo", domain.RoleCoachee},
	{"sponsor@demo.test", "Sponsor Démo", "demo", domain.RoleSponsor},
	{"coach@autre.test", "Coach Autre", "autre", domain.RoleCoach},
}

// Seeder carries what the steps share: the store, the hashed password, and the
// ids created so far (by e-mail and by name).
type Seeder struct {
	Store      *store.Store
	Hash       string
	Workspaces map[string]store.Workspace // by slug
	Users      map[string]store.User      // by e-mail
	Orgs       map[string]string          // client organisation id by name
	Library    map[string]string          // library item id by title
	// Engagements names the demo engagements by the phase they show.
	Engagements map[string]string
}

// Scope acts in a workspace as one of the demo people.
func (sd *Seeder) Scope(slug, email string) store.Scope {
	return store.Scope{TenantID: sd.Workspaces[slug].ID, UserID: sd.Users[email].ID}
}

// BaseURL is the site's address, for the links of the e-mails the demo sends.
var BaseURL = "http://localhost:8080"

// Steps build the demo in order. Later features append theirs.
var Steps = []func(context.Context, *Seeder) error{seedWorkspaces}

// Seed fills an empty database with the demo; it does nothing if any workspace
// exists. It reports whether it seeded.
func Seed(ctx context.Context, st *store.Store) (bool, error) {
	empty, err := st.IsEmpty(ctx)
	if err != nil || !empty {
		return false, err
	}
	hash, err := st.HashPassword(Password)
	if err != nil {
		return false, err
	}
	sd := &Seeder{Store: st, Hash: hash, Workspaces: map[string]store.Workspace{}, Users: map[string]store.User{}, Orgs: map[string]string{}, Engagements: map[string]string{}}
	for _, step := range Steps {
		if err := step(ctx, sd); err != nil {
			return false, fmt.Errorf("demo: %w", err)
		}
	}
	return true, nil
}

// seedWorkspaces creates "Cabinet Démo" with its four people and one client
// organisation, and "Autre Cabinet" with its coach.
func seedWorkspaces(ctx context.Context, sd *Seeder) error {
	spaces := []struct{ name, slug string }{{"Cabinet Démo", "demo"}, {"Autre Cabinet", "autre"}}
	for _, sp := range spaces {
		var first Account
		for _, a := range Accounts {
			if a.Workspace == sp.slug {
				first = a
				break
			}
		}
		u, w, err := sd.Store.CreateWorkspace(ctx, store.NewWorkspace{Name: sp.name, Slug: sp.slug,
			AdminEmail: first.Email, AdminNm: first.Name, PasswordHash: sd.Hash, Roles: domain.RoleSet{first.Role}})
		if err != nil {
			return err
		}
		sd.Workspaces[sp.slug], sd.Users[u.Email] = w, u
	}
	// The practice's letterhead, printed at the top of its documents.
	if err := sd.Store.SetLetterhead(ctx, sd.Scope("demo", "admin@demo.test"), "8 place Bellecour\n69002 Lyon", nil, "", false); err != nil {
		return err
	}
	org, err := sd.Store.CreateClientOrg(ctx, sd.Scope("demo", "admin@demo.test"), "Industries Horizon")
	if err != nil {
		return err
	}
	sd.Orgs[org.Name] = org.ID
	for _, a := range Accounts {
		if _, done := sd.Users[a.Email]; done {
			continue
		}
		nm := store.NewMember{Email: a.Email, Name: a.Name, PasswordHash: sd.Hash, Roles: domain.RoleSet{a.Role}}
		if a.Role == domain.RoleCoachee || a.Role == domain.RoleSponsor {
			nm.ClientOrgID = org.ID
		}
		u, err := sd.Store.AddMember(ctx, sd.Scope(a.Workspace, "admin@demo.test"), nm)
		if err != nil {
			return err
		}
		sd.Users[u.Email] = u
	}
	// "Coaché Démo", "Coach Démo" and "Sponsor Démo" chose to be named in the
	// masculine (the other forms are tested with accounts of their own).
	for _, email := range []string{"coachee@demo.test", "coach@demo.test", "sponsor@demo.test"} {
		if err := sd.Store.SetAddressForm(ctx, sd.Users[email].ID, i18n.Masculine); err != nil {
			return err
		}
	}
	// A pending invitation, as an admin's page usually has one.
	_, err = sd.Store.Invite(ctx, sd.Scope("demo", "admin@demo.test"),
		store.NewInvitation{Email: "nouveau.coach@demo.test", Role: domain.RoleCoach},
		func(token string) store.Mail {
			return store.Mail{To: "nouveau.coach@demo.test", Subject: "Invitation à rejoindre Cabinet Démo sur Triade",
				Body: "Invitation de démonstration : ce lien n'est pas utilisable.", Link: ""}
		})
	return err
}

var paris, _ = time.LoadLocation("Europe/Paris")

// At is a demo meeting time: days from today, at the given hour in Paris.
func (sd *Seeder) At(days, hour int) time.Time {
	if paris == nil {
		paris = time.UTC
	}
	d := sd.Store.Now().In(paris).AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, paris)
}
