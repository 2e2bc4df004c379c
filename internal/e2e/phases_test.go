package e2e

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"triade/internal/demo"
	"triade/internal/i18n"
)

// Words of the accompagnement and bouclage pages (web/locales/fr.json).
const (
	msgPhaseMoved    = "L'accompagnement est passé à la phase suivante."
	msgSessionPlan   = "Séance planifiée."
	msgReportNew     = "Nouvelle version du rapport : elle attend les validations."
	msgCommentAdded  = "Commentaire ajouté."
	msgValidated     = "Votre validation est enregistrée."
	msgReportClosed  = "Rapport validé par les trois parties : l'accompagnement est clos."
	notFoundTitle    = "Page introuvable"
	evalWaiting      = "visible quand les deux évaluations sont saisies"
	selfWithheld     = "visible quand le coaché aura validé cette version"
	evalNone         = "pas encore évalué"
	sharedHistory    = "Le coaché partage une action avec le représentant de l'entreprise"
	privateNotesHead = "Mes notes privées"
)

// TestAccompagnementJourney: the coach plans and holds a session with two
// situations, three options, a decision and an action plan of two actions; the
// coachee logs journal entries and completes an action, shares it; the sponsor
// sees the shared action and nothing of the session.
func TestAccompagnementJourney(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	const (
		title     = "Leadership d'équipe — site de Lyon" // the demo engagement whose gate to accompagnement is open
		objective = "Asseoir sa légitimité de manager"
		sit1      = "Répartition des dossiers contestée"
		sit1Ctx   = "Deux chefs d'équipe réclament le même dossier fournisseurs."
		sit2      = "Entretien annuel d'un ancien collègue"
		sit2Ctx   = "Premier entretien annuel mené avec un ancien pair."
		analysis  = "Le coaché cherche à ménager tout le monde et retarde l'arbitrage."
		scenarios = "Jeu de rôle de l'annonce de la répartition, puis variante avec objection."
		decision  = "Annoncer lundi une règle de répartition écrite et la tenir."
		opt1      = "Trancher seul et annoncer"
		opt2      = "Faire proposer une règle par les chefs d'équipe"
		opt3      = "Reporter après l'entretien annuel"
		libItem   = "Leadership situationnel"
		libNote   = "Adapter la délégation au niveau d'autonomie de chaque chef d'équipe."
		actA      = "Écrire à l'équipe la règle de répartition"
		actB      = "Confier le dossier fournisseurs à un chef d'équipe"
		note      = "Hypothèse : la peur de décevoir ses anciens pairs freine l'arbitrage."
		coachWord = "progresse"
		selfWord  = "plus sûr de moi"
		didA      = "J'ai rédigé la règle et je l'ai envoyée."
		hapA      = "Personne ne l'a contestée."
		learntA   = "Écrire clarifie ma propre décision."
		didB      = "J'ai confié le dossier à Karim en réunion."
		hapB      = "L'autre chef d'équipe a accepté sans discuter."
		learntB   = "Annoncer en public évite les marchandages."
		comment   = "Bien vu : notez ce que vous avez ressenti en l'annonçant."
	)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	fr := i18n.WithZone(i18n.WithLang(context.Background(), "fr"), "Europe/Paris")
	now := time.Now().In(paris)
	y := now.AddDate(0, 0, -1)
	heldAt := time.Date(y.Year(), y.Month(), y.Day(), 10, 0, 0, 0, paris)
	heldInput, heldText := heldAt.Format("2006-01-02T15:04"), i18n.DateTime(fr, heldAt)
	due := now.AddDate(0, 0, 14)
	dueInput := due.Format("2006-01-02")
	dueText := i18n.Date(fr, time.Date(due.Year(), due.Month(), due.Day(), 12, 0, 0, 0, paris))

	// 1. The coach opens the engagement and moves it to accompagnement.
	c := b.persona("coach")
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	base := c.goEngagement(title)
	c.wantText(".eng-head .phase", "Cadrage")
	c.wantGate("demo engagement, gate open", gateAll...)
	c.wantText(`main a[href="`+base+`/phase/confirm"]`, moveButton)
	c.wantStatus("move to accompagnement: confirmation", c.click(`main a[href="`+base+`/phase/confirm"]`), 200)
	c.wantStatus("move to accompagnement", c.click(`main form[action="`+base+`/phase"] button`), 200)
	c.wantPath(base)
	c.wantText(".flash", msgPhaseMoved)
	c.wantText(".eng-head .phase", "Accompagnement")
	c.wantText("main dl.facts", "0 / 8")
	if tabs := c.texts(".tabs a"); !slices.Contains(tabs, "Séances") || !slices.Contains(tabs, "Actions d'intersession") {
		c.errorf("tabs %q in accompagnement: want Séances and Actions d'intersession", tabs)
	}

	// 2. Séances: the coach plans session 1 (yesterday), then opens it from the list.
	c.wantStatus("tab sessions", c.click(`.tabs a[href="`+base+`/sessions"]`), 200)
	c.wantText("main h2", "Séances")
	c.wantText("main", "Aucune séance pour l'instant.")
	c.wantValue("minutes", "90")
	c.setValue("at", heldInput)
	c.wantStatus("plan session", c.click(`main form[action="`+base+`/sessions"] button[type="submit"]`), 200)
	sess := c.path()
	if !strings.HasPrefix(sess, base+"/sessions/") {
		c.fatalf("after planning: on %s, want the session's page %s/sessions/<id> (page says %.300q)", sess, base, c.text("main"))
	}
	c.wantText(".flash", msgSessionPlan)
	c.wantText("main h2", "Séance 1 / 8")
	c.wantText("main h2 + p", "Prévue")
	c.wantStatus("tab sessions", c.click(`.tabs a[href="`+base+`/sessions"]`), 200)
	if got := c.cells("main table tbody tr"); !slices.EqualFunc(got, [][]string{{"Séance 1 / 8", heldText, "90", "Prévue"}}, slices.Equal) {
		c.errorf("sessions %q, want one row: Séance 1 / 8, %s, 90, Prévue", got, heldText)
	}
	c.wantText("main dl.facts", "0 / 8")
	c.wantStatus("open session 1", c.followLink("main table", "Séance 1 / 8"), 200)
	c.wantPath(sess)

	// It was held: one button records it as held as planned; here its length
	// changed too, so the form of date, length and status.
	c.wantText(`main form.record-held[action="`+sess+`"] button`, "Enregistrer la séance comme tenue")
	c.openDetails(`main details:has(> form[action="`+sess+`"])`, "Date, durée et statut de la séance")
	c.wantValue("meta-at", heldInput)
	c.wantValue("meta-status", "planned")
	c.fill("meta-min", "75")
	c.choose("meta-status", "held")
	c.wantStatus("mark held", c.click(`main details > form[action="`+sess+`"] button[type="submit"]`), 200)
	c.wantPath(sess)
	c.wantText(".flash", msgSaved)
	c.wantText("main h2 + p", heldText)
	c.wantText("main h2 + p", "75 min")
	c.wantText("main h2 + p .badge", "Tenue")

	// The whole record on one form, in the method's order: each "add" button
	// saves what was typed and brings the next empty row; one save at the end.
	record := `main form[action="` + sess + `/record"] `
	for i, s := range [][2]string{{sit1, sit1Ctx}, {sit2, sit2Ctx}} {
		c.fill(fmt.Sprintf("sit-%d-title", i), s[0])
		c.write(fmt.Sprintf("sit-%d-context", i), s[1])
		if i == 0 {
			c.press(record + `button[value="add-situation"]`) // in place with JavaScript
			c.wantPath(sess)
			c.wantValue("sit-0-title", sit1)
		}
	}
	c.write("analysis", analysis)
	c.write("scenarios", scenarios)
	for i, o := range []string{opt1, opt2, opt3} {
		c.fill(fmt.Sprintf("opt-%d-body", i), o)
		if i < 2 {
			c.press(record + `button[value="add-option"]`)
			c.wantValue("analysis", analysis) // typed before the add: kept
		}
	}
	c.tick("opt-1-chosen")
	c.write("decision", decision)
	c.fill("act-0-title", actA)
	c.press(record + `button[value="add-action"]`)
	c.fill("act-1-title", actB)
	c.chooseLabel("act-1-objective", objective)
	c.setValue("act-1-due", dueInput)
	// A theoretical input from the library, with why.
	lib, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const f = [...document.querySelectorAll('#inputs fieldset')].find(f => f.querySelector('legend').textContent.trim() === %q);
		return f ? f.querySelector('input[type=checkbox]').id : '';
	})()`, libItem)))
	if err != nil || lib == "" {
		c.fatalf("no library item %q to check (%v)", libItem, err)
	}
	c.tick(lib)
	c.fill(lib+"-note", libNote)
	c.write("note", note)
	c.wantStatus("save the session", c.click(record+`button[value="save"]`), 200)
	c.wantPath(sess)
	c.wantText(".flash", msgSaved)
	for name, want := range map[string]string{"sit-0-title": sit1, "sit-0-context": sit1Ctx, "sit-1-title": sit2, "sit-1-context": sit2Ctx,
		"analysis": analysis, "scenarios": scenarios, "decision": decision, "opt-0-body": opt1, "opt-1-body": opt2, "opt-2-body": opt3,
		"act-0-title": actA, "act-1-title": actB, "act-1-due": dueInput, lib + "-note": libNote, "note": note} {
		c.wantValue(name, want)
	}
	if !c.checked("opt-1-chosen") || !c.checked(lib) {
		c.errorf("after saving: the chosen option or the checked input is not kept")
	}
	c.wantText("main section.private h3", privateNotesHead)

	// The coach's own rating of the coachee's autonomy, and a private note.
	c.tick("score-3")
	c.fill("rate-word", coachWord)
	c.wantStatus("rate autonomy", c.click(`main form[action="`+sess+`/autonomy"] button[type="submit"]`), 200)
	c.wantPath(sess)
	c.wantRatings("coach rated", "3 / 5 "+coachWord, "non évaluée")
	if !c.checked("score-3") {
		c.errorf("after rating: own rating 3 not preselected")
	}

	// 3. The coachee reads the session, not the coach's notes, and rates too.
	ce := b.persona("coachee")
	ce.wantStatus("login", ce.login("coachee@demo.test", demo.Password), 200)
	if got := ce.goEngagement(title); got != base {
		ce.fatalf("engagement at %s, want %s", got, base)
	}
	ce.wantText(".eng-head .phase", "Accompagnement")
	ce.wantStatus("coachee tab sessions", ce.click(`.tabs a[href="`+base+`/sessions"]`), 200)
	ce.wantNo("coachee: plan form", `main form[action="`+base+`/sessions"]`)
	ce.wantStatus("coachee opens session 1", ce.followLink("main table", "Séance 1 / 8"), 200)
	ce.wantPath(sess)
	for _, want := range []string{decision, analysis, scenarios, sit1, sit1Ctx, sit2, opt1, opt2, opt3, libItem, libNote, actA, actB} {
		ce.wantText("main", want)
	}
	ce.wantItems("coachee: situations", "Situations professionnelles apportées", sit1, sit2)
	ce.wantItems("coachee: options", "Options", opt1, opt2, opt3)
	ce.wantNotText("main", note)
	ce.wantNotText("main", privateNotesHead)
	ce.wantNo("coachee: private-note section", "main section.private")
	if got := ce.postForms(); !slices.Equal(got, []string{sess + "/autonomy"}) {
		ce.errorf("coachee's forms on the session %q, want only the autonomy rating", got)
	}
	// Blind: the coach's rating is withheld until the coachee has given hers.
	ce.wantRatings("coachee before rating", "visible quand vous aurez donné la vôtre", "non évaluée")
	ce.tick("score-4")
	ce.fill("rate-word", selfWord)
	ce.wantStatus("coachee rates", ce.click(`main form[action="`+sess+`/autonomy"] button[type="submit"]`), 200)
	ce.wantPath(sess)
	ce.wantRatings("coachee rated", "3 / 5 "+coachWord, "4 / 5 "+selfWord)
	if !ce.checked("score-4") || ce.checked("score-3") {
		ce.errorf("after rating: the coachee's own 4 should be preselected, not the coach's 3")
	}

	// Actions d'intersession: both listed; a journal entry on A from the list.
	ce.wantStatus("coachee tab actions", ce.click(`.tabs a[href="`+base+`/actions"]`), 200)
	ce.wantText("main h2", "Actions d'intersession")
	if got := ce.texts("main ul.actions-list > li h3"); !sameSet(got, []string{actA, actB}) {
		ce.fatalf("actions %q, want %q and %q", got, actA, actB)
	}
	hrefA, hrefB := ce.linkHref("main ul.actions-list", actA), ce.linkHref("main ul.actions-list", actB)
	liA, liB := `main ul.actions-list > li:has(h3 a[href="`+hrefA+`"])`, `main ul.actions-list > li:has(h3 a[href="`+hrefB+`"])`
	ce.wantText(liB, "Objectif : "+objective)
	ce.wantText(liB, "échéance : "+dueText)
	ce.wantText(liA, "0 entrée au journal")
	aidA := path.Base(hrefA)
	ce.openDetails(liA+" details", "Noter dans le journal")
	ce.write("q-did-"+aidA, didA)
	ce.write("q-hap-"+aidA, hapA)
	ce.write("q-learnt-"+aidA, learntA)
	ce.wantStatus("quick journal entry on A", ce.click(`main form[action="`+hrefA+`/journal"] button[type="submit"]`), 200)
	ce.wantPath(base + "/actions")
	ce.wantText(".flash", msgSaved)
	ce.wantText(liA, "1 entrée au journal")
	ce.wantText(liB, "0 entrée au journal")

	// B: an entry from its page, done, shared.
	ce.wantStatus("coachee opens B", ce.click(liB+" h3 a"), 200)
	ce.wantPath(hrefB)
	ce.wantText("main h2", actB)
	ce.wantText("main h2 + p", "issue de la séance 1")
	ce.wantText("main", "Le journal est vide.")
	ce.write("did", didB)
	ce.write("happened", hapB)
	ce.write("learnt", learntB)
	ce.wantStatus("journal entry on B", ce.click(`main form[action="`+hrefB+`/journal"] button[type="submit"]`), 200)
	ce.wantPath(hrefB)
	ce.wantText(".flash", msgSaved)
	ce.wantText("main article.card", didB)
	ce.wantText("main article.card", learntB)
	ce.choose("status", "done")
	ce.wantStatus("B done", ce.click(`main form[action="`+hrefB+`/status"] button[type="submit"]`), 200)
	ce.wantPath(hrefB)
	ce.wantText("main h2 + p .badge", "Faite")
	ce.wantText(`main .share`, "ne sont visibles que de vous et de votre coach")
	ce.wantStatus("share B: confirmation", ce.click(`main a[href="`+hrefB+`/share/confirm"]`), 200)
	ce.wantText("main", "Le représentant de l'entreprise verra l'action")
	ce.wantStatus("share B", ce.click(`main form[action="`+hrefB+`/share"] button[type="submit"]`), 200)
	ce.wantPath(hrefB)
	ce.wantText(`main form[action="`+hrefB+`/share"]`, "Vous partagez cette action")
	ce.wantText(`main form[action="`+hrefB+`/share"] button`, "Ne plus partager")

	// 4. The coach reads both actions and comments on the shared one.
	c.wantStatus("coach tab actions", c.click(`.tabs a[href="`+base+`/actions"]`), 200)
	if got := c.texts("main ul.actions-list > li h3"); !sameSet(got, []string{actA, actB}) {
		c.errorf("coach's actions %q, want %q and %q", got, actA, actB)
	}
	c.wantText(liB+" .badge.ok", "Partagée")
	c.wantNo("coach: A not shared", liA+" .badge.ok")
	c.wantNo("coach: quick journal", "main ul.actions-list details")
	c.wantStatus("coach opens B", c.click(liB+" h3 a"), 200)
	c.wantPath(hrefB)
	c.wantText("main article.card", didB)
	c.wantNo("coach: status/share/journal forms", `main form[action="`+hrefB+`/status"], main form[action="`+hrefB+`/share"], main a[href="`+hrefB+`/share/confirm"], main form[action="`+hrefB+`/journal"]`)
	c.write("body", comment)
	c.wantStatus("coach comments B", c.click(`main form[action="`+hrefB+`/comments"] button[type="submit"]`), 200)
	c.wantPath(hrefB)
	c.wantText(".flash", msgSaved)
	c.wantText("main blockquote", comment)
	c.wantText("main blockquote footer", "Coach Démo")

	// 5. The sponsor: the session's date, not its content; the shared action only.
	sp := b.persona("sponsor")
	sp.wantStatus("login", sp.login("sponsor@demo.test", demo.Password), 200)
	if got := sp.goEngagement(title); got != base {
		sp.fatalf("engagement at %s, want %s", got, base)
	}
	sp.wantText(".eng-head .phase", "Accompagnement")
	sp.wantStatus("sponsor tab sessions", sp.click(`.tabs a[href="`+base+`/sessions"]`), 200)
	sp.wantText("main dl.facts", "1 / 8")
	sp.wantText("main dl.facts", "75 min sur 720 min")
	if got := sp.cells("main table tbody tr"); !slices.EqualFunc(got, [][]string{{"Séance 1 / 8", heldText, "75", "Tenue"}}, slices.Equal) {
		sp.errorf("sponsor's sessions %q, want one row: Séance 1 / 8, %s, 75, Tenue", got, heldText)
	}
	sp.wantNo("sponsor: link into the session", `main a[href^="`+base+`/sessions/"]`)
	sp.wantNo("sponsor: autonomy chart", "main section.chart")
	sp.wantNo("sponsor: plan form", `main form[action="`+base+`/sessions"]`)
	for _, secret := range []string{sit1, decision, opt1, libItem, note} {
		sp.wantNotText("main", secret)
	}
	sp.wantStatus("sponsor GET session", sp.open(sess), 404)
	sp.wantText("main h1", notFoundTitle)
	sp.wantNotText("main", decision)

	sp.wantStatus("sponsor overview", sp.open(base), 200)
	sp.wantStatus("sponsor tab actions", sp.click(`.tabs a[href="`+base+`/actions"]`), 200)
	sp.wantText("main p.lead", "Les actions que le coaché a choisi de partager avec vous.")
	if got := sp.texts("main ul.actions-list > li h3"); !slices.Equal(got, []string{actB}) {
		sp.errorf("sponsor's actions %q, want exactly the shared %q", got, actB)
	}
	sp.wantNotText("main", actA)
	sp.wantText(liB, "1 entrée au journal")
	sp.wantText(liB+" .badge", "Faite")
	sp.wantStatus("sponsor opens B", sp.click(liB+" h3 a"), 200)
	sp.wantPath(hrefB)
	for _, want := range []string{didB, hapB, learntB} {
		sp.wantText("main article.card", want)
	}
	sp.wantNotText("main", comment)
	sp.wantNotText("main", "Commentaires du coach")
	if got := sp.postForms(); len(got) != 0 {
		sp.errorf("sponsor on the shared action: forms %q, want none", got)
	}
	sp.wantStatus("sponsor GET action A", sp.open(hrefA), 404)
	sp.wantText("main h1", notFoundTitle)
	sp.wantNotText("main", didA)

	// 6. The coach: the autonomy trend, as a chart and as a table; the share in the history.
	c.wantStatus("coach tab sessions", c.click(`.tabs a[href="`+base+`/sessions"]`), 200)
	c.wantText("main dl.facts", "1 / 8")
	c.find("main section.chart svg.autonomy")
	if got := c.attr("main section.chart svg.autonomy", "role"); got != "img" {
		c.errorf("autonomy chart role=%q, want img", got)
	}
	c.wantText("main section.chart table caption", "Évaluations de l'autonomie, séance par séance")
	// Both of the session's actions come from its action plan: none yet from the coachee.
	if got := c.cells("main section.chart table tbody tr"); !slices.EqualFunc(got, [][]string{{"1", "3 / 5", "4 / 5", "0 sur 2"}}, slices.Equal) {
		c.errorf("autonomy table %q, want one row: 1, 3 / 5, 4 / 5, 0 sur 2", got)
	}
	marks := evalJS[[]float64](c, "autonomy marks", `(() => {
		const s = document.querySelector('main svg.autonomy');
		const cs = s.querySelectorAll('circle'), rs = s.querySelectorAll('rect');
		return [cs.length, rs.length, cs.length ? +cs[0].getAttribute('cy') : -1, rs.length ? +rs[0].getAttribute('y') + 5 : -1];
	})()`)
	if len(marks) != 4 || marks[0] != 1 || marks[1] != 1 {
		c.errorf("autonomy chart: %v circle(s) (coach) and rect(s) (coachee), want one of each", marks)
	} else if marks[3] >= marks[2] {
		c.errorf("autonomy chart: the coachee's 4 (y=%v) is drawn no higher than the coach's 3 (y=%v)", marks[3], marks[2])
	}
	c.wantStatus("coach tab history", c.click(`.tabs a[href="`+base+`/history"]`), 200)
	history := c.cells("main table tbody tr")
	for _, want := range [][2]string{
		{"Coach Démo", "Passage de la phase « Cadrage » à « Accompagnement »"},
		{"Coach Démo", "Séance 1 planifiée"},
		{"Coach Démo", "Séance 1 tenue"},
		{"Coach Démo", "Action d'intersession ajoutée"},
		{"Coaché Démo", sharedHistory},
	} {
		if !slices.ContainsFunc(history, func(r []string) bool { return len(r) == 3 && r[1] == want[0] && r[2] == want[1] }) {
			c.errorf("history lacks %q by %s:\n%q", want[1], want[0], history)
		}
	}
	for _, r := range history {
		for _, secret := range []string{decision, note, didA, didB, comment} {
			if strings.Contains(strings.Join(r, " "), secret) {
				c.errorf("history row %q carries confidential text %q", r, secret)
			}
		}
	}

	// 7. The move to bouclage warns of what remains, and still works.
	c.wantStatus("coach overview", c.click(`.tabs a[href="`+base+`"]`), 200)
	c.wantText("main", "Passer au bouclage")
	notices := c.texts("main p.notice")
	for _, want := range []string{
		"Attention : 7 séances prévues au contrat n'ont pas été tenues.",
		"Attention : 1 action d'intersession est encore ouverte.",
	} {
		if !slices.Contains(notices, want) {
			c.errorf("overview notices %q, want %q", notices, want)
		}
	}
	c.wantText(`main a[href="`+base+`/phase/confirm"]`, "Passer à la phase de bouclage")
	c.wantStatus("move to bouclage: confirmation", c.click(`main a[href="`+base+`/phase/confirm"]`), 200)
	c.wantText("main", "Le retour à la phase précédente n'est pas possible.")
	c.wantStatus("move to bouclage", c.click(`main form[action="`+base+`/phase"] button`), 200)
	c.wantPath(base)
	c.wantText(".flash", msgPhaseMoved)
	c.wantText(".eng-head .phase", "Bouclage")
	c.wantNo("bouclage: move form", `main form[action="`+base+`/phase"], main a[href="`+base+`/phase/confirm"]`)
	tabs := c.texts(".tabs a")
	for _, want := range []string{"Évaluation", "Réunion de bouclage", "Rapport final"} {
		if !slices.Contains(tabs, want) {
			c.errorf("tabs in bouclage %q, want %q", tabs, want)
		}
	}
}

// TestBouclageJourney: from an engagement entering bouclage, coach and coachee
// evaluate two indicators, the coachee writes the synthesis, the coach and
// sponsor add recommendations, all three validate the report, the engagement
// is closed and every form is gone.
func TestBouclageJourney(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	const (
		title = "Prise de fonction — responsable qualité" // the demo engagement in bouclage
		ind1  = "Réunions d'équipe hebdomadaires animées par le coaché"
		ind2  = "Arbitrages remontés à la direction"
		ind3  = "Incidents inter-ateliers signalés"
		// ind1 is evaluated by both in the demo, ind2 by the coach alone, ind3 by nobody.
		synthesis = "J'ai appris à trancher sans attendre l'accord de tous ; les chefs d'atelier arbitrent entre eux les sujets courants."
		finalNote = "Le coaché a présenté sa synthèse ; préconisations arrêtées ensemble."
		rec1      = "Point mensuel du coaché avec son manager sur les arbitrages."
		rec2      = "Inscrire le coaché au parcours managers confirmés."
		feedback  = "Les arbitrages ne remontent presque plus ; l'équipe le confirme."
		docNote   = "Rapport clair ; merci d'avoir chiffré les incidents."
		openAct   = "Présenter le bilan du coaching à l'équipe"
	)
	coachEvals := []eval{
		{ind2, "1 par mois", "reached", "Atteint", "Relevé de la direction de site sur le trimestre."},
		{ind3, "2 par mois", "partly", "Partiellement atteint", "Registre qualité des trois derniers mois."},
	}
	selfEvals := []eval{
		{ind2, "1 à 2 par mois", "partly", "Partiellement atteint", "Il m'arrive encore de remonter les litiges fournisseurs."},
		{ind3, "2 par mois", "partly", "Partiellement atteint", "Les incidents restants viennent du planning."},
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	fr := i18n.WithZone(i18n.WithLang(context.Background(), "fr"), "Europe/Paris")
	now := time.Now().In(paris)
	y := now.AddDate(0, 0, -1)
	finalAt := time.Date(y.Year(), y.Month(), y.Day(), 16, 0, 0, 0, paris)
	finalInput := finalAt.Format("2006-01-02T15:04")
	rd := now.AddDate(0, 3, 0)
	recDue := rd.Format("2006-01-02")
	recDueText := i18n.Date(fr, time.Date(rd.Year(), rd.Month(), rd.Day(), 12, 0, 0, 0, paris))

	// 1. The coach evaluates ind2 (again) and ind3; the coachee's column waits.
	c := b.persona("coach")
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	base := c.goEngagement(title)
	c.wantText(".eng-head .phase", "Bouclage")
	c.wantStatus("tab evaluation", c.click(`.tabs a[href="`+base+`/evaluation"]`), 200)
	c.wantText("main h2", "Évaluation")
	rows := c.indicatorRows("main table.indicators tbody tr")
	if len(rows) != 3 {
		c.fatalf("evaluation table %q, want the three indicators", rows)
	}
	if r := rows[ind3]; len(r) != 5 || r[3] != evalNone || r[4] != evalWaiting {
		c.errorf("%s before any evaluation: %q, want %q then %q", ind3, r, evalNone, evalWaiting)
	}
	// No assessment is chosen beforehand for an indicator not yet evaluated.
	if got := evalJS[string](c, "ind3 assessment", fmt.Sprintf(`(() => {
		const f = [...document.querySelectorAll('main form fieldset')].find(f => f.querySelector('legend').textContent.trim() === %q);
		return f ? f.querySelector('select').value : 'none';
	})()`, ind3)); got != "" {
		c.errorf("%s: assessment %q chosen beforehand, want none", ind3, got)
	}
	c.evaluateAll(base, coachEvals)
	rows = c.indicatorRows("main table.indicators tbody tr")
	for _, ev := range coachEvals {
		r := rows[ev.desc]
		if len(r) != 5 || !strings.Contains(r[3], ev.reached) || !strings.Contains(r[3], ev.label) || !strings.Contains(r[3], ev.evidence) {
			c.errorf("%s, own column %q: want %q, %q, %q", ev.desc, r, ev.reached, ev.label, ev.evidence)
		}
		if len(r) == 5 && r[4] != evalWaiting {
			c.errorf("%s before the coachee's evaluation: other column %q, want %q", ev.desc, r[4], evalWaiting)
		}
	}
	if r := rows[ind1]; len(r) != 5 || !strings.Contains(r[4], "1 par semaine") || strings.Contains(r[4], evalWaiting) {
		c.errorf("%s, evaluated by both in the demo: %q, want both columns", ind1, r)
	}
	labels := evalJS[[]string](c, "chart labels", `[...document.querySelectorAll('main figure.chart svg text')].map(e => e.textContent.trim())`)
	if got := labels; !slices.Equal(got, []string{ind2, ind3}) {
		c.errorf("indicator chart labels %q, want the two indicators with figures %q, %q", got, ind2, ind3)
	}

	// 2. The coachee sees nothing of the coach's evaluations until theirs are in.
	ce := b.persona("coachee")
	ce.wantStatus("login", ce.login("coachee@demo.test", demo.Password), 200)
	if got := ce.goEngagement(title); got != base {
		ce.fatalf("engagement at %s, want %s", got, base)
	}
	ce.wantStatus("coachee tab evaluation", ce.click(`.tabs a[href="`+base+`/evaluation"]`), 200)
	rows = ce.indicatorRows("main table.indicators tbody tr")
	for _, ev := range selfEvals {
		if r := rows[ev.desc]; len(r) != 5 || r[3] != evalNone || r[4] != evalWaiting {
			ce.errorf("%s before the coachee's evaluation: %q, want %q then %q", ev.desc, r, evalNone, evalWaiting)
		}
	}
	for _, ev := range coachEvals {
		ce.wantNotText("main table.indicators", ev.evidence)
	}
	ce.evaluateAll(base, selfEvals)
	rows = ce.indicatorRows("main table.indicators tbody tr")
	for i, ev := range selfEvals {
		r, other := rows[ev.desc], coachEvals[i]
		if len(r) != 5 || !strings.Contains(r[3], ev.reached) || !strings.Contains(r[3], ev.label) ||
			!strings.Contains(r[4], other.reached) || !strings.Contains(r[4], other.label) || !strings.Contains(r[4], other.evidence) {
			ce.errorf("%s after both evaluations: %q, want own %q %q and the coach's %q %q", ev.desc, r, ev.reached, ev.label, other.reached, other.label)
		}
	}
	// During bouclage the coachee keeps working on actions: one stays open.
	ce.wantStatus("coachee tab actions", ce.click(`.tabs a[href="`+base+`/actions"]`), 200)
	ce.fill("title", openAct)
	ce.wantStatus("coachee adds an action", ce.click(`main form[action="`+base+`/actions"] button[type="submit"]`), 200)
	ce.wantPath(base + "/actions")
	ce.wantText("main ul.actions-list", openAct)

	c.wantStatus("coach reloads evaluation", c.click(`.tabs a[href="`+base+`/evaluation"]`), 200)
	rows = c.indicatorRows("main table.indicators tbody tr")
	for i, ev := range coachEvals {
		r, other := rows[ev.desc], selfEvals[i]
		if len(r) != 5 || !strings.Contains(r[3], ev.reached) || !strings.Contains(r[4], other.reached) ||
			!strings.Contains(r[4], other.label) || !strings.Contains(r[4], other.evidence) {
			c.errorf("%s after both evaluations: %q, want own %q and the coachee's %q %q", ev.desc, r, ev.reached, other.reached, other.label)
		}
	}

	// 3. Réunion de bouclage: the coachee's synthesis, hers alone.
	ce.wantStatus("coachee tab closing", ce.click(`.tabs a[href="`+base+`/closing"]`), 200)
	ce.wantText("main h2", "Réunion de bouclage")
	ce.wantNo("coachee: recommendation form", `main form[action="`+base+`/closing/recommendations"]`)
	ce.wantNo("coachee: feedback form", `main form[action="`+base+`/closing/feedback"]`)
	ce.wantNo("coachee: meeting form", `main form[action="`+base+`/closing/meeting"]`)
	ce.write("syn-body", synthesis)
	ce.wantStatus("coachee saves synthesis", ce.click(`main form[action="`+base+`/closing/synthesis"] button[type="submit"]`), 200)
	ce.wantPath(base + "/closing")
	ce.wantText(".flash", msgSaved)
	ce.wantValue("syn-body", synthesis)

	c.wantStatus("coach tab closing", c.click(`.tabs a[href="`+base+`/closing"]`), 200)
	c.wantNo("coach: synthesis form", `main form[action$="/closing/synthesis"]`)
	c.wantNo("coach: synthesis field", "#f-syn-body")
	c.wantText("main", synthesis)
	c.wantNo("coach: feedback form", `main form[action="`+base+`/closing/feedback"]`)
	// The final meeting, held, and a recommendation.
	c.setValue("final-at", finalInput)
	for _, who := range []string{"Coach Démo", "Coaché Démo", "Sponsor Démo"} {
		c.tickLabel(who)
	}
	c.tick("c-final-held")
	c.write("final-notes", finalNote)
	c.wantStatus("save final meeting", c.click(`main form[action="`+base+`/closing/meeting"] button[type="submit"]`), 200)
	c.wantPath(base + "/closing")
	c.wantText(".flash", msgSaved)
	c.wantValue("final-at", finalInput)
	c.wantValue("final-notes", finalNote)
	if got := c.checkedLabels(`main form[action="` + base + `/closing/meeting"]`); len(got) != 4 || !slices.Contains(got, "La réunion a eu lieu") {
		c.errorf("final meeting: boxes ticked after saving %q, want the three attendees and held", got)
	}
	c.write("rec-body", rec1)
	c.chooseLabel("rec-carrier", "Le manager")
	c.setValue("rec-due", recDue)
	c.wantStatus("coach recommends", c.click(`main form[action="`+base+`/closing/recommendations"] button[type="submit"]`), 200)
	c.wantPath(base + "/closing")
	c.wantText(".flash", msgSaved)
	if got := c.cells("main table tbody tr"); len(got) != 1 || len(got[0]) < 3 || got[0][0] != rec1 || got[0][1] != "Le manager" || got[0][2] != recDueText {
		c.errorf("recommendations %q, want one row: %q, Le manager, %s", got, rec1, recDueText)
	}

	// 4. The sponsor adds a recommendation and writes feedback.
	sp := b.persona("sponsor")
	sp.wantStatus("login", sp.login("sponsor@demo.test", demo.Password), 200)
	if got := sp.goEngagement(title); got != base {
		sp.fatalf("engagement at %s, want %s", got, base)
	}
	sp.wantStatus("sponsor tab closing", sp.click(`.tabs a[href="`+base+`/closing"]`), 200)
	sp.wantText("main", synthesis)
	sp.wantText("main table", rec1)
	sp.wantNo("sponsor: synthesis form", `main form[action$="/closing/synthesis"]`)
	sp.wantNo("sponsor: meeting form", `main form[action$="/closing/meeting"]`)
	sp.wantNo("sponsor: delete recommendation", `main form[action*="/closing/recommendations/"]`)
	sp.write("rec-body", rec2)
	sp.chooseLabel("rec-carrier", "Les RH")
	sp.wantStatus("sponsor recommends", sp.click(`main form[action="`+base+`/closing/recommendations"] button[type="submit"]`), 200)
	sp.wantPath(base + "/closing")
	sp.wantText(".flash", msgSaved)
	sp.write("fb-body", feedback)
	sp.wantStatus("sponsor feedback", sp.click(`main form[action="`+base+`/closing/feedback"] button[type="submit"]`), 200)
	sp.wantPath(base + "/closing")
	sp.wantText(".flash", msgSaved)
	sp.wantText("main blockquote", feedback)
	sp.wantText("main blockquote footer", "Sponsor Démo")
	sp.wantValue("fb-body", feedback)
	recs := sp.cells("main table tbody tr")
	if len(recs) != 2 || recs[1][0] != rec2 || recs[1][1] != "Les RH" {
		sp.errorf("recommendations %q, want the coach's then %q carried by Les RH", recs, rec2)
	}

	// 5. The coach creates the report; it shows the whole bouclage.
	c.wantStatus("coach tab report", c.click(`.tabs a[href="`+base+`/report"]`), 200)
	c.wantText("main", "Aucune version du rapport pour l'instant.")
	c.wantStatus("publish report", c.click(`main form[action="`+base+`/report/publish"] button[type="submit"]`), 200)
	c.wantPath(base + "/report/1")
	c.wantText(".flash", msgReportNew)
	c.wantText("article.document h2", title+" — Version 1")
	report := c.indicatorRows("article.document table.indicators tbody tr")
	wantReport := map[string][2]string{ind1: {"aucune", "1 par semaine"}, ind2: {"6 par mois", "1 par mois au plus"}, ind3: {"4 par mois", "1 par mois"}}
	for desc, bt := range wantReport {
		if r := report[desc]; len(r) != 5 || r[1] != bt[0] || r[2] != bt[1] {
			c.errorf("report, %s: %q, want %s → %s then both assessments", desc, r, bt[0], bt[1])
		}
	}
	// The coachee's self-assessment stays with the coachee until they have
	// validated this version: the coach sees their own column only.
	for _, ev := range coachEvals {
		r := report[ev.desc]
		if len(r) != 5 || !strings.Contains(r[3], ev.reached) || !strings.Contains(r[3], ev.label) || r[4] != selfWithheld {
			c.errorf("report, %s: %q, want the coach's %q %q then %q", ev.desc, r, ev.reached, ev.label, selfWithheld)
		}
	}
	wantBoth := func(p *persona, when string) {
		p.t.Helper()
		report := p.indicatorRows("article.document table.indicators tbody tr")
		for i, ev := range coachEvals {
			r, self := report[ev.desc], selfEvals[i]
			if len(r) != 5 || !strings.Contains(r[3], ev.reached) || !strings.Contains(r[3], ev.label) ||
				!strings.Contains(r[4], self.reached) || !strings.Contains(r[4], self.label) {
				p.errorf("report %s, %s: %q, want the coach's %q %q then the coachee's %q %q", when, ev.desc, r, ev.reached, ev.label, self.reached, self.label)
			}
		}
	}
	if got := c.texts("article.document table.indicators thead th"); len(got) < 5 || got[3] != "Évaluation du coach" || got[4] != "Auto-évaluation du coaché" {
		c.errorf("report indicator headers %q, want … Évaluation du coach, Auto-évaluation du coaché", got)
	}
	doc := c.text("article.document")
	for _, want := range []string{synthesis, rec1, rec2, feedback, "Le manager", "Les RH", i18n.DateTime(fr, finalAt)} {
		if !strings.Contains(doc, want) {
			c.errorf("report v1 lacks %q:\n%s", want, doc)
		}
	}
	c.wantValidations("report v1, new", 1)

	// 6. The sponsor comments; the coach reads the comment.
	sp.wantStatus("sponsor tab report", sp.click(`.tabs a[href="`+base+`/report"]`), 200)
	sp.wantStatus("sponsor opens v1", sp.followLink("main table", "Version 1"), 200)
	sp.wantPath(base + "/report/1")
	sp.wantText("article.document", synthesis)
	sp.write("doc-comment", docNote)
	sp.wantStatus("sponsor comments v1", sp.click(`main form[action="`+base+`/report/1/comment"] button[type="submit"]`), 200)
	sp.wantPath(base + "/report/1")
	sp.wantText(".flash", msgCommentAdded)
	sp.wantText("main article.document ~ .screen-only blockquote", docNote)

	c.wantStatus("coach tab report", c.click(`.tabs a[href="`+base+`/report"]`), 200)
	c.wantStatus("coach opens v1", c.followLink("main table", "Version 1"), 200)
	c.wantText("main article.document ~ .screen-only blockquote", docNote)
	c.wantText("main article.document ~ .screen-only blockquote footer", "Sponsor Démo")
	c.wantNo("coach: comment form", `main form[action$="/comment"]`)

	// 7. The three validate; the last validation closes the engagement.
	c.validateReport(base, 1, msgValidated, "Coach Démo (Coach)")
	ce.wantStatus("coachee tab report", ce.click(`.tabs a[href="`+base+`/report"]`), 200)
	ce.wantStatus("coachee opens v1", ce.followLink("main table", "Version 1"), 200)
	ce.wantText("article.document", synthesis)
	wantBoth(ce, "as its coachee")
	ce.validateReport(base, 1, msgValidated, "Coach Démo (Coach)", "Coaché Démo (Coaché)")
	c.wantStatus("coach reopens v1", c.open(base+"/report/1"), 200)
	wantBoth(c, "validated by the coachee")
	sp.wantStatus("sponsor reopens v1", sp.open(base+"/report/1"), 200)
	wantBoth(sp, "validated by the coachee")
	sp.validateReport(base, 1, msgReportClosed, "Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)")
	sp.wantText(".eng-head .phase", "Clos")
	sp.wantText(".eng-head .notice", "lecture seule")
	sp.wantNo("closed: comment form", `main form[action$="/comment"]`)

	// 8. Read-only: no form that writes is left anywhere, for anyone.
	c.wantStatus("coach overview", c.open(base), 200)
	c.wantText(".eng-head .phase", "Clos")
	c.wantText(".eng-head .notice", "Accompagnement clos : il est en lecture seule.")
	c.wantStatus("coach history", c.open(base+"/history"), 200)
	if h := c.texts("main table tbody tr"); !slices.ContainsFunc(h, func(r string) bool { return strings.Contains(r, "Passage de la phase « Bouclage » à « Clos »") }) {
		c.errorf("history lacks the closing:\n%s", strings.Join(h, "\n"))
	}
	for _, p := range []*persona{c, ce, sp} {
		p.wantReadOnly(base)
	}
}

// TestReportPrint: the final report of a closed engagement prints as a clean
// document: no header, navigation, tabs or forms; rows kept whole.
func TestReportPrint(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	const title = "Management transversal — projet ERP" // the closed demo engagement
	c := b.persona("coach")
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	base := c.goEngagement(title)
	c.wantText(".eng-head .phase", "Clos")
	c.wantStatus("tab report", c.click(`.tabs a[href="`+base+`/report"]`), 200)
	c.wantStatus("open v1", c.followLink("main table", "Version 1"), 200)
	c.wantPath(base + "/report/1")
	c.wantText("article.document h2", title+" — Version 1")
	c.wantText("main article.document ~ .screen-only blockquote", "Rapport clair") // the sponsor's comment, on screen

	if _, err := chromedp.Call(c.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatalf("emulate print: %v", err)
	}
	defer chromedp.Call(c.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
	type shown struct {
		Sel   string
		Count int
		Shown int
	}
	probe := func(sels ...string) []shown {
		var out []shown
		for _, sel := range sels {
			n := evalJS[[]int](c, "print "+sel, fmt.Sprintf(`(() => { const es = [...document.querySelectorAll(%q)];
				return [es.length, es.filter(e => e.getClientRects().length > 0).length]; })()`, sel))
			out = append(out, shown{sel, n[0], n[1]})
		}
		return out
	}
	for _, s := range probe("header.top", "header.top nav", ".tabs", "form", "body > footer", ".crumbs", ".screen-only", "main blockquote.card") {
		if s.Count == 0 && s.Sel != "main blockquote.card" {
			t.Errorf("print: nothing matches %s on the report, the probe is wrong", s.Sel)
		}
		if s.Shown > 0 {
			t.Errorf("print: %d of %d element(s) %s still printed, want them hidden", s.Shown, s.Count, s.Sel)
		}
	}
	for _, s := range probe("article.document", "article.document h2", "article.document table.indicators", "article.document table.indicators tbody tr") {
		if s.Count == 0 || s.Shown != s.Count {
			t.Errorf("print: %d of %d element(s) %s printed, want all (and at least one)", s.Shown, s.Count, s.Sel)
		}
	}
	breaks := evalJS[[]string](c, "break-inside", `[...document.querySelectorAll('article.document tr')].map(tr => getComputedStyle(tr).breakInside)`)
	if len(breaks) == 0 {
		t.Errorf("print: no table row in the report")
	}
	for i, v := range breaks {
		if v != "avoid" {
			t.Errorf("print: row %d of the report has break-inside: %s, want avoid", i, v)
		}
	}
	if got := evalJS[string](c, "main width", `getComputedStyle(document.querySelector('main')).maxWidth`); got != "none" {
		t.Errorf("print: main max-width %s, want none (the page's full width)", got)
	}
}

// --- helpers of the accompagnement and bouclage journeys ---------------------

// evalJS evaluates js in the persona's page.
func evalJS[T any](p *persona, what, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.fatalf("%s: %v", what, err)
	}
	return v
}

// goEngagement opens the engagement title from the list in the header's
// navigation and returns its address.
func (p *persona) goEngagement(title string) string {
	p.t.Helper()
	p.wantStatus("nav to engagements", p.click(`header nav a[href="/w/demo/engagements"]`), 200)
	p.wantStatus("open "+title, p.followLink("main table", title), 200)
	p.wantText("main h1", title)
	return strings.TrimSuffix(p.path(), "/")
}

// linkHref is the address of the link of the scope whose text is exactly text.
func (p *persona) linkHref(scope, text string) string {
	p.t.Helper()
	href := evalJS[string](p, "link "+text, fmt.Sprintf(`(() => {
		for (const a of document.querySelectorAll(%q)) if (a.textContent.trim() === %q) return a.getAttribute('href');
		return '';
	})()`, scope+" a", text))
	if href == "" {
		p.fatalf("no link %q in %s on %s", text, scope, p.path())
	}
	return href
}

// cells is the text of each cell of each row the selector finds.
func (p *persona) cells(rows string) [][]string {
	p.t.Helper()
	return evalJS[[][]string](p, "cells of "+rows, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(tr => [...tr.cells].map(c => c.innerText.trim()))`, rows))
}

