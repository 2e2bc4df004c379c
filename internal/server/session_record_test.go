package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// recordForm is a session record with every field filled, as a coach types it.
type recordForm struct {
	version, action string // the content's version; the plan line's action id once saved
	item, objective string
}

const (
	recAnalysis  = "Analyse : la tension vient du double rattachement"
	recScenarios = "Scénario : jeu de rôle avec le directeur"
	recDecision  = "Décision : proposer un point hebdomadaire"
	recSit0      = "Réunion du lundi tendue"
	recSit0Ctx   = "Trois chefs d'équipe absents"
	recSit1      = "Refus d'un arbitrage budgétaire"
	recSit1Ctx   = "Le directeur financier a tranché seul"
	recOpt0      = "Hypothèse : déléguer l'animation"
	recOpt1      = "Hypothèse : recadrer en tête-à-tête"
	recAction    = "Préparer l'ordre du jour avec l'équipe"
	recDue       = "2031-03-14"
	recInputNote = "Pour relire le triangle dramatique"
	recNote      = "Note privée : fatigue visible"
)

func (r recordForm) values(op string, extra ...string) []string {
	kv := []string{"version", r.version, "op", op,
		"n_sit", "2", "sit.0.title", recSit0, "sit.0.context", recSit0Ctx, "sit.1.title", recSit1, "sit.1.context", recSit1Ctx,
		"analysis", recAnalysis, "scenarios", recScenarios,
		"n_opt", "2", "opt.0.body", recOpt0, "opt.1.body", recOpt1, "chosen", "1",
		"decision", recDecision,
		"n_act", "1", "act.0.id", r.action, "act.0.title", recAction, "act.0.due", recDue, "act.0.objective", r.objective,
		"input." + r.item, "on", "input." + r.item + ".note", recInputNote,
		"note", recNote}
	// extra replaces a field's value, or adds the field.
next:
	for i := 0; i+1 < len(extra); i += 2 {
		for j := 0; j+1 < len(kv); j += 2 {
			if kv[j] == extra[i] {
				kv[j+1] = extra[i+1]
				continue next
			}
		}
		kv = append(kv, extra[i], extra[i+1])
	}
	return kv
}

var recTyped = []string{recAnalysis, recScenarios, recDecision, recSit0, recSit0Ctx, recSit1, recSit1Ctx, recOpt0, recOpt1,
	recAction, recDue, recInputNote, recNote}

