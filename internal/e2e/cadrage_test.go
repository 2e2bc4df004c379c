package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"triade/internal/demo"
)

// The gate to accompagnement, as the overview words it (web/locales/fr.json).
const (
	gateCoachWilling   = "Le coach a confirmé sa volonté de travailler ensemble"
	gateCoacheeWilling = "Le coaché a confirmé sa volonté de travailler ensemble"
	gateFramingHeld    = "La réunion tripartite de cadrage a eu lieu"
	gateCompanyRequest = "La demande de l'entreprise est rédigée et validée"
	gateCoacheeRequest = "La demande du coaché est rédigée et validée"
	gateCoherence      = "La cohérence des deux demandes est validée"
	gateObjectives     = "Au moins un objectif, chacun avec au moins un indicateur"
	gateContract       = "Le contrat est complet"
	gateSynthesis      = "La version actuelle du document de synthèse est validée par le coach, le coaché et l'entreprise"
)

var gateAll = []string{gateCoachWilling, gateCoacheeWilling, gateFramingHeld, gateCompanyRequest, gateCoacheeRequest,
	gateCoherence, gateObjectives, gateContract, gateSynthesis}

const (
	msgSaved     = "Modifications enregistrées."
	gateClosed   = "Il manque encore les éléments marqués ✗."
	moveButton   = "Passer à la phase d'accompagnement"
	noValidation = "Aucune validation"
)

