package server

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"golang.org/x/text/unicode/norm"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/store"
	"triade/web/views"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	var links []views.WorkspaceLink
	if u := person(r); u != nil {
		links = workspaceLinks(memberships(r))
	}
	s.render(w, r, http.StatusOK, views.Home(s.page(r, "home.title"), links))
	return nil
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	f := emptyForm("next", localPath(r.URL.Query().Get("next"), ""))
	s.render(w, r, http.StatusOK, views.Login(s.page(r, "login.title"), f))
	return nil
}

// login answers the same way for an unknown address and a wrong password, and
// takes the same time for both (the password is hashed either way).
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	show := func(status int, msg string) error {
		f.Error = msg
		s.render(w, r, status, views.Login(s.page(r, "login.title"), f))
		return nil
	}
	email := domain.NormalizeEmail(f.Get("email"))
	addr := clientAddr(r)
	if s.logins.Blocked(addr, email) {
		return show(http.StatusTooManyRequests, "login.too_many")
	}
	var u store.User
	if domain.ValidEmail(email) { // anything else cannot be an account: no lookup
		if u, err = s.store.UserByEmail(r.Context(), email); err != nil && domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
	}
	ok, rehash := s.store.CheckPassword(f.Get("password"), u.PasswordHash)
	if !ok {
		s.logins.Fail(addr, email)
		return show(http.StatusUnauthorized, "login.invalid")
	}
	s.logins.Succeeded(addr, email)
	if rehash { // an older hash, without the server's pepper: replace it now the password is known
		if h, err := s.store.HashPassword(f.Get("password")); err == nil {
			if err := s.store.Rehash(r.Context(), u.ID, h); err != nil {
				return err
			}
		}
	}
	next := localPath(f.Get("next"), "")
	if next == "" {
		next = "/"
		if all, err := s.store.MyWorkspaces(r.Context(), u.ID); err == nil && len(all) == 1 {
			next = "/w/" + all[0].Workspace.Slug + "/"
		}
	}
	return s.startSession(w, r, u, next)
}

// signIn starts an authenticated session under a new token, so a token planted
// before login (session fixation) is worth nothing after it.
func (s *Server) signIn(r *http.Request, u store.User) error {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), "user_id", u.ID)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// founderRoles are the roles of a workspace's founder, by the kind of practice
// chosen at sign-up: an independent coach administers her practice and
// coaches in it; a firm's founder administers and invites the coaches.
var founderRoles = map[string]domain.RoleSet{
	"solo": {domain.RoleAdmin, domain.RoleCoach},
	"firm": {domain.RoleAdmin},
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, views.Signup(s.page(r, "signup.title"), emptyForm()))
	return nil
}

// signup creates a workspace and its first admin: the visitor's new account, or
// the signed-in person's own.
func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	u := person(r)
	nw := store.NewWorkspace{}
	fe := f.Errors
	nw.Name = text(f, "workspace", 120, true)
	nw.Slug = strings.TrimSpace(f.Get("slug"))
	if nw.Slug == "" {
		nw.Slug = Slugify(nw.Name)
		f.Values.Set("slug", nw.Slug)
	}
	if nw.Roles = founderRoles[f.Get("practice")]; nw.Roles == nil {
		fe.Add("practice", "field.practice.required")
	}
	if !domain.ValidSlug(nw.Slug) {
		fe.Add("slug", "field.slug.invalid")
	} else if !domain.SlugAvailable(nw.Slug) {
		fe.Add("slug", "field.slug.taken")
	}
	if u != nil {
		nw.ExistingUserID = u.ID
	} else {
		nw.AdminNm = text(f, "name", 200, true)
		nw.AdminEmail = domain.NormalizeEmail(f.Get("email"))
		if !domain.ValidEmail(nw.AdminEmail) {
			fe.Add("email", "field.email.invalid")
		}
		if msg := domain.CheckPassword(f.Get("password")); msg != "" {
			fe.Add("password", msg)
		}
	}
	view := func(f views.Form) templ.Component { return views.Signup(s.page(r, "signup.title"), f) }
	if err := fe.Err(); err != nil {
		return s.invalid(w, r, f, err, view)
	}
	if u == nil {
		// The address is confirmed before anything is created: a slug taken
		// already is said now, not after the e-mail.
		if _, err := s.store.WorkspaceBySlug(r.Context(), nw.Slug); err == nil {
			fe.Add("slug", "field.slug.taken")
			return s.invalid(w, r, f, fe.Err(), view)
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		return s.signupByMail(w, r, nw, f.Get("password"))
	}
	return s.createWorkspace(w, r, nw, f, view)
}

