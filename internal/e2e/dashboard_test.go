package e2e

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"triade/internal/demo"
	"triade/internal/domain"
	"triade/internal/i18n"
	"triade/internal/jobs"
	"triade/internal/store"
	"triade/internal/testenv"
)

// TestDashboardsAndReminderLinks: each demo persona signs in, lands on the
// dashboard of their role and follows one of the items waiting on them; then,
// in the development outbox, follows the link of each reminder e-mail
// addressed to them and lands on the exact page it is about, still signed in
// as themselves. Last, a reminder's unsubscribe link turns reminders off.
func TestDashboardsAndReminderLinks(t *testing.T) {
	env, b := setup(t)
	ctx := context.Background()
	// The demo's reminders link to the site it runs on: here, this test's server.
	savedBase := demo.BaseURL
	demo.BaseURL = b.base
	t.Cleanup(func() { demo.BaseURL = savedBase })
	// Noon in Paris today, so that "today", "tomorrow" and "overdue" cannot
	// straddle midnight (as in internal/jobs' tests).
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.UTC
	}
	d := time.Now().In(paris)
	now := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, paris)
	env.Store.Now = func() time.Time { return now }
	if ok, err := demo.Seed(ctx, env.Store); err != nil || !ok {
		t.Fatalf("seed the demo: %v %v", ok, err)
	}

	const (
		ws           = "/w/demo"
		accTitle     = "Conduite du changement — service client"
		lyonTitle    = "Leadership d'équipe — site de Lyon"
		adminEngName = "Délégation — plateforme logistique"
		overdue      = "Tenir l'entretien de recadrage"
		askReason    = "Faire le point sur la délégation avec le responsable logistique."
	)
	id := func(q string, args ...any) string {
		t.Helper()
		var s string
		if err := env.Super.QueryRow(ctx, q, args...).Scan(&s); err != nil {
			t.Fatalf("%s %v: %v", q, args, err)
		}
		return s
	}
	tenant := id(`SELECT id::text FROM workspaces WHERE slug = 'demo'`)
	scopeOf := func(email string) store.Scope {
		return store.Scope{TenantID: tenant, UserID: id(`SELECT id::text FROM users WHERE email = $1`, email)}
	}
	admin, coach, coachee, sponsor := scopeOf("admin@demo.test"), scopeOf("coach@demo.test"), scopeOf("coachee@demo.test"), scopeOf("sponsor@demo.test")
	accID := id(`SELECT id::text FROM engagements WHERE title = $1`, accTitle)
	lyonID := id(`SELECT id::text FROM engagements WHERE title = $1`, lyonTitle)
	overdueID := id(`SELECT id::text FROM actions WHERE title = $1`, overdue)
	acc, lyon := ws+"/e/"+accID, ws+"/e/"+lyonID

	// What the demo's own run of the reminder job sent, by recipient.
	before := reminders(t, env)
	for _, who := range []string{"admin@demo.test", "coach@demo.test", "coachee@demo.test", "sponsor@demo.test"} {
		t.Logf("demo outbox: %d reminder(s) to %s %q", len(before[who]), who, subjects(before[who]))
	}

	// Make reminders due for those the demo leaves without one (and a meeting
	// tomorrow, so that every kind of page is reached from an e-mail):
	// - coach, coachee, sponsor: a new version of the Lyon synthesis (cadrage);
	// - coach: a meeting request from the sponsor on the accompagnement;
	// - coach, coachee: a session tomorrow on the accompagnement;
	// - admin: an engagement the admin coaches, where the sponsor asks for a meeting.
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("revise the Lyon synthesis", env.Store.SaveSynthesisText(ctx, coach, lyonID, "Accompagnement centré sur la posture de décision, la coopération entre ateliers et la délégation.", 2))
	_, err = env.Store.PublishSynthesis(ctx, coach, lyonID)
	step("publish synthesis v2", err)
	step("sponsor asks for a meeting", env.Store.AskMeeting(ctx, sponsor, accID, "Faire un point à mi-parcours avec la direction commerciale."))
	tomorrow := now.Add(24 * time.Hour)
	_, err = env.Store.PlanSession(ctx, coach, accID, tomorrow, 90)
	step("plan a session tomorrow", err)
	orgs, err := env.Store.ClientOrgs(ctx, admin)
	step("client organisations", err)
	if len(orgs) == 0 {
		t.Fatal("the demo has no client organisation")
	}
	adminEngID, err := env.Store.CreateEngagement(ctx, admin, store.NewEngagement{Title: adminEngName, ClientOrgID: orgs[0].ID,
		CoachID: admin.UserID, CoacheeID: coachee.UserID, Sponsors: []store.SponsorChoice{{UserID: sponsor.UserID, Kind: "hr"}}}, nil)
	step("an engagement coached by the admin", err)
	adminEng := ws + "/e/" + adminEngID
	step("sponsor asks the admin for a meeting", env.Store.AskMeeting(ctx, sponsor, adminEngID, askReason))
	n, err := jobs.Run(ctx, env.Store, now, b.base)
	step("run the reminder job", err)
	t.Logf("the reminder job sent %d more e-mail(s)", n)

	// The pages a reminder or a dashboard item leads to, as they show.
	synthesisPage := func(p *persona) {
		p.t.Helper()
		p.wantText("main h1", lyonTitle)
		p.wantText("article.document header h2", lyonTitle+" — Version 2")
		p.wantText(`main form[action="`+lyon+`/synthesis/2/validate"] button`, "Je valide la version 2")
	}
	meetingsPage := func(base, title string) func(p *persona) {
		return func(p *persona) {
			p.t.Helper()
			p.wantText("main h1", title)
			p.wantText("main h2", "Réunions intermédiaires")
			p.wantLine("main ul li", "Demandée par Sponsor Démo")
			waiting := evalJS[bool](p, "waiting request", `[...document.querySelectorAll('main ul li')].some(li =>
				li.innerText.startsWith('Demandée par Sponsor Démo') && li.querySelector('.badge') && li.querySelector('.badge').innerText.trim() === 'En attente')`)
			if !waiting {
				p.errorf("meetings page %s: no request by Sponsor Démo marked « En attente »: %q", p.path(), p.texts("main ul li"))
			}
			p.wantText(`main form[action="`+base+`/meetings/schedule"] button`, "Planifier")
		}
	}
	sessionsPage := func(p *persona) {
		p.t.Helper()
		p.wantText("main h1", accTitle)
		p.wantText("main h2", "Séances")
		rows := p.cells("main table tbody tr")
		if !slices.ContainsFunc(rows, func(r []string) bool {
			return len(r) == 4 && strings.HasPrefix(r[0], "Séance 7 /") && r[3] == "Prévue"
		}) {
			p.errorf("sessions page %s: no planned session 7 among %q", p.path(), rows)
		}
	}
	actionPage := func(p *persona) {
		p.t.Helper()
		p.wantText("main h1", accTitle)
		p.wantText("main h2", overdue)
		p.wantText("main .badge.late", "En retard")
	}
	actionsPage := func(p *persona) {
		p.t.Helper()
		p.wantText("main h1", accTitle)
		p.wantText("main h2", "Actions d'intersession")
	}

	type reminder struct {
		subject string // exact
		path    string // where its link leads
		page    func(*persona)
	}
	// The demo has six sessions (the last one cancelled): this is the seventh.
	session7 := "Triade — Rappel : Séance 7 demain, " +
		i18n.DateTime(i18n.WithZone(i18n.WithLang(context.Background(), "fr"), "Europe/Paris"), tomorrow) + "."
	synthesisMail := reminder{"Triade — Valider la version 2 du document de synthèse", lyon + "/synthesis/2", synthesisPage}
	sessionMail := reminder{session7, acc + "/sessions", sessionsPage}

	const freshTitle, bouTitle = "Prise de poste — direction des achats", "Prise de fonction — responsable qualité"
	myEngagements := []string{lyonTitle, freshTitle, accTitle,
		bouTitle, "Management transversal — projet ERP", "Orientation de carrière — mobilité interne"}
	withAdminEng := append([]string{adminEngName}, myEngagements...)
	personas := []struct {
		email, name, role string
		sections          []string // the dashboard's headings, in order (prefixes)
		waiting           []string // the items of "Ce qui vous attend"
		follow            string   // the item followed
		followPath        string
		followPage        func(*persona)
		engagements       []string // "Mes accompagnements"
		more              func(*persona)
		reminders         []reminder
	}{
		{
			email: "coach@demo.test", name: "Coach Démo", role: "Coach",
			sections: []string{"Ce qui vous attend", "Cette semaine", "Mes accompagnements"},
			waiting: []string{"Lire les entrées de journal sans réponse (4) — " + accTitle, "Planifier la réunion intermédiaire demandée — " + accTitle,
				"Valider la version 2 du document de synthèse — " + lyonTitle,
				"Évaluer les indicateurs (1 restant) — " + bouTitle, "Planifier la réunion tripartite de bilan — " + bouTitle,
				"Publier le rapport final — " + bouTitle, "Évaluer votre autonomie après la séance 8 — " + bouTitle,
				"Confirmer votre volonté de travailler ensemble — " + freshTitle, "Tenir et noter la réunion tripartite de cadrage — " + freshTitle,
				"Valider les demandes et leur cohérence — " + freshTitle, "Définir les objectifs et leurs indicateurs — " + freshTitle,
				"Compléter le contrat — " + freshTitle, "Publier une version du document de synthèse — " + freshTitle},
			follow: "Lire les entrées de journal sans réponse (4)", followPath: acc + "/actions", followPage: actionsPage,
			engagements: myEngagements,
			more: func(p *persona) {
				p.t.Helper()
				week := dashSection(p, "Cette semaine", "li")
				if len(week) != 1 || !strings.Contains(week[0], accTitle) || !strings.HasSuffix(week[0], "Séance 7") {
					p.errorf("dashboard, « Cette semaine »: %q, want session 7 of %q tomorrow", week, accTitle)
				}
			},
			reminders: []reminder{
				synthesisMail,
				{"Triade — Planifier la réunion intermédiaire demandée", acc + "/meetings", meetingsPage(acc, accTitle)},
				sessionMail,
			},
		},
		{
			email: "coachee@demo.test", name: "Coaché Démo", role: "Coaché",
			sections: []string{"Ce qui vous attend", "Mes actions en cours", "Cette semaine", "Mes accompagnements"},
			waiting: []string{"Faire avancer vos actions d'intersession (3) et tenir votre journal — " + accTitle,
				"Confirmer votre volonté de travailler ensemble — " + adminEngName, "Rédiger votre demande — " + adminEngName,
				"Valider la version 2 du document de synthèse — " + lyonTitle,
				"Faire votre auto-évaluation des indicateurs (2 restants) — " + bouTitle, "Rédiger la synthèse que vous présenterez au bilan — " + bouTitle,
				"Confirmer votre volonté de travailler ensemble — " + freshTitle, "Rédiger votre demande — " + freshTitle},
			follow: "Valider la version 2 du document de synthèse", followPath: lyon + "/synthesis/2", followPage: synthesisPage,
			engagements: withAdminEng,
			more: func(p *persona) {
				p.t.Helper()
				want := []string{overdue, "Répéter la présentation avec les chefs d'atelier", "Lire un chapitre sur la délégation"}
				if got := p.texts("main ul.actions-list > li > a:first-child"); !slices.Equal(got, want) {
					p.errorf("dashboard, « Mes actions en cours »: %q, want %q", got, want)
				}
				p.wantText("main ul.actions-list > li:first-child .badge.late", "En retard")
			},
			reminders: []reminder{
				{"Triade — L'action « " + overdue + " » a dépassé son échéance.", acc + "/actions/" + overdueID, actionPage},
				synthesisMail,
				sessionMail,
			},
		},
		{
			email: "sponsor@demo.test", name: "Sponsor Démo", role: "Représentant de l'entreprise",
			sections: []string{"Ce qui vous attend", "Mes accompagnements", "Programme"},
			waiting: []string{"Rédiger la demande de l'entreprise — " + adminEngName, "Valider la version 2 du document de synthèse — " + lyonTitle,
				"Donner le retour de l'entreprise sur l'accompagnement — " + bouTitle, "Rédiger la demande de l'entreprise — " + freshTitle},
			follow: "Valider la version 2 du document de synthèse", followPath: lyon + "/synthesis/2", followPage: synthesisPage,
			engagements: withAdminEng,
			reminders:   []reminder{synthesisMail},
		},
		{
			email: "admin@demo.test", name: "Admin Démo", role: "Administrateur",
			sections: []string{"Ce qui vous attend", "Membres", "Accompagnements par phase et par coach (7)", "Organisations clientes", "Invitations en attente"},
			waiting: []string{"Confirmer votre volonté de travailler ensemble — " + adminEngName, "Tenir et noter la réunion tripartite de cadrage — " + adminEngName,
				"Valider les demandes et leur cohérence — " + adminEngName, "Définir les objectifs et leurs indicateurs — " + adminEngName,
				"Compléter le contrat — " + adminEngName, "Publier une version du document de synthèse — " + adminEngName,
				"Planifier la réunion intermédiaire demandée — " + adminEngName},
			follow: "Planifier la réunion intermédiaire demandée", followPath: adminEng + "/meetings", followPage: meetingsPage(adminEng, adminEngName),
			more: func(p *persona) {
				p.t.Helper()
				wantRoles := []string{"1 Administrateur", "1 Coach", "1 Personne coachée", "1 Représentant de l'entreprise"}
				if got := dashSection(p, "Membres", "ul.cards li"); !slices.Equal(got, wantRoles) {
					p.errorf("dashboard, members per role: %q, want %q", got, wantRoles)
				}
				wantPhases := [][]string{{"Admin Démo", "Cadrage", "1"}, {"Coach Démo", "Cadrage", "2"}, {"Coach Démo", "Accompagnement", "1"},
					{"Coach Démo", "Bouclage", "1"}, {"Coach Démo", "Clos", "1"}, {"Coach Démo", "Interrompu", "1"}}
				got := evalJS[[][]string](p, "engagements by phase and coach", `(() => {
					const s = [...document.querySelectorAll('main section')].find(s => s.querySelector('h2').textContent.startsWith('Accompagnements par phase'));
					return s ? [...s.querySelectorAll('tbody tr')].map(tr => [...tr.cells].map(c => c.innerText.trim())) : [];
				})()`)
				if !slices.EqualFunc(got, wantPhases, slices.Equal) {
					p.errorf("dashboard, engagements by phase and coach: %q, want %q", got, wantPhases)
				}
			},
			reminders: []reminder{{"Triade — Planifier la réunion intermédiaire demandée", adminEng + "/meetings", meetingsPage(adminEng, adminEngName)}},
		},
	}

	var unsubscribeLink string // from the coachee's e-mail about the overdue action
	signedIn := map[string]*persona{}
	for _, pc := range personas {
		p := b.persona(pc.email)
		signedIn[pc.email] = p
		p.wantStatus("login", p.login(pc.email, demo.Password), 200)
		p.wantPath(ws + "/")
		p.wantText("main h1", "Cabinet Démo")
		p.wantText("main .lead", "Bonjour "+pc.name+".")
		p.wantText(`header nav a[aria-current="page"]`, "Tableau de bord")

		// The dashboard of the role.
		heads := p.texts("main section > h2")
		same := len(heads) == len(pc.sections)
		for i := 0; same && i < len(heads); i++ {
			same = strings.HasPrefix(heads[i], pc.sections[i])
		}
		if !same {
			p.errorf("dashboard sections %q, want %q", heads, pc.sections)
		}
		if got := p.texts("main section.todo li"); !sameSet(got, pc.waiting) {
			p.errorf("dashboard, « Ce qui vous attend »: %q, want %q", got, pc.waiting)
		}
		if pc.engagements != nil {
			if got := dashSection(p, "Mes accompagnements", "tbody tr > td:first-child > a"); !slices.Equal(got, pc.engagements) {
				p.errorf("dashboard, « Mes accompagnements »: %q, want %q", got, pc.engagements)
			}
		}
		if pc.more != nil {
			pc.more(p)
		}

		// One item waiting on the persona, from the dashboard.
		p.wantStatus("follow "+pc.follow, p.followLink("main section.todo", pc.follow), 200)
		p.wantPath(pc.followPath)
		pc.followPage(p)

		// Their reminders in the development outbox, each followed to its page.
		p.wantStatus("footer link to the outbox", p.click(`footer a[href="/dev/mail"]`), 200)
		p.wantPath("/dev/mail")
		p.wantText("main h1", "Boîte d'envoi")
		for i, r := range pc.reminders {
			if i > 0 {
				p.wantStatus("back to the outbox", p.open("/dev/mail"), 200)
			}
			mails := p.outbox()
			k := slices.IndexFunc(mails, func(m outboxMail) bool { return m.To == pc.email && m.Subject == r.subject })
			if k < 0 {
				var mine []string
				for _, m := range mails {
					if m.To == pc.email {
						mine = append(mine, m.Subject)
					}
				}
				p.errorf("outbox: no reminder %q to %s; theirs: %q", r.subject, pc.email, mine)
				continue
			}
			m := mails[k]
			if want := b.base + r.path; m.Href != want {
				p.errorf("reminder %q: link %q, want %q", r.subject, m.Href, want)
			}
			for _, want := range []string{"Bonjour " + pc.name + ",", b.base + r.path + "\n", b.base + "/unsubscribe/", b.base + "/account"} {
				if !strings.Contains(m.Body, want) {
					p.errorf("reminder %q: body lacks %q:\n%s", r.subject, want, m.Body)
				}
			}
			if pc.email == "coachee@demo.test" && strings.Contains(r.subject, overdue) {
				unsubscribeLink = unsubscribeRE.FindString(m.Body)
			}
			p.wantStatus("follow "+r.subject, p.click(fmt.Sprintf("main > article.mail:nth-of-type(%d) a[href]", m.N)), 200)
			p.wantPath(r.path)
			r.page(p)
			p.wantText(`header .who a[href="/account"]`, pc.name)
			p.wantText("header .badge", pc.role)
		}
	}

	// The unsubscribe link of a reminder, opened from the mail client, signed out.
	if unsubscribeLink == "" {
		t.Fatalf("no unsubscribe link found in the coachee's reminder about %q", overdue)
	}
	if !strings.HasPrefix(unsubscribeLink, b.base+"/unsubscribe/") {
		t.Errorf("unsubscribe link %q: want %s/unsubscribe/<token>", unsubscribeLink, b.base)
	}
	u := b.persona("coachee@demo.test, mail client")
	u.wantStatus("open the unsubscribe link", u.open(unsubscribeLink), 200)
	unsubscribePath := strings.TrimPrefix(unsubscribeLink, b.base)
	u.wantPath(unsubscribePath)
	u.wantText("main h1", "Rappels par e-mail")
	u.wantText("main", "Ne plus recevoir aucun rappel par e-mail de Triade ?")
	submit := `main form[action="` + unsubscribePath + `"] button[type="submit"]`
	u.wantText(submit, "Ne plus recevoir de rappels")
	u.wantStatus("unsubscribe", u.click(submit), 200)
	u.wantPath(unsubscribePath)
	u.wantText(`main p[role="status"]`, "Vous ne recevrez plus de rappels. Vous pouvez les réactiver depuis votre compte.")
	u.wantNo("after unsubscribing: the button", submit)

	// It holds: the account shows every reminder off, and the next due
	// reminder reaches the others but not the coachee.
	c := signedIn["coachee@demo.test"]
	c.wantStatus("GET /account", c.open("/account"), 200)
	boxes := evalJS[[]bool](c, "reminder boxes", `[...document.querySelectorAll('main input[type="checkbox"][name="remind"]')].map(i => i.checked)`)
	if len(boxes) != len(domain.ReminderKinds) || slices.Contains(boxes, true) {
		c.errorf("account after unsubscribing: reminder boxes checked %v, want %d, none checked", boxes, len(domain.ReminderKinds))
	}
	seen := reminders(t, env)
	_, err = env.Store.PublishSynthesis(ctx, coach, lyonID)
	step("publish synthesis v3", err)
	_, err = jobs.Run(ctx, env.Store, now, b.base)
	step("run the reminder job again", err)
	after := reminders(t, env)
	const v3 = "Triade — Valider la version 3 du document de synthèse"
	if got := subjects(after["coachee@demo.test"][len(seen["coachee@demo.test"]):]); len(got) > 0 {
		t.Errorf("unsubscribed coachee still reminded: %q", got)
	}
	for _, who := range []string{"coach@demo.test", "sponsor@demo.test"} {
		if got := subjects(after[who][len(seen[who]):]); !slices.Equal(got, []string{v3}) {
			t.Errorf("%s after synthesis v3: new reminders %q, want %q", who, got, []string{v3})
		}
	}
}