// TestCadrageJourney: the coach, the coachee and the sponsor, each in their
// own browser, carry one new engagement through the whole cadrage with the
// pages alone, up to the move to accompagnement.
func TestCadrageJourney(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	const (
		title     = "Affirmation managériale — atelier de Reims"
		stakes    = "Nouvelle cheffe d'atelier face à une équipe de vingt personnes ; crainte de trancher."
		draftObjs = "Oser décider ; organiser les priorités de l'atelier."
		framingNt = "Objectifs partagés avec la RH ; indicateurs à préciser."
		company   = "Que la cheffe d'atelier arbitre elle-même les priorités de production."
		company2  = "Qu'elle tienne ses décisions face aux chefs d'équipe."
		coacheeRq = "Apprendre à trancher sans m'excuser et à tenir mes décisions."
		coherence = "Les deux demandes visent la même capacité de décision."
		objTitle  = "Décider et tenir ses décisions"
		objDesc   = "Les arbitrages de l'atelier sont pris par la cheffe d'atelier."
		ind1      = "Réunion de priorités animée chaque lundi"
		ind2      = "Arbitrages remontés au directeur d'usine"
		approach  = "Huit séances de 1 h 30, mises en situation de décision."
		confid    = "Le contenu des séances reste entre le coach et la coachée."
		except    = "La RH connaît les dates, le nombre de séances et l'atteinte des indicateurs."
		text1     = "Accompagnement centré sur la posture de décision."
		text2     = "Accompagnement centré sur la posture de décision et la tenue des arbitrages."
	)

	// 1. The coach opens the engagement from the list.
	c := b.persona("coach")
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	c.wantPath("/w/demo/")
	c.wantStatus("nav to engagements", c.click(`header nav a[href="/w/demo/engagements"]`), 200)
	c.wantText("main h1", "Accompagnements")
	c.wantStatus("new engagement", c.followLink("main", "Nouvel accompagnement"), 200)
	c.wantPath("/w/demo/engagements/new")
	c.wantText("main h1", "Nouvel accompagnement")
	if got := c.selectedLabel("coach"); !strings.HasPrefix(got, "Coach Démo") {
		c.errorf("lead coach preselected %q, want the coach themself", got)
	}
	c.fill("title", title)
	c.chooseLabel("client_org", "Industries Horizon")
	c.chooseLabel("coach", "Coach Démo")
	c.chooseLabel("coachee", "Coaché Démo")
	c.chooseLabel("sponsor", "Sponsor Démo")
	c.chooseLabel("sponsor_kind", "Responsable RH")
	c.wantStatus("create engagement", c.click(`main form[action="/w/demo/engagements"] button[type="submit"]`), 200)
	base := c.path()
	if !strings.HasPrefix(base, "/w/demo/e/") || strings.Count(strings.TrimSuffix(base, "/"), "/") != 4 {
		c.fatalf("after creating: on %s, want the engagement's overview /w/demo/e/<id> (page says %.300q)", base, c.text("main"))
	}
	base = strings.TrimSuffix(base, "/")
	c.wantText(".flash", "Accompagnement ouvert, en phase de cadrage.")
	c.wantText("main h1", title)
	c.wantText(".eng-head .phase", "Cadrage")
	c.wantText(".eng-head", "Industries Horizon")
	parties := strings.Join(c.texts(".eng-head .parties li"), "\n")
	for _, want := range []string{"Coach Démo", "Coaché Démo", "Sponsor Démo", "(Responsable RH)"} {
		if !strings.Contains(parties, want) {
			c.errorf("parties %q: want %q", parties, want)
		}
	}
	c.wantGate("new engagement")
	c.wantText("main", gateClosed)
	c.wantNo("new engagement: move button", `main a[href$="/phase/confirm"], main form[action$="/phase"]`)

	// 2. Mutual willingness: the coach and the coachee each confirm their own.
	c.wantText(".todo", "Confirmer votre volonté de travailler ensemble")
	c.wantStatus("coach willingness", c.click(`main form[action$="/willingness"] button`), 200)
	c.wantPath(base)
	c.wantText(".flash", "Votre volonté de travailler ensemble est enregistrée.")
	c.wantLine("main section li", "Coach : confirmée le ")
	c.wantLine("main section li", "Coaché : pas encore confirmée")
	c.wantNo("coach after confirming: willingness button", `main form[action$="/willingness"]`)
	c.wantGate("coach willing", gateCoachWilling)

	ce := b.persona("coachee")
	ce.wantStatus("login", ce.login("coachee@demo.test", demo.Password), 200)
	ce.openEngagement(title, base)
	ce.wantText(".todo", "Confirmer votre volonté de travailler ensemble")
	ce.wantText(".todo", "Rédiger votre demande")
	if tabs := ce.texts(".tabs a"); !slices.Contains(tabs, "Premier rendez-vous") || slices.Contains(tabs, "Historique") {
		ce.errorf("tabs %q: the coachee reads the diagnosis and not the history, want Premier rendez-vous and no Historique", tabs)
	}
	ce.wantStatus("coachee willingness", ce.click(`main form[action$="/willingness"] button`), 200)
	ce.wantPath(base)
	ce.wantText(".flash", "Votre volonté de travailler ensemble est enregistrée.")
	ce.wantLine("main section li", "Coach : confirmée le ")
	ce.wantLine("main section li", "Coaché : confirmée le ")
	ce.wantNo("coachee after confirming: willingness button", `main form[action$="/willingness"]`)
	ce.wantNo("coachee: gate move button", `main a[href$="/phase/confirm"], main form[action$="/phase"]`)

	sp := b.persona("sponsor")
	sp.wantStatus("login", sp.login("sponsor@demo.test", demo.Password), 200)
	sp.openEngagement(title, base)
	tabs := sp.texts(".tabs a")
	if slices.Contains(tabs, "Premier rendez-vous") {
		sp.errorf("tabs %q: the diagnosis is confidential, want no Premier rendez-vous tab for the sponsor", tabs)
	}
	sp.wantNo("sponsor: link to the diagnosis", `main a[href$="/first-meeting"]`)
	if slices.Contains(tabs, "Historique") {
		sp.errorf("tabs %q: want no Historique tab for the sponsor", tabs)
	}
	sp.wantNo("sponsor: willingness button", `main form[action$="/willingness"]`)
	sp.wantText(".todo", "Rédiger la demande de l'entreprise")
	sp.wantStatus("sponsor GET first-meeting", sp.open(base+"/first-meeting"), 404)
	sp.wantText("main h1", "Page introuvable")

	// 3. The coach records the first meeting, then the three-way framing meeting.
	c.wantStatus("open overview", c.open(base), 200)
	c.wantGate("both willing", gateCoachWilling, gateCoacheeWilling)
	c.wantStatus("tab first meeting", c.click(`.tabs a[href="`+base+`/first-meeting"]`), 200)
	c.wantText("main h2", "Premier rendez-vous")
	c.setValue("at", "2026-03-02T09:30")
	c.write("stakes", stakes)
	c.write("draft_objectives", draftObjs)
	c.wantStatus("save first meeting", c.click(`main form[action="`+base+`/first-meeting"] button[type="submit"]`), 200)
	c.wantPath(base + "/first-meeting")
	c.wantText(".flash", msgSaved)
	c.wantValue("at", "2026-03-02T09:30")
	c.wantValue("stakes", stakes)
	c.wantValue("draft_objectives", draftObjs)

	c.wantStatus("tab framing", c.click(`.tabs a[href="`+base+`/framing"]`), 200)
	c.wantText("main h2", "Réunion tripartite")
	c.setValue("framing-at", "2026-03-16T14:00")
	for _, who := range []string{"Coach Démo", "Coaché Démo", "Sponsor Démo"} {
		c.tickLabel(who)
	}
	c.tick("c-framing-held")
	c.write("framing-notes", framingNt)
	c.wantStatus("save framing", c.click(`main form[action="`+base+`/framing"] button[type="submit"]`), 200)
	c.wantPath(base + "/framing")
	c.wantText(".flash", msgSaved)
	c.wantValue("framing-at", "2026-03-16T14:00")
	c.wantValue("framing-notes", framingNt)
	if got := c.checkedLabels(`main form[action="` + base + `/framing"]`); !slices.Equal(got, []string{
		"Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)", "La réunion a eu lieu"}) {
		c.errorf("framing: boxes ticked after saving %q, want the three attendees and held", got)
	}
	c.wantStatus("tab overview", c.click(`.tabs a[href="`+base+`"]`), 200)
	c.wantText("main dl.facts", "2 mars 2026 à 09 h 30")
	c.wantText("main dl.facts", "16 mars 2026 à 14 h 00")
	c.wantText("main dl.facts .badge", "Tenue")
	c.wantGate("meetings", gateCoachWilling, gateCoacheeWilling, gateFramingHeld)

	// The coachee reads the diagnosis; the sponsor sees the meeting, not the diagnosis.
	ce.wantStatus("coachee tab first meeting", ce.click(`.tabs a[href="`+base+`/first-meeting"]`), 200)
	ce.wantText("main", stakes)
	ce.wantText("main", draftObjs)
	ce.wantNo("coachee: first meeting form", `main form[action$="/first-meeting"]`)

	// 4. The two levels of request, each written by its author; the coach validates.
	sp.wantStatus("sponsor overview", sp.open(base), 200)
	sp.wantText("main dl.facts", "16 mars 2026 à 14 h 00")
	sp.wantNotText("main", stakes)
	sp.wantStatus("sponsor todo: company request", sp.followLink(".todo", "Rédiger la demande de l'entreprise"), 200)
	sp.wantPath(base + "/requests")
	sp.wantNo("sponsor: coachee request form", `main form[action$="/requests/coachee"]`)
	sp.wantNo("sponsor: validation form", `main form[action$="/requests/validate"]`)
	sp.write("req-company", company+"\n"+company2)
	sp.wantStatus("save company request", sp.click(`main form[action="`+base+`/requests/company"] button[type="submit"]`), 200)
	sp.wantPath(base + "/requests")
	sp.wantText(".flash", msgSaved)
	sp.wantValue("req-company", company+"\n"+company2)
	sp.wantText("main section.card", "Pas encore validée par le coach")
	sp.wantText("main section.card", "Rédigée par Sponsor Démo")

	ce.wantStatus("coachee overview", ce.click(`.tabs a[href="`+base+`"]`), 200)
	ce.wantStatus("coachee todo: own request", ce.followLink(".todo", "Rédiger votre demande"), 200)
	ce.wantPath(base + "/requests")
	ce.wantNo("coachee: company request form", `main form[action$="/requests/company"]`)
	// Read, the request keeps its two lines.
	ce.wantLines("main section.card p.prose", company, company2)
	ce.write("req-coachee", coacheeRq)
	ce.wantStatus("save coachee request", ce.click(`main form[action="`+base+`/requests/coachee"] button[type="submit"]`), 200)
	ce.wantText(".flash", msgSaved)
	ce.wantValue("req-coachee", coacheeRq)

	c.wantStatus("coach overview", c.open(base), 200)
	c.wantStatus("coach todo: validate requests", c.followLink(".todo", "Valider les demandes et leur cohérence"), 200)
	c.wantPath(base + "/requests")
	c.wantValue("req-company", company+"\n"+company2)
	c.wantValue("req-coachee", coacheeRq)
	c.tick("c-company_ok-on")
	c.tick("c-coachee_ok-on")
	c.tick("c-coherent-on")
	c.write("coherence_comment", coherence)
	c.wantStatus("validate requests", c.click(`main form[action="`+base+`/requests/validate"] button[type="submit"]`), 200)
	c.wantPath(base + "/requests")
	c.wantText(".flash", msgSaved)
	if got := c.texts("main section.card .badge"); len(got) < 2 || got[0] != "Validée par le coach" || got[1] != "Validée par le coach" {
		c.errorf("request badges %q, want both Validée par le coach", got)
	}
	c.wantValue("coherence_comment", coherence)
	if got := c.checkedLabels(`main form[action="` + base + `/requests/validate"]`); len(got) != 3 {
		c.errorf("validation boxes ticked after saving: %q, want all three", got)
	}
	sp.wantStatus("sponsor reloads requests", sp.click(`.tabs a[href="`+base+`/requests"]`), 200)
	sp.wantText("main", "Demandes cohérentes")
	sp.wantText("main", coherence)

	// 5. Objectives and their indicators.
	c.wantStatus("tab objectives", c.click(`.tabs a[href="`+base+`/objectives"]`), 200)
	c.wantText("main", "Aucun objectif pour l'instant.")
	c.fill("new-title", objTitle)
	c.write("new-desc", objDesc)
	c.wantStatus("add objective", c.click(`main form[action="`+base+`/objectives"] button[type="submit"]`), 200)
	c.wantPath(base + "/objectives")
	c.wantText(".flash", msgSaved)
	c.wantText("main section.objective h3", "Objectif 1 — "+objTitle)
	c.wantText("main section.objective", "Aucun indicateur")
	// Objectives read first: each opens as forms by its own edit link.
	c.wantNo("objectives read first: forms", `main section.objective form[action$="/indicators"]`)
	edit := c.attr(`main section.objective a[href*="/edit#objective-"]`, "href")
	oid := strings.TrimPrefix(edit[:strings.Index(edit, "/edit")], base+"/objectives/")
	action := base + "/objectives/" + oid + "/indicators"
	for _, ind := range []struct{ kind, label, desc, baseline, target, obs string }{
		{"observable", "Résultat observable du coaché", ind1, "aucune", "1 par semaine", "Ordres du jour"},
		{"performance", "Indicateur de performance de l'entreprise", ind2, "5 par mois", "1 par mois", "Relevé du directeur d'usine"},
	} {
		c.wantStatus("edit objective", c.click(`main section.objective a[href="`+edit+`"]`), 200)
		c.wantPath(base + "/objectives/" + oid + "/edit")
		c.openDetails(`main section.objective details`, "Ajouter un indicateur")
		c.chooseLabel("n-"+oid+"-kind", ind.label)
		c.fill("n-"+oid+"-desc", ind.desc)
		c.fill("n-"+oid+"-base", ind.baseline)
		c.fill("n-"+oid+"-target", ind.target)
		c.fill("n-"+oid+"-obs", ind.obs)
		c.wantStatus("add indicator "+ind.kind, c.click(`main form[action="`+action+`"] button[type="submit"]`), 200)
		c.wantPath(base + "/objectives")
		if u := c.url(); !strings.HasSuffix(u, "#objective-"+oid) {
			c.errorf("after adding an indicator: %s, want back at the objective", u)
		}
		c.wantText(".flash", msgSaved)
	}
	c.wantText("main section.objective", ind2)
	c.wantStatus("edit objective to read its indicators' forms", c.click(`main section.objective a[href="`+edit+`"]`), 200)
	type indicator struct{ Kind, Desc, Base, Target, Obs string }
	inds, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]indicator](`[...document.querySelectorAll('main section.objective .indicator form:not([action$="/delete"])')].map(f => ({
		Kind: f.elements.kind.value, Desc: f.elements.description.value, Base: f.elements.baseline.value,
		Target: f.elements.target.value, Obs: f.elements.observation.value}))`))
	if err != nil {
		c.fatalf("read indicators: %v", err)
	}
	want := []indicator{{"observable", ind1, "aucune", "1 par semaine", "Ordres du jour"},
		{"performance", ind2, "5 par mois", "1 par mois", "Relevé du directeur d'usine"}}
	if !slices.Equal(inds, want) {
		c.errorf("indicators on the page %+v, want %+v", inds, want)
	}
	// Deleting asks first, saying what goes; "Annuler" comes back unchanged.
	c.wantStatus("delete indicator: confirmation", c.followLink("main section.objective .indicator", "Supprimer l'indicateur"), 200)
	c.wantText("main", "L'indicateur « "+ind1+" » de l'objectif « "+objTitle+" » sera supprimé.")
	c.wantStatus("delete indicator: cancel", c.followLink("main", "Annuler"), 200)
	c.wantPath(base + "/objectives/" + oid + "/edit")
	c.wantStatus("close the objective's forms", c.followLink("main section.objective", "Fermer sans enregistrer"), 200)
	c.wantStatus("delete objective: confirmation", c.followLink("main section.objective", "Supprimer l'objectif"), 200)
	c.wantText("main", "L'objectif « "+objTitle+" » sera supprimé, avec ses 2 indicateurs de progrès.")
	c.wantStatus("delete objective: cancel", c.followLink("main", "Annuler"), 200)
	c.wantPath(base + "/objectives")
	c.wantText("main section.objective h3", "Objectif 1 — "+objTitle)
	c.wantStatus("tab overview", c.click(`.tabs a[href="`+base+`"]`), 200)
	c.wantGate("objectives", gateAll[:7]...)
	c.wantStatus("interrupt: confirmation", c.followLink("main", "Interrompre l'accompagnement"), 200)
	c.wantText("main", "L'accompagnement s'arrêtera pour tous")
	c.wantStatus("interrupt: cancel", c.followLink("main", "Annuler"), 200)
	c.wantPath(base)

	// 6. The contract.
	c.wantStatus("tab contract", c.click(`.tabs a[href="`+base+`/contract"]`), 200)
	c.wantText("main .badge", "Contrat incomplet")
	c.write("approach", approach)
	c.fill("sessions_planned", "8")
	c.fill("session_minutes", "90")
	c.setValue("start", "2026-03-23")
	c.setValue("end", "2026-09-30")
	c.write("confidentiality", confid)
	c.write("exceptions", except)
	c.wantStatus("save contract", c.click(`main form[action="`+base+`/contract"] button[type="submit"]`), 200)
	c.wantPath(base + "/contract")
	c.wantText(".flash", msgSaved)
	c.wantText("main .badge", "Contrat complet")
	for name, v := range map[string]string{"approach": approach, "sessions_planned": "8", "session_minutes": "90",
		"start": "2026-03-23", "end": "2026-09-30", "confidentiality": confid, "exceptions": except} {
		c.wantValue(name, v)
	}
	c.wantStatus("tab overview", c.click(`.tabs a[href="`+base+`"]`), 200)
	c.wantGate("contract", gateAll[:8]...)
	sp.wantStatus("sponsor tab contract", sp.click(`.tabs a[href="`+base+`/contract"]`), 200)
	sp.wantText("main dl.facts", "23 mars 2026")
	sp.wantText("main dl.facts", "30 septembre 2026")
	sp.wantText("main", except)

	// 7. The synthesis, version 1, validated by the three.
	c.wantStatus("tab synthesis", c.click(`.tabs a[href="`+base+`/synthesis"]`), 200)
	c.wantText("main", "Aucune version pour l'instant.")
	c.write("text", text1)
	c.wantStatus("save synthesis text", c.click(`main form[action="`+base+`/synthesis"] button[type="submit"]`), 200)
	c.wantPath(base + "/synthesis")
	c.wantText(".flash", msgSaved)
	c.wantValue("text", text1)
	c.wantStatus("publish v1", c.click(`main button[formaction="`+base+`/synthesis/publish"]`), 200)
	c.wantPath(base + "/synthesis/1")
	c.wantText(".flash", "Nouvelle version créée : elle attend les validations.")
	c.wantText("article.document h2", title+" — Version 1")
	doc := c.text("article.document")
	for _, want := range []string{"Industries Horizon", "Coaché Démo", "Sponsor Démo", company, company2, coacheeRq, coherence, objTitle,
		ind1, ind2, "Résultat observable du coaché", "Indicateur de performance de l'entreprise", "5 par mois",
		approach, confid, except, "23 mars 2026", "30 septembre 2026", text1} {
		if !strings.Contains(doc, want) {
			c.errorf("synthesis v1 lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, stakes) {
		c.errorf("synthesis v1 carries the confidential diagnosis (%q): the sponsor reads it", stakes)
	}
	c.wantLines("article.document section p.prose", company, company2)
	c.wantPrintHides("v1", ".screen-only", ".tabs", `form[action$="/validate"]`)
	c.wantValidations("v1, new", 1)
	c.validate(base, 1, "Coach Démo (Coach)")

	ce.wantStatus("coachee overview", ce.click(`.tabs a[href="`+base+`"]`), 200)
	ce.wantStatus("coachee todo: validate synthesis", ce.followLink(".todo", "Valider la version actuelle du document de synthèse"), 200)
	// The duty leads to the exact version to validate.
	ce.wantPath(base + "/synthesis/1")
	ce.wantNo("coachee: synthesis text form", `main form[action$="/synthesis"]`)
	ce.validate(base, 1, "Coach Démo (Coach)", "Coaché Démo (Coaché)")

	sp.wantStatus("sponsor overview", sp.click(`.tabs a[href="`+base+`"]`), 200)
	sp.wantStatus("sponsor todo: validate synthesis", sp.followLink(".todo", "Valider la version actuelle du document de synthèse"), 200)
	sp.wantPath(base + "/synthesis/1")
	sp.wantNotText("main", stakes)
	sp.validate(base, 1, "Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)")

	c.wantStatus("coach overview", c.open(base), 200)
	c.wantGate("v1 validated", gateAll...)
	c.wantStatus("coach tab synthesis", c.click(`.tabs a[href="`+base+`/synthesis"]`), 200)

	// 8. A new version clears the validations; the old one stays readable.
	c.wantValue("text", text1)
	// Typed and published at once: the text being typed is not lost.
	c.write("text", text2)
	c.wantStatus("publish v2", c.click(`main button[formaction="`+base+`/synthesis/publish"]`), 200)
	c.wantPath(base + "/synthesis/2")
	c.wantText("article.document h2", title+" — Version 2")
	c.wantText("article.document", text2)
	c.wantValidations("v2, new", 2)
	c.find(`main form[action="` + base + `/synthesis/2/validate"] button`)
	c.wantText(`main form[action="`+base+`/synthesis/2/validate"] button`, "Je valide la version 2")

	c.wantStatus("coach tab synthesis", c.click(`.tabs a[href="`+base+`/synthesis"]`), 200)
	rows := c.texts("main table tbody tr")
	if len(rows) != 2 {
		c.fatalf("synthesis versions %q, want two rows", rows)
	}
	if !strings.Contains(rows[0], "Version 2") || !strings.Contains(rows[0], "actuelle") || !strings.Contains(rows[0], noValidation) {
		c.errorf("versions, first row %q: want Version 2, actuelle, %s", rows[0], noValidation)
	}
	for _, want := range []string{"Version 1", "Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)"} {
		if !strings.Contains(rows[1], want) {
			c.errorf("versions, second row %q: want %q", rows[1], want)
		}
	}
	if strings.Contains(rows[1], "actuelle") {
		c.errorf("versions, second row %q: version 1 is no longer the current one", rows[1])
	}

	c.wantStatus("coach overview", c.click(`.tabs a[href="`+base+`"]`), 200)
	c.wantGate("v2 published", gateAll[:8]...)
	c.wantText("main", gateClosed)
	c.wantNo("v2 not validated: move button", `main a[href$="/phase/confirm"], main form[action$="/phase"]`)

	c.wantStatus("coach tab synthesis", c.click(`.tabs a[href="`+base+`/synthesis"]`), 200)
	c.wantStatus("coach opens v1", c.followLink("main table", "Version 1"), 200)
	c.wantPath(base + "/synthesis/1")
	c.wantText("article.document h2", title+" — Version 1")
	c.wantText("article.document", text1)
	c.wantNotText("article.document", text2)
	c.wantValidations("v1, superseded", 1, "Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)")
	c.wantText("article.document .notice", "Une version plus récente existe")
	c.wantNo("v1 superseded: validate button", `main form[action$="/validate"]`)

	// 9. The three validate version 2; the coach passes the gate.
	ce.wantStatus("coachee overview", ce.click(`.tabs a[href="`+base+`"]`), 200)
	ce.wantStatus("coachee todo: validate v2", ce.followLink(".todo", "Valider la version actuelle du document de synthèse"), 200)
	ce.wantPath(base + "/synthesis/2")
	ce.wantText("article.document", text2)
	ce.validate(base, 2, "Coaché Démo (Coaché)")

	sp.wantStatus("sponsor overview", sp.click(`.tabs a[href="`+base+`"]`), 200)
	sp.wantStatus("sponsor todo: validate v2", sp.followLink(".todo", "Valider la version actuelle du document de synthèse"), 200)
	sp.wantPath(base + "/synthesis/2")
	sp.validate(base, 2, "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)")

	c.wantStatus("coach overview", c.click(`.tabs a[href="`+base+`"]`), 200)
	c.wantStatus("coach todo: validate v2", c.followLink(".todo", "Valider la version actuelle du document de synthèse"), 200)
	c.wantPath(base + "/synthesis/2")
	c.validate(base, 2, "Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)")

	c.wantStatus("coach overview", c.click(`.tabs a[href="`+base+`"]`), 200)
	c.wantGate("all done", gateAll...)
	c.wantNotText("main", gateClosed)
	c.wantText(".todo", "Tout est prêt : passer à la phase d'accompagnement")
	c.wantText(`main a[href="`+base+`/phase/confirm"]`, moveButton)
	c.wantStatus("move phase: confirmation", c.click(`main a[href="`+base+`/phase/confirm"]`), 200)
	c.wantText("main", "Le retour à la phase précédente n'est pas possible.")
	c.wantStatus("move phase", c.click(`main form[action="`+base+`/phase"] button`), 200)
	c.wantPath(base)
	c.wantText(".flash", "L'accompagnement est passé à la phase suivante.")
	c.wantText(".eng-head .phase", "Accompagnement")
	c.wantNo("accompagnement: gate checklist", "main ul.checklist")

	c.wantStatus("tab history", c.click(`.tabs a[href="`+base+`/history"]`), 200)
	c.wantText("main h2", "Historique")
	history := c.texts("main table tbody tr")
	for _, want := range []string{
		"Accompagnement ouvert : " + title,
		"Volonté de travailler ensemble confirmée (Coach)",
		"Volonté de travailler ensemble confirmée (Coaché)",
		"Document de synthèse : version 1 créée",
		"Document de synthèse : version 2 créée",
		"Version 1 de la synthèse validée (Coach)",
		"Version 1 de la synthèse validée (Coaché)",
		"Version 1 de la synthèse validée (Représentant de l'entreprise)",
		"Version 2 de la synthèse validée (Coach)",
		"Version 2 de la synthèse validée (Coaché)",
		"Version 2 de la synthèse validée (Représentant de l'entreprise)",
		"Passage de la phase « Cadrage » à « Accompagnement »",
	} {
		if !slices.ContainsFunc(history, func(r string) bool { return strings.Contains(r, want) }) {
			c.errorf("history lacks %q:\n%s", want, strings.Join(history, "\n"))
		}
	}
	if i := slices.IndexFunc(history, func(r string) bool { return strings.Contains(r, "Passage de la phase") }); i >= 0 {
		if !strings.Contains(history[i], "Coach Démo") {
			c.errorf("history: phase move %q, want it by Coach Démo", history[i])
		}
	}
	if i := slices.IndexFunc(history, func(r string) bool { return strings.Contains(r, "Version 2 de la synthèse validée (Représentant") }); i >= 0 {
		if !strings.Contains(history[i], "Sponsor Démo") {
			c.errorf("history: sponsor's validation %q, want it by Sponsor Démo", history[i])
		}
	}

	// The others see the new phase too.
	sp.wantStatus("sponsor overview after the move", sp.click(`.tabs a[href="`+base+`"]`), 200)
	sp.wantText(".eng-head .phase", "Accompagnement")
	sp.wantStatus("sponsor GET history", sp.open(base+"/history"), 404)
	sp.wantText("main h1", "Page introuvable")
}

// TestCadrageFormErrorsKeepInput: a contract with 0 sessions and an end before
// its start comes back with the errors beside those fields and the rest as
// typed; nothing is saved.
func TestCadrageFormErrorsKeepInput(t *testing.T) {
	env, b := setup(t)
	if _, err := demo.Seed(context.Background(), env.Store); err != nil {
		t.Fatal(err)
	}
	const title = "Leadership d'équipe — site de Lyon" // the demo engagement whose contract is filled in
	c := b.persona("coach")
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	c.wantStatus("nav to engagements", c.click(`header nav a[href="/w/demo/engagements"]`), 200)
	c.wantStatus("open engagement", c.followLink("main table", title), 200)
	base := strings.TrimSuffix(c.path(), "/")
	c.wantText("main h1", title)
	c.wantStatus("tab contract", c.click(`.tabs a[href="`+base+`/contract"]`), 200)
	c.wantText("main .badge", "Contrat complet")
	fields := []string{"approach", "sessions_planned", "session_minutes", "start", "end", "confidentiality", "exceptions"}
	old := map[string]string{}
	for _, f := range fields {
		old[f] = c.value(f)
	}
	if old["sessions_planned"] != "8" || old["start"] == "" || old["end"] == "" {
		c.fatalf("the demo contract is not filled in as expected: %v", old)
	}

	typed := map[string]string{
		"approach":         "Six séances rapprochées, puis deux à distance.",
		"sessions_planned": "0",
		"session_minutes":  "60",
		"start":            "2026-05-04",
		"end":              "2026-04-01",
		"confidentiality":  "Rien ne sort des séances sans l'accord du coaché.",
		"exceptions":       "Les dates seulement.",
	}
	c.write("approach", typed["approach"])
	c.fill("sessions_planned", typed["sessions_planned"])
	c.fill("session_minutes", typed["session_minutes"])
	c.setValue("start", typed["start"])
	c.setValue("end", typed["end"])
	c.write("confidentiality", typed["confidentiality"])
	c.write("exceptions", typed["exceptions"])
	c.wantStatus("save wrong contract", c.click(`main form[action="`+base+`/contract"] button[type="submit"]`), 422)
	c.wantPath(base + "/contract")
	c.wantText(".form-error", "Le formulaire n'a pas été enregistré")
	if got := c.texts(".flash"); len(got) != 0 {
		c.errorf("refused contract: flash %q, want none", got)
	}
	c.wantText("#e-sessions_planned", "Saisissez un nombre dans les limites permises.")
	c.wantText("#e-end", "La fin ne peut précéder le début.")
	for _, f := range []string{"sessions_planned", "end"} {
		if got := c.attr("#f-"+f, "aria-invalid"); got != "true" {
			c.errorf("#f-%s aria-invalid=%q, want true", f, got)
		}
		if got := c.attr("#f-"+f, "aria-describedby"); !strings.Contains(got, "e-"+f) {
			c.errorf("#f-%s aria-describedby=%q, want it to name e-%s", f, got, f)
		}
	}
	for _, f := range []string{"approach", "session_minutes", "start", "confidentiality", "exceptions"} {
		if got := c.texts("#e-" + f); len(got) != 0 {
			c.errorf("error beside the valid %s: %q", f, got)
		}
		if got := c.attr("#f-"+f, "aria-invalid"); got != "false" {
			c.errorf("#f-%s aria-invalid=%q, want false", f, got)
		}
	}
	for _, f := range fields {
		c.wantValue(f, typed[f])
	}

	// Nothing was saved: the page, opened again, shows the stored contract.
	c.wantStatus("tab contract again", c.click(`.tabs a[href="`+base+`/contract"]`), 200)
	c.wantText("main .badge", "Contrat complet")
	if got := c.texts(".form-error"); len(got) != 0 {
		c.errorf("reopened contract: form error %q, want none", got)
	}
	for _, f := range fields {
		c.wantValue(f, old[f])
	}
}

// --- helpers of the cadrage journeys -----------------------------------------

// followLink clicks the link of the scope whose text is exactly text.
func (p *persona) followLink(scope, text string) int {
	p.t.Helper()
	p.find(scope)
	js := fmt.Sprintf(`(() => {
		for (const a of document.querySelectorAll(%q)) if (a.textContent.trim() === %q) return a.getAttribute('href');
		return '';
	})()`, scope+" a", text)
	href, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil || href == "" {
		p.fatalf("no link %q in %s on %s (%v): %.500q", text, scope, p.path(), err, p.text(scope))
	}
	return p.click(scope + ` a[href="` + href + `"]`)
}

// openEngagement goes to the engagement list from the header and opens title.
func (p *persona) openEngagement(title, base string) {
	p.t.Helper()
	p.wantStatus("nav to engagements", p.click(`header nav a[href="/w/demo/engagements"]`), 200)
	p.wantStatus("open "+title, p.followLink("main table", title), 200)
	p.wantPath(base)
	p.wantText("main h1", title)
	p.wantText(".eng-head .phase", "Cadrage")
}

// chooseLabel picks the option of the select #f-<name> whose text starts with label.
func (p *persona) chooseLabel(name, label string) {
	p.t.Helper()
	p.find("#f-" + name)
	js := fmt.Sprintf(`(() => {
		const o = [...document.getElementById(%q).options].find(o => o.textContent.trim().startsWith(%q));
		return o ? o.value : '\x00';
	})()`, "f-"+name, label)
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil || v == "\x00" {
		p.fatalf("no option %q in #f-%s (%v)", label, name, err)
	}
	p.choose(name, v)
	if got := p.selectedLabel(name); !strings.HasPrefix(got, label) {
		p.fatalf("#f-%s shows %q after choosing %q", name, got, label)
	}
}

// selectedLabel is the text of the selected option of #f-<name>.
func (p *persona) selectedLabel(name string) string {
	p.t.Helper()
	p.find("#f-" + name)
	js := fmt.Sprintf(`(() => { const s = document.getElementById(%q); return s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].textContent.trim(); })()`, "f-"+name)
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.fatalf("selected option of #f-%s: %v", name, err)
	}
	return v
}