// createWorkspace creates the workspace and signs its new admin in.
func (s *Server) createWorkspace(w http.ResponseWriter, r *http.Request, nw store.NewWorkspace, f views.Form, view func(views.Form) templ.Component) error {
	admin, ws, err := s.store.CreateWorkspace(r.Context(), nw)
	if err != nil {
		return s.invalid(w, r, f, err, view)
	}
	if nw.ExistingUserID == "" {
		if err := s.signIn(r, admin); err != nil {
			return err
		}
	}
	s.flash(r, "signup.done")
	http.Redirect(w, r, "/w/"+ws.Slug+"/", http.StatusSeeOther)
	return nil
}

// signupTTL is how long a sign-up confirmation link stays valid.
const signupTTL = time.Hour

// pendingSignup is what a sign-up confirmation link carries, sealed under the
// server key: nothing is stored until the address is confirmed.
type pendingSignup struct {
	store.NewWorkspace
	Expires int64
}

// signupByMail answers a visitor's sign-up the same way whether or not the
// address has an account, so that the form tells nobody which addresses do:
// the same page, one e-mail, the same work (the password is hashed on both
// paths). A new address receives a link that creates the workspace; an
// address with an account is told that someone tried, and how to go on if it
// was them.
func (s *Server) signupByMail(w http.ResponseWriter, r *http.Request, nw store.NewWorkspace, plain string) error {
	var err error
	if nw.PasswordHash, err = s.store.HashPassword(plain); err != nil {
		return err
	}
	existing, err := s.store.UserByEmail(r.Context(), nw.AdminEmail)
	if err != nil && domain.ErrorCode(err) != domain.ENotFound {
		return err
	}
	lang := i18n.Lang(r.Context())
	var m store.Mail
	if err == nil {
		if existing.Locale != "" {
			lang = existing.Locale
		}
		link := s.cfg.BaseURL + "/login?next=%2Fsignup"
		m = store.Mail{To: existing.Email, Link: link, Subject: i18n.Translate(lang, "mail.signup_exists.subject"),
			Body: i18n.Translate(lang, "mail.signup_exists.body", "Name", existing.Name, "Link", link)}
	} else {
		b, _ := json.Marshal(pendingSignup{NewWorkspace: nw, Expires: s.store.Now().Add(signupTTL).Unix()})
		sealed, err := s.store.Seal("signup", b, nil)
		if err != nil {
			return err
		}
		link := s.cfg.BaseURL + "/signup/confirm/" + base64.RawURLEncoding.EncodeToString(sealed)
		m = store.Mail{To: nw.AdminEmail, Link: link, Subject: i18n.Translate(lang, "mail.signup.subject"),
			Body: i18n.Translate(lang, "mail.signup.body", "Name", nw.AdminNm, "Workspace", nw.Name, "Link", link)}
	}
	if err := s.store.QueueMail(r.Context(), m); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, views.Message(s.page(r, "signup.sent.title"), "signup.sent.title", "signup.sent.body"))
	return nil
}

// openSignup reads a confirmation link: a link the server did not make is not
// found; an expired one is explained like any spent link.
func (s *Server) openSignup(w http.ResponseWriter, r *http.Request) (pendingSignup, bool, error) {
	var p pendingSignup
	sealed, err := base64.RawURLEncoding.DecodeString(chi.URLParam(r, "token"))
	if err != nil {
		return p, false, domain.ErrNotFound
	}
	b, err := s.store.Open("signup", sealed, nil)
	if err != nil || json.Unmarshal(b, &p) != nil {
		return p, false, domain.ErrNotFound
	}
	if s.store.Now().Unix() > p.Expires {
		return p, false, s.expiredLink(w, r, domain.ErrNotFound)
	}
	return p, true, nil
}

// signupConfirmForm asks for a click: mail scanners open links, and a GET
// must not create anything.
func (s *Server) signupConfirmForm(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.openSignup(w, r)
	if !ok {
		return err
	}
	s.render(w, r, http.StatusOK, views.Confirm(s.page(r, "signup.confirm.title"), "signup.confirm.title", p.Name, "signup.submit", r.URL.Path))
	return nil
}

