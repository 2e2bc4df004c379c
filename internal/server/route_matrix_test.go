package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/server"
	"triade/internal/store"
)

// rmWant is one route's expected statuses, in the order of eaPersonas:
// coach, coachee, sponsor, admin, unrelated, other, anon.
type rmWant [len(eaPersonas)]int

// rmRow is one entry of the access matrix of every registered route.
type rmRow struct {
	route string                        // "METHOD pattern", exactly as chi.Walk names the route
	path  string                        // the URL sent; {name} is an id or a token of the fixture
	form  func(persona string) []string // the form of a POST; nil sends an empty form
	want  rmWant
}

// TestEveryRegisteredRoute walks the router (chi.Walk on Server.Router()) and
// calls every route it finds, for each of the seven personas, with the real
// ids of the demo. A route with no entry in the table below fails, and so does
// an entry that matches no route: a new route cannot ship before someone says
// who may use it.
//
// Personas (eaPersonas): coach@demo.test, coachee@demo.test, sponsor@demo.test,
// admin@demo.test (no part in any engagement), "unrelated" (a coach of the demo
// workspace with no part, created by the fixture), "other" (coach@autre.test,
// a member of another workspace only) and "anon" (not signed in).
//
// Conventions:
//   - 200 a page (or file) read; 303 a write done, or a logout, or, for anon
//     on a GET behind a sign-in, the redirect to /login?next=…;
//   - 404 a refused read, or anything in a workspace or an engagement one does
//     not belong to (the page must be the not-found page);
//   - 403 a refused write (judged before the form is read, so an empty form
//     gets the refusal too); 401 an anonymous POST behind a sign-in;
//   - POSTs send an EMPTY form. The allowed persona then gets 422 (a required
//     field is missing), 409 (a versioned form: an empty form has no version,
//     so it is stale by construction and the conflict page answers), or 303
//     where the form has no required field (a toggle, a deletion, a
//     publication). POST /login alone gets a form, wrong credentials: 401.
//
// Ids and tokens (valid ones, so the answer is the page, not the invalid-link
// page): {fresh} "Prise de poste" (cadrage, nothing done) for the cadrage
// writes; {acc} (accompagnement) for the overview, history, synthesis
// versions, meetings, sessions, actions and .ics; {bou} (bouclage) for the
// evaluation, the closing and the report; a password-reset token of the
// coachee, an invitation for a new address, the coachee's calendar feed and
// unsubscribe tokens, and a throwaway member ({eraseUid}) for the erasure.
//
// The rows run top to bottom, each for every persona left to right (state
// carries over: the order is part of the table). Three rows must run late:
// the calendar feed before the renewals that revoke its token, the report
// validation (whose third validation closes {bou}) and /logout, last.
func TestEveryRegisteredRoute(t *testing.T) {
	start := time.Now()
	f := paFixture(t) // newApp(t, true), the personas signed in, the ids
	st := f.a.env.Store

	// Tokens and objects the routes need.
	mail := func(to string) store.Mail { return store.Mail{To: to, Subject: "matrice", Body: "matrice"} }
	err := st.CreatePasswordReset(f.ctx, eaEmails["coachee"], func(u store.User, token string) store.Mail {
		f.ids["resetToken"] = token
		return mail(u.Email)
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Invite(f.ctx, f.scope("admin"), store.NewInvitation{Email: "invitee.matrice@demo.test", Name: "Invitée Matrice", Role: domain.RoleCoachee},
		func(token string) store.Mail {
			f.ids["joinToken"] = token
			return mail("invitee.matrice@demo.test")
		})
	if err != nil {
		t.Fatal(err)
	}
	if f.ids["calToken"], err = st.NewCalendarToken(f.ctx, f.scope("coachee")); err != nil {
		t.Fatal(err)
	}
	f.ids["unsubToken"] = st.UnsubscribeToken(f.q(`SELECT id::text FROM users WHERE email = $1`, eaEmails["coachee"]))
	victim, err := st.AddMember(f.ctx, f.scope("admin"), store.NewMember{Email: "a.effacer@demo.test", Name: "À Effacer", Roles: domain.RoleSet{domain.RoleCoachee}})
	if err != nil {
		t.Fatal(err)
	}
	f.ids["eraseUid"] = victim.ID
	if f.ids["libGone"], err = st.AddLibraryItem(f.ctx, f.scope("coach"), store.LibraryItem{Title: "Apport à retirer"}); err != nil {
		t.Fatal(err)
	}
	f.ids["accSyn"] = f.q(`SELECT coalesce(max(number), 0) FROM synthesis_versions WHERE engagement_id = $1`, f.ids["acc"])
	if f.ids["accSyn"] == "0" {
		t.Fatal("the accompagnement engagement has no synthesis version")
	}
	f.ids["org"] = f.q(`SELECT id FROM client_orgs WHERE name = 'Industries Horizon'`)
	f.ids["bouRep"] = "1" // published by the POST /report/publish row, before it is read
	if n := f.q(`SELECT count(*) FROM report_versions WHERE engagement_id = $1`, f.ids["bou"]); n != "0" {
		t.Fatalf("the bouclage engagement already has %s report versions", n)
	}

	all := func(s int) rmWant {
		var w rmWant
		for i := range w {
			w[i] = s
		}
		return w
	}
	signedIn := func(signed, anon int) rmWant { w := all(signed); w[len(w)-1] = anon; return w }
	// A workspace route: the five members of demo, then the other workspace's
	// coach (404) and the anonymous visitor.
	wsGet := func(c, ce, sp, ad, un int) rmWant { return rmWant{c, ce, sp, ad, un, 404, 303} }
	wsPost := func(c, ce, sp, ad, un int) rmWant { return rmWant{c, ce, sp, ad, un, 404, 401} }
	// An engagement route: the unrelated member finds nothing either.
	eGet := func(c, ce, sp, ad int) rmWant { return wsGet(c, ce, sp, ad, 404) }
	ePost := func(c, ce, sp, ad int) rmWant { return wsPost(c, ce, sp, ad, 404) }
	const e = "/w/{slug}/e/{id}"

	expect := []rmRow{
		// --- No session, no database.
		{"GET /healthz", "/healthz", nil, all(200)},
		{"GET /readyz", "/readyz", nil, all(200)},
		{"GET /static/*", "/static/app.css", nil, all(200)},

		// --- Public pages and forms (an empty form is invalid for everyone).
		{"GET /", "/", nil, all(200)},
		{"GET /login", "/login", nil, all(200)},
		// Wrong credentials, an unknown address per persona (the limiter
		// counts failures per address: seven empty ones would be 429).
		{"POST /login", "/login", func(p string) []string {
			return []string{"email", "inconnu." + p + "@demo.test", "password", "mauvais"}
		}, all(401)},
		{"GET /signup", "/signup", nil, all(200)},
		{"POST /signup", "/signup", nil, all(422)},
		// A sign-up confirmation link that was never sent.
		{"GET /signup/confirm/{token}", "/signup/confirm/bm90LWEtbGluaw", nil, all(404)},
		{"POST /signup/confirm/{token}", "/signup/confirm/bm90LWEtbGluaw", nil, all(404)},
		{"GET /password/forgot", "/password/forgot", nil, all(200)},
		{"POST /password/forgot", "/password/forgot", nil, all(422)},
		// A valid reset link: the form for everyone; an empty password is
		// refused before the token is spent.
		{"GET /password/reset/{token}", "/password/reset/{resetToken}", nil, all(200)},
		{"POST /password/reset/{token}", "/password/reset/{resetToken}", nil, all(422)},
		{"POST /lang", "/lang", nil, all(422)},

		// --- The account: signed-in people, whatever their workspace.
		{"GET /account", "/account", nil, signedIn(200, 303)},
		{"POST /account", "/account", nil, signedIn(422, 401)},
		{"POST /account/reminders", "/account/reminders", nil, signedIn(303, 401)}, // no box checked: all off
		{"POST /account/password", "/account/password", nil, signedIn(422, 401)},
		{"GET /account/2fa", "/account/2fa", nil, signedIn(200, 303)},
		{"POST /account/2fa", "/account/2fa", nil, signedIn(422, 401)},
		// The second step of a sign-in, reached without a first one: back to the first.
		{"GET /login/code", "/login/code", nil, all(303)},
		{"POST /login/code", "/login/code", nil, all(303)},
		{"POST /account/address", "/account/address", nil, signedIn(422, 401)}, // no choice: refused beside the field
		{"GET /account/export", "/account/export", nil, signedIn(200, 303)},
		// The reminder e-mails' link works without a session: the token is the key.
		{"GET /unsubscribe/{token}", "/unsubscribe/{unsubToken}", nil, all(200)},
		{"POST /unsubscribe/{token}", "/unsubscribe/{unsubToken}", nil, all(200)},
		// Development mode only (newApp sets Dev; checked absent otherwise below).
		{"GET /dev/mail", "/dev/mail", nil, all(200)},
		// The calendar feed: no session, the secret token is the key.
		{"GET /w/{slug}/calendar/{token}", "/w/demo/calendar/{calToken}.ics", nil, all(200)},
		// An invitation: its page for anyone; taking it up needs to be its
		// addressee (signed in as someone else: 403) or, for a new address,
		// a name and a password (empty form: 422).
		{"GET /w/{slug}/join/{token}", "/w/demo/join/{joinToken}", nil, all(200)},
		{"POST /w/{slug}/join/{token}", "/w/demo/join/{joinToken}", nil, rmWant{403, 403, 403, 403, 403, 403, 422}},

		// --- The workspace.
		//             coach coachee sponsor admin unrelated
		{"GET /w/{slug}/", "/w/demo/", nil, wsGet(200, 200, 200, 200, 200)},
		{"GET /w/{slug}/members", "/w/demo/members", nil, wsGet(200, 404, 404, 200, 200)},
		// Roles are the admin's to give; none ticked is refused beside the field.
		{"POST /w/{slug}/members/{uid}/roles", "/w/demo/members/{eraseUid}/roles", nil, wsPost(403, 403, 403, 422, 403)},
		{"POST /w/{slug}/invitations", "/w/demo/invitations", nil, wsPost(422, 403, 403, 422, 422)},
		{"GET /w/{slug}/orgs", "/w/demo/orgs", nil, wsGet(404, 404, 404, 200, 404)},
		{"POST /w/{slug}/orgs", "/w/demo/orgs", nil, wsPost(403, 403, 403, 422, 403)},
		// An organisation's programme: its sponsor (HR) and the admin.
		{"GET /w/{slug}/orgs/{id}/programme", "/w/demo/orgs/{org}/programme", nil, wsGet(404, 404, 200, 200, 404)},
		{"GET /w/{slug}/orgs/{id}/programme.csv", "/w/demo/orgs/{org}/programme.csv", nil, wsGet(404, 404, 200, 200, 404)},
		{"GET /w/{slug}/orgs/{id}/programme/print", "/w/demo/orgs/{org}/programme/print", nil, wsGet(404, 404, 200, 200, 404)},
		// No PDF engine in these tests: the PDF is not there for anyone.
		{"GET /w/{slug}/orgs/{id}/programme.pdf", "/w/demo/orgs/{org}/programme.pdf", nil, wsGet(404, 404, 404, 404, 404)},
		{"GET /w/{slug}/engagements", "/w/demo/engagements", nil, wsGet(200, 200, 200, 200, 200)},
		{"GET /w/{slug}/engagements/new", "/w/demo/engagements/new", nil, wsGet(200, 404, 404, 200, 200)},
		{"POST /w/{slug}/engagements", "/w/demo/engagements", nil, wsPost(422, 403, 403, 422, 422)},
		// Each member's own calendar feed settings (renewing revokes the old link).
		{"GET /w/{slug}/calendar", "/w/demo/calendar", nil, wsGet(200, 200, 200, 200, 200)},
		{"POST /w/{slug}/calendar", "/w/demo/calendar", nil, wsPost(303, 303, 303, 303, 303)},
		{"POST /w/{slug}/calendar/revoke", "/w/demo/calendar/revoke", nil, wsPost(303, 303, 303, 303, 303)},
		{"GET /w/{slug}/activity", "/w/demo/activity", nil, wsGet(404, 404, 404, 200, 404)},
		{"GET /w/{slug}/settings", "/w/demo/settings", nil, wsGet(404, 404, 404, 200, 404)},
		{"POST /w/{slug}/settings", "/w/demo/settings", nil, wsPost(403, 403, 403, 422, 403)},
		// An empty form leaves two-factor sign-in not required.
		{"POST /w/{slug}/settings/2fa", "/w/demo/settings/2fa", nil, wsPost(403, 403, 403, 303, 403)},
		{"GET /w/{slug}/settings/letterhead", "/w/demo/settings/letterhead", nil, wsGet(404, 404, 404, 200, 404)},
		{"POST /w/{slug}/settings/letterhead", "/w/demo/settings/letterhead", nil, wsPost(403, 403, 403, 303, 403)},
		// Erasing a throwaway member: the admin confirms, then erases.
		{"GET /w/{slug}/members/{uid}/erase", "/w/demo/members/{eraseUid}/erase", nil, wsGet(404, 404, 404, 200, 404)},
		{"POST /w/{slug}/members/{uid}/erase", "/w/demo/members/{eraseUid}/erase", nil, wsPost(403, 403, 403, 303, 403)},
		{"GET /w/{slug}/library", "/w/demo/library", nil, wsGet(200, 404, 404, 200, 200)},
		{"POST /w/{slug}/library", "/w/demo/library", nil, wsPost(422, 403, 403, 422, 422)},
		{"POST /w/{slug}/library/{item}", "/w/demo/library/{accKarpman}", nil, wsPost(422, 403, 403, 422, 422)},
		// Removing a throwaway item: the first to do it does; it is gone for the next.
		{"POST /w/{slug}/library/{item}/delete", "/w/demo/library/{libGone}/delete", nil, wsPost(303, 403, 403, 404, 404)},

		// --- One engagement.            coach coachee sponsor admin
		{"GET " + e + "/", "/w/demo/e/{acc}/", nil, eGet(200, 200, 200, 200)},
		{"GET " + e + "/history", "/w/demo/e/{acc}/history", nil, eGet(200, 404, 404, 200)},
		{"GET " + e + "/as-sponsor", "/w/demo/e/{acc}/as-sponsor", nil, eGet(200, 200, 404, 404)},
		// Cadrage, on {fresh}.
		{"POST " + e + "/willingness", "/w/demo/e/{fresh}/willingness", nil, ePost(303, 303, 403, 403)},
		{"GET " + e + "/phase/confirm", "/w/demo/e/{fresh}/phase/confirm", nil, eGet(200, 404, 404, 404)},
		{"POST " + e + "/phase", "/w/demo/e/{fresh}/phase", nil, ePost(409, 403, 403, 403)}, // its gate is closed
		{"GET " + e + "/interrupt/confirm", "/w/demo/e/{fresh}/interrupt/confirm", nil, eGet(200, 404, 404, 404)},
		{"POST " + e + "/interrupt", "/w/demo/e/{fresh}/interrupt", nil, ePost(422, 403, 403, 403)},
		{"GET " + e + "/first-meeting", "/w/demo/e/{fresh}/first-meeting", nil, eGet(200, 200, 404, 404)},
		{"POST " + e + "/first-meeting", "/w/demo/e/{fresh}/first-meeting", nil, ePost(409, 403, 403, 403)},
		{"GET " + e + "/framing", "/w/demo/e/{fresh}/framing", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/framing", "/w/demo/e/{fresh}/framing", nil, ePost(409, 403, 403, 403)},
		{"GET " + e + "/requests", "/w/demo/e/{fresh}/requests", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/requests/validate", "/w/demo/e/{fresh}/requests/validate", nil, ePost(303, 403, 403, 403)},
		// The company's request: the coach and the sponsor write it.
		{"POST " + e + "/requests/company", "/w/demo/e/{fresh}/requests/company", nil, ePost(422, 403, 422, 403)},
		{"POST " + e + "/requests/coachee", "/w/demo/e/{fresh}/requests/coachee", nil, ePost(422, 422, 403, 403)},
		{"GET " + e + "/objectives", "/w/demo/e/{fresh}/objectives", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/objectives", "/w/demo/e/{fresh}/objectives", nil, ePost(422, 403, 403, 403)},
		{"GET " + e + "/objectives/{oid}/edit", "/w/demo/e/{fresh}/objectives/{objA}/edit", nil, eGet(200, 404, 404, 404)},
		{"POST " + e + "/objectives/{oid}", "/w/demo/e/{fresh}/objectives/{objA}", nil, ePost(422, 403, 403, 403)},
		{"GET " + e + "/objectives/{oid}/delete/confirm", "/w/demo/e/{fresh}/objectives/{objB}/delete/confirm", nil, eGet(200, 404, 404, 404)},
		{"POST " + e + "/objectives/{oid}/delete", "/w/demo/e/{fresh}/objectives/{objB}/delete", nil, ePost(303, 403, 403, 403)},
		{"POST " + e + "/objectives/{oid}/move", "/w/demo/e/{fresh}/objectives/{objA}/move", nil, ePost(303, 403, 403, 403)},
		{"POST " + e + "/objectives/{oid}/indicators", "/w/demo/e/{fresh}/objectives/{objA}/indicators", nil, ePost(422, 403, 403, 403)},
		{"POST " + e + "/indicators/{iid}", "/w/demo/e/{fresh}/indicators/{ind1}", nil, ePost(422, 403, 403, 403)},
		{"GET " + e + "/indicators/{iid}/delete/confirm", "/w/demo/e/{fresh}/indicators/{ind2}/delete/confirm", nil, eGet(200, 404, 404, 404)},
		{"POST " + e + "/indicators/{iid}/delete", "/w/demo/e/{fresh}/indicators/{ind2}/delete", nil, ePost(303, 403, 403, 403)},
		{"GET " + e + "/contract", "/w/demo/e/{fresh}/contract", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/contract", "/w/demo/e/{fresh}/contract", nil, ePost(409, 403, 403, 403)},
		{"GET " + e + "/synthesis", "/w/demo/e/{fresh}/synthesis", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/synthesis", "/w/demo/e/{fresh}/synthesis", nil, ePost(409, 403, 403, 403)},
		{"POST " + e + "/synthesis/publish", "/w/demo/e/{fresh}/synthesis/publish", nil, ePost(303, 403, 403, 403)},
		// The current synthesis version of {acc}: all read, the three parties
		// validate, the sponsor alone comments.
		{"GET " + e + "/synthesis/{n}", "/w/demo/e/{acc}/synthesis/{accSyn}", nil, eGet(200, 200, 200, 200)},
		{"GET " + e + "/synthesis/{n}/print.css", "/w/demo/e/{acc}/synthesis/{accSyn}/print.css", nil, eGet(200, 200, 200, 200)},
		{"GET " + e + "/synthesis/{n}/diff", "/w/demo/e/{acc}/synthesis/1/diff", nil, eGet(404, 404, 404, 404)}, // a first version has no "before"
		// No PDF engine in these tests: the download is not found for anyone.
		{"GET " + e + "/synthesis/{n}/pdf", "/w/demo/e/{acc}/synthesis/{accSyn}/pdf", nil, eGet(404, 404, 404, 404)},
		{"POST " + e + "/synthesis/{n}/validate", "/w/demo/e/{acc}/synthesis/{accSyn}/validate", nil, ePost(303, 303, 303, 403)},
		{"POST " + e + "/synthesis/{n}/comment", "/w/demo/e/{acc}/synthesis/{accSyn}/comment", nil, ePost(403, 403, 422, 403)},
		// Intermediate meetings: the three parties, not the admin.
		{"GET " + e + "/meetings", "/w/demo/e/{acc}/meetings", nil, eGet(200, 200, 200, 404)},
		{"POST " + e + "/meetings/ask", "/w/demo/e/{acc}/meetings/ask", nil, ePost(422, 422, 422, 403)},
		{"POST " + e + "/meetings/schedule", "/w/demo/e/{acc}/meetings/schedule", nil, ePost(422, 403, 403, 403)},
		{"POST " + e + "/meetings/{mid}", "/w/demo/e/{acc}/meetings/{accMid}", nil, ePost(409, 403, 403, 403)},
		// Sessions, on {acc}: {accS1} held, {accS5} planned.
		{"GET " + e + "/sessions", "/w/demo/e/{acc}/sessions", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/sessions", "/w/demo/e/{acc}/sessions", nil, ePost(422, 403, 403, 403)},
		{"GET " + e + "/sessions/{sid}", "/w/demo/e/{acc}/sessions/{accS1}", nil, eGet(200, 200, 404, 404)},
		{"POST " + e + "/sessions/{sid}", "/w/demo/e/{acc}/sessions/{accS5}", nil, ePost(422, 403, 403, 403)},
		{"POST " + e + "/sessions/{sid}/record", "/w/demo/e/{acc}/sessions/{accS1}/record", nil, ePost(409, 403, 403, 403)},
		{"POST " + e + "/sessions/{sid}/autonomy", "/w/demo/e/{acc}/sessions/{accS1}/autonomy", nil, ePost(422, 422, 403, 403)},
		// Actions: the coachee's space; the sponsor reads the shared one.
		{"GET " + e + "/actions", "/w/demo/e/{acc}/actions", nil, eGet(200, 200, 200, 404)},
		{"POST " + e + "/actions", "/w/demo/e/{acc}/actions", nil, ePost(403, 422, 403, 403)},
		{"GET " + e + "/actions/{aid}", "/w/demo/e/{acc}/actions/{actShared}", nil, eGet(200, 200, 200, 404)},
		{"POST " + e + "/actions/{aid}/status", "/w/demo/e/{acc}/actions/{actUnshared}/status", nil, ePost(403, 422, 403, 403)},
		{"POST " + e + "/actions/{aid}/journal", "/w/demo/e/{acc}/actions/{actUnshared}/journal", nil, ePost(403, 422, 403, 403)},
		// No "share=on": the unshared action stays unshared.
		{"GET " + e + "/actions/{aid}/share/confirm", "/w/demo/e/{acc}/actions/{actToShare}/share/confirm", nil, eGet(404, 200, 404, 404)},
		{"POST " + e + "/actions/{aid}/share", "/w/demo/e/{acc}/actions/{actToShare}/share", nil, ePost(403, 303, 403, 403)},
		{"POST " + e + "/actions/{aid}/comments", "/w/demo/e/{acc}/actions/{actShared}/comments", nil, ePost(422, 403, 403, 403)},
		// The framing meeting as .ics: its three attendees.
		{"GET " + e + "/ics/{kind}/{mid}", "/w/demo/e/{acc}/ics/framing/{accFraming}", nil, eGet(200, 200, 200, 404)},
		// Bouclage, on {bou}.
		{"GET " + e + "/evaluation", "/w/demo/e/{bou}/evaluation", nil, eGet(200, 200, 404, 404)},
		{"POST " + e + "/evaluation", "/w/demo/e/{bou}/evaluation", nil, ePost(422, 422, 403, 403)},
		{"POST " + e + "/evaluation/{iid}", "/w/demo/e/{bou}/evaluation/{bouInd2}", nil, ePost(422, 422, 403, 403)},
		{"GET " + e + "/closing", "/w/demo/e/{bou}/closing", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/closing/meeting", "/w/demo/e/{bou}/closing/meeting", nil, ePost(409, 403, 403, 403)},
		{"POST " + e + "/closing/synthesis", "/w/demo/e/{bou}/closing/synthesis", nil, ePost(403, 422, 403, 403)},
		{"POST " + e + "/closing/recommendations", "/w/demo/e/{bou}/closing/recommendations", nil, ePost(422, 403, 422, 403)},
		{"POST " + e + "/closing/recommendations/{rid}/delete", "/w/demo/e/{bou}/closing/recommendations/{bouRid}/delete", nil, ePost(303, 403, 403, 403)},
		{"POST " + e + "/closing/note", "/w/demo/e/{bou}/closing/note", nil, ePost(422, 403, 403, 403)},
		{"POST " + e + "/closing/feedback", "/w/demo/e/{bou}/closing/feedback", nil, ePost(403, 403, 422, 403)},
		{"GET " + e + "/report", "/w/demo/e/{bou}/report", nil, eGet(200, 200, 200, 200)},
		{"POST " + e + "/report/publish", "/w/demo/e/{bou}/report/publish", nil, ePost(303, 403, 403, 403)}, // version 1
		{"GET " + e + "/report/{n}", "/w/demo/e/{bou}/report/{bouRep}", nil, eGet(200, 200, 200, 200)},
		{"GET " + e + "/report/{n}/print.css", "/w/demo/e/{bou}/report/{bouRep}/print.css", nil, eGet(200, 200, 200, 200)},
		{"GET " + e + "/report/{n}/diff", "/w/demo/e/{bou}/report/{bouRep}/diff", nil, eGet(404, 404, 404, 404)}, // a first version has no "before"
		{"GET " + e + "/report/{n}/pdf", "/w/demo/e/{bou}/report/{bouRep}/pdf", nil, eGet(404, 404, 404, 404)},
		{"POST " + e + "/report/{n}/comment", "/w/demo/e/{bou}/report/{bouRep}/comment", nil, ePost(403, 403, 422, 403)},
		// Late: the sponsor's validation, the third, closes {bou}; the admin
		// is then refused as read-only (403 all the same).
		{"POST " + e + "/report/{n}/validate", "/w/demo/e/{bou}/report/{bouRep}/validate", nil, ePost(303, 303, 303, 403)},

		// --- Last: signing out (anyone, anon included, goes back home).
		{"POST /logout", "/logout", nil, all(303)},
	}

	// The routes the router serves.
	var routes []string
	err = chi.Walk(f.a.srv.Config.Handler.(*server.Server).Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(routes)
	walked := map[string]bool{}
	for _, r := range routes {
		walked[r] = true
	}
	if len(routes) < 100 {
		t.Fatalf("chi.Walk found only %d routes: %v", len(routes), routes)
	}

	// Both ways: every route has an entry, every entry is a route, once.
	inTable := map[string]bool{}
	for _, row := range expect {
		if inTable[row.route] {
			t.Errorf("%s: two entries in the matrix", row.route)
		}
		inTable[row.route] = true
		if !walked[row.route] {
			t.Errorf("matrix entry %s matches no registered route", row.route)
		}
	}
	for _, r := range routes {
		if !inTable[r] {
			t.Errorf("route %s has no entry in the access matrix", r)
		}
	}

	// Development only: a server built for production has no /dev/mail, and
	// otherwise the same routes.
	t.Run("DevMailOnlyInDev", func(t *testing.T) {
		prod := server.New(server.Config{BaseURL: "http://127.0.0.1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st)
		var got []string
		chi.Walk(prod.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
			got = append(got, method+" "+route)
			return nil
		})
		sort.Strings(got)
		var want []string
		for _, r := range routes {
			if r != "GET /dev/mail" {
				want = append(want, r)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("production routes:\n%s\nwant the development ones less GET /dev/mail", strings.Join(got, "\n"))
		}
	})

	// The calls.
	calls := 0
	for _, row := range expect {
		if !walked[row.route] {
			continue
		}
		method, pattern, _ := strings.Cut(row.route, " ")
		path := f.path(row.path)
		if !rmMatches(pattern, path) || rmBest(routes, method, path) != row.route {
			t.Errorf("%s: the URL sent, %s, is served by %q", row.route, row.path, rmBest(routes, method, path))
			continue
		}
		for i, p := range eaPersonas {
			var form []string
			if row.form != nil {
				form = row.form(p)
			}
			r := f.call(f.clients[p], method, path, form)
			calls++
			want := row.want[i]
			if r.status != want {
				t.Errorf("%-4s %s as %s (%s): %d, want %d", method, pattern, p, row.path, r.status, want)
				continue
			}
			switch {
			case want == http.StatusNotFound && !strings.Contains(r.body, "Page introuvable"):
				t.Errorf("%s %s as %s: 404 without the not-found page", method, pattern, p)
			case want == http.StatusSeeOther && p == "anon" && method == http.MethodGet && !strings.HasPrefix(r.location, "/login?next="):
				t.Errorf("%s %s as anon: redirected to %q, want /login?next=…", method, pattern, r.location)
			}
		}
	}

	// A few effects the table relies on.
	if got := f.q(`SELECT phase FROM engagements WHERE id = $1`, f.ids["bou"]); got != string(domain.PhaseClos) {
		t.Errorf("after the three report validations {bou} is %s, want clos", got)
	}
	if got := f.q(`SELECT count(*) FROM memberships WHERE user_id = $1`, f.ids["eraseUid"]); got != "0" {
		t.Errorf("the erased member still has %s memberships", got)
	}
	if r := f.clients["coach"].get("/account"); r.status != http.StatusSeeOther {
		t.Errorf("GET /account after the coach's logout: %d, want 303", r.status)
	}
	t.Logf("%d routes, %d calls, %s", len(routes), calls, time.Since(start).Round(time.Millisecond))
}

// rmMatches reports whether a path fits a chi pattern: {param} matches one
// non-empty segment, a final * the rest.
func rmMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, s := range ps {
		if s == "*" && i == len(ps)-1 {
			return len(xs) >= len(ps)
		}
		if i >= len(xs) {
			return false
		}
		if strings.HasPrefix(s, "{") {
			if xs[i] == "" {
				return false
			}
		} else if s != xs[i] {
			return false
		}
	}
	return len(xs) == len(ps)
}

// rmBest is the route that serves a path: among the patterns that fit, the
// one with the most static segments, as chi prefers them.
func rmBest(routes []string, method, path string) string {
	best, score := "", -1
	for _, r := range routes {
		m, pattern, _ := strings.Cut(r, " ")
		if m != method || !rmMatches(pattern, path) {
			continue
		}
		n := 0
		for _, s := range strings.Split(pattern, "/") {
			if s != "" && !strings.HasPrefix(s, "{") && s != "*" {
				n++
			}
		}
		if n > score {
			best, score = r, n
		}
	}
	return best
}