// write types into the text area (or field) #f-<name>, replacing what it held.
// The helpers' fill cannot clear an empty text area: chromedp.Clear wants the
// text area to have a text node ("textarea node … does not have child #text
// node"), and chromedp.SetValue(sel, "") on a text area reports "could not
// set value on node" (chromedp v0.23, Chromium 148).
func (p *persona) write(name, value string) {
	p.t.Helper()
	sel := chromedp.ID("f-" + name)
	p.find("#f-" + name)
	empty := chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ''`, "f-"+name))
	if err := chromedp.Do(p.ctx, empty, chromedp.SendKeys(sel, value)); err != nil {
		p.fatalf("write into #f-%s: %v", name, err)
	}
	if got := p.value(name); got != value {
		p.fatalf("#f-%s holds %q after typing %q", name, got, value)
	}
}

// setValue sets the value of #f-<name> at once, as a date or time picker does
// (typing into date inputs depends on the browser's locale).
func (p *persona) setValue(name, value string) {
	p.t.Helper()
	p.find("#f-" + name)
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.ID("f-"+name), value)); err != nil {
		p.fatalf("set #f-%s: %v", name, err)
	}
	if got := p.value(name); got != value {
		p.fatalf("#f-%s holds %q after setting %q", name, got, value)
	}
}

// wantValue fails unless #f-<name> holds want.
func (p *persona) wantValue(name, want string) {
	p.t.Helper()
	if got := p.value(name); got != want {
		p.errorf("on %s, #f-%s holds %q, want %q", p.path(), name, got, want)
	}
}

// tick checks the checkbox #id (a click on it, if it is not yet checked).
func (p *persona) tick(id string) {
	p.t.Helper()
	p.find("#" + id)
	if !p.checked(id) {
		if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.ID(id))); err != nil {
			p.fatalf("click #%s: %v", id, err)
		}
	}
	if !p.checked(id) {
		p.fatalf("#%s still unchecked after a click", id)
	}
}

// tickLabel checks the checkbox whose label starts with label.
func (p *persona) tickLabel(label string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const l = [...document.querySelectorAll('main label')].find(l => l.textContent.trim().startsWith(%q) && l.control && l.control.type === 'checkbox');
		return l ? l.htmlFor : '';
	})()`, label)
	id, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
	if err != nil || id == "" {
		p.fatalf("no checkbox labelled %q on %s (%v)", label, p.path(), err)
	}
	p.tick(id)
}