// indicatorRows is the rows of an indicator table by their first cell.
func (p *persona) indicatorRows(rows string) map[string][]string {
	p.t.Helper()
	out := map[string][]string{}
	for _, r := range p.cells(rows) {
		if len(r) > 0 {
			out[r[0]] = r
		}
	}
	return out
}

// sectionTexts is the text of what sel finds in the section of main headed heading.
func (p *persona) sectionTexts(heading, sel string) []string {
	p.t.Helper()
	return evalJS[[]string](p, "section "+heading, fmt.Sprintf(`(() => {
		const s = [...document.querySelectorAll('main section')].find(s => { const h = s.querySelector('h3'); return h && h.textContent.trim() === %q; });
		return s ? [...s.querySelectorAll(%q)].map(e => e.innerText.trim()) : null;
	})()`, heading, sel))
}

// wantItems fails unless the session's section lists exactly these items.
func (p *persona) wantItems(what, heading string, items ...string) {
	p.t.Helper()
	if got := p.sectionTexts(heading, "ol.items > li > strong"); !slices.Equal(got, items) {
		p.errorf("%s on %s: %q, want %q", what, p.path(), got, items)
	}
}

// wantRatings checks the session's two autonomy ratings as shown; the
// coachee reads hers as "Votre évaluation".
func (p *persona) wantRatings(when, coach, coachee string) {
	p.t.Helper()
	want := []string{"Évaluation du coach : " + coach, "Évaluation du coaché : " + coachee}
	if p.name == "coachee" {
		want[1] = "Votre évaluation : " + coachee
	}
	if got := p.sectionTexts("Autonomie croissante", ":scope > ul > li"); !slices.Equal(got, want) {
		p.errorf("autonomy ratings (%s): %q, want %q", when, got, want)
	}
}

