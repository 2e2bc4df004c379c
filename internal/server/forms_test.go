package server_test

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const formsReady = "Leadership d'équipe — site de Lyon" // cadrage, gate open, synthesis v1 validated by all three

// TestObjectivesReadFirst: the objectives page shows objectives and indicators
// as text with an edit link each; the edit page opens one objective as forms;
// a save returns to that objective, and a refused one keeps what was typed.
func TestObjectivesReadFirst(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(formsReady)
	base := "/w/demo/e/" + id
	coach := a.as("coach@demo.test")
	oid := a.sqlStr(`SELECT id::text FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, id)
	other := a.sqlStr(`SELECT id::text FROM objectives WHERE engagement_id = $1 ORDER BY position OFFSET 1 LIMIT 1`, id)
	iid := a.sqlStr(`SELECT id::text FROM indicators WHERE objective_id = $1 ORDER BY position LIMIT 1`, oid)

	r := coach.get(base + "/objectives")
	if r.status != http.StatusOK {
		t.Fatalf("objectives: %d", r.status)
	}
	if strings.Contains(r.body, `action="`+base+`/objectives/`+oid+`"`) || strings.Contains(r.body, `action="`+base+`/indicators/`+iid+`"`) {
		t.Error("the objectives page shows edit forms before any edit is asked")
	}
	contains(t, r, `id="objective-`+oid+`"`, `href="`+base+`/objectives/`+oid+`/edit#objective-`+oid+`"`)

	r = coach.get(base + "/objectives/" + oid + "/edit")
	if r.status != http.StatusOK {
		t.Fatalf("edit: %d", r.status)
	}
	contains(t, r, `action="`+base+`/objectives/`+oid+`"`, `action="`+base+`/indicators/`+iid+`"`, `action="`+base+`/objectives/`+oid+`/indicators"`)
	if strings.Contains(r.body, `action="`+base+`/objectives/`+other+`"`) {
		t.Error("the edit page opens another objective too")
	}
	if r := coach.get(base + "/objectives/00000000-0000-0000-0000-000000000000/edit"); r.status != http.StatusNotFound {
		t.Errorf("edit of an unknown objective: %d, want 404", r.status)
	}

	ver := a.sqlStr(`SELECT version::text FROM objectives WHERE id = $1`, oid)
	r = coach.post(base+"/objectives/"+oid, "version", ver, "title", "", "description", "Texte gardé à l'erreur")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty title: %d", r.status)
	}
	has(t, "coach", r, "Texte gardé à l'erreur")
	contains(t, r, `action="`+base+`/objectives/`+oid+`"`)
	r = coach.post(base+"/objectives/"+oid, "version", ver, "title", "Objectif retouché", "description", "Nouvelle description")
	if r.status != http.StatusSeeOther || r.location != base+"/objectives#objective-"+oid {
		t.Fatalf("save: %d to %q, want 303 to the objective", r.status, r.location)
	}
	r = coach.post(base+"/objectives/"+oid, "version", ver, "title", "Version périmée", "description", "x")
	if r.status != http.StatusConflict {
		t.Errorf("stale save: %d, want 409", r.status)
	}

	iver := a.sqlStr(`SELECT version::text FROM indicators WHERE id = $1`, iid)
	r = coach.post(base+"/indicators/"+iid, "version", iver, "kind", "observable", "description", "", "target", "Cible gardée")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty indicator: %d", r.status)
	}
	contains(t, r, "Cible gardée", `action="`+base+`/indicators/`+iid+`"`)
	r = coach.post(base+"/indicators/"+iid, "version", iver, "kind", "observable", "description", "Indicateur retouché")
	if r.status != http.StatusSeeOther || r.location != base+"/objectives#objective-"+oid {
		t.Errorf("indicator save: %d to %q, want 303 to its objective", r.status, r.location)
	}
	r = coach.post(base+"/objectives/"+oid+"/indicators", "kind", "observable", "description", "Nouvel indicateur")
	if r.status != http.StatusSeeOther || r.location != base+"/objectives#objective-"+oid {
		t.Errorf("indicator add: %d to %q, want 303 to its objective", r.status, r.location)
	}
	r = coach.post(base+"/objectives", "title", "Troisième objectif")
	nid := a.sqlStr(`SELECT id::text FROM objectives WHERE engagement_id = $1 AND title = 'Troisième objectif'`, id)
	if r.status != http.StatusSeeOther || r.location != base+"/objectives#objective-"+nid {
		t.Errorf("objective add: %d to %q, want 303 to the new objective", r.status, r.location)
	}
	if r := a.as("coachee@demo.test").get(base + "/objectives/" + oid + "/edit"); r.status != http.StatusNotFound {
		t.Errorf("coachee opens the edit page: %d, want 404", r.status)
	}
}

// TestDestructiveActionsAskFirst: deleting, moving to the next phase, sharing
// with the company and interrupting each have a page saying what will happen;
// the page's button does it, and a delete says "supprimé".
func TestDestructiveActionsAskFirst(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(formsReady)
	base := "/w/demo/e/" + id
	coach := a.as("coach@demo.test")
	oid := a.sqlStr(`SELECT id::text FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, id)
	otitle := a.sqlStr(`SELECT title FROM objectives WHERE id = $1`, oid)
	iid := a.sqlStr(`SELECT id::text FROM indicators WHERE objective_id = $1 ORDER BY position LIMIT 1`, oid)
	itext := a.sqlStr(`SELECT description FROM indicators WHERE id = $1`, iid)

	// The pages link to the confirmations, not to one-click forms.
	r := coach.get(base + "/objectives")
	contains(t, r, `href="`+base+`/objectives/`+oid+`/delete/confirm"`)
	if strings.Contains(r.body, `action="`+base+`/objectives/`+oid+`/delete"`) {
		t.Error("the objectives page deletes in one click")
	}
	r = coach.get(base + "/objectives/" + oid + "/edit")
	contains(t, r, `href="`+base+`/indicators/`+iid+`/delete/confirm"`)
	r = coach.get(base + "/")
	contains(t, r, `href="`+base+`/phase/confirm"`, `href="`+base+`/interrupt/confirm"`)
	if strings.Contains(r.body, `action="`+base+`/phase"`) || strings.Contains(r.body, `action="`+base+`/interrupt"`) {
		t.Error("the overview moves or interrupts in one click")
	}

	r = coach.get(base + "/indicators/" + iid + "/delete/confirm")
	if r.status != http.StatusOK {
		t.Fatalf("indicator confirm: %d", r.status)
	}
	has(t, "coach", r, itext, otitle, "définitive")
	contains(t, r, `action="`+base+`/indicators/`+iid+`/delete"`)
	r = coach.post(base + "/indicators/" + iid + "/delete")
	if r.status != http.StatusSeeOther || r.location != base+"/objectives#objective-"+oid {
		t.Errorf("indicator delete: %d to %q", r.status, r.location)
	}
	has(t, "coach", coach.get(base+"/objectives"), "Indicateur supprimé.")

	r = coach.get(base + "/objectives/" + oid + "/delete/confirm")
	if r.status != http.StatusOK {
		t.Fatalf("objective confirm: %d", r.status)
	}
	has(t, "coach", r, "L'objectif « "+otitle+" » sera supprimé", "définitive")
	contains(t, r, `action="`+base+`/objectives/`+oid+`/delete"`)
	if got := a.sqlStr(`SELECT count(*)::text FROM objectives WHERE id = $1`, oid); got != "1" {
		t.Fatal("the confirmation page deleted the objective")
	}
	coach.post(base + "/objectives/" + oid + "/delete")
	r = coach.get(base + "/objectives")
	has(t, "coach", r, "Objectif supprimé.")
	if strings.Contains(r.body, "Modifications enregistrées") {
		t.Error("a delete says the changes were saved")
	}

	r = coach.get(base + "/phase/confirm")
	if r.status != http.StatusOK {
		t.Fatalf("phase confirm: %d", r.status)
	}
	has(t, "coach", r, "phase d'accompagnement", "Le retour à la phase précédente n'est pas possible.")
	contains(t, r, `action="`+base+`/phase"`)
	if got := a.sqlStr(`SELECT phase FROM engagements WHERE id = $1`, id); got != "cadrage" {
		t.Errorf("the confirmation page moved the phase: %s", got)
	}

	r = coach.get(base + "/interrupt/confirm")
	if r.status != http.StatusOK {
		t.Fatalf("interrupt confirm: %d", r.status)
	}
	contains(t, r, `action="`+base+`/interrupt"`, `name="reason"`)
	r = coach.post(base+"/interrupt", "reason", "")
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("interrupt without a reason: %d", r.status)
	}
	contains(t, r, `action="`+base+`/interrupt"`)
	if r := a.as("coachee@demo.test").get(base + "/interrupt/confirm"); r.status != http.StatusNotFound {
		t.Errorf("coachee's interrupt confirmation: %d, want 404", r.status)
	}

	// The coachee shares an action after reading who will see it.
	acc := a.engagementID(paAcc)
	aid := a.sqlStr(`SELECT id::text FROM actions WHERE engagement_id = $1 AND shared_at IS NULL ORDER BY title LIMIT 1`, acc)
	title := a.sqlStr(`SELECT title FROM actions WHERE id = $1`, aid)
	coachee := a.as("coachee@demo.test")
	apath := "/w/demo/e/" + acc + "/actions/" + aid
	r = coachee.get(apath)
	contains(t, r, `href="`+apath+`/share/confirm"`)
	r = coachee.get(apath + "/share/confirm")
	if r.status != http.StatusOK {
		t.Fatalf("share confirm: %d", r.status)
	}
	has(t, "coachee", r, title, "Le représentant de l'entreprise verra")
	contains(t, r, `action="`+apath+`/share"`, `name="share" value="on"`)
	if r := coach.get(apath + "/share/confirm"); r.status != http.StatusNotFound {
		t.Errorf("coach's share confirmation: %d, want 404", r.status)
	}
}