var unsubscribeRE = regexp.MustCompile(`https?://\S+/unsubscribe/[^\s/]+`)

// reminders are the reminder e-mails of the outbox by recipient, oldest first.
func reminders(t *testing.T, env *testenv.Env) map[string][]store.OutboxMail {
	t.Helper()
	mails, err := env.Store.Outbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]store.OutboxMail{}
	for _, m := range slices.Backward(mails) {
		if strings.HasPrefix(m.Subject, "Triade — ") {
			out[m.To] = append(out[m.To], m)
		}
	}
	return out
}

func subjects(ms []store.OutboxMail) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Subject)
	}
	return out
}

// outboxMail is an e-mail as the development outbox shows it; N is its rank
// among the page's articles (for :nth-of-type).
type outboxMail struct {
	N                            int
	Subject, To, Body, Href, Raw string
}

// outbox reads the e-mails listed on /dev/mail.
func (p *persona) outbox() []outboxMail {
	p.t.Helper()
	ms := evalJS[[]outboxMail](p, "outbox", `[...document.querySelectorAll('main > article.mail')].map((m, i) => {
		const a = m.querySelector('a[href]');
		return {N: i + 1, Subject: m.querySelector('h2').innerText.trim(), Raw: m.querySelector('p.muted').innerText.trim(),
			Body: m.querySelector('pre').innerText, Href: a ? a.getAttribute('href') : ''};
	})`)
	for i := range ms {
		// "À <address> · <date>"
		if rest, ok := strings.CutPrefix(ms[i].Raw, "À "); ok {
			ms[i].To, _, _ = strings.Cut(rest, " ")
		}
	}
	return ms
}

// dashSection is the text of what sel finds in the dashboard's section headed
// by a heading that starts with heading.
func dashSection(p *persona, heading, sel string) []string {
	p.t.Helper()
	return evalJS[[]string](p, "section "+heading, fmt.Sprintf(`(() => {
		const s = [...document.querySelectorAll('main section')].find(s => { const h = s.querySelector('h2'); return h && h.textContent.trim().startsWith(%q); });
		return s ? [...s.querySelectorAll(%q)].map(e => e.innerText.trim()) : [];
	})()`, heading, sel))
}