// postForms lists the actions of the page's forms that write, apart from the
// header's logout and the footer's language switch.
func (p *persona) postForms() []string {
	p.t.Helper()
	return evalJS[[]string](p, "forms", `[...document.forms].filter(f => f.method === 'post'
		&& !(f.closest('header.top') && f.getAttribute('action') === '/logout')
		&& !(f.closest('body > footer') && f.getAttribute('action') === '/lang')).map(f => f.getAttribute('action'))`)
}

// wantReadOnly opens every tab of the engagement, and the first page each
// links to (a session, an action, a document version), and fails for any form
// that writes.
func (p *persona) wantReadOnly(base string) {
	p.t.Helper()
	p.wantStatus("overview", p.open(base), 200)
	tabs := p.attrs(".tabs a", "href")
	if len(tabs) == 0 {
		p.fatalf("no tabs on %s", base)
	}
	seen := map[string]bool{}
	check := func(href string) {
		p.t.Helper()
		if seen[href] {
			return
		}
		seen[href] = true
		p.wantStatus("read-only "+href, p.open(href), 200)
		p.wantText(".eng-head .notice", "lecture seule")
		if got := p.postForms(); len(got) > 0 {
			p.errorf("closed engagement, %s: forms that write %q, want none", href, got)
		}
	}
	for _, tab := range tabs {
		check(tab)
		sub := evalJS[string](p, "sub-page of "+tab, fmt.Sprintf(`(() => {
			const a = [...document.querySelectorAll('main a[href^="%s/"]')].find(a => !a.closest('.eng-head')
				&& /\/(sessions|actions|report|synthesis)\/[^\/]+$/.test(a.getAttribute('href')));
			return a ? a.getAttribute('href') : '';
		})()`, base))
		if sub != "" {
			check(sub)
		}
	}
}