func (s *Server) signupConfirm(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.openSignup(w, r)
	if !ok {
		return err
	}
	// The address may have got an account since (a second click): the link is spent.
	if _, err := s.store.UserByEmail(r.Context(), p.AdminEmail); err == nil {
		return s.expiredLink(w, r, domain.ErrNotFound)
	}
	f := emptyForm("workspace", p.Name, "slug", p.Slug, "name", p.AdminNm, "email", p.AdminEmail, "practice", practiceOf(p.Roles))
	return s.createWorkspace(w, r, p.NewWorkspace, f, func(f views.Form) templ.Component { return views.Signup(s.page(r, "signup.title"), f) })
}

// practiceOf is the sign-up choice that gives these founder roles.
func practiceOf(rs domain.RoleSet) string {
	if rs.Has(domain.RoleCoach) {
		return "solo"
	}
	return "firm"
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify proposes a URL name from a workspace name: "Cabinet Démo" → "cabinet-demo".
func Slugify(name string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		if r < 0x300 || r > 0x36f { // drop combining accents
			b.WriteRune(r)
		}
	}
	s := strings.Trim(nonSlug.ReplaceAllString(b.String(), "-"), "-")
	if len(s) > 40 {
		s = strings.Trim(s[:40], "-")
	}
	return s
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, views.Forgot(s.page(r, "forgot.title"), emptyForm(), false))
	return nil
}

// forgot always answers "if the address is known, a link was sent", so it tells
// nobody which addresses have accounts.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	email := domain.NormalizeEmail(f.Get("email"))
	if !domain.ValidEmail(email) {
		f.Errors.Add("email", "field.email.invalid")
		s.render(w, r, http.StatusUnprocessableEntity, views.Forgot(s.page(r, "forgot.title"), f, false))
		return nil
	}
	addr := clientAddr(r)
	if s.logins.addr.Wait(addr) > 0 {
		f.Error = "login.too_many"
		s.render(w, r, http.StatusTooManyRequests, views.Forgot(s.page(r, "forgot.title"), f, false))
		return nil
	}
	s.logins.addr.Fail(addr) // every reset request counts against the address
	start := time.Now()
	err = s.store.CreatePasswordReset(r.Context(), email, func(u store.User, token string) store.Mail {
		lang := u.Locale
		if lang == "" {
			lang = i18n.Lang(r.Context())
		}
		link := s.cfg.BaseURL + "/password/reset/" + token
		return store.Mail{To: u.Email, Link: link,
			Subject: i18n.Translate(lang, "mail.reset.subject"),
			Body:    i18n.Translate(lang, "mail.reset.body", "Name", u.Name, "Link", link)}
	})
	if err != nil && domain.ErrorCode(err) != domain.ENotFound {
		return err
	}
	// A known address costs a few more queries than an unknown one: answer
	// both no sooner than a fixed delay, so that timing tells nothing.
	time.Sleep(time.Until(start.Add(forgotFloor)))
	s.render(w, r, http.StatusOK, views.Forgot(s.page(r, "forgot.title"), f, true))
	return nil
}

// forgotFloor is the least time a reset request takes to answer; far above
// what the work takes on an idle server.
const forgotFloor = 60 * time.Millisecond

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) error {
	token := chi.URLParam(r, "token")
	if err := s.store.ValidPasswordReset(r.Context(), token); err != nil {
		return s.expiredLink(w, r, err)
	}
	s.render(w, r, http.StatusOK, views.Reset(s.page(r, "reset.title"), emptyForm(), r.URL.Path))
	return nil
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	f, err := form(r)
	if err != nil {
		return err
	}
	if msg := domain.CheckPassword(f.Get("password")); msg != "" {
		f.Errors.Add("password", msg)
		s.render(w, r, http.StatusUnprocessableEntity, views.Reset(s.page(r, "reset.title"), f, r.URL.Path))
		return nil
	}
	hash, err := s.store.HashPassword(f.Get("password"))
	if err != nil {
		return err
	}
	u, err := s.store.UsePasswordReset(r.Context(), chi.URLParam(r, "token"), hash)
	if err != nil {
		return s.expiredLink(w, r, err)
	}
	s.flash(r, "reset.done")
	// A reset proves the mailbox, not the second factor: it is still asked.
	return s.startSession(w, r, u, "/")
}

