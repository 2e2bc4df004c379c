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
	r.Use(middleware.RequestID, s.accessLog, s.recoverer, securityHeaders)
	r.Use(middleware.Timeout(30 * time.Second))
	r.Use(limitBody(1 << 20))
	r.Use(http.NewCrossOriginProtection().Handler)

	// No session, no database: cheap and always answerable.
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/static/*", s.serveStatic)

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.loadPerson)
		r.NotFound(s.h(func(w http.ResponseWriter, r *http.Request) error { return domain.ErrNotFound }))
		r.MethodNotAllowed(s.h(func(w http.ResponseWriter, r *http.Request) error { return domain.ErrNotFound }))

		r.Get("/", s.h(s.home))
		r.Get("/login", s.h(s.loginForm))
		r.Post("/login", s.h(s.login))
		r.Post("/logout", s.h(s.logout))
		r.Get("/signup", s.h(s.signupForm))
		r.Post("/signup", s.h(s.signup))
		r.Get("/password/forgot", s.h(s.forgotForm))
		r.Post("/password/forgot", s.h(s.forgot))
		r.Get("/password/reset/{token}", s.h(s.resetForm))
		r.Post("/password/reset/{token}", s.h(s.reset))
		r.Post("/lang", s.h(s.setLang))
		r.Get("/account", s.h(s.signedIn(s.accountForm)))
		r.Post("/account", s.h(s.signedIn(s.account)))
		if s.cfg.Dev {
			r.Get("/dev/mail", s.h(s.devMail))
		}

		// Invitations are taken up before the person is a member.
		r.Get("/w/{slug}/join/{token}", s.h(s.joinForm))
		r.Post("/w/{slug}/join/{token}", s.h(s.join))

		r.Route("/w/{slug}", func(r chi.Router) {
			r.Use(s.workspace)
			r.Get("/", s.h(s.dashboard))
			r.Get("/members", s.h(s.allow(domain.SeeMembers, s.members)))
			r.Post("/invitations", s.h(s.allow(domain.InviteMembers, s.invite)))
			r.Get("/orgs", s.h(s.allow(domain.ManageOrgs, s.orgs)))
			r.Post("/orgs", s.h(s.allow(domain.ManageOrgs, s.createOrg)))
		})
	})
	return r
}
