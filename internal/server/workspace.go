package server

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

func (s *Server) members(w http.ResponseWriter, r *http.Request) error {
	return s.membersPage(w, r, http.StatusOK, emptyForm("role", string(domain.RoleCoachee)), rolesEdit{})
}

// rolesEdit is a refused change of a member's roles, shown again on that
// member's row as typed.
type rolesEdit struct {
	userID string
	typed  []string
	err    string
}

// membersPage shows the members, the pending invitations and the invite form.
func (s *Server) membersPage(w http.ResponseWriter, r *http.Request, status int, f views.Form, edit rolesEdit) error {
	ctx, sc := r.Context(), scope(r)
	members, err := s.store.Members(ctx, sc)
	if err != nil {
		return err
	}
	pending, err := s.store.PendingInvitations(ctx, sc)
	if err != nil {
		return err
	}
	orgs, err := s.store.ClientOrgs(ctx, sc)
	if err != nil {
		return err
	}
	rows := make([]views.MemberRow, len(members))
	for i, m := range members {
		rows[i] = views.MemberRow{UserID: m.UserID, Name: m.Name, Email: m.Email, Roles: m.Roles, ClientOrg: m.ClientOrg, Invited: m.Invited}
		if domain.Can(member(r).Roles, domain.GrantRoles) {
			rows[i].RoleBoxes = roleBoxes(ctx, m, edit)
		}
		if edit.userID == m.UserID {
			rows[i].RolesError = edit.err
		}
	}
	inv := make([]views.InvitationRow, len(pending))
	for i, p := range pending {
		inv[i] = views.InvitationRow{Email: p.Email, Name: p.Name, Role: p.Role, Expires: i18n.DateTime(ctx, p.Expires)}
	}
	var roles []views.Option
	for _, role := range domain.Roles {
		if member(r).Roles.CanInvite(role) {
			roles = append(roles, views.Option{Value: string(role), Label: "role." + string(role)})
		}
	}
	orgOpts := []views.Option{{Value: "", Label: "members.no_org"}}
	for _, o := range orgs {
		orgOpts = append(orgOpts, views.Option{Value: o.ID, Label: o.Name, Raw: true})
	}
	s.render(w, r, status, views.Members(s.page(r, "members.title"), rows, inv, roles, orgOpts, f))
	return nil
}

// invite sends a single-use invitation e-mail, in the language of the inviter.
func (s *Server) invite(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	m := member(r)
	in := store.NewInvitation{Email: domain.NormalizeEmail(f.Get("email")), Role: domain.Role(f.Get("role")), ClientOrgID: idField(f, "client_org")}
	if !domain.ValidEmail(in.Email) {
		f.Errors.Add("email", "field.email.invalid")
	}
	in.Name = text(f, "name", 200, false)
	if !in.Role.Valid() {
		f.Errors.Add("role", "field.invalid_choice")
	} else if !m.Roles.CanInvite(in.Role) {
		return domain.ErrForbidden
	}
	if len(f.Errors) == 0 {
		inviter := person(r)
		_, err = s.store.Invite(r.Context(), scope(r), in, func(token string) store.Mail {
			return s.invitationMail(r.Context(), m.Workspace, inviter.Name, in, token)
		})
		if err == nil {
			s.flash(r, "members.invite.sent")
			http.Redirect(w, r, "/w/"+m.Workspace.Slug+"/members", http.StatusSeeOther)
			return nil
		}
		if domain.ErrorCode(err) != domain.EInvalid {
			return err
		}
		for k, v := range err.(domain.FieldErrors) {
			f.Errors.Add(k, v)
		}
	}
	return s.membersPage(w, r, http.StatusUnprocessableEntity, f, rolesEdit{})
}

// roleBoxes is the roles form of one member's row: the roles held, or as
// typed when the change was refused.
func roleBoxes(ctx context.Context, m store.Member, edit rolesEdit) []views.Checkbox {
	boxes := make([]views.Checkbox, len(domain.Roles))
	for i, role := range domain.Roles {
		checked := m.Roles.Has(role)
		if edit.userID == m.UserID {
			checked = contains(edit.typed, string(role))
		}
		boxes[i] = views.Checkbox{ID: "roles-" + m.UserID + "-" + string(role), Name: "roles", Value: string(role), Label: i18n.T(ctx, "role."+string(role)), Checked: checked}
	}
	return boxes
}

// setRoles gives a member the roles checked on their row; an administrator
// may add the coach role to herself.
func (s *Server) setRoles(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	uid := chi.URLParam(r, "uid")
	var roles domain.RoleSet
	for _, v := range f.Values["roles"] {
		role := domain.Role(v)
		if !role.Valid() {
			return domain.Errorf(domain.EBadRequest, "error.bad_input")
		}
		roles = roles.With(role)
	}
	err = s.store.SetRoles(r.Context(), scope(r), uid, roles)
	if fe, ok := err.(domain.FieldErrors); ok {
		return s.membersPage(w, r, http.StatusUnprocessableEntity, emptyForm("role", string(domain.RoleCoachee)),
			rolesEdit{userID: uid, typed: f.Values["roles"], err: fe["roles"]})
	}
	if err != nil {
		return err
	}
	// Her own roles changed: the pages she sees change with them.
	if uid == person(r).ID {
		if err := s.sessions.RenewToken(r.Context()); err != nil {
			return err
		}
	}
	s.flash(r, "members.roles.saved")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/members", http.StatusSeeOther)
	return nil
}