// TestEvaluationOnOneScreenWithoutDefault: the coachee evaluates every
// indicator in one form where no assessment is chosen beforehand; a missing
// one is refused beside it, storing nothing and keeping all that was typed;
// the coach's evaluations stay hidden from the coachee until hers are in.
func TestEvaluationOnOneScreenWithoutDefault(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(paBou)
	base := "/w/demo/e/" + id
	coachee := a.as("coachee@demo.test")
	inds := a.sqlStrs(`SELECT i.id::text FROM indicators i JOIN objectives o ON o.id = i.objective_id
		WHERE i.engagement_id = $1 ORDER BY o.position, i.position`, id)
	if len(inds) < 3 {
		t.Fatalf("the bouclage engagement has %d indicators, want at least 3", len(inds))
	}
	stored := func() string {
		return a.sqlStr(`SELECT count(*)::text FROM evaluations WHERE engagement_id = $1 AND part = 'coachee'`, id)
	}
	before := stored()

	r := coachee.get(base + "/evaluation")
	if r.status != http.StatusOK {
		t.Fatalf("evaluation: %d", r.status)
	}
	if n := strings.Count(r.body, `<form method="post" action="`+base+`/evaluation`); n != 1 {
		t.Errorf("%d evaluation forms, want one for every indicator", n)
	}
	unset := a.sqlStr(`SELECT count(*)::text FROM indicators i WHERE i.engagement_id = $1
		AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.indicator_id = i.id AND e.part = 'coachee')`, id)
	if got := strings.Count(r.body, `value="" selected`); strconv.Itoa(got) != unset {
		t.Errorf("%d assessments left unchosen, want %s (no default)", got, unset)
	}
	for _, a := range []string{"reached", "partly", "not_reached"} {
		if strings.Contains(r.body, `value="`+a+`" selected`) && unset == strconv.Itoa(len(inds)) {
			t.Errorf("assessment %q chosen beforehand", a)
		}
	}

	// Only the first indicator assessed: refused beside each other one.
	kv := []string{}
	for i, iid := range inds {
		kv = append(kv, "reached."+iid, "Atteint à "+strconv.Itoa(i), "evidence."+iid, "Preuve tapée "+strconv.Itoa(i))
	}
	r = coachee.post(base+"/evaluation", append(kv, "assessment."+inds[0], "reached")...)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("missing assessments: %d, want 422", r.status)
	}
	if n := strings.Count(text(r), "Choisissez une appréciation pour cet indicateur."); n != len(inds)-1 {
		t.Errorf("%d errors beside the assessments, want %d", n, len(inds)-1)
	}
	for i := range inds {
		has(t, "coachee", r, "Atteint à "+strconv.Itoa(i), "Preuve tapée "+strconv.Itoa(i))
	}
	if !strings.Contains(r.body, `value="reached" selected`) {
		t.Error("the assessment chosen is lost")
	}
	if got := stored(); got != before {
		t.Errorf("a refused evaluation stored %s → %s rows", before, got)
	}

	for _, iid := range inds {
		kv = append(kv, "assessment."+iid, "partly")
	}
	r = coachee.post(base+"/evaluation", kv...)
	if r.status != http.StatusSeeOther {
		t.Fatalf("all assessed: %d, want 303", r.status)
	}
	if got := stored(); got != strconv.Itoa(len(inds)) {
		t.Errorf("%s evaluations stored, want %d", got, len(inds))
	}

	// Blind: the coachee's evidence is not on the coach's page for an
	// indicator the coach has not evaluated yet.
	open := a.sqlStr(`SELECT i.id::text FROM indicators i WHERE i.engagement_id = $1
		AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.indicator_id = i.id AND e.part = 'coach') LIMIT 1`, id)
	for i, iid := range inds {
		if iid == open {
			hasNot(t, "coach", a.as("coach@demo.test").get(base+"/evaluation"), "Preuve tapée "+strconv.Itoa(i))
		}
	}
}

