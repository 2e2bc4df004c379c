package demo

import (
	"context"

	"triade/internal/domain"
	"triade/internal/store"
)

func init() { Steps = append(Steps, seedCadrage) }

// seedCadrage adds two engagements with the demo coach, coachee and sponsor: one
// just opened, one whose framing is complete with the gate to accompagnement open.
func seedCadrage(ctx context.Context, sd *Seeder) error {
	st := sd.Store
	coach := sd.Scope("demo", "coach@demo.test")
	coachee := sd.Scope("demo", "coachee@demo.test")
	sponsor := sd.Scope("demo", "sponsor@demo.test")
	parties := store.NewEngagement{ClientOrgID: sd.Orgs["Industries Horizon"], CoachID: coach.UserID, CoacheeID: coachee.UserID,
		Sponsors: []store.SponsorChoice{{UserID: sponsor.UserID, Kind: "hr"}}}

	fresh := parties
	fresh.Title = "Prise de poste — direction des achats"
	if _, err := st.CreateEngagement(ctx, coach, fresh, nil); err != nil {
		return err
	}

	// One engagement ended early, so that the demo shows every phase.
	stopped := parties
	stopped.Title = "Orientation de carrière — mobilité interne"
	sid, err := st.CreateEngagement(ctx, coach, stopped, nil)
	if err != nil {
		return err
	}
	if err := st.ConfirmWillingness(ctx, coach, sid, domain.PartCoach); err != nil {
		return err
	}
	if err := st.Interrupt(ctx, coach, sid, "Le coaché a quitté l'entreprise avant la réunion tripartite."); err != nil {
		return err
	}

	ready := parties
	ready.Title = "Leadership d'équipe — site de Lyon"
	ready.Sponsors = []store.SponsorChoice{{UserID: sponsor.UserID, Kind: "manager"}}
	id, err := st.CreateEngagement(ctx, coach, ready, nil)
	if err != nil {
		return err
	}
	return completeCadrage(ctx, sd, id, coach, coachee, sponsor)
}

// completeCadrage walks an engagement through the whole framing, each step done
// by the person whose step it is, as the pages would.
func completeCadrage(ctx context.Context, sd *Seeder, id string, coach, coachee, sponsor store.Scope) error {
	st := sd.Store
	first := sd.At(-60, 10)
	framing := sd.At(-50, 14)
	steps := []func() error{
		func() error {
			return st.SaveFirstMeeting(ctx, coach, id, &first, store.Diagnosis{Version: 1,
				Stakes:          "Prise de responsabilité d'une équipe de douze personnes, dont d'anciens pairs ; tensions sur la répartition des projets.",
				DraftObjectives: "Asseoir sa légitimité ; déléguer les dossiers courants ; conduire des entretiens de recadrage."})
		},
		func() error { return st.ConfirmWillingness(ctx, coach, id, domain.PartCoach) },
		func() error { return st.ConfirmWillingness(ctx, coachee, id, domain.PartCoachee) },
		func() error {
			return st.SaveRequest(ctx, sponsor, id, domain.RequestCompany,
				"Que le responsable du site pilote son équipe sans arbitrage de la direction et réduise les conflits entre les deux ateliers.", 1)
		},
		func() error {
			return st.SaveRequest(ctx, coachee, id, domain.RequestCoachee,
				"Trouver ma place de manager auprès d'anciens collègues et oser trancher quand les ateliers s'opposent.", 1)
		},
		func() error {
			return st.ValidateRequests(ctx, coach, id, true, true, true,
				"Les deux demandes portent sur la même posture : décider et faire coopérer les ateliers.")
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	f, err := st.Cadrage(ctx, coach, id)
	if err != nil {
		return err
	}
	m := f.Framing
	m.ScheduledAt, m.Held, m.Notes = &framing, true, "Objectifs partagés et précisés ; indicateurs convenus avec la responsable RH."
	m.Attendees = []string{coach.UserID, coachee.UserID, sponsor.UserID}
	if err := st.SaveMeeting(ctx, coach, id, m); err != nil {
		return err
	}
	objectives := []struct {
		title      string
		indicators []store.Indicator
	}{
		{"Asseoir sa légitimité de manager", []store.Indicator{
			{Kind: "observable", Description: "Réunions d'équipe hebdomadaires animées par le coaché", Baseline: "aucune", Target: "1 par semaine", Observe: "Comptes rendus de réunion"},
			{Kind: "performance", Description: "Arbitrages remontés à la direction", Baseline: "6 par mois", Target: "1 par mois au plus", Observe: "Relevé de la direction de site"},
		}},
		{"Réduire les conflits entre ateliers", []store.Indicator{
			{Kind: "performance", Description: "Incidents inter-ateliers signalés", Baseline: "4 par mois", Target: "1 par mois", Observe: "Registre qualité"},
		}},
	}
	for _, o := range objectives {
		oid, err := st.AddObjective(ctx, coach, id, store.Objective{Title: o.title})
		if err != nil {
			return err
		}
		for _, ind := range o.indicators {
			ind.ObjectiveID = oid
			if err := st.AddIndicator(ctx, coach, id, ind); err != nil {
				return err
			}
		}
	}
	sessions, minutes := 8, 90
	start, end := framing.AddDate(0, 0, 7), framing.AddDate(0, 6, 0)
	if err := st.SaveContract(ctx, coach, id, store.Contract{Version: 1, SessionsPlanned: &sessions, SessionMin: &minutes, Start: &start, End: &end,
		Approach:        "Huit séances de 1 h 30 toutes les trois semaines, mises en situation et travail sur les scénarios de décision.",
		Confidentiality: "Le contenu des séances reste entre le coach et le coaché.",
		Exceptions:      "La responsable RH est informée des dates, du nombre de séances réalisées et de l'atteinte des indicateurs convenus."}); err != nil {
		return err
	}
	if err := st.SaveSynthesisText(ctx, coach, id, "Accompagnement centré sur la posture de décision et la coopération entre ateliers.", 1); err != nil {
		return err
	}
	n, err := st.PublishSynthesis(ctx, coach, id)
	if err != nil {
		return err
	}
	for _, v := range []struct {
		sc   store.Scope
		part domain.Part
	}{{coach, domain.PartCoach}, {coachee, domain.PartCoachee}, {sponsor, domain.PartSponsor}} {
		if err := st.ValidateSynthesis(ctx, v.sc, id, n, v.part); err != nil {
			return err
		}
	}
	// The sponsor asks for an intermediate meeting; the coach schedules it.
	if err := st.AskMeeting(ctx, sponsor, id, "Faire un point à mi-parcours avec le directeur de site."); err != nil {
		return err
	}
	_, err = st.ScheduleMeeting(ctx, coach, id, framing.AddDate(0, 3, 0))
	return err
}
