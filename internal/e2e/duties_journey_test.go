package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"triade/internal/jobs"
	"triade/internal/testenv"
)

// TestDutiesJourney: one new engagement, from its creation to its closing,
// run by an independent coach who signs up alone: she types the client
// organisation, the coachee and HR into the engagement form, and they join
// through the invitation e-mails. Each of the three then finds every step of
// theirs in « Ce qui vous attend » on their dashboard or in an e-mail of the
// outbox, and gets to its form by that link alone: past sign-up and login, no
// address is ever typed. The engagement holds two contracted sessions; each
// persona's form submissions and page loads are counted and bounded, so that
// a screen that costs more work fails here.
func TestDutiesJourney(t *testing.T) {
	env, b := setup(t)
	const (
		title    = "Prise de décision — entrepôt de Nantes"
		company  = "Que le responsable d'entrepôt arbitre les priorités sans remonter chaque conflit."
		own      = "Trancher plus vite et m'y tenir."
		objT     = "Décider seul des priorités du jour"
		ind      = "Conflits de priorités remontés à la direction"
		ws       = "/w/nadia-coaching"
		coachN   = "Nadia Solo (Coach)"
		coacheeN = "Paul Neuf (Personne coachée)"
		hrN      = "Rita RH (Personne représentant l'entreprise)"
	)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(paris)
	y := now.AddDate(0, 0, -1)
	yesterday := func(hour int) string {
		return time.Date(y.Year(), y.Month(), y.Day(), hour, 0, 0, 0, paris).Format("2006-01-02T15:04")
	}
	emails := map[*persona]string{}
	mail := func(p *persona, subject string) { p.t.Helper(); p.followMail(env, b.base, emails[p], title, subject) }

	// The coach signs up as an independent coach: administrator and coach.
	c := b.persona("coach")
	c.home = ws + "/"
	c.wantStatus("GET /signup", c.open("/signup"), 200)
	c.fill("workspace", "Nadia Coaching")
	c.tick("practice-solo")
	c.fill("name", "Nadia Solo")
	c.fill("email", "nadia@solo.test")
	c.fill("password", "un mot de passe solide")
	c.wantStatus("signup", c.click(signupSubmit), 200)
	c.confirmSignup("nadia@solo.test")
	c.wantPath(ws + "/")
	c.wantText("header .badge", "Administrateur, Coach")

	// She opens the engagement, its organisation, coachee and HR typed in.
	c.wantStatus("nav to engagements", c.click(`header nav a[href="`+ws+`/engagements"]`), 200)
	c.wantStatus("new engagement", c.followLink("main", "Nouvel accompagnement"), 200)
	c.fill("title", title)
	c.fill("new_client_org", "Logistique de l'Ouest")
	c.fill("new_coachee_name", "Paul Neuf")
	c.fill("new_coachee_email", "paul@ouest.test")
	c.fill("new_sponsor_name", "Rita RH")
	c.fill("new_sponsor_email", "rita@ouest.test")
	c.choose("new_sponsor_kind", "hr")
	c.wantStatus("create engagement", c.click(`main form[action="`+ws+`/engagements"] button[type="submit"]`), 200)
	base := strings.TrimSuffix(c.path(), "/")
	if !strings.HasPrefix(base, ws+"/e/") {
		c.fatalf("after opening the engagement: %s", base)
	}

	// The coachee and HR join through their invitations.
	ce, sp := b.persona("coachee"), b.persona("sponsor")
	ce.home, sp.home = ws+"/", ws+"/"
	emails[ce], emails[sp] = "paul@ouest.test", "rita@ouest.test"
	ce.join(emails[ce], "Paul Neuf", ws)
	sp.join(emails[sp], "Rita RH", ws)

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

	trio := []string{"Nadia Solo", "Paul Neuf", "Rita RH"}
	c.todo(title, "Tenir et noter la réunion tripartite de cadrage", base+"/framing")
	c.holdMeeting("framing", yesterday(9), base+"/framing", trio)
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
	c.write("approach", "Deux séances de 1 h 30.")
	c.fill("sessions_planned", "2")
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
	c.validate(base, 1, coachN)
	mail(ce, "Valider la version 1 du document de synthèse")
	ce.wantPath(base + "/synthesis/1")
	ce.validate(base, 1, coachN, coacheeN)
	mail(sp, "Valider la version 1 du document de synthèse")
	sp.wantPath(base + "/synthesis/1")
	sp.validate(base, 1, coachN, coacheeN, hrN)
	c.todo(title, "Passer à la phase d'accompagnement : tout est prêt", base)
	c.wantStatus("move to accompagnement: confirmation", c.click(`main a[href="`+base+`/phase/confirm"]`), 200)
	c.wantStatus("move to accompagnement", c.click(`main form[action="`+base+`/phase"] button`), 200)
	c.wantText(".eng-head .phase", "Accompagnement")

	// Accompagnement: two sessions, held yesterday, each recorded on its one
	// form and rated by both.
	for n, at := range []string{yesterday(10), yesterday(16)} {
		n++
		c.todo(title, "Planifier la prochaine séance", base+"/sessions")
		c.setValue("at", at)
		c.wantStatus("plan session", c.click(`main form[action="`+base+`/sessions"] button[type="submit"]`), 200)
		sess := c.path()
		c.todo(title, fmt.Sprintf("Noter la séance %d, dont la date est passée", n), sess)
		c.wantStatus("mark held", c.click(`main form.record-held[action="`+sess+`"] button`), 200)
		c.recordSession(sess, n, objT, now.AddDate(0, 0, 14).Format("2006-01-02"))
		c.todo(title, fmt.Sprintf("Évaluer votre autonomie après la séance %d", n), sess)
		c.tick("score-3")
		c.fill("rate-word", "progresse")
		c.wantStatus("coach rates", c.click(`main form[action="`+sess+`/autonomy"] button[type="submit"]`), 200)
		ce.todo(title, fmt.Sprintf("Évaluer votre autonomie après la séance %d", n), sess)
		ce.tick("score-4")
		ce.fill("rate-word", "plus sûr")
		ce.wantStatus("coachee rates", ce.click(`main form[action="`+sess+`/autonomy"] button[type="submit"]`), 200)
	}
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
	c.holdMeeting("final", yesterday(18), base+"/closing/meeting", trio)
	mail(sp, "Donner le retour de l'entreprise sur l'accompagnement")
	sp.wantPath(base + "/closing")
	sp.write("fb-body", "Décisions prises sur place, moins d'escalades.")
	sp.wantStatus("sponsor feedback", sp.click(`main form[action="`+base+`/closing/feedback"] button[type="submit"]`), 200)
	c.todo(title, "Publier le rapport final", base+"/report")
	c.wantStatus("publish report", c.click(`main form[action="`+base+`/report/publish"] button[type="submit"]`), 200)
	c.todo(title, "Valider la version 1 du rapport final", base+"/report/1")
	c.validateReport(base, 1, msgValidated, coachN)
	mail(ce, "Valider la version 1 du rapport final")
	ce.wantPath(base + "/report/1")
	ce.validateReport(base, 1, msgValidated, coachN, coacheeN)
	mail(sp, "Valider la version 1 du rapport final")
	sp.wantPath(base + "/report/1")
	sp.validateReport(base, 1, msgReportClosed, coachN, coacheeN, hrN)
	sp.wantText(".eng-head .phase", "Clos")

	// Closed: nothing waits on anyone in it.
	for _, p := range []*persona{c, ce, sp} {
		p.wantStatus("dashboard", p.click(`header nav a[href="`+ws+`/"]`), 200)
		if left := slices.DeleteFunc(p.texts("main section.todo li"), func(s string) bool { return !strings.HasSuffix(s, "— "+title) }); len(left) > 0 {
			p.errorf("closed engagement: still waiting %q", left)
		}
	}

	// The work it took, bounded a little above what was measured, so that a
	// screen that asks for more fails here.
	// Measured: coach 25 and 71 (sign-up included), coachee 9 and 23, HR 5
	// and 11 (joining included).
	for _, w := range []struct {
		p              *persona
		submits, loads int
	}{{c, 28, 80}, {ce, 11, 27}, {sp, 6, 13}} {
		w.p.logEffort()
		if s, l := w.p.effort(); s > w.submits || l > w.loads {
			w.p.errorf("%d submissions and %d page loads for the engagement, want at most %d and %d", s, l, w.submits, w.loads)
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

// join takes up the invitation e-mailed to addr: the person reads it in the
// outbox, follows its link and chooses a name and password; she lands on the
// workspace ws's dashboard.
func (p *persona) join(addr, name, ws string) {
	p.t.Helper()
	p.wantStatus("GET /dev/mail", p.open("/dev/mail"), 200)
	n := 0
	for _, m := range p.outbox() {
		if m.To == addr && strings.Contains(m.Href, ws+"/join/") {
			n = m.N
		}
	}
	if n == 0 {
		p.fatalf("no invitation to %s in the outbox", addr)
	}
	p.wantStatus("follow the invitation", p.click(fmt.Sprintf("main > article.mail:nth-of-type(%d) a[href]", n)), 200)
	p.fill("name", name)
	p.fill("password", "un mot de passe solide")
	p.wantStatus("join", p.click(`main form[action*="/join/"] button[type="submit"]`), 200)
	p.wantPath(ws + "/")
}

// recordSession fills the record of session n on its one form (a situation,
// the analysis and scenarios, two options of which the second is chosen, the
// decision and one action plan line towards the objective objT, due on due)
// and saves it with one submit; the page then shows it all as typed.
func (p *persona) recordSession(sess string, n int, objT, due string) {
	p.t.Helper()
	typed := map[string]string{
		"sit-0-title": fmt.Sprintf("Conflit de priorités %d", n),
		"analysis":    "Il attend l'accord de la direction par habitude.",
		"scenarios":   "Trancher seul ; demander ; déléguer.",
		"opt-0-body":  "Remonter le conflit",
		"decision":    "Trancher en réunion du matin.",
		"act-0-title": fmt.Sprintf("Arbitrer trois conflits sur place (%d)", n),
	}
	for name, v := range typed {
		p.write(name, v)
	}
	p.chooseLabel("act-0-objective", objT)
	p.setValue("act-0-due", due)
	p.tick("opt-0-chosen")
	p.wantStatus(fmt.Sprintf("save the record of session %d", n), p.click(`main form[action="`+sess+`/record"] button[name="op"][value="save"]`), 200)
	p.wantPath(sess)
	for name, v := range typed {
		p.wantValue(name, v)
	}
}

// todo opens the dashboard from the header and follows the link label of the
// engagement title in « Ce qui vous attend »; it must lead to path.
func (p *persona) todo(title, label, path string) {
	p.t.Helper()
	p.wantStatus("dashboard", p.click(`header nav a[href="`+p.dashboard()+`"]`), 200)
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
// the three parties named, on the form posting to action.
func (p *persona) holdMeeting(kind, at, action string, parties []string) {
	p.t.Helper()
	p.setValue(kind+"-at", at)
	for _, who := range parties {
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