// TestSessionRecordOnOneForm: the whole session is recorded by one submit, and
// each add or remove button of the same form saves everything typed first; a
// refused field or a stale version shows the form again with every value kept
// and stores nothing.
func TestSessionRecordOnOneForm(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID(paAcc)
	sid := a.sqlStr(`SELECT id::text FROM coaching_sessions WHERE engagement_id = $1 AND number = 5`, id)
	path := "/w/demo/e/" + id + "/sessions/" + sid
	coach := a.as("coach@demo.test")
	contentVersion := func() string {
		return a.sqlStr(`SELECT version::text FROM session_contents WHERE session_id = $1`, sid)
	}
	rec := recordForm{version: contentVersion(),
		item:      a.sqlStr(`SELECT id::text FROM library_items WHERE title ILIKE '%Karpman%' LIMIT 1`),
		objective: a.sqlStr(`SELECT id::text FROM objectives WHERE engagement_id = $1 ORDER BY position LIMIT 1`, id)}
	stored := func() string {
		return a.sqlStr(`SELECT concat_ws(' | ',
			(SELECT analysis || scenarios || decision FROM session_contents WHERE session_id = $1),
			(SELECT string_agg(title || '/' || context, ',' ORDER BY position) FROM session_situations WHERE session_id = $1),
			(SELECT string_agg(body || '/' || chosen, ',' ORDER BY position) FROM session_options WHERE session_id = $1),
			(SELECT string_agg(title || '/' || coalesce(due_date::text, '') || '/' || coalesce(objective_id::text, ''), ',') FROM actions WHERE session_id = $1),
			(SELECT string_agg(item_id || '/' || note, ',') FROM session_inputs WHERE session_id = $1),
			(SELECT string_agg(body, ',') FROM private_notes WHERE session_id = $1))`, sid)
	}
	wantStored := recAnalysis + recScenarios + recDecision + " | " + recSit0 + "/" + recSit0Ctx + "," + recSit1 + "/" + recSit1Ctx +
		" | " + recOpt0 + "/false," + recOpt1 + "/true | " + recAction + "/" + recDue + "/" + rec.objective +
		" | " + rec.item + "/" + recInputNote + " | " + recNote

	// A refused field (too long) keeps everything typed and stores nothing.
	before := stored()
	r := coach.post(path+"/record", rec.values("add-situation", "sit.1.context", strings.Repeat("x", 5001))...)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a context of 5001 characters: status %d, want 422", r.status)
	}
	has(t, "the refused form", r, append([]string{"aria-invalid=\"true\"", recSit1}, recTyped[:5]...)...)
	has(t, "the refused form", r, recTyped[7:]...)
	if after := stored(); after != before {
		t.Errorf("a refused record stored something:\n%s\n→ %s", before, after)
	}

	// Each add button saves what was typed, and the page comes back at its
	// rows with an empty row ready after them.
	for _, op := range []struct{ op, to, row string }{
		{"save", "", ""},
		{"add-situation", "#situations", `name="sit.2.title"`},
		{"add-option", "#options", `name="opt.2.body"`},
		{"add-action", "#plan", `name="act.1.title"`},
	} {
		r := coach.post(path+"/record", rec.values(op.op)...)
		if r.status != http.StatusSeeOther || r.location != path+op.to {
			t.Fatalf("%s: status %d to %q, want 303 to %q", op.op, r.status, r.location, path+op.to)
		}
		if got := stored(); got != wantStored {
			t.Fatalf("%s: the database holds\n%s\nwant\n%s", op.op, got, wantStored)
		}
		page := coach.get(path)
		has(t, op.op+": the page", page, recTyped...)
		if op.row != "" && !strings.Contains(page.body, op.row) {
			t.Errorf("%s: no empty row %s on the page", op.op, op.row)
		}
		rec.version = contentVersion()
		rec.action = a.sqlStr(`SELECT id::text FROM actions WHERE session_id = $1`, sid)
	}

	// The coach rewrites a plan line the coachee has not started: stored, not
	// silently kept as it was (the database lets coaches change plan lines
	// without a journal).
	const renamed = "Préparer l'ordre du jour avec deux chefs d'équipe"
	for _, title := range []string{renamed, recAction} {
		if r := coach.post(path+"/record", rec.values("save", "act.0.title", title)...); r.status != http.StatusSeeOther {
			t.Fatalf("rename the plan line to %q: status %d", title, r.status)
		}
		if got := a.sqlStr(`SELECT title FROM actions WHERE session_id = $1`, sid); got != title {
			t.Errorf("after renaming the plan line: %q stored, want %q", got, title)
		}
		rec.version = contentVersion()
	}

	// Empty new rows are not saved; a remove button saves the rest and removes its row.
	r = coach.post(path+"/record", rec.values("remove-situation-0", "n_sit", "3", "sit.2.title", "", "n_opt", "3", "opt.2.body", "")...)
	if r.status != http.StatusSeeOther || r.location != path+"#situations" {
		t.Fatalf("remove-situation-0: status %d to %q", r.status, r.location)
	}
	want := strings.Replace(wantStored, recSit0+"/"+recSit0Ctx+",", "", 1)
	if got := stored(); got != want {
		t.Fatalf("after removing the first situation the database holds\n%s\nwant\n%s", got, want)
	}

	// A stale version: the coach is told, the typed text is kept, nothing is stored.
	before = stored()
	r = coach.post(path+"/record", rec.values("save", "analysis", "Écrit sur une version périmée")...)
	if r.status != http.StatusConflict {
		t.Fatalf("a stale record: status %d, want 409", r.status)
	}
	has(t, "the stale form", r, "Écrit sur une version périmée", recSit0, recAction)
	if after := stored(); after != before {
		t.Errorf("a stale record stored something:\n%s\n→ %s", before, after)
	}

	// Removing the plan line deletes the action, which has no journal yet.
	rec.version = contentVersion()
	r = coach.post(path+"/record", rec.values("remove-action-0")...)
	if r.status != http.StatusSeeOther || r.location != path+"#plan" {
		t.Fatalf("remove-action-0: status %d to %q", r.status, r.location)
	}
	if n := a.sqlStr(`SELECT count(*)::text FROM actions WHERE session_id = $1`, sid); n != "0" {
		t.Errorf("after removing its line, %s actions left", n)
	}

	// An action the coachee has written in her journal about is hers now: the
	// record neither changes nor deletes it, and lists it apart.
	rec.version = contentVersion()
	if r = coach.post(path+"/record", rec.values("save")...); r.status != http.StatusSeeOther {
		t.Fatalf("save with a plan line: status %d", r.status)
	}
	aid := a.sqlStr(`SELECT id::text FROM actions WHERE session_id = $1`, sid)
	if _, err := a.env.Super.Exec(context.Background(), `INSERT INTO journal_entries (tenant_id, action_id, engagement_id, did)
		SELECT tenant_id, id, engagement_id, 'Fait' FROM actions WHERE id = $1`, aid); err != nil {
		t.Fatal(err)
	}
	rec.version, rec.action = contentVersion(), aid
	r = coach.post(path+"/record", rec.values("remove-action-0", "act.0.title", "Titre changé")...)
	if r.status != http.StatusSeeOther {
		t.Fatalf("removing a journaled action's line: status %d", r.status)
	}
	if got := a.sqlStr(`SELECT coalesce(string_agg(title, ','), '') FROM actions WHERE session_id = $1`, sid); got != recAction {
		t.Errorf("after a remove, the journaled action became %q, want %q kept", got, recAction)
	}
	rec.version = contentVersion()
	if r = coach.post(path+"/record", rec.values("save", "act.0.title", "Titre changé")...); r.status != http.StatusSeeOther {
		t.Fatalf("renaming a journaled action's line: status %d", r.status)
	}
	if got := a.sqlStr(`SELECT coalesce(string_agg(title, ','), '') FROM actions WHERE session_id = $1`, sid); got != recAction {
		t.Errorf("after a rename, the journaled action became %q, want %q kept", got, recAction)
	}
	has(t, "the page with a journaled action", coach.get(path), "Ces actions ont déjà des entrées de journal du coaché", recAction)
}