// TestSessionOutsideContractWarns: a session planned before the contract's
// start or after its end is saved and its page says so; one planned in the
// past is recorded as held by the single button its page offers.
func TestSessionOutsideContractWarns(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(paAcc)
	base := "/w/demo/e/" + id
	coach := a.as("coach@demo.test")
	start := a.sqlStr(`SELECT start_date::text FROM contracts WHERE engagement_id = $1`, id)
	end := a.sqlStr(`SELECT end_date::text FROM contracts WHERE engagement_id = $1`, id)
	day := func(q string) string { return a.sqlStr(q, id) }
	plan := func(at string) (string, resp) {
		t.Helper()
		r := coach.post(base+"/sessions", "at", at+"T10:00", "minutes", "90")
		if r.status != http.StatusSeeOther {
			t.Fatalf("plan %s: %d", at, r.status)
		}
		return r.location, coach.get(r.location)
	}
	const before, after = "Attention : cette séance est prévue avant le début du contrat.", "Attention : cette séance est prévue après la fin du contrat."

	_, r := plan(day(`SELECT (start_date - 3)::text FROM contracts WHERE engagement_id = $1`))
	has(t, "coach", r, before)
	hasNot(t, "coach", r, after)
	_, r = plan(day(`SELECT (end_date + 3)::text FROM contracts WHERE engagement_id = $1`))
	has(t, "coach", r, after)
	hasNot(t, "coach", r, "Enregistrer la séance comme tenue") // not yet due
	has(t, "coach", coach.get(base+"/sessions"), before, after)
	_, r = plan(start)
	hasNot(t, "coach", r, before, after)
	_, r = plan(end)
	hasNot(t, "coach", r, before, after)

	// Planned in the past, inside the contract: held in one submit.
	past := day(`SELECT greatest(start_date, current_date - 2)::text FROM contracts WHERE engagement_id = $1`)
	if past >= time.Now().Format("2006-01-02") {
		t.Fatalf("the demo contract starts %s: no past day inside it", start)
	}
	path, r := plan(past)
	has(t, "coach", r, "Enregistrer la séance comme tenue")
	form := regexp.MustCompile(`(?s)<form method="post" action="` + regexp.QuoteMeta(path) + `" class="record-held">(.*?)</form>`).FindStringSubmatch(r.body)
	if form == nil {
		t.Fatal("no one-step form to record the session as held")
	}
	var kv []string
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(form[1], -1) {
		kv = append(kv, m[1], html.UnescapeString(m[2]))
	}
	if r := coach.post(path, kv...); r.status != http.StatusSeeOther {
		t.Fatalf("record as held: %d", r.status)
	}
	sid := path[strings.LastIndex(path, "/")+1:]
	if got := a.sqlStr(`SELECT status || ' ' || scheduled_at::date::text FROM coaching_sessions WHERE id = $1`, sid); got != "held "+past {
		t.Errorf("after the one-step record: %q, want held on %s", got, past)
	}
}