// expiredLink explains a used, expired or unknown link without saying which.
func (s *Server) expiredLink(w http.ResponseWriter, r *http.Request, err error) error {
	if domain.ErrorCode(err) != domain.ENotFound {
		return err
	}
	s.render(w, r, http.StatusNotFound, views.Message(s.page(r, "link.invalid.title"), "link.invalid.title", "link.invalid.body"))
	return nil
}

// setLang switches the interface language: on the account when signed in, in a
// cookie otherwise.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	lang := r.PostForm.Get("lang")
	if !i18n.Supported(lang) {
		return domain.Errorf(domain.EInvalid, "error.422")
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.sessions.Cookie.Secure})
	if u := person(r); u != nil {
		if err := s.store.SetLocale(r.Context(), u.ID, lang); err != nil {
			return err
		}
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("next"), "/"), http.StatusSeeOther)
	return nil
}

func (s *Server) accountForm(w http.ResponseWriter, r *http.Request) error {
	u := person(r)
	all := memberships(r)
	f := emptyForm("name", u.Name, "locale", u.Locale)
	rem, err := s.reminderBoxes(r, u.ID)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, views.Account(s.page(r, "account.title"), f, emptyForm(), workspaceLinks(all), rem))
	return nil
}

// changePassword sets a new password for a person who gives the current one.
// Their other sessions end and their reset links stop working; this session
// goes on.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u := person(r)
	pw, err := form(r)
	if err != nil {
		return err
	}
	if ok, _ := s.store.CheckPassword(pw.Get("current_password"), u.PasswordHash); !ok {
		s.logins.Fail(clientAddr(r), u.Email) // guessing here counts like guessing at sign-in
		pw.Errors.Add("current_password", "field.password.wrong")
	}
	if msg := domain.CheckPassword(pw.Get("new_password")); msg != "" {
		pw.Errors.Add("new_password", msg)
	}
	if len(pw.Errors) > 0 {
		rem, err := s.reminderBoxes(r, u.ID)
		if err != nil {
			return err
		}
		f := emptyForm("name", u.Name, "locale", u.Locale)
		s.render(w, r, http.StatusUnprocessableEntity, views.Account(s.page(r, "account.title"), f, pw, workspaceLinks(memberships(r)), rem))
		return nil
	}
	hash, err := s.store.HashPassword(pw.Get("new_password"))
	if err != nil {
		return err
	}
	if err := s.store.ChangePassword(r.Context(), u.ID, s.sessions.Token(r.Context()), hash); err != nil {
		return err
	}
	s.flash(r, "account.password.done")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

// reminderBoxes shows each reminder kind, checked when the person receives it.
func (s *Server) reminderBoxes(r *http.Request, userID string) ([]views.Checkbox, error) {
	off, err := s.store.RemindersOff(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	var out []views.Checkbox
	for _, k := range domain.ReminderKinds {
		out = append(out, views.Checkbox{Name: "remind", Value: k, Label: i18n.T(r.Context(), "remind."+k),
			Checked: !contains(off, k) && !contains(off, "all")})
	}
	digest, err := s.store.WeeklyDigest(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	// The digest is asked for, not turned off: its box starts unchecked.
	out = append(out, views.Checkbox{Name: "digest", Value: "on", Label: i18n.T(r.Context(), "account.digest"), Checked: digest})
	return out, nil
}

// saveReminders records the reminders the person wants; the others are off.
func (s *Server) saveReminders(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var off []string
	for _, k := range domain.ReminderKinds {
		if !contains(r.PostForm["remind"], k) {
			off = append(off, k)
		}
	}
	if err := s.store.SetRemindersOff(r.Context(), person(r).ID, off); err != nil {
		return err
	}
	if err := s.store.SetWeeklyDigest(r.Context(), person(r).ID, r.PostForm.Get("digest") == "on"); err != nil {
		return err
	}
	s.flash(r, "form.saved")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	u := person(r)
	f, err := form(r)
	if err != nil {
		return err
	}
	name := text(f, "name", 200, true)
	locale := f.Get("locale")
	if locale != "" && !i18n.Supported(locale) {
		f.Errors.Add("locale", "field.invalid_choice")
	}
	if len(f.Errors) > 0 {
		all := memberships(r)
		rem, err := s.reminderBoxes(r, u.ID)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusUnprocessableEntity, views.Account(s.page(r, "account.title"), f, emptyForm(), workspaceLinks(all), rem))
		return nil
	}
	if err := s.store.UpdateAccount(r.Context(), u.ID, name, locale); err != nil {
		return err
	}
	s.flash(r, "form.saved")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
	return nil
}
