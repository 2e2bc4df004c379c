package demo

import (
	"context"

	"triade/internal/domain"
	"triade/internal/store"
)

func init() { Steps = append(Steps, seedLibrary, seedAccompagnement) }

// seedLibrary finds the workspace's library (the starter set every new
// workspace has) by title, for the sessions to link.
func seedLibrary(ctx context.Context, sd *Seeder) error {
	items, err := sd.Store.Library(ctx, sd.Scope("demo", "coach@demo.test"))
	if err != nil {
		return err
	}
	sd.Library = map[string]string{}
	for _, it := range items {
		sd.Library[it.Title] = it.ID
	}
	return nil
}

// seedAccompagnement: an engagement in accompagnement with 4 of its 8 sessions
// held, the fifth planned; actions in every status with journal entries;
// autonomy ratings; one action shared with the sponsor.
func seedAccompagnement(ctx context.Context, sd *Seeder) error {
	st := sd.Store
	coach, coachee, sponsor := sd.Scope("demo", "coach@demo.test"), sd.Scope("demo", "coachee@demo.test"), sd.Scope("demo", "sponsor@demo.test")
	ne := store.NewEngagement{Title: "Conduite du changement — service client", ClientOrgID: sd.Orgs["Industries Horizon"],
		CoachID: coach.UserID, CoacheeID: coachee.UserID, Sponsors: []store.SponsorChoice{{UserID: sponsor.UserID, Kind: "training"}}}
	id, err := st.CreateEngagement(ctx, coach, ne, nil)
	if err != nil {
		return err
	}
	if err := completeCadrage(ctx, sd, id, coach, coachee, sponsor); err != nil {
		return err
	}
	if err := st.MovePhase(ctx, coach, id, domain.PhaseAccompagnement); err != nil {
		return err
	}
	sd.Engagements["accompagnement"] = id
	f, err := st.Cadrage(ctx, coach, id)
	if err != nil {
		return err
	}
	objective := f.Objectives[0].ID

	type plan struct {
		situations []store.Situation
		options    []string
		analysis   string
		decision   string
		actions    []store.NewAction
		coach      int
		coachee    int
		input      string
	}
	start := sd.At(-42, 9)
	plans := []plan{
		{situations: []store.Situation{{Title: "Réunion d'équipe houleuse", Context: "Deux chefs d'atelier se renvoient la responsabilité des retards."}},
			options: []string{"Arbitrer en séance", "Demander à chacun une proposition écrite", "Réunir les deux chefs en tête-à-tête"}, analysis: "Le coaché se place en sauveur et arbitre à la place des chefs d'atelier.",
			decision: "Réunir les deux chefs d'atelier et leur confier la résolution.", coach: 2, coachee: 2, input: "Triangle dramatique de Karpman",
			actions: []store.NewAction{{Title: "Réunir les deux chefs d'atelier", Description: "Leur confier la résolution du conflit de planning."}}},
		{situations: []store.Situation{{Title: "Demande de renfort refusée", Context: "La direction refuse un intérim pour le pic de commandes."}},
			options: []string{"Réorganiser les équipes", "Négocier un report", "Accepter le retard"}, analysis: "Le coaché décide seul sans associer l'équipe.",
			decision: "Construire le plan de charge avec l'équipe.", coach: 3, coachee: 2, input: "Leadership situationnel",
			actions: []store.NewAction{{Title: "Co-construire le plan de charge", Description: "Atelier d'une heure avec les chefs d'équipe."}}},
		{situations: []store.Situation{{Title: "Entretien de recadrage", Context: "Un collaborateur arrive régulièrement en retard."}},
			options: []string{"Rappel écrit", "Entretien individuel", "Laisser faire"}, analysis: "La peur de perdre la relation retarde la décision.",
			decision: "Tenir l'entretien cette semaine.", coach: 3, coachee: 4,
			actions: []store.NewAction{{Title: "Tenir l'entretien de recadrage"}, {Title: "Préparer la grille d'entretien annuel"}}},
		{situations: []store.Situation{{Title: "Premier comité de pilotage", Context: "Présenter les résultats du trimestre à la direction."}},
			options: []string{"Présenter seul", "Faire présenter les chefs d'atelier"}, analysis: "Le coaché gagne en assurance ; il délègue davantage.",
			decision: "Faire présenter chaque chef d'atelier.", coach: 4, coachee: 4,
			actions: []store.NewAction{{Title: "Répéter la présentation avec les chefs d'atelier"}}},
	}
	var actionIDs []string
	for i, p := range plans {
		at := start.AddDate(0, 0, 14*i)
		sid, err := st.PlanSession(ctx, coach, id, at, 90)
		if err != nil {
			return err
		}
		if err := st.UpdateSession(ctx, coach, id, store.Session{ID: sid, ScheduledAt: at, Minutes: 90, Status: "held", Version: 1}); err != nil {
			return err
		}
		// The session's record, as the coach saves it on its one screen.
		note := "Hypothèse : le besoin d'être apprécié freine les décisions."
		rec := store.SessionRecord{Situations: p.situations, Note: &note,
			Content: store.SessionContent{Analysis: p.analysis, Scenarios: "Jeu de rôle de la situation, puis variante.", Decision: p.decision, Version: 1}}
		for _, o := range p.options {
			rec.Options = append(rec.Options, store.Option{Body: o})
		}
		if p.input != "" {
			rec.Inputs = []store.Input{{ItemID: sd.Library[p.input], Note: "Éclairer la posture adoptée dans la situation."}}
		}
		if err := st.SaveSessionRecord(ctx, coach, id, sid, rec); err != nil {
			return err
		}
		for _, a := range p.actions {
			a.SessionID, a.ObjectiveID = sid, objective
			due := at.AddDate(0, 0, 12)
			a.Due = &due
			aid, err := st.AddAction(ctx, coach, id, a)
			if err != nil {
				return err
			}
			actionIDs = append(actionIDs, aid)
		}
		if err := st.RateAutonomy(ctx, coach, id, sid, domain.PartCoach, p.coach, ""); err != nil {
			return err
		}
		if err := st.RateAutonomy(ctx, coachee, id, sid, domain.PartCoachee, p.coachee, "à l'aise"); err != nil {
			return err
		}
	}
	if _, err := st.PlanSession(ctx, coach, id, sd.At(9, 9), 90); err != nil {
		return err
	}
	// A session called off, with its reason: coach and coachee read why, the
	// sponsor only that it was cancelled.
	sid, err := st.PlanSession(ctx, coach, id, sd.At(10, 9), 90)
	if err != nil {
		return err
	}
	if err := st.UpdateSession(ctx, coach, id, store.Session{ID: sid, ScheduledAt: sd.At(10, 9), Minutes: 90, Status: "cancelled",
		CancelReason: "Déplacement imprévu au siège ; séance reportée.", Version: 1}); err != nil {
		return err
	}
	// Actions in every status, each with journal entries; the first is shared.
	statuses := []domain.ActionStatus{domain.ActionDone, domain.ActionDone, domain.ActionInProgress, domain.ActionDropped, domain.ActionTodo}
	for i, aid := range actionIDs {
		if err := st.AddJournalEntry(ctx, coachee, id, aid, store.JournalEntry{Did: "J'ai préparé puis mené l'échange.",
			Happened: "Les chefs d'atelier ont proposé eux-mêmes une solution.", Learnt: "Me taire laisse la place aux autres."}); err != nil {
			return err
		}
		if err := st.SetActionStatus(ctx, coachee, id, aid, statuses[i%len(statuses)]); err != nil {
			return err
		}
	}
	if _, err := st.AddAction(ctx, coachee, id, store.NewAction{Title: "Lire un chapitre sur la délégation", ObjectiveID: objective}); err != nil {
		return err
	}
	if err := st.AddComment(ctx, coach, id, actionIDs[0], "Belle avancée : notez ce que vous avez ressenti en vous taisant."); err != nil {
		return err
	}
	return st.ShareAction(ctx, coachee, id, actionIDs[0], true)
}