func (p *persona) checked(id string) bool {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById(%q).checked`, id)))
	if err != nil {
		p.fatalf("checkbox #%s: %v", id, err)
	}
	return v
}

// checkedLabels are the labels of the checked boxes in the form.
func (p *persona) checkedLabels(form string) []string {
	p.t.Helper()
	js := fmt.Sprintf(`[...document.querySelectorAll(%q)].map(i => i.labels[0] ? i.labels[0].textContent.trim() : i.id)`, form+` input[type="checkbox"]:checked`)
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		p.fatalf("checked boxes in %s: %v", form, err)
	}
	return v
}

// openDetails opens the disclosure sel by clicking its summary (no page load),
// then audits the page with the revealed form.
func (p *persona) openDetails(sel, summary string) {
	p.t.Helper()
	p.wantText(sel+" > summary", summary)
	open, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).open`, sel)))
	if err != nil {
		p.fatalf("details %s: %v", sel, err)
	}
	if !open {
		if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel+" > summary"))); err != nil {
			p.fatalf("open %s: %v", sel, err)
		}
	}
	p.audit("after opening " + summary)
}

// wantNo fails if anything matches the selector.
func (p *persona) wantNo(what, sel string) {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		p.fatalf("%s: %v", what, err)
	}
	if n > 0 {
		p.errorf("%s: %d element(s) %s on %s, want none", what, n, sel, p.path())
	}
}

