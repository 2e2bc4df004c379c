package demo

import (
	"context"

	"triade/internal/domain"
	"triade/internal/store"
)

func init() { Steps = append(Steps, seedBouclage, seedClosed) }

// coachedEngagement opens an engagement, completes its framing and holds the
// given number of sessions, then moves it to bouclage.
func coachedEngagement(ctx context.Context, sd *Seeder, title string, sessions int) (string, *store.CadrageFile, error) {
	st := sd.Store
	coach, coachee, sponsor := sd.Scope("demo", "coach@demo.test"), sd.Scope("demo", "coachee@demo.test"), sd.Scope("demo", "sponsor@demo.test")
	id, err := st.CreateEngagement(ctx, coach, store.NewEngagement{Title: title, ClientOrgID: sd.Orgs["Industries Horizon"],
		CoachID: coach.UserID, CoacheeID: coachee.UserID, Sponsors: []store.SponsorChoice{{UserID: sponsor.UserID, Kind: "hr"}}}, nil)
	if err != nil {
		return "", nil, err
	}
	if err := completeCadrage(ctx, sd, id, coach, coachee, sponsor); err != nil {
		return "", nil, err
	}
	if err := st.MovePhase(ctx, coach, id, domain.PhaseAccompagnement); err != nil {
		return "", nil, err
	}
	for i := 0; i < sessions; i++ {
		at := sd.At(-40+5*i, 14)
		sid, err := st.PlanSession(ctx, coach, id, at, 90)
		if err != nil {
			return "", nil, err
		}
		if err := st.UpdateSession(ctx, coach, id, store.Session{ID: sid, ScheduledAt: at, Minutes: 90, Status: "held", Version: 1}); err != nil {
			return "", nil, err
		}
		if err := st.RateAutonomy(ctx, coachee, id, sid, domain.PartCoachee, min(2+i/2, 5), ""); err != nil {
			return "", nil, err
		}
	}
	if err := st.MovePhase(ctx, coach, id, domain.PhaseBouclage); err != nil {
		return "", nil, err
	}
	f, err := st.Cadrage(ctx, coach, id)
	return id, f, err
}

// seedBouclage: an engagement in bouclage with its evaluation half done.
func seedBouclage(ctx context.Context, sd *Seeder) error {
	id, f, err := coachedEngagement(ctx, sd, "Prise de fonction — responsable qualité", 8)
	if err != nil {
		return err
	}
	sd.Engagements["bouclage"] = id
	coach, coachee := sd.Scope("demo", "coach@demo.test"), sd.Scope("demo", "coachee@demo.test")
	first := f.Objectives[0].Indicators
	if err := sd.Store.SaveEvaluation(ctx, coach, id, store.Evaluation{IndicatorID: first[0].ID, Part: domain.PartCoach,
		Reached: "1 par semaine", Assessment: "reached", Evidence: "Comptes rendus des douze dernières réunions."}); err != nil {
		return err
	}
	if err := sd.Store.SaveEvaluation(ctx, coachee, id, store.Evaluation{IndicatorID: first[0].ID, Part: domain.PartCoachee,
		Reached: "1 par semaine", Assessment: "reached", Evidence: "Je les anime sans préparation de la direction."}); err != nil {
		return err
	}
	if err := sd.Store.SaveEvaluation(ctx, coach, id, store.Evaluation{IndicatorID: first[1].ID, Part: domain.PartCoach,
		Reached: "2 par mois", Assessment: "partly", Evidence: "Relevé de la direction de site."}); err != nil {
		return err
	}
	// Why it closes short of its contract: for the coachee, not the company.
	return sd.Store.SaveClosingNote(ctx, coach, id, "Les objectifs sont atteints plus tôt que prévu : nous avons convenu de ne pas tenir les dernières séances.")
}

// seedClosed: an engagement closed with its final report validated by all three.
func seedClosed(ctx context.Context, sd *Seeder) error {
	st := sd.Store
	id, f, err := coachedEngagement(ctx, sd, "Management transversal — projet ERP", 8)
	if err != nil {
		return err
	}
	sd.Engagements["clos"] = id
	coach, coachee, sponsor := sd.Scope("demo", "coach@demo.test"), sd.Scope("demo", "coachee@demo.test"), sd.Scope("demo", "sponsor@demo.test")
	results := map[string][2]string{"Réunions d'équipe hebdomadaires animées par le coaché": {"1 par semaine", "reached"},
		"Arbitrages remontés à la direction": {"1 par mois", "reached"}, "Incidents inter-ateliers signalés": {"2 par mois", "partly"}}
	for _, o := range f.Objectives {
		for _, ind := range o.Indicators {
			res := results[ind.Description]
			for _, who := range []struct {
				sc   store.Scope
				part domain.Part
			}{{coach, domain.PartCoach}, {coachee, domain.PartCoachee}} {
				if err := st.SaveEvaluation(ctx, who.sc, id, store.Evaluation{IndicatorID: ind.ID, Part: who.part, Reached: res[0], Assessment: res[1],
					Evidence: "Constaté lors de la séance de bouclage."}); err != nil {
					return err
				}
			}
		}
	}
	if err := st.SaveCoacheeSynthesis(ctx, coachee, id, "J'ai appris à décider sans tout porter seul : les chefs d'atelier arbitrent désormais entre eux, et je garde les sujets de fond.", 1); err != nil {
		return err
	}
	recs := []struct {
		sc      store.Scope
		body    string
		carrier string
		days    int
	}{
		{coach, "Maintenir un point mensuel entre les deux chefs d'atelier, animé par eux.", "coachee", 30},
		{coach, "Entretien de suivi à trois mois avec le manager.", "manager", 90},
		{sponsor, "Inscrire le coaché au parcours managers confirmés.", "hr", 180},
	}
	for _, r := range recs {
		due := sd.At(r.days, 9)
		if err := st.AddRecommendation(ctx, r.sc, id, store.Recommendation{Body: r.body, Carrier: r.carrier, Due: &due}); err != nil {
			return err
		}
	}
	if err := st.SaveFeedback(ctx, sponsor, id, "Changement visible pour les équipes ; les arbitrages ne remontent presque plus."); err != nil {
		return err
	}
	cl, err := st.Closing(ctx, coach, id)
	if err != nil {
		return err
	}
	final := cl.Final
	at := sd.At(-2, 10)
	final.ScheduledAt, final.Held, final.Attendees = &at, true, []string{coach.UserID, coachee.UserID, sponsor.UserID}
	final.Notes = "Le coaché a présenté sa synthèse ; préconisations arrêtées ensemble."
	if err := st.SaveMeeting(ctx, coach, id, final); err != nil {
		return err
	}
	n, err := st.PublishReport(ctx, coach, id)
	if err != nil {
		return err
	}
	if err := st.CommentDocument(ctx, sponsor, id, "report", n, "Rapport clair ; merci d'avoir chiffré les arbitrages."); err != nil {
		return err
	}
	for _, v := range []struct {
		sc   store.Scope
		part domain.Part
	}{{coach, domain.PartCoach}, {coachee, domain.PartCoachee}, {sponsor, domain.PartSponsor}} {
		if _, err := st.ValidateReport(ctx, v.sc, id, n, v.part); err != nil {
			return err
		}
	}
	return nil
}
