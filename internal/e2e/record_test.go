package e2e

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"triade/internal/demo"
)

// TestSessionRecordKeepsEveryWord: the coach types into every field of a
// planned session's record, presses every add and remove button, sends the
// form with two refused fields, and after each step every word typed is still
// in the page; after the final save, a reload shows them all. Once without
// JavaScript (every button goes to the server) and once with it (the add
// buttons clone a row in place).
func TestSessionRecordKeepsEveryWord(t *testing.T) {
	for _, js := range []bool{false, true} {
		t.Run(map[bool]string{false: "without JavaScript", true: "with JavaScript"}[js], func(t *testing.T) {
			recordKeepsEveryWord(t, js)
		})
	}
}

// recordState is what the record's form should hold: the value of each field
// #f-<name>, and which radio buttons and checkboxes are checked.
type recordState struct {
	values  map[string]string
	checked map[string]bool
}

func recordKeepsEveryWord(t *testing.T, js bool) {
	env, b := setup(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	var sess string
	err := env.Super.QueryRow(ctx, `SELECT '/w/demo/e/' || e.id || '/sessions/' || s.id FROM coaching_sessions s
		JOIN engagements e ON e.id = s.engagement_id WHERE e.title = 'Conduite du changement — service client' AND s.status = 'planned'
		ORDER BY s.number LIMIT 1`).Scan(&sess)
	if err != nil {
		t.Fatal(err)
	}
	c := b.persona("coach")
	if !js {
		c.disableJavaScript()
	}
	c.wantStatus("login", c.login("coach@demo.test", demo.Password), 200)
	c.wantStatus("open the planned session", c.open(sess), 200)
	record := `main form[action="` + sess + `/record"] `
	item := strings.TrimPrefix(c.attr(record+`#inputs input[type="checkbox"]`, "id"), "in-")
	objective := c.attr(`#f-act-0-objective option:nth-child(2)`, "value")
	due := "2031-03-14"

	st := recordState{values: map[string]string{}, checked: map[string]bool{}}
	type1 := func(name, v string) {
		t.Helper()
		if strings.HasSuffix(name, "-due") || strings.HasSuffix(name, "-objective") {
			c.setValue(name, v)
		} else {
			c.write(name, v)
		}
		st.values[name] = v
	}
	tick := func(id string) {
		t.Helper()
		c.tick(id)
		if strings.HasPrefix(id, "opt-") {
			for k := range st.checked {
				if strings.HasPrefix(k, "opt-") {
					delete(st.checked, k)
				}
			}
		}
		st.checked[id] = true
	}
	readBack := func(when string) {
		t.Helper()
		for _, name := range slices.Sorted(maps.Keys(st.values)) {
			if got, want := c.value(name), st.values[name]; got != want {
				c.errorf("%s: #f-%s holds %q, want %q", when, name, got, want)
			}
		}
		for _, id := range slices.Sorted(maps.Keys(st.checked)) {
			if !c.checked(id) {
				c.errorf("%s: #%s is no longer checked", when, id)
			}
		}
	}
	add := func(kind string) {
		t.Helper()
		c.press(record + `button[value="add-` + kind + `"]`)
		readBack("after adding a " + kind)
	}
	// remove presses a row's remove button; the rows after it move up one,
	// with everything typed in them.
	remove := func(kind, prefix string, row int, fields ...string) {
		t.Helper()
		c.wantStatus("remove "+kind, c.click(fmt.Sprintf(`%sbutton[value="remove-%s-%d"]`, record, kind, row)), 200)
		for i := row; ; i++ {
			next := false
			for _, f := range fields {
				cur, after := fmt.Sprintf("%s-%d-%s", prefix, i, f), fmt.Sprintf("%s-%d-%s", prefix, i+1, f)
				v, ok := st.values[after]
				delete(st.values, cur)
				if ok {
					st.values[cur], next = v, true
					delete(st.values, after)
				}
				if st.checked[after] {
					delete(st.checked, after)
					st.checked[cur] = true
				}
			}
			if !next {
				break
			}
		}
		readBack("after removing a " + kind)
	}

	// Every field of the page, typed.
	type1("sit-0-title", "Réunion budgétaire tendue")
	type1("sit-0-context", "Le directeur financier\nconteste les chiffres.")
	type1("analysis", "Il cherche l'approbation avant de proposer.")
	type1("scenarios", "Proposer d'abord ; attendre ; déléguer.")
	type1("opt-0-body", "Présenter ses chiffres d'abord")
	tick("opt-0-chosen")
	type1("decision", "Ouvrir la réunion par sa proposition.")
	type1("act-0-title", "Préparer la proposition budgétaire")
	type1("act-0-objective", objective)
	type1("act-0-due", due)
	tick("in-" + item)
	type1("in-"+item+"-note", "Repérer la position de sauveur.")
	type1("note", "Note privée : fatigue visible.")
	readBack("typed")

	// Every add button, each new row typed into.
	add("situation")
	type1("sit-1-title", "Entretien annuel reporté")
	type1("sit-1-context", "Trois fois de suite.")
	add("option")
	type1("opt-1-body", "Laisser le directeur financier ouvrir")
	tick("opt-1-chosen")
	add("action")
	type1("act-1-title", "Fixer la date de l'entretien annuel")
	type1("act-1-due", "2031-04-01")
	readBack("rows added and typed")

	// Every remove button: the rows after the removed one move up.
	remove("situation", "sit", 0, "title", "context")
	remove("option", "opt", 0, "body", "chosen")
	remove("action", "act", 0, "title", "objective", "due")

	// Refused: a situation told without its title, an option over its 2,000
	// characters. Nothing is stored; everything typed comes back. (The row
	// after the last situation is the empty one the page always offers.)
	type1("sit-1-context", "Contexte sans titre.")
	long := strings.Repeat("x", 2001)
	c.setValue("opt-0-body", long)
	st.values["opt-0-body"] = long
	c.wantStatus("refused save", c.click(record+`button[value="save"]`), 422)
	c.wantText("#e-sit-1-title", "obligatoire")
	if c.text("#e-opt-0-body") == "" {
		c.errorf("no message next to the option over its limit")
	}
	readBack("after a refused save")

	// Corrected and saved; a reload shows every word.
	type1("sit-1-title", "Titre ajouté après le refus")
	type1("opt-0-body", "Laisser le directeur financier ouvrir")
	c.wantStatus("save", c.click(record+`button[value="save"]`), 200)
	c.wantText(".flash", "Modifications enregistrées")
	readBack("after the save")
	c.wantStatus("reload", c.open(sess), 200)
	readBack("after a reload")
	c.logEffort()
}
