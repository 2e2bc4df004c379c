package server

import (
	"net/http"

	"triade/internal/i18n"
	"triade/web/views"
)

// saveAddressForm records how the person chooses to be named. A value that
// the page does not offer is refused beside the choice, nothing stored.
func (s *Server) saveAddressForm(w http.ResponseWriter, r *http.Request) error {
	u := person(r)
	if err := parseForm(r); err != nil {
		return err
	}
	choice := r.PostForm.Get("address_form")
	if !i18n.ValidForm(choice) {
		f := emptyForm("name", u.Name, "locale", u.Locale)
		f.Errors.Add("address_form", "field.invalid_choice")
		rem, err := s.reminderBoxes(r, u.ID)
		if err != nil {
			return err
		}
		s.render(w, r, http.StatusUnprocessableEntity, views.Account(s.page(r, "account.title"), f, emptyForm(), workspaceLinks(memberships(r)), rem))
		return nil
	}
	if err := s.store.SetAddressForm(r.Context(), u.ID, choice); err != nil {
		return err
	}
	s.flash(r, "form.saved")
	http.Redirect(w, r, "/account#address", http.StatusSeeOther)
	return nil
}
