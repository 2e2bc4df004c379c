package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"image/png"
	"net/http"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"triade/internal/domain"
	"triade/internal/store"
	"triade/web/views"
)

// Two-factor sign-in with TOTP (RFC 6238): 6 digits, 30-second steps, one
// step of clock drift either way. A code is accepted once (the store keeps the
// last step used); a recovery code replaces the phone, once each. A lost
// second factor is recovered with a recovery code only: a password reset does
// not remove it.

const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep finds the time step whose code is code, within one step of now; 0
// when none matches.
func totpStep(secret, code string, now time.Time) int64 {
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && len(code) == len(want) && subtle.ConstantTimeCompare([]byte(code), []byte(want)) == 1 {
			return step
		}
	}
	return 0
}

// startSession signs a person in after their password (or a reset link) was
// right; with a second factor, the session only remembers who is halfway, and
// the code is asked first.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User, next string) error {
	on, err := s.store.HasTwoFactor(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if !on {
		if err := s.signIn(r, u); err != nil {
			return err
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Remove(r.Context(), "user_id")
	s.sessions.Put(r.Context(), "pending_user", u.ID)
	s.sessions.Put(r.Context(), "pending_next", next)
	http.Redirect(w, r, "/login/code", http.StatusSeeOther)
	return nil
}

func (s *Server) loginCodeForm(w http.ResponseWriter, r *http.Request) error {
	if s.sessions.GetString(r.Context(), "pending_user") == "" {
		http.Redirect(w, r, "/login?next=%2F", http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, views.LoginCode(s.page(r, "twofactor.login.title"), emptyForm()))
	return nil
}

// loginCode is the second step of a sign-in: a code of the authenticator, or a
// recovery code. Failures count like wrong passwords.
func (s *Server) loginCode(w http.ResponseWriter, r *http.Request) error {
	uid := s.sessions.GetString(r.Context(), "pending_user")
	if uid == "" {
		http.Redirect(w, r, "/login?next=%2F", http.StatusSeeOther)
		return nil
	}
	f, err := form(r)
	if err != nil {
		return err
	}
	show := func(status int, msg string) error {
		f.Errors.Add("code", msg)
		s.render(w, r, status, views.LoginCode(s.page(r, "twofactor.login.title"), f))
		return nil
	}
	addr, key := clientAddr(r), "code:"+uid
	if s.logins.Blocked(addr, key) {
		return show(http.StatusTooManyRequests, "login.too_many")
	}
	ok, err := s.checkSecondFactor(r, uid, f.Get("code"))
	if err != nil {
		return err
	}
	if !ok {
		s.logins.Fail(addr, key)
		return show(http.StatusUnauthorized, "twofactor.code.wrong")
	}
	s.logins.Succeeded(addr, key)
	next := s.sessions.PopString(r.Context(), "pending_next")
	s.sessions.Remove(r.Context(), "pending_user")
	if err := s.signIn(r, store.User{ID: uid}); err != nil {
		return err
	}
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// checkSecondFactor accepts a fresh authenticator code or an unspent recovery code.
func (s *Server) checkSecondFactor(r *http.Request, uid, code string) (bool, error) {
	code = trimSpaces(code)
	if len(code) == 6 {
		secret, last, err := s.store.TOTPSecret(r.Context(), uid)
		if err != nil {
			return false, err
		}
		if step := totpStep(secret, code, s.store.Now()); step > last {
			return s.store.UseTOTPStep(r.Context(), uid, step)
		}
		return false, nil
	}
	return s.store.UseRecoveryCode(r.Context(), uid, code)
}

func trimSpaces(c string) string {
	out := make([]byte, 0, len(c))
	for i := 0; i < len(c); i++ {
		if c[i] != ' ' && c[i] != '\t' {
			out = append(out, c[i])
		}
	}
	return string(out)
}

// twoFactorForm shows the enrolment: a QR code drawn on the server (an image
// in a data: URL, which the CSP allows; no script), the secret as text for
// typing by hand, and a field for the first code.
func (s *Server) twoFactorForm(w http.ResponseWriter, r *http.Request) error {
	return s.twoFactorPage(w, r, http.StatusOK, emptyForm("next", localPath(r.URL.Query().Get("next"), "")))
}

func (s *Server) twoFactorPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	u := person(r)
	v := views.TwoFactorView{Enabled: u.TwoFactor, Form: f}
	if u.TwoFactor {
		n, err := s.store.RecoveryCodesLeft(r.Context(), u.ID)
		if err != nil {
			return err
		}
		v.CodesLeft = n
	} else {
		secret := s.sessions.GetString(r.Context(), "totp_secret")
		key, err := s.totpKey(u.Email, secret)
		if err != nil {
			return err
		}
		if secret == "" {
			s.sessions.Put(r.Context(), "totp_secret", key.Secret())
		}
		img, err := key.Image(240, 240)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return err
		}
		v.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
		v.Secret = key.Secret()
	}
	s.render(w, r, status, views.TwoFactor(s.page(r, "twofactor.title"), v))
	return nil
}

// totpKey builds the key of the enrolment: a new secret, or the one already
// shown in this session (reloading the page does not change the QR code).
func (s *Server) totpKey(email, secret string) (*otp.Key, error) {
	if secret == "" {
		return totp.Generate(totp.GenerateOpts{Issuer: "Triade", AccountName: email, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	}
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", "Triade")
	v.Set("period", "30")
	v.Set("digits", "6")
	v.Set("algorithm", "SHA1")
	return otp.NewKeyFromURL("otpauth://totp/Triade:" + url.PathEscape(email) + "?" + v.Encode())
}

// enableTwoFactor confirms the enrolment with a first code, then shows the
// recovery codes, once.
func (s *Server) enableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	u := person(r)
	f, err := form(r)
	if err != nil {
		return err
	}
	if u.TwoFactor {
		return domain.Errorf(domain.EConflict, "twofactor.already")
	}
	secret := s.sessions.GetString(r.Context(), "totp_secret")
	step := int64(0)
	if secret != "" {
		step = totpStep(secret, trimSpaces(f.Get("code")), s.store.Now())
	}
	if step == 0 {
		f.Errors.Add("code", "twofactor.code.wrong")
		return s.twoFactorPage(w, r, http.StatusUnprocessableEntity, f)
	}
	codes, err := s.store.EnableTwoFactor(r.Context(), u.ID, secret, step)
	if err != nil {
		return err
	}
	s.sessions.Remove(r.Context(), "totp_secret")
	s.render(w, r, http.StatusOK, views.RecoveryCodes(s.page(r, "twofactor.codes.title"), codes, localPath(f.Get("next"), "/account")))
	return nil
}

// saveTwoFactorRule lets a workspace admin require two-factor sign-in of every member.
func (s *Server) saveTwoFactorRule(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if err := s.store.SetRequireTwoFactor(r.Context(), scope(r), r.PostForm.Get("require") == "on"); err != nil {
		return err
	}
	s.flash(r, "form.saved")
	http.Redirect(w, r, "/w/"+member(r).Workspace.Slug+"/settings", http.StatusSeeOther)
	return nil
}
