package views

import (
	"context"
	"fmt"
	"io"
	"testing"

	"triade/internal/domain"
)

// BenchmarkActionsPage renders the coachee's actions page as the bench's
// dataset has it: 25 actions, half of them open, each open one with its quick
// journal form.
func BenchmarkActionsPage(b *testing.B) {
	eng := Eng{ID: fuzzEngID, Title: "Prise de poste", ClientOrg: "Acme", Base: "/w/demo/e/" + fuzzEngID,
		Phase: domain.PhaseAccompagnement, Part: domain.PartCoachee,
		Parties: []PartyRow{{Me: true, Name: "Coachée", Part: domain.PartCoachee}, {Name: "Coach Démo", Part: domain.PartCoach},
			{Name: "RH Démo", Part: domain.PartSponsor, SponsorKind: "hr"}}}
	v := ActionsView{Eng: eng, CanWork: true, CanAdd: true,
		Statuses: []Option{{Value: "todo", Label: "action.status.todo"}, {Value: "in_progress", Label: "action.status.in_progress"},
			{Value: "done", Label: "action.status.done"}, {Value: "dropped", Label: "action.status.dropped"}}}
	for i := range 25 {
		st := []string{"todo", "in_progress", "done", "dropped"}[i%4]
		v.Actions = append(v.Actions, ActionRow{ID: fmt.Sprintf("a-%d", i), Title: fmt.Sprintf("Action %d", i), Status: st,
			Href: eng.Base + fmt.Sprintf("/actions/a-%d", i), Due: "12 décembre 2026", Entries: 1, Open: i%4 < 2, Shared: i == 0, ProposedBy: "coach"})
	}
	p := Page{Title: "eng.tab.actions", Lang: "fr", CSS: "/static/app.css", Path: "/"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := Actions(p, v).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