func (s *Server) invitationMail(ctx context.Context, ws store.Workspace, inviter string, in store.NewInvitation, token string) store.Mail {
	lang := i18n.Lang(ctx)
	link := s.cfg.BaseURL + "/w/" + ws.Slug + "/join/" + token
	return store.Mail{To: in.Email, Link: link,
		Subject: i18n.Translate(lang, "mail.invite.subject", "Workspace", ws.Name),
		Body: i18n.Translate(lang, "mail.invite.body", "Inviter", inviter, "Workspace", ws.Name,
			"Role", i18n.Translate(lang, "role."+string(in.Role)), "Link", link)}
}

func (s *Server) orgs(w http.ResponseWriter, r *http.Request) error {
	return s.orgsPage(w, r, http.StatusOK, emptyForm())
}

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	orgs, err := s.store.ClientOrgs(r.Context(), scope(r))
	if err != nil {
		return err
	}
	rows := make([]views.OrgRow, len(orgs))
	for i, o := range orgs {
		rows[i] = views.OrgRow{Name: o.Name, Members: o.Members, Programme: programmePath(r, o.ID)}
	}
	s.render(w, r, status, views.Orgs(s.page(r, "orgs.title"), rows, f))
	return nil
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	name := text(f, "name", 200, true)
	if len(f.Errors) == 0 {
		if _, err := s.store.CreateClientOrg(r.Context(), scope(r), name); err != nil {
			if domain.ErrorCode(err) != domain.EInvalid {
				return err
			}
			for k, v := range err.(domain.FieldErrors) {
				f.Errors.Add(k, v)
			}
		}
	}
	if len(f.Errors) > 0 {
		return s.orgsPage(w, r, http.StatusUnprocessableEntity, f)
	}
	s.flash(r, "orgs.added")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/orgs", http.StatusSeeOther)
	return nil
}

// joinTarget loads the invitation of a /w/{slug}/join/{token} link and says how
// the visitor can take it up.
func (s *Server) joinTarget(r *http.Request) (store.Workspace, store.Invitation, views.JoinState, error) {
	ws, err := s.store.WorkspaceBySlug(r.Context(), chi.URLParam(r, "slug"))
	if err != nil {
		return ws, store.Invitation{}, 0, err
	}
	inv, err := s.store.InvitationByToken(r.Context(), ws.ID, chi.URLParam(r, "token"))
	if err != nil {
		return ws, inv, 0, err
	}
	if u := person(r); u != nil {
		if u.Email == inv.Email {
			return ws, inv, views.JoinConfirm, nil
		}
		return ws, inv, views.JoinWrongUser, nil
	}
	u, err := s.store.UserByEmail(r.Context(), inv.Email)
	switch {
	case err == nil && u.PasswordHash != "":
		return ws, inv, views.JoinSignIn, nil
	case err != nil && domain.ErrorCode(err) != domain.ENotFound:
		return ws, inv, 0, err
	}
	return ws, inv, views.JoinNewAccount, nil
}

func (s *Server) joinForm(w http.ResponseWriter, r *http.Request) error {
	ws, inv, state, err := s.joinTarget(r)
	if err != nil {
		return s.expiredLink(w, r, err)
	}
	f := emptyForm("name", inv.Name)
	s.render(w, r, http.StatusOK, views.Join(s.page(r, "join.title", "Workspace", ws.Name), ws.Name, inv.Email, inv.Role, state, r.URL.Path, f))
	return nil
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) error {
	ws, inv, state, err := s.joinTarget(r)
	if err != nil {
		return s.expiredLink(w, r, err)
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	a := store.Acceptance{Token: chi.URLParam(r, "token")}
	switch state {
	case views.JoinConfirm:
		a.UserID = person(r).ID
	case views.JoinNewAccount:
		a.Name = text(f, "name", 200, true)
		if msg := domain.CheckPassword(f.Get("password")); msg != "" {
			f.Errors.Add("password", msg)
		}
		if len(f.Errors) > 0 {
			s.render(w, r, http.StatusUnprocessableEntity, views.Join(s.page(r, "join.title", "Workspace", ws.Name), ws.Name, inv.Email, inv.Role, state, r.URL.Path, f))
			return nil
		}
		if a.PasswordHash, err = s.store.HashPassword(f.Get("password")); err != nil {
			return err
		}
	default: // must sign in first, or signed in as someone else
		return domain.ErrForbidden
	}
	u, err := s.store.AcceptInvitation(r.Context(), ws.ID, a)
	if err != nil {
		return s.expiredLink(w, r, err)
	}
	if state == views.JoinNewAccount {
		if err := s.signIn(r, u); err != nil {
			return err
		}
	}
	s.flash(r, "join.done")
	http.Redirect(w, r, "/w/"+ws.Slug+"/", http.StatusSeeOther)
	return nil
}
