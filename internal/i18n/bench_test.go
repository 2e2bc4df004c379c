package i18n

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// The dashboards translate a few hundred messages per page: these
// benchmarks measure one message of each kind (make bench's CPU profile put
// the translations at about a third of the server's time per dashboard).
func BenchmarkT(b *testing.B) {
	ctx := WithCoachee(WithLang(context.Background(), "fr"), "f")
	for _, c := range []struct {
		name, id string
		pairs    []any
	}{
		{"plain", "account.address", nil},
		{"names the coachee", "action.proposed_by.coachee", nil},
		{"plural", "action.entries", []any{"Count", 3}},
		{"with a name", "join.title", []any{"Workspace", "Cabinet Martin"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				T(ctx, c.id, c.pairs...)
			}
		})
	}
}

// TestMemoKeepsOnlyCatalogText: the memo of translations never answers one
// person's text for another's, nor one form of address for another.
func TestMemoKeepsOnlyCatalogText(t *testing.T) {
	fr := WithLang(context.Background(), "fr")
	for range 2 { // the second round reads the memo
		if a, b := T(fr, "join.title", "Workspace", "Cabinet A"), T(fr, "join.title", "Workspace", "Cabinet B"); a == b {
			t.Errorf("join.title for two workspaces: both %q", a)
		}
		if f, m := T(WithCoachee(fr, Feminine), "action.proposed_by.coachee"), T(WithCoachee(fr, Masculine), "action.proposed_by.coachee"); f == m {
			t.Errorf("proposed by the coachee, feminine and masculine: both %q", f)
		}
		if one, many := T(fr, "action.entries", "Count", 1), T(fr, "action.entries", "Count", 3); one == many || !strings.Contains(many, "3") {
			t.Errorf("action.entries for 1 and 3: %q, %q", one, many)
		}
		if en := T(WithLang(context.Background(), "en"), "account.address"); en == T(fr, "account.address") {
			t.Errorf("account.address in English and French: both %q", en)
		}
		// A field named by another type than a plain string is never a hole
		// in another field's place.
		type field string
		if a, b := T(fr, "join.title", field("Workspace"), "Cabinet A"), T(fr, "join.title", field("Other"), "Cabinet B"); strings.Contains(b, "Cabinet B") || a == b {
			t.Errorf("join.title with fields of another type: %q, then %q", a, b)
		}
		// A value that looks like a hole is written as it is, never filled.
		if got := T(fr, "join.title", "Workspace", "\x000\x01 \x001\x01"); !strings.Contains(got, "\x000\x01 \x001\x01") {
			t.Errorf("join.title with a hole-like name: %q", got)
		}
		if a, b := T(fr, "join.title", "Workspace", "Cabinet A"), Translate("fr", "join.title", "Workspace", "Cabinet A"); a != b || !strings.Contains(a, "Cabinet A") {
			t.Errorf("join.title through T and Translate: %q, %q", a, b)
		}
	}
	// What the memo holds is catalog text: no value given to a message.
	memo.Range(func(k, v any) bool {
		for _, name := range []string{"Cabinet A", "Cabinet B"} {
			if strings.Contains(v.(string), name) || strings.Contains(k.(memoEntry).pairs, name) {
				t.Errorf("the memo holds %q: %q", name, v)
			}
		}
		return true
	})
}

// The memo's answer is go-i18n's own, for every message of the catalogs
// with a value in each of its fields: translated once with holes and filled,
// or translated directly.
func TestMemoMatchesTheCatalog(t *testing.T) {
	field := regexp.MustCompile(`\{\{\s*\.([A-Za-z]+)\s*\}\}`)
	n := 0
	// Each plural form, an int count and a count given as text.
	for _, count := range []any{1, 7, "1", "7"} {
		for _, lang := range Languages {
			loc := localizers[lang]
			for id, texts := range catalog(t, lang) {
				var pairs []any
				seen := map[string]bool{}
				for _, m := range field.FindAllStringSubmatch(strings.Join(texts, " "), -1) {
					if seen[m[1]] || isPartyWord(m[1]) {
						continue
					}
					seen[m[1]] = true
					if m[1] == "Count" {
						pairs = append(pairs, m[1], count)
					} else {
						pairs = append(pairs, m[1], "«"+m[1]+" <&> 42»")
					}
				}
				for range 2 { // the second reads the memo
					if got, want := Translate(lang, id, pairs...), translate(lang, loc, id, pairs); got != want {
						t.Errorf("%s: %s: %q, want %q", lang, id, got, want)
					}
				}
				n++
			}
		}
	}
	if n < 2000 {
		t.Errorf("only %d messages compared", n)
	}
}

// isPartyWord: the fields a party's form of address fills (Coachee, OfCoach…).
func isPartyWord(f string) bool {
	for _, p := range parties {
		if _, ok := p.words[f]; ok {
			return true
		}
	}
	return false
}

// TestPlainMessagesAsTranslated: a message with no value that names no party
// is answered from its message's kept text; the answer is the catalog's, in
// each language and for each reader, on the first call and the next ones.
func TestPlainMessagesAsTranslated(t *testing.T) {
	checked := 0
	for id, m := range messages {
		if m.named != [3]bool{} {
			continue
		}
		for _, lang := range Languages {
			for _, viewer := range []string{"", "coach", "coachee", "sponsor"} {
				ctx := WithViewer(WithLang(context.Background(), lang), viewer)
				want := translate(lang, localizers[lang], spokenTo(id, viewer), nil)
				for range 2 {
					if got := T(ctx, id); got != want {
						t.Fatalf("%s in %s for %q: %q, want %q", id, lang, viewer, got, want)
					}
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Errorf("only %d plain messages checked", checked)
	}
	if en, fr := T(WithLang(context.Background(), "en"), "account.address"), T(WithLang(context.Background(), "fr"), "account.address"); en == fr {
		t.Errorf("account.address: the same in English and French, %q", en)
	}
}

// Every signed-in page of a workspace puts the workspace's zone in its
// context.
func BenchmarkWithZone(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		WithZone(ctx, "Europe/Paris")
	}
}