// eval is one party's evaluation of one indicator, as typed and as shown.
type eval struct{ desc, reached, assess, label, evidence string }

// evaluateAll fills, on the evaluation page's one form, the evaluation of
// each indicator named, checks that none had an assessment chosen beforehand
// unless stored, sends the form once and finds every value kept.
func (p *persona) evaluateAll(base string, evs []eval) {
	p.t.Helper()
	ids := map[string]string{}
	for _, ev := range evs {
		id := evalJS[string](p, "evaluation fields of "+ev.desc, fmt.Sprintf(`(() => {
		const f = [...document.querySelectorAll('main form fieldset')].find(f => f.querySelector('legend').textContent.trim() === %q);
		return f ? f.id.replace('evaluate-', '') : '';
	})()`, ev.desc))
		if id == "" {
			p.fatalf("no evaluation fields for %q on %s", ev.desc, p.path())
		}
		ids[ev.desc] = id
		p.fill("r-"+id, ev.reached)
		p.choose("a-"+id, ev.assess)
		p.write("ev-"+id, ev.evidence)
	}
	p.wantStatus("evaluate", p.click(`main form[action="`+base+`/evaluation"] button[type="submit"]`), 200)
	p.wantPath(base + "/evaluation")
	p.wantText(".flash", msgSaved)
	for _, ev := range evs {
		id := ids[ev.desc]
		p.wantValue("r-"+id, ev.reached)
		p.wantValue("a-"+id, ev.assess)
		p.wantValue("ev-"+id, ev.evidence)
	}
}

// validateReport presses "Je valide la version n" on the report's page;
// afterwards the page says flash and lists the validations named.
func (p *persona) validateReport(base string, n int, flash string, after ...string) {
	p.t.Helper()
	sel := fmt.Sprintf(`main form[action="%s/report/%d/validate"] button`, base, n)
	p.wantText(sel, fmt.Sprintf("Je valide la version %d", n))
	p.wantStatus(fmt.Sprintf("validate report v%d", n), p.click(sel), 200)
	p.wantPath(fmt.Sprintf("%s/report/%d", base, n))
	p.wantText(".flash", flash)
	p.wantValidations("after validating the report", n, after...)
	p.wantNo(fmt.Sprintf("report v%d validated: validate button", n), `main form[action$="/validate"]`)
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
