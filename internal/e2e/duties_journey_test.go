package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"triade/internal/demo"
	"triade/internal/jobs"
	"triade/internal/testenv"
)

// TestDutiesJourney: one new engagement, from its creation to its closing,
// where the coach, the coachee and HR each find every step of theirs in « Ce
// qui vous attend » on their dashboard or in an e-mail of the outbox, and get
// to its form by that link alone: no address is ever typed.
func TestDutiesJourney(t *testing.T) {
	env, b := setup(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	const (
		title   = "Prise de décision — entrepôt de Nantes"
		company = "Que le responsable d'entrepôt arbitre les priorités sans remonter chaque conflit."
		own     = "Trancher plus vite et m'y tenir."
		objT    = "Décider seul des priorités du jour"
		ind     = "Conflits de priorités remontés à la direction"
	)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(paris)
	y := now.AddDate(0, 0, -1)
	yesterday := time.Date(y.Year(), y.Month(), y.Day(), 10, 0, 0, 0, paris).Format("2006-01-02T15:04")
	emails := map[*persona]string{}
	mail := func(p *persona, subject string) { p.t.Helper(); p.followMail(env, b.base, emails[p], title, subject) }

	// The coach opens the engagement from the engagements list.
	c := b.persona("coach")
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	c.wantStatus("nav to engagements", c.click(`header nav a[href="/w/demo/engagements"]`), 200)
	c.wantStatus("new engagement", c.followLink("main", "Nouvel accompagnement"), 200)
	c.fill("title", title)
	c.chooseLabel("client_org", "Industries Horizon")
	c.chooseLabel("coach", "Coach Démo")
	c.chooseLabel("coachee", "Coaché Démo")
	c.chooseLabel("sponsor", "Sponsor Démo")
	c.chooseLabel("sponsor_kind", "Responsable RH")
	c.wantStatus("create engagement", c.click(`main form[action="/w/demo/engagements"] button[type="submit"]`), 200)
	base := strings.TrimSuffix(c.path(), "/")
	ce, sp := b.persona("coachee"), b.persona("sponsor")
	emails[ce], emails[sp] = "coachee@demo.test", "sponsor@demo.test"
	ce.wantStatus("login", ce.login("coachee@demo.test", demo.Password), 200)
	sp.wantStatus("login", sp.login("sponsor@demo.test", demo.Password), 200)

	// Cadrage.
	c.todo(title, "Confirmer votre volonté de travailler ensemble", base)
	c.wantStatus("coach willingness", c.click(`main form[action$="/willingness"] button`), 200)
	mail(ce, "Confirmer votre volonté de travailler ensemble")
	ce.wantPath(base)
	ce.wantStatus("coachee willingness", ce.click(`main form[action$="/willingness"] button`), 200)
	mail(sp, "Rédiger la demande de l'entreprise")
	sp.wantPath(base + "/requests")
	sp.write("req-company", company)
	sp.wantStatus("company request", sp.click(`main form[action="`+base+`/requests/company"] button[type="submit"]`), 200)
	ce.todo(title, "Rédiger votre demande", base+"/requests")
	ce.write("req-coachee", own)
	ce.wantStatus("coachee request", ce.click(`main form[action="`+base+`/requests/coachee"] button[type="submit"]`), 200)

	c.todo(title, "Tenir et noter la réunion tripartite de cadrage", base+"/framing")
	c.holdMeeting("framing", yesterday, base+"/framing")
	c.todo(title, "Valider les demandes et leur cohérence", base+"/requests")
	for _, box := range []string{"c-company_ok-on", "c-coachee_ok-on", "c-coherent-on"} {
		c.tick(box)
	}
	c.write("coherence_comment", "Les deux demandes visent la même capacité de décision.")
	c.wantStatus("validate requests", c.click(`main form[action="`+base+`/requests/validate"] button[type="submit"]`), 200)
	c.todo(title, "Définir les objectifs et leurs indicateurs", base+"/objectives")
	c.fill("new-title", objT)
	c.write("new-desc", "Les priorités du jour sont arbitrées sur place.")
	c.wantStatus("add objective", c.click(`main form[action="`+base+`/objectives"] button[type="submit"]`), 200)
	edit := c.attr(`main section.objective a[href*="/edit#objective-"]`, "href")
	oid := strings.TrimPrefix(edit[:strings.Index(edit, "/edit")], base+"/objectives/")
	action := base + "/objectives/" + oid + "/indicators"
	c.wantStatus("edit objective", c.click(`main section.objective a[href="`+edit+`"]`), 200)
	c.openDetails(`main section.objective details`, "Ajouter un indicateur")
	c.chooseLabel("n-"+oid+"-kind", "Indicateur de performance de l'entreprise")
	c.fill("n-"+oid+"-desc", ind)
	c.fill("n-"+oid+"-base", "8 par mois")
	c.fill("n-"+oid+"-target", "2 par mois")
	c.fill("n-"+oid+"-obs", "Relevé de la direction")
	c.wantStatus("add indicator", c.click(`main form[action="`+action+`"] button[type="submit"]`), 200)
	c.todo(title, "Compléter le contrat", base+"/contract")
	c.write("approach", "Une séance de 1 h 30.")
	c.fill("sessions_planned", "1")
	c.fill("session_minutes", "90")
	c.setValue("start", now.AddDate(0, 0, -2).Format("2006-01-02"))
	c.setValue("end", now.AddDate(0, 2, 0).Format("2006-01-02"))
	c.write("confidentiality", "Le contenu des séances reste entre le coach et le coaché.")
	c.write("exceptions", "La RH connaît les dates et l'atteinte des indicateurs.")
	c.wantStatus("save contract", c.click(`main form[action="`+base+`/contract"] button[type="submit"]`), 200)
	c.todo(title, "Publier une version du document de synthèse", base+"/synthesis")
	c.write("text", "Accompagnement centré sur la décision.")
	c.wantStatus("publish v1", c.click(`main button[formaction="`+base+`/synthesis/publish"]`), 200)
	c.todo(title, "Valider la version 1 du document de synthèse", base+"/synthesis/1")
	c.validate(base, 1, "Coach Démo (Coach)")
	mail(ce, "Valider la version 1 du document de synthèse")
	ce.wantPath(base + "/synthesis/1")
	ce.validate(base, 1, "Coach Démo (Coach)", "Coaché Démo (Coaché)")
	mail(sp, "Valider la version 1 du document de synthèse")
	sp.wantPath(base + "/synthesis/1")
	sp.validate(base, 1, "Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)")
	c.todo(title, "Passer à la phase d'accompagnement : tout est prêt", base)
	c.wantStatus("move to accompagnement: confirmation", c.click(`main a[href="`+base+`/phase/confirm"]`), 200)
	c.wantStatus("move to accompagnement", c.click(`main form[action="`+base+`/phase"] button`), 200)
	c.wantText(".eng-head .phase", "Accompagnement")

	// Accompagnement: one session, held yesterday, rated by both.
	c.todo(title, "Planifier la prochaine séance", base+"/sessions")
	c.setValue("at", yesterday)
	c.wantStatus("plan session", c.click(`main form[action="`+base+`/sessions"] button[type="submit"]`), 200)
	sess := c.path()
	c.todo(title, "Noter la séance 1, dont la date est passée", sess)
	c.wantStatus("mark held", c.click(`main form.record-held[action="`+sess+`"] button`), 200)
	c.todo(title, "Évaluer votre autonomie après la séance 1", sess)
	c.tick("score-3")
	c.fill("rate-word", "progresse")
	c.wantStatus("coach rates", c.click(`main form[action="`+sess+`/autonomy"] button[type="submit"]`), 200)
	ce.todo(title, "Évaluer votre autonomie après la séance 1", sess)
	ce.tick("score-4")
	ce.fill("rate-word", "plus sûr")
	ce.wantStatus("coachee rates", ce.click(`main form[action="`+sess+`/autonomy"] button[type="submit"]`), 200)
	c.todo(title, "Toutes les séances prévues sont tenues : passer au bouclage", base)
	c.wantStatus("move to bouclage: confirmation", c.click(`main a[href="`+base+`/phase/confirm"]`), 200)
	c.wantStatus("move to bouclage", c.click(`main form[action="`+base+`/phase"] button`), 200)
	c.wantText(".eng-head .phase", "Bouclage")

	// Bouclage.
	c.todo(title, "Évaluer les indicateurs (1 restant)", base+"/evaluation")
	c.evaluateAll(base, []eval{{desc: ind, reached: "2 par mois", assess: "reached", evidence: "Relevé de la direction de site."}})
	mail(ce, "Faire votre auto-évaluation des indicateurs (1 restant)")
	ce.wantPath(base + "/evaluation")
	ce.evaluateAll(base, []eval{{desc: ind, reached: "2 par mois", assess: "reached", evidence: "Je tranche en réunion du matin."}})
	ce.todo(title, "Rédiger la synthèse que vous présenterez au bilan", base+"/closing")
	ce.write("syn-body", "J'ai appris à trancher sur place.")
	ce.wantStatus("coachee synthesis", ce.click(`main form[action="`+base+`/closing/synthesis"] button[type="submit"]`), 200)
	c.todo(title, "Planifier la réunion tripartite de bilan", base+"/closing")
	c.holdMeeting("final", yesterday, base+"/closing/meeting")
	mail(sp, "Donner le retour de l'entreprise sur l'accompagnement")
	sp.wantPath(base + "/closing")
	sp.write("fb-body", "Décisions prises sur place, moins d'escalades.")
	sp.wantStatus("sponsor feedback", sp.click(`main form[action="`+base+`/closing/feedback"] button[type="submit"]`), 200)
	c.todo(title, "Publier le rapport final", base+"/report")
	c.wantStatus("publish report", c.click(`main form[action="`+base+`/report/publish"] button[type="submit"]`), 200)
	c.todo(title, "Valider la version 1 du rapport final", base+"/report/1")
	c.validateReport(base, 1, msgValidated, "Coach Démo (Coach)")
	mail(ce, "Valider la version 1 du rapport final")
	ce.wantPath(base + "/report/1")
	ce.validateReport(base, 1, msgValidated, "Coach Démo (Coach)", "Coaché Démo (Coaché)")
	mail(sp, "Valider la version 1 du rapport final")
	sp.wantPath(base + "/report/1")
	sp.validateReport(base, 1, msgReportClosed, "Coach Démo (Coach)", "Coaché Démo (Coaché)", "Sponsor Démo (Représentant de l'entreprise)")
	sp.wantText(".eng-head .phase", "Clos")

	// Closed: nothing waits on anyone in it.
	for _, p := range []*persona{c, ce, sp} {
		p.wantStatus("dashboard", p.click(`header nav a[href="/w/demo/"]`), 200)
		if left := slices.DeleteFunc(p.texts("main section.todo li"), func(s string) bool { return !strings.HasSuffix(s, "— "+title) }); len(left) > 0 {
			p.errorf("closed engagement: still waiting %q", left)
		}
	}

	// HR asks for the weekly digest from the account page, without a script.
	sp.disableJavaScript()
	sp.wantStatus("account", sp.click(`header .who a[href="/account"]`), 200)
	sp.audit("account, e-mail settings")
	if sp.checked("c-digest-on") {
		sp.errorf("the weekly digest is on before HR asked for it")
	}
	sp.tick("c-digest-on")
	sp.wantStatus("save e-mail settings", sp.click(`main form[action="/account/reminders"] button[type="submit"]`), 200)
	sp.wantPath("/account")
	if !sp.checked("c-digest-on") {
		sp.errorf("the weekly digest is off after HR asked for it")
	}
}

// todo opens the dashboard from the header and follows the link label of the
// engagement title in « Ce qui vous attend »; it must lead to path.
func (p *persona) todo(title, label, path string) {
	p.t.Helper()
	p.wantStatus("dashboard", p.click(`header nav a[href="/w/demo/"]`), 200)
	href := evalJS[string](p, "todo "+label, fmt.Sprintf(`(() => {
		for (const li of document.querySelectorAll('main section.todo li')) {
			const a = li.querySelector('a');
			if (a && a.textContent.trim() === %q && li.textContent.trim().endsWith(%q)) return a.getAttribute('href');
		}
		return '';
	})()`, label, "— "+title))
	if href == "" {
		p.fatalf("« Ce qui vous attend » has no %q for %q: %q", label, title, p.texts("main section.todo li"))
	}
	p.wantStatus("todo "+label, p.click(`main section.todo a[href="`+href+`"]`), 200)
	p.wantPath(path)
}

// holdMeeting records a three-way meeting (framing or final) as held at at by
// the three parties, on the form posting to action.
func (p *persona) holdMeeting(kind, at, action string) {
	p.t.Helper()
	p.setValue(kind+"-at", at)
	for _, who := range []string{"Coach Démo", "Coaché Démo", "Sponsor Démo"} {
		p.tickLabel(who)
	}
	p.tick("c-" + kind + "-held")
	p.write(kind+"-notes", "Réunion tenue à trois.")
	p.wantStatus("save the "+kind+" meeting", p.click(`main form[action="`+action+`"] button[type="submit"]`), 200)
}

// followMail runs the reminder job, then opens the outbox from the footer and
// follows the link of the newest e-mail to the persona about title whose
// subject holds subject.
func (p *persona) followMail(env *testenv.Env, base, email, title, subject string) {
	p.t.Helper()
	if _, err := jobs.Run(context.Background(), env.Store, env.Store.Now(), base); err != nil {
		p.fatalf("reminder job: %v", err)
	}
	p.wantStatus("footer link to the outbox", p.click(`footer a[href="/dev/mail"]`), 200)
	for _, m := range p.outbox() {
		if m.To == email && strings.Contains(m.Subject, subject) && strings.Contains(m.Body, title) {
			p.wantStatus("follow "+m.Subject, p.click(fmt.Sprintf("main > article.mail:nth-of-type(%d) a[href]", m.N)), 200)
			return
		}
	}
	p.fatalf("outbox: no e-mail to %s about %q holding %q", email, title, subject)
}
