package server_test

import (
	"net/http"
	"testing"
)

// TestAddressForm: a coachee chooses how to be named; from then on the pages
// of her engagement name her so, for every reader, and her own pages too. A
// choice the page does not offer is refused beside the field, nothing stored.
func TestAddressForm(t *testing.T) {
	a := newApp(t, true)
	eng := "/w/demo/e/" + a.engagementID("Conduite du changement — service client")
	coach, coachee := a.as("coach@demo.test"), a.as("coachee@demo.test")
	form := func() string {
		return a.sqlStr(`SELECT address_form FROM users WHERE email = 'coachee@demo.test'`)
	}

	// The demo's coachee chose the masculine.
	has(t, "coach, before", coach.get(eng+"/requests"), "Demande du coaché")
	has(t, "coachee, account", coachee.get("/account"), `id="address-m" name="address_form" value="m" checked`)

	r := coachee.post("/account/address", "address_form", "z")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown form: status %d, want 422", r.status)
	}
	has(t, "coachee, refused", r, "Choisissez une des valeurs proposées")
	if got := form(); got != "m" {
		t.Errorf("after a refused choice the form is %q, want m", got)
	}

	r = coachee.post("/account/address", "address_form", "f")
	if r.status != http.StatusSeeOther || r.location != "/account#address" {
		t.Fatalf("choose f: status %d to %q", r.status, r.location)
	}
	if got := form(); got != "f" {
		t.Fatalf("stored form %q, want f", got)
	}
	has(t, "coach, after", coach.get(eng+"/requests"), "Demande de la coachée", "Je valide la demande de la coachée")
	hasNot(t, "coach, after", coach.get(eng+"/requests"), "personne coachée", "Demande du coaché")
	has(t, "coach, parties", coach.get(eng+"/"), "Coachée")
	has(t, "coachee, her own dashboard", coachee.get("/w/demo/"), `<span class="badge">Coachée</span>`)
	has(t, "sponsor, actions", a.as("sponsor@demo.test").get(eng+"/actions"), "Les actions que la coachée a choisi de partager avec vous.")

	coachee.post("/account/address", "address_form", "x")
	has(t, "coach, epicene", coach.get(eng+"/requests"), "Demande de la personne coachée")

	// A person who never chose is named in the epicene form.
	if got := a.sqlStr(`SELECT address_form FROM users WHERE email = 'admin@demo.test'`); got != "x" {
		t.Errorf("default form %q, want x", got)
	}
}
