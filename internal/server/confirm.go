package server

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/web/views"
)

// confirmStep renders the page that asks before an action that cannot be
// taken back. Reached by GET ".../confirm", it posts to the same URL without
// "/confirm"; tab is the engagement tab it belongs to, v.Back a path inside
// the engagement.
func (s *Server) confirmStep(w http.ResponseWriter, r *http.Request, status int, tab string, v views.ConfirmView) error {
	v.Eng = s.engView(r, tab)
	if v.Action == "" {
		v.Action = strings.TrimSuffix(r.URL.Path, "/confirm")
	}
	v.Back = engPath(r, v.Back)
	s.render(w, r, status, views.ConfirmAction(s.page(r, v.Heading), v))
	return nil
}

// confirmMovePhase says where the engagement goes, that it does not come back,
// and, towards the bouclage, what is left undone.
func (s *Server) confirmMovePhase(w http.ResponseWriter, r *http.Request) error {
	e := eng(r)
	next := e.Phase.Next()
	lines := []string{i18n.T(r.Context(), "phase.confirm."+string(next)), i18n.T(r.Context(), "phase.confirm.final")}
	if next == domain.PhaseBouclage {
		ov, err := s.store.Sessions(r.Context(), scope(r), e.ID)
		if err != nil {
			return err
		}
		lines = append(lines, warningLines(r, ov.Progress)...)
	}
	return s.confirmStep(w, r, http.StatusOK, "", views.ConfirmView{Heading: "phase.confirm", Submit: "gate.move." + string(next), Lines: lines})
}

// warningLines says, in sentences, what the contract still holds: sessions
// not held, actions still open.
func warningLines(r *http.Request, p domain.Progress) []string {
	var out []string
	for _, w := range domain.BouclageWarnings(p) {
		out = append(out, i18n.T(r.Context(), w, "Count", p.WarningCount(w)))
	}
	return out
}

// confirmInterrupt asks for the reason and says that nothing changes after.
func (s *Server) confirmInterrupt(w http.ResponseWriter, r *http.Request) error {
	return s.interruptStep(w, r, http.StatusOK, emptyForm())
}

func (s *Server) interruptStep(w http.ResponseWriter, r *http.Request, status int, f views.Form) error {
	return s.confirmStep(w, r, status, "", views.ConfirmView{Heading: "eng.interrupt", Submit: "eng.interrupt.submit",
		Lines:  []string{i18n.T(r.Context(), "eng.interrupt.confirm"), i18n.T(r.Context(), "confirm.final")},
		Action: engPath(r, "/interrupt"), Reason: "field.interrupt_reason", Form: f})
}

// confirmShareAction: the coachee reads who will see the action and its
// journal before sharing it; taking it back needs no confirmation.
func (s *Server) confirmShareAction(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.ActionDetail(r.Context(), scope(r), eng(r).ID, chi.URLParam(r, "aid"))
	if err != nil {
		return err
	}
	back := "/actions/" + a.ID
	return s.confirmStep(w, r, http.StatusOK, "/actions", views.ConfirmView{Heading: "action.share.confirm", Submit: "action.share",
		Lines:  []string{i18n.T(r.Context(), "action.share.confirm.lead", "Title", a.Title)},
		Hidden: []views.Option{{Label: "share", Value: "on"}}, Back: back})
}