// wantNotText fails if the element's text contains text.
func (p *persona) wantNotText(sel, text string) {
	p.t.Helper()
	if got := p.text(sel); strings.Contains(got, text) {
		p.errorf("%s on %s shows %q, want it absent", sel, p.path(), text)
	}
}

// wantLine fails unless one of the elements' texts starts with prefix.
func (p *persona) wantLine(sel, prefix string) {
	p.t.Helper()
	got := p.texts(sel)
	if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
		p.errorf("%s on %s: %q, want a line starting %q", sel, p.path(), got, prefix)
	}
}

// wantGate checks the overview's checklist: every item of the gate listed in
// order, those done marked ✓ (and said "fait" to screen readers only), the
// others ✗ ("manquant").
func (p *persona) wantGate(when string, done ...string) {
	p.t.Helper()
	type item struct {
		Label, Mark, Said string
		Done, SaidVisible bool
	}
	items, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]item](`[...document.querySelectorAll('main ul.checklist li')].map(li => {
		const shown = li.querySelector('.visually-hidden');
		const r = shown ? shown.getBoundingClientRect() : {width: 0, height: 0};
		const c = li.cloneNode(true);
		const mark = c.querySelector('.mark'), said = c.querySelector('.visually-hidden');
		if (mark) mark.remove();
		if (said) said.remove();
		return {Label: c.textContent.trim(), Mark: mark ? mark.textContent.trim() : '', Said: said ? said.textContent.trim() : '',
			Done: li.classList.contains('done'), SaidVisible: r.width > 1 && r.height > 1};
	})`))
	if err != nil {
		p.fatalf("gate (%s): %v", when, err)
	}
	var labels []string
	for _, it := range items {
		labels = append(labels, it.Label)
	}
	if !slices.Equal(labels, gateAll) {
		p.errorf("gate (%s): items %q, want %q", when, labels, gateAll)
		return
	}
	var bad, shown []string
	for _, it := range items {
		if it.SaidVisible {
			shown = append(shown, it.Said)
		}
		want := slices.Contains(done, it.Label)
		mark, said := "✗", "manquant :"
		if want {
			mark, said = "✓", "fait :"
		}
		if it.Done != want || it.Mark != mark || it.Said != said {
			bad = append(bad, fmt.Sprintf("%s %q (done=%v, said %q), want %s", it.Mark, it.Label, it.Done, it.Said, mark))
		}
	}
	if len(shown) > 0 {
		bad = append(bad, fmt.Sprintf("%d item(s) show on screen, beside their mark, the words meant for screen readers only (.visually-hidden): %q", len(shown), shown))
	}
	if len(bad) > 0 {
		p.errorf("gate (%s):\n  %s", when, strings.Join(bad, "\n  "))
	}
}

