package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/web/views"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 only while the database answers.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ready\n"))
}

// serveStatic serves embedded assets. The stylesheet and the script are linked
// with a hash of their content, so a matching URL may be cached for good.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	if u := r.URL.RequestURI(); r.URL.RawQuery != "" && (u == s.cssURL || u == s.jsURL) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
		s.fail(w, r, domain.ErrNotFound)
		return
	}
	s.static.ServeHTTP(w, r)
}

// signupOpen answers /signup with a page saying so when sign-up is closed:
// workspaces then come from `triade create-admin`, people from invitations.
func (s *Server) signupOpen(fn handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.SignupClosed {
			s.render(w, r, http.StatusForbidden, errorPage(s.page(r, "signup.title"), http.StatusForbidden, "signup.closed"))
			return nil
		}
		return fn(w, r)
	}
}

// devMail lists the outbox: e-mails that would have left over SMTP. Registered
// only in development mode.
func (s *Server) devMail(w http.ResponseWriter, r *http.Request) error {
	mails, err := s.store.Outbox(r.Context(), 50)
	if err != nil {
		return err
	}
	rows := make([]views.OutboxRow, len(mails))
	for i, m := range mails {
		rows[i] = views.OutboxRow{To: m.To, Subject: m.Subject, Body: m.Body, Link: m.Link, Created: i18n.DateTime(r.Context(), m.Created), Sent: m.Sent != nil}
	}
	s.render(w, r, http.StatusOK, views.Outbox(s.page(r, "outbox.title"), rows))
	return nil
}
