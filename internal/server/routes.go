package server

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"triade/internal/domain"
)

// routes is the URL map of Triade, all of it on one screen.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.realIP, middleware.RequestID, s.accessLog, s.recoverer, s.securityHeaders)
	r.Use(middleware.Timeout(30 * time.Second))
	r.Use(limitBody(1<<20), s.rejectNUL)
	r.Use(http.NewCrossOriginProtection().Handler)

	// No session, no database: cheap and always answerable.
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/static/*", s.serveStatic)

	// chi gives each sub-router its own not-found handler: every level answers
	// with the same page.
	notFound := s.h(func(w http.ResponseWriter, r *http.Request) error { return domain.ErrNotFound })
	r.NotFound(notFound)
	r.MethodNotAllowed(notFound)

	r.Group(func(r chi.Router) {
		r.Use(s.admission.wrap, sessionPerson, s.sessions.LoadAndSave, s.loadPerson)
		r.NotFound(notFound)
		r.MethodNotAllowed(notFound)

		r.Get("/", s.h(s.home))
		r.Get("/login", s.h(s.loginForm))
		r.Post("/login", s.h(s.login))
		r.Post("/logout", s.h(s.logout))
		r.Get("/signup", s.h(s.signupOpen(s.signupForm)))
		r.Post("/signup", s.h(s.signupOpen(s.signup)))
		r.Get("/signup/confirm/{token}", s.h(s.signupOpen(s.signupConfirmForm)))
		r.Post("/signup/confirm/{token}", s.h(s.signupOpen(s.signupConfirm)))
		r.Get("/password/forgot", s.h(s.forgotForm))
		r.Post("/password/forgot", s.h(s.forgot))
		r.Get("/password/reset/{token}", s.h(s.resetForm))
		r.Post("/password/reset/{token}", s.h(s.reset))
		r.Post("/lang", s.h(s.setLang))
		r.Get("/account", s.h(s.signedIn(s.accountForm)))
		r.Post("/account", s.h(s.signedIn(s.account)))
		r.Post("/account/reminders", s.h(s.signedIn(s.saveReminders)))
		r.Post("/account/password", s.h(s.signedIn(s.changePassword)))
		r.Get("/account/2fa", s.h(s.signedIn(s.twoFactorForm)))
		r.Post("/account/2fa", s.h(s.signedIn(s.enableTwoFactor)))
		r.Get("/login/code", s.h(s.loginCodeForm))
		r.Post("/login/code", s.h(s.loginCode))
		r.Post("/account/address", s.h(s.signedIn(s.saveAddressForm)))
		r.Get("/account/export", s.h(s.signedIn(s.export)))
		r.Get("/unsubscribe/{token}", s.h(s.unsubscribeForm))
		r.Post("/unsubscribe/{token}", s.h(s.unsubscribe))
		// The calendar feed: no session, the secret token is the key.
		r.Get("/w/{slug}/calendar/{token}", s.h(s.calendarFeed))
		if s.cfg.Dev {
			r.Get("/dev/mail", s.h(s.devMail))
		}

		// Invitations are taken up before the person is a member.
		r.Get("/w/{slug}/join/{token}", s.h(s.joinForm))
		r.Post("/w/{slug}/join/{token}", s.h(s.join))

		r.Route("/w/{slug}", func(r chi.Router) {
			r.Use(s.workspace)
			r.NotFound(notFound)
			r.MethodNotAllowed(notFound)
			r.Get("/", s.h(s.dashboard))
			r.Get("/members", s.h(s.allow(domain.SeeMembers, s.members)))
			r.Post("/members/{uid}/roles", s.h(s.allow(domain.GrantRoles, s.setRoles)))
			r.Post("/invitations", s.h(s.allow(domain.InviteMembers, s.invite)))
			r.Get("/orgs", s.h(s.allow(domain.ManageOrgs, s.orgs)))
			r.Post("/orgs", s.h(s.allow(domain.ManageOrgs, s.createOrg)))
			r.Get("/orgs/{id}/programme", s.h(s.allow(domain.SeeProgramme, s.programme)))
			r.Get("/orgs/{id}/programme.csv", s.h(s.allow(domain.SeeProgramme, s.programmeCSV)))
			r.Get("/orgs/{id}/programme/print", s.h(s.allow(domain.SeeProgramme, s.programmePrint)))
			r.Get("/orgs/{id}/programme.pdf", s.h(s.allow(domain.SeeProgramme, s.programmePDF)))
			r.Get("/engagements", s.h(s.engagements))
			r.Get("/engagements/new", s.h(s.allow(domain.CreateEngagements, s.newEngagement)))
			r.Post("/engagements", s.h(s.allow(domain.CreateEngagements, s.createEngagement)))

			// One engagement. Each route names the row of the access matrix it
			// touches (domain.Info) and the operation it needs; domain.Allowed
			// judges it with the engagement's phase, and no handler checks it again.
			r.Route("/e/{id}", func(r chi.Router) {
				r.Use(s.engagement)
				r.NotFound(notFound)
				r.MethodNotAllowed(notFound)
				r.Get("/", s.h(s.overview))
				r.Post("/willingness", s.h(s.need(domain.InfoWillingness, domain.Write, s.confirmWillingness)))
				r.Get("/phase/confirm", s.h(s.need(domain.InfoSummary, domain.Write, s.confirmMovePhase)))
				r.Post("/phase", s.h(s.need(domain.InfoSummary, domain.Write, s.movePhase)))
				r.Get("/interrupt/confirm", s.h(s.need(domain.InfoSummary, domain.Write, s.confirmInterrupt)))
				r.Post("/interrupt", s.h(s.need(domain.InfoSummary, domain.Write, s.interrupt)))
				r.Get("/history", s.h(s.need(domain.InfoHistory, domain.Read, s.history)))

				r.Get("/first-meeting", s.h(s.need(domain.InfoDiagnosis, domain.Read, s.firstMeeting)))
				r.Post("/first-meeting", s.h(s.need(domain.InfoDiagnosis, domain.Write, s.saveFirstMeeting)))
				r.Get("/framing", s.h(s.need(domain.InfoSummary, domain.Read, s.framing)))
				r.Post("/framing", s.h(s.need(domain.InfoSummary, domain.Write, s.saveFraming)))
				r.Get("/requests", s.h(s.need(domain.InfoFraming, domain.Read, s.requests)))
				r.Post("/requests/validate", s.h(s.need(domain.InfoFraming, domain.Write, s.validateRequests)))
				r.Post("/requests/company", s.h(s.need(domain.InfoCompanyRequest, domain.Write, s.saveRequest(domain.RequestCompany))))
				r.Post("/requests/coachee", s.h(s.need(domain.InfoCoacheeRequest, domain.Write, s.saveRequest(domain.RequestCoachee))))
				r.Get("/objectives", s.h(s.need(domain.InfoFraming, domain.Read, s.objectives)))
				r.Post("/objectives", s.h(s.need(domain.InfoFraming, domain.Write, s.addObjective)))
				r.Get("/objectives/{oid}/edit", s.h(s.need(domain.InfoFraming, domain.Write, s.editObjective)))
				r.Post("/objectives/{oid}", s.h(s.need(domain.InfoFraming, domain.Write, s.updateObjective)))
				r.Get("/objectives/{oid}/delete/confirm", s.h(s.need(domain.InfoFraming, domain.Write, s.confirmDeleteObjective)))
				r.Post("/objectives/{oid}/delete", s.h(s.need(domain.InfoFraming, domain.Write, s.deleteObjective)))
				r.Post("/objectives/{oid}/move", s.h(s.need(domain.InfoFraming, domain.Write, s.moveObjective)))
				r.Post("/objectives/{oid}/indicators", s.h(s.need(domain.InfoFraming, domain.Write, s.addIndicator)))
				r.Post("/indicators/{iid}", s.h(s.need(domain.InfoFraming, domain.Write, s.updateIndicator)))
				r.Get("/indicators/{iid}/delete/confirm", s.h(s.need(domain.InfoFraming, domain.Write, s.confirmDeleteIndicator)))
				r.Post("/indicators/{iid}/delete", s.h(s.need(domain.InfoFraming, domain.Write, s.deleteIndicator)))
				r.Get("/contract", s.h(s.need(domain.InfoFraming, domain.Read, s.contract)))
				r.Post("/contract", s.h(s.need(domain.InfoFraming, domain.Write, s.saveContract)))
				r.Get("/synthesis", s.h(s.need(domain.InfoSynthesis, domain.Read, s.synthesis)))
				r.Post("/synthesis", s.h(s.need(domain.InfoSynthesis, domain.Write, s.saveSynthesisText)))
				r.Post("/synthesis/publish", s.h(s.need(domain.InfoSynthesis, domain.Write, s.publishSynthesis)))
				r.Get("/synthesis/{n}", s.h(s.need(domain.InfoSynthesis, domain.Read, s.synthesisVersion)))
				r.Get("/synthesis/{n}/print.css", s.h(s.need(domain.InfoSynthesis, domain.Read, s.documentPrintCSS("synthesis"))))
				r.Get("/synthesis/{n}/diff", s.h(s.need(domain.InfoSynthesis, domain.Read, s.documentDiff("synthesis"))))
				r.Get("/synthesis/{n}/pdf", s.h(s.need(domain.InfoSynthesis, domain.Read, s.documentPDF("synthesis"))))
				r.Post("/synthesis/{n}/validate", s.h(s.need(domain.InfoSynthesis, domain.Validate, s.validateSynthesis)))
				r.Get("/meetings", s.h(s.need(domain.InfoMeetingRequests, domain.Read, s.meetings)))
				r.Post("/meetings/ask", s.h(s.need(domain.InfoMeetingRequests, domain.Ask, s.askMeeting)))
				r.Post("/meetings/schedule", s.h(s.need(domain.InfoMeetingRequests, domain.Write, s.scheduleMeeting)))
				r.Post("/meetings/{mid}", s.h(s.need(domain.InfoMeetingRequests, domain.Write, s.saveIntermediate)))

				r.Get("/sessions", s.h(s.need(domain.InfoSessions, domain.Read, s.sessionList)))
				r.Post("/sessions", s.h(s.need(domain.InfoSessions, domain.Write, s.planSession)))
				r.Get("/sessions/{sid}", s.h(s.need(domain.InfoSessionContent, domain.Read, s.session)))
				r.Post("/sessions/{sid}", s.h(s.need(domain.InfoSessions, domain.Write, s.updateSession)))
				r.Post("/sessions/{sid}/record", s.h(s.need(domain.InfoSessionContent, domain.Write, s.saveSessionRecord)))
				r.Post("/sessions/{sid}/autonomy", s.h(s.need(domain.InfoAutonomy, domain.Write, s.rateAutonomy)))

				r.Get("/actions", s.h(s.need(domain.InfoSharedActions, domain.Read, s.actions)))
				r.Post("/actions", s.h(s.need(domain.InfoActions, domain.Write, s.addAction)))
				r.Get("/actions/{aid}", s.h(s.need(domain.InfoSharedActions, domain.Read, s.action)))
				r.Post("/actions/{aid}/status", s.h(s.need(domain.InfoActions, domain.Write, s.setActionStatus)))
				r.Post("/actions/{aid}/journal", s.h(s.need(domain.InfoActions, domain.Write, s.addJournalEntry)))
				r.Get("/actions/{aid}/share/confirm", s.h(s.need(domain.InfoActions, domain.Share, s.confirmShareAction)))
				r.Post("/actions/{aid}/share", s.h(s.need(domain.InfoActions, domain.Share, s.shareAction)))
				r.Post("/actions/{aid}/comments", s.h(s.need(domain.InfoActions, domain.Comment, s.addComment)))

				r.Get("/evaluation", s.h(s.need(domain.InfoEvaluation, domain.Read, s.evaluation)))
				r.Post("/evaluation", s.h(s.need(domain.InfoEvaluation, domain.Write, s.saveEvaluations)))
				r.Post("/evaluation/{iid}", s.h(s.need(domain.InfoEvaluation, domain.Write, s.saveEvaluation)))
				r.Get("/closing", s.h(s.need(domain.InfoClosing, domain.Read, s.closing)))
				r.Post("/closing/meeting", s.h(s.need(domain.InfoClosing, domain.Write, s.saveFinalMeeting)))
				r.Post("/closing/synthesis", s.h(s.need(domain.InfoCoacheeSynth, domain.Write, s.saveCoacheeSynthesis)))
				r.Post("/closing/recommendations", s.h(s.need(domain.InfoRecommendations, domain.Write, s.addRecommendation)))
				r.Post("/closing/recommendations/{rid}/delete", s.h(s.need(domain.InfoClosing, domain.Write, s.deleteRecommendation)))
				r.Post("/closing/note", s.h(s.need(domain.InfoClosing, domain.Write, s.saveClosingNote)))
				r.Post("/closing/feedback", s.h(s.need(domain.InfoFeedback, domain.Write, s.saveFeedback)))
				r.Get("/report", s.h(s.need(domain.InfoClosing, domain.Read, s.report)))
				r.Post("/report/publish", s.h(s.need(domain.InfoClosing, domain.Write, s.publishReport)))
				r.Get("/report/{n}", s.h(s.need(domain.InfoClosing, domain.Read, s.reportVersion)))
				r.Get("/report/{n}/print.css", s.h(s.need(domain.InfoClosing, domain.Read, s.documentPrintCSS("report"))))
				r.Get("/report/{n}/diff", s.h(s.need(domain.InfoClosing, domain.Read, s.documentDiff("report"))))
				r.Get("/report/{n}/pdf", s.h(s.need(domain.InfoClosing, domain.Read, s.documentPDF("report"))))
				r.Post("/report/{n}/validate", s.h(s.need(domain.InfoClosing, domain.Validate, s.validateReport)))
				r.Post("/report/{n}/comment", s.h(s.need(domain.InfoDocComments, domain.Write, s.commentDocument("report"))))
				r.Post("/synthesis/{n}/comment", s.h(s.need(domain.InfoDocComments, domain.Write, s.commentDocument("synthesis"))))
				r.Get("/ics/{kind}/{mid}", s.h(s.need(domain.InfoSummary, domain.Read, s.meetingICS)))
				r.Get("/as-sponsor", s.h(s.need(domain.InfoSponsorView, domain.Read, s.asSponsor)))
			})
			r.Get("/calendar", s.h(s.calendarPage))
			r.Post("/calendar", s.h(s.renewCalendar))
			r.Post("/calendar/revoke", s.h(s.revokeCalendar))
			r.Get("/activity", s.h(s.allow(domain.SeeActivity, s.activity)))
			r.Get("/settings", s.h(s.allow(domain.ManageWorkspace, s.settings)))
			r.Post("/settings", s.h(s.allow(domain.ManageWorkspace, s.saveSettings)))
			r.Get("/settings/letterhead", s.h(s.allow(domain.ManageWorkspace, s.letterhead)))
			r.Post("/settings/letterhead", s.h(s.allow(domain.ManageWorkspace, s.saveLetterhead)))
			r.Post("/settings/2fa", s.h(s.allow(domain.ManageWorkspace, s.saveTwoFactorRule)))
			r.Get("/members/{uid}/erase", s.h(s.allow(domain.ManageWorkspace, s.eraseForm)))
			r.Post("/members/{uid}/erase", s.h(s.allow(domain.ManageWorkspace, s.erase)))
			r.Get("/library", s.h(s.allow(domain.SeeLibrary, s.library)))
			r.Post("/library", s.h(s.allow(domain.ManageLibrary, s.addLibraryItem)))
			r.Post("/library/{item}", s.h(s.allow(domain.ManageLibrary, s.updateLibraryItem)))
			r.Post("/library/{item}/delete", s.h(s.allow(domain.ManageLibrary, s.archiveLibraryItem)))
		})
	})
	s.sponsorView = s.sponsorPages(r, notFound)
	return r
}