// wantValidations checks the validations listed on the page of version n, in
// any order: exactly one line "<name> (<part>), <when>" per name.
func (p *persona) wantValidations(when string, n int, names ...string) {
	p.t.Helper()
	got := p.texts("article.document section:last-of-type li")
	if len(names) == 0 {
		p.wantText("article.document section:last-of-type", noValidation)
	}
	if len(got) != len(names) {
		p.errorf("version %d (%s): validations %q, want %d: %q", n, when, got, len(names), names)
		return
	}
	for _, name := range names {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, name+", ") }) {
			p.errorf("version %d (%s): validations %q, want one by %q", n, when, got, name)
		}
	}
}

// validate presses "Je valide la version n" on its page; afterwards the page
// lists the validations named.
func (p *persona) validate(base string, n int, after ...string) {
	p.t.Helper()
	sel := fmt.Sprintf(`main form[action="%s/synthesis/%d/validate"] button`, base, n)
	p.wantText(sel, fmt.Sprintf("Je valide la version %d", n))
	p.wantStatus(fmt.Sprintf("validate v%d", n), p.click(sel), 200)
	p.wantPath(fmt.Sprintf("%s/synthesis/%d", base, n))
	p.wantText(".flash", "Votre validation est enregistrée.")
	p.wantValidations("after validating", n, after...)
	p.wantNo(fmt.Sprintf("v%d validated: validate button", n), `main form[action$="/validate"]`)
}

// wantLines fails unless the element shows the lines, one under the other, as
// they were typed.
func (p *persona) wantLines(sel string, lines ...string) {
	p.t.Helper()
	if got, want := p.text(sel), strings.Join(lines, "\n"); got != want {
		p.errorf("%s on %s shows %q, want the typed lines %q", sel, p.path(), got, want)
	}
}

// wantPrintHides fails unless, printed, the page hides what the selectors match.
func (p *persona) wantPrintHides(what string, sels ...string) {
	p.t.Helper()
	media := func(m string) {
		if _, err := chromedp.Call(p.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			p.fatalf("emulate media %q: %v", m, err)
		}
	}
	media("print")
	defer media("")
	for _, sel := range sels {
		js := fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(e => e.getClientRects().length > 0).length`, sel)
		n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](js))
		if err != nil {
			p.fatalf("print %s: %v", what, err)
		}
		if n > 0 {
			p.errorf("printing %s (%s): %d element(s) %s still printed, want them hidden", what, p.path(), n, sel)
		}
	}
}