// TestValidatedSynthesisDrift: once all three validated version 2, editing an
// objective makes the gate stop counting it and the synthesis page show what
// changed; version 3, validated by all three, opens the gate again.
func TestValidatedSynthesisDrift(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(formsReady)
	base := "/w/demo/e/" + id
	coach, coachee, sponsor := a.as("coach@demo.test"), a.as("coachee@demo.test"), a.as("sponsor@demo.test")
	validateAll := func(n string) {
		t.Helper()
		for _, c := range []*client{coach, coachee, sponsor} {
			if r := c.post(base + "/synthesis/" + n + "/validate"); r.status != http.StatusSeeOther {
				t.Fatalf("validate v%s: %d", n, r.status)
			}
		}
	}
	gateOpen := func() bool {
		t.Helper()
		return strings.Contains(coach.get(base+"/").body, `href="`+base+`/phase/confirm"`)
	}
	if r := coach.post(base + "/synthesis/publish"); r.status != http.StatusSeeOther || r.location != base+"/synthesis/2" {
		t.Fatalf("publish v2: %d %s", r.status, r.location)
	}
	validateAll("2")
	if !gateOpen() {
		t.Fatal("v2 validated by all three: the gate is closed")
	}
	const moveDuty = "Passer à la phase d'accompagnement : tout est prêt"
	has(t, "coach's dashboard", coach.get("/w/demo/"), moveDuty)
	hasNot(t, "coach", coach.get(base+"/synthesis"), "Modifications depuis la version")

	oid := a.sqlStr(`SELECT id::text FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, id)
	old := a.sqlStr(`SELECT title FROM objectives WHERE id = $1`, oid)
	ver := a.sqlStr(`SELECT version::text FROM objectives WHERE id = $1`, oid)
	desc := a.sqlStr(`SELECT description FROM objectives WHERE id = $1`, oid)
	if r := coach.post(base+"/objectives/"+oid, "version", ver, "title", "Objectif changé après validation", "description", desc); r.status != http.StatusSeeOther {
		t.Fatalf("edit objective: %d", r.status)
	}
	if gateOpen() {
		t.Error("the objective changed after v2 was validated: the gate still counts v2")
	}
	hasNot(t, "coach's dashboard", coach.get("/w/demo/"), moveDuty)
	if r := coach.post(base + "/phase"); r.status != http.StatusConflict {
		t.Errorf("move with a drifted synthesis: %d, want 409", r.status)
	}
	// Validating again is agreeing to what v2 says, which is no longer what
	// the engagement holds: refused until a new version is published.
	if r := sponsor.post(base + "/synthesis/2/validate"); r.status != http.StatusConflict || !strings.Contains(r.body, "Le contenu a changé depuis cette version") {
		t.Errorf("sponsor validates the drifted v2 again: %d, want 409 saying the content changed", r.status)
	}
	r := coach.get(base + "/synthesis")
	has(t, "coach", r, "Modifications depuis la version 2", "Publiez une nouvelle version")
	body := text(r)
	if !strings.Contains(body, "Objectif changé après validation —</ins>") || !strings.Contains(body, old+" —</del>") {
		t.Errorf("the synthesis page lacks the objective's change as a diff: %s", section(body, "Modifications depuis"))
	}
	has(t, "sponsor", sponsor.get(base+"/synthesis"), "Modifications depuis la version 2")

	if r := coach.post(base + "/synthesis/publish"); r.status != http.StatusSeeOther || r.location != base+"/synthesis/3" {
		t.Fatalf("publish v3: %d %s", r.status, r.location)
	}
	hasNot(t, "coach", coach.get(base+"/synthesis"), "Modifications depuis la version")
	if gateOpen() {
		t.Error("v3 not yet validated: the gate is open")
	}
	validateAll("3")
	if !gateOpen() {
		t.Error("v3 validated by all three: the gate is closed")
	}
	if r := coach.post(base + "/phase"); r.status != http.StatusSeeOther {
		t.Errorf("move after v3: %d, want 303", r.status)
	}
}

// TestClosingSaysWhatIsLeft: before the report closes the engagement, the
// coach reads how many contracted sessions were not held and how many actions
// are still open, and writes why; the coachee reads that, the company does not.
func TestClosingSaysWhatIsLeft(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(paBou)
	base := "/w/demo/e/" + id
	coach := a.as("coach@demo.test")
	// The demo's bouclage is complete: leave sessions 3 and after not held,
	// and four actions open.
	for _, q := range []string{`UPDATE coaching_sessions SET status = 'planned' WHERE engagement_id = $1 AND number > 2`,
		`INSERT INTO actions (tenant_id, engagement_id, title) SELECT tenant_id, id, 'Action ouverte ' || n FROM engagements, generate_series(1, 4) n WHERE id = $1`} {
		if _, err := a.env.Super.Exec(t.Context(), q, id); err != nil {
			t.Fatal(err)
		}
	}
	left := a.sqlStr(`SELECT (c.sessions_planned - (SELECT count(*) FROM coaching_sessions s WHERE s.engagement_id = c.engagement_id AND s.status = 'held'))::text
		FROM contracts c WHERE c.engagement_id = $1`, id)
	open := a.sqlStr(`SELECT count(*)::text FROM actions WHERE engagement_id = $1 AND status IN ('todo', 'in_progress')`, id)
	if left == "0" || left == "1" || open == "0" {
		t.Fatalf("the demo bouclage has %s sessions left and %s open actions: nothing to warn about", left, open)
	}
	r := coach.get(base + "/report")
	has(t, "coach", r, "Avant de clore", "Attention : "+left+" séances prévues au contrat n'ont pas été tenues.",
		"Attention : "+open+" actions d'intersession sont encore ouvertes.", `name="note"`)

	if r := coach.post(base+"/closing/note", "note", ""); r.status != http.StatusUnprocessableEntity {
		t.Errorf("empty note: %d, want 422", r.status)
	}
	const why = "Le coaché a changé de poste : nous arrêtons après la sixième séance."
	if r := coach.post(base+"/closing/note", "note", why); r.status != http.StatusSeeOther {
		t.Fatalf("note: %d", r.status)
	}
	has(t, "coach", coach.get(base+"/report"), why)
	r = a.as("coachee@demo.test").get(base + "/report")
	has(t, "coachee", r, why)
	hasNot(t, "coachee", r, `name="note"`)
	hasNot(t, "sponsor", a.as("sponsor@demo.test").get(base+"/report"), why, "Avant de clore", "séances prévues au contrat")
	hasNot(t, "admin", a.as("admin@demo.test").get(base+"/report"), why)
	if got := a.sqlStr(`SELECT body FROM closing_notes WHERE engagement_id = $1`, id); got != why {
		t.Errorf("stored note %q", got)
	}

	// The validation that may close: the coach reads the same warnings beside it.
	r = coach.post(base + "/report/publish")
	if r.status != http.StatusSeeOther {
		t.Fatalf("publish the report: %d", r.status)
	}
	version := r.location
	has(t, "coach", coach.get(version), "Attention : "+left+" séances prévues au contrat n'ont pas été tenues.", "Dire pourquoi")
	hasNot(t, "sponsor", a.as("sponsor@demo.test").get(version), "séances prévues au contrat n'ont pas été tenues")
}
