package i18n

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"triade/web"
)

// catalog maps each message ID of a language to its texts: one, or one per
// plural form.
func catalog(t *testing.T, lang string) map[string][]string {
	b, err := fs.ReadFile(web.Locales, "locales/"+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	m := make(map[string][]string, len(raw))
	for id, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			m[id] = []string{s}
			continue
		}
		forms := map[string]string{}
		if err := json.Unmarshal(r, &forms); err != nil {
			t.Fatalf("%s: %s: %v", lang, id, err)
		}
		for _, f := range []string{"one", "other"} {
			if forms[f] == "" {
				t.Errorf("%s: %s lacks its %q plural form", lang, id, f)
			}
			m[id] = append(m[id], forms[f])
		}
	}
	return m
}

// Counts go through the plural forms: a message never hedges with "(s)".
func TestNoHedgedPlurals(t *testing.T) {
	hedge := regexp.MustCompile(`\(s\)|\(e\)|\(es\)`)
	for _, lang := range Languages {
		for id, texts := range catalog(t, lang) {
			for _, s := range texts {
				if hedge.MatchString(s) {
					t.Errorf("%s: %s: %q hedges a plural: give it one/other forms and a Count", lang, id, s)
				}
			}
		}
	}
}

func TestPluralForms(t *testing.T) {
	cases := []struct {
		lang  string
		count int
		want  string
	}{
		{"fr", 0, "0 membre"}, {"fr", 1, "1 membre"}, {"fr", 8, "8 membres"},
		{"en", 0, "0 members"}, {"en", 1, "1 member"}, {"en", 8, "8 members"},
	}
	for _, c := range cases {
		if got := Translate(c.lang, "members.caption", "Count", c.count); got != c.want {
			t.Errorf("%s, %d: %q, want %q", c.lang, c.count, got, c.want)
		}
	}
	// An event's data holds its numbers as text.
	if got := Translate("fr", "history.retention_set", "Count", "3"); got != "Durée de conservation fixée à 3 ans" {
		t.Errorf("count as text: %q", got)
	}
}

func TestCatalogsHaveTheSameMessages(t *testing.T) {
	fr, en := catalog(t, "fr"), catalog(t, "en")
	for k := range fr {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := fr[k]; !ok {
			t.Errorf("fr lacks %q", k)
		}
	}
}

// Every literal message ID the code and views pass to t()/T()/Translate, or
// name in a struct field that the views translate, must be in the catalog.
// (The store is skipped: its dotted strings are event kinds, whose messages are
// checked by the server tests.)
var idPattern = regexp.MustCompile(`"((?:account|dashboard|error|field|form|home|invite|join|layout|link|login|mail|members|nav|orgs|outbox|reset|role|signup|forgot|eng|phase|part|gate|request|requests|objectives|indicators|indicator|synthesis|meeting|meetings|conflict|contract|first_meeting|framing|filter|text|todo|sponsor_kind|history|session|action|actions|autonomy|evaluation|report|library|activity|calendar|settings|erase|unsubscribe|remind|wait|assessment|carrier|closing|comments|comment|journal|progress|pager|visibility|seen_as)\.[a-z0-9_.]+[a-z0-9_])"`)

func TestEveryUsedMessageExists(t *testing.T) {
	root := filepath.Join("..", "..")
	fr := catalog(t, "fr")
	ignore := map[string]bool{"members.see": true, "orgs.manage": true, "library.see": true, "library.manage": true, "activity.see": true} // capability names, not messages
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "store" || d.Name() == ".cache" || d.Name() == ".data" || d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !(strings.HasSuffix(path, ".templ") || (strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_templ.go") && !strings.HasSuffix(path, "_test.go"))) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range idPattern.FindAllStringSubmatch(string(b), -1) {
			if _, ok := fr[m[1]]; !ok && !ignore[m[1]] {
				t.Errorf("%s: message %q is not in the catalog", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNegotiate(t *testing.T) {
	cases := []struct{ account, cookie, accept, want string }{
		{"", "", "", "fr"},
		{"", "", "en-US,en;q=0.8", "en"},
		{"", "", "de-DE", "fr"},
		{"", "en", "fr", "en"},
		{"fr", "en", "en", "fr"},
		{"", "xx", "en", "en"},
	}
	for _, c := range cases {
		if got := Negotiate(c.account, c.cookie, c.accept); got != c.want {
			t.Errorf("Negotiate(%q,%q,%q) = %q, want %q", c.account, c.cookie, c.accept, got, c.want)
		}
	}
}

func TestDatesInWorkspaceZone(t *testing.T) {
	at := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC) // 00:30 on 2 March in Paris
	ctx := WithZone(WithLang(context.Background(), "fr"), "Europe/Paris")
	if got := DateTime(ctx, at); got != "2 mars 2026 à 00 h 30" {
		t.Errorf("fr: %q", got)
	}
	ctx = WithZone(WithLang(context.Background(), "en"), "America/New_York")
	if got := DateTime(ctx, at); got != "1 March 2026, 6:30 PM" {
		t.Errorf("en: %q", got)
	}
	if got := Date(WithLang(context.Background(), "fr"), time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)); got != "1er mai 2026" {
		t.Errorf("first of the month: %q", got)
	}
	if got := T(WithLang(context.Background(), "en"), "join.title", "Workspace", "X"); got != "Join X" {
		t.Errorf("template data: %q", got)
	}
}

// TestZonesLoadedOnce: a zone is read from the database once and answered
// from memory after; a name that does not load is not kept, and the page
// falls back to Paris each time.
func TestZonesLoadedOnce(t *testing.T) {
	first, ok := Location("America/New_York")
	if !ok || first.String() != "America/New_York" {
		t.Fatalf("America/New_York: %v %v", first, ok)
	}
	if again, _ := Location("America/New_York"); again != first {
		t.Error("the second call loaded the zone again")
	}
	for range 2 {
		if loc, ok := Location("Mars/Olympus_Mons"); ok || loc != nil {
			t.Errorf("unknown zone answered %v", loc)
		}
		if z := Zone(WithZone(context.Background(), "Mars/Olympus_Mons")); z != paris {
			t.Errorf("unknown zone: dates in %v, want Europe/Paris", z)
		}
	}
	if _, kept := zones.Load("Mars/Olympus_Mons"); kept {
		t.Error("an unknown zone name was kept")
	}
	// Other spellings of a zone may load (from the system's database) but
	// are never kept: each would be one more entry.
	for _, name := range []string{"Europe//Paris", "./Europe/Paris", "Europe/./Paris", "Europe/../Europe/Paris", "/Europe/Paris"} {
		Location(name)
		if _, kept := zones.Load(name); kept {
			t.Errorf("%q was kept", name)
		}
		if CanonicalZone(name) {
			t.Errorf("%q taken as a zone's name", name)
		}
	}
	if !CanonicalZone("America/Argentina/Buenos_Aires") || !CanonicalZone("UTC") {
		t.Error("a zone's own name refused")
	}
}

// The rule for naming the coachee: a French message never writes the word
// (coaché, coachée, personne coachée) itself, since it would then name every
// coachee alike. It uses one of the fields of coachee.words, and only the
// coachee.* messages, one per form of address, hold the words.
func TestCoacheeNamedByForm(t *testing.T) {
	namesItself(t, regexp.MustCompile(`(?i)coach(é|ée)`), []string{"coachee."},
		"names the coachee itself: use {{.Coachee}}, {{.CoacheeCap}}, {{.OfCoachee}} or {{.CoacheeNoun}}")
	hasEveryForm(t, coachee)
}

// namesItself fails on every French message whose own text (its fields
// aside) matches word, apart from the messages under the prefixes given.
func namesItself(t *testing.T, word *regexp.Regexp, except []string, advice string) {
	t.Helper()
	action := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for id, texts := range catalog(t, "fr") {
		if slices.ContainsFunc(except, func(p string) bool { return strings.HasPrefix(id, p) }) {
			continue
		}
		for _, s := range texts {
			if word.MatchString(action.ReplaceAllString(s, "")) {
				t.Errorf("fr: %s: %q %s", id, s, advice)
			}
		}
	}
}

// hasEveryForm fails unless both catalogs give each of the party's words in
// every form of address.
func hasEveryForm(t *testing.T, p *party) {
	t.Helper()
	for _, lang := range Languages {
		for field, prefix := range p.words {
			for _, f := range AddressForms {
				if !Has(lang, prefix+"."+f) {
					t.Errorf("%s lacks %s.%s, the field %s in form %q", lang, prefix, f, field, f)
				}
			}
		}
	}
}

func TestCoacheeForms(t *testing.T) {
	cases := []struct{ form, want string }{
		{Feminine, "La coachée a confirmé sa volonté de travailler ensemble"},
		{Masculine, "Le coaché a confirmé sa volonté de travailler ensemble"},
		{Epicene, "La personne coachée a confirmé sa volonté de travailler ensemble"},
		{"", "La personne coachée a confirmé sa volonté de travailler ensemble"},
	}
	for _, c := range cases {
		ctx := WithCoachee(WithLang(context.Background(), "fr"), c.form)
		if got := T(ctx, "gate.coachee_willing"); got != c.want {
			t.Errorf("form %q: %q, want %q", c.form, got, c.want)
		}
		if got := Translate("fr", "gate.coachee_willing", "CoacheeForm", c.form); got != c.want {
			t.Errorf("Translate, form %q: %q, want %q", c.form, got, c.want)
		}
	}
	ctx := WithCoachee(WithLang(context.Background(), "fr"), Feminine)
	if got := T(ctx, "request.level.coachee"); got != "Demande de la coachée" {
		t.Errorf("OfCoachee: %q", got)
	}
	if got := T(ctx, "part.coachee"); got != "Coachée" {
		t.Errorf("part: %q", got)
	}
	if got := T(WithLang(ctx, "en"), "part.coachee"); got != "Coachee" {
		t.Errorf("en part: %q", got)
	}
}

// The same rule for the coach and the sponsor: "le coach", "la coach", "le
// représentant de l'entreprise" come from the person's form of address
// through the fields of coach.words and sponsor.words. Workspace roles
// (role.*) name a kind of member, not a person, and keep their label.
func TestPartiesNamedByForm(t *testing.T) {
	word := regexp.MustCompile(`(?i)\b(le|la|du|au|un|une|les|des)\s+(coach|représentante?s?)\b|^représentante?\b|\bdu représentant`)
	namesItself(t, word, []string{"coach.", "coachee.", "sponsor.", "role."},
		"names the coach or the sponsor itself: use {{.Coach}}, {{.Sponsor}}… so the person's form applies")
	hasEveryForm(t, coach)
	hasEveryForm(t, sponsor)
}

func TestCoachAndSponsorForms(t *testing.T) {
	fr := WithLang(context.Background(), "fr")
	cases := []struct{ form, coach, sponsor string }{
		{Feminine, "La coach a confirmé sa volonté de travailler ensemble", "Représentante de l'entreprise"},
		{Masculine, "Le coach a confirmé sa volonté de travailler ensemble", "Représentant de l'entreprise"},
		{Epicene, "Le ou la coach a confirmé sa volonté de travailler ensemble", "Personne représentant l'entreprise"},
	}
	for _, c := range cases {
		if got := T(WithCoach(fr, c.form), "gate.coach_willing"); got != c.coach {
			t.Errorf("coach, form %q: %q, want %q", c.form, got, c.coach)
		}
		if got := T(WithSponsor(fr, c.form), "part.sponsor"); got != c.sponsor {
			t.Errorf("sponsor, form %q: %q, want %q", c.form, got, c.sponsor)
		}
	}
	// A form given with the message (a party list names each person as
	// chosen) wins over the engagement's.
	if got := T(WithSponsor(fr, Masculine), "part.sponsor", "SponsorForm", Feminine); got != "Représentante de l'entreprise" {
		t.Errorf("explicit form: %q", got)
	}
	ctx := WithSponsor(WithCoachee(WithCoach(fr, Feminine), Masculine), Feminine)
	if got := T(ctx, "meetings.lead"); !strings.HasPrefix(got, "À la demande de la représentante de l'entreprise, du coaché ou de la coach,") {
		t.Errorf("three parties: %q", got)
	}
}

// Text addressed to a person speaks to them: the coachee reading her own
// pages gets "votre demande", not "la demande de la coachée", while the coach
// reading the same page still reads about the coachee.
func TestSpokenToTheViewer(t *testing.T) {
	fr := WithCoachee(WithLang(context.Background(), "fr"), Feminine)
	if got := T(WithViewer(fr, "coachee"), "request.level.coachee"); got != "Votre demande" {
		t.Errorf("coachee: %q", got)
	}
	if got := T(WithViewer(fr, "coach"), "request.level.coachee"); got != "Demande de la coachée" {
		t.Errorf("coach: %q", got)
	}
	if got := T(fr, "gate.coachee_willing"); got != "La coachée a confirmé sa volonté de travailler ensemble" {
		t.Errorf("nobody in particular: %q", got)
	}
	if got := T(WithViewer(WithLang(fr, "en"), "coachee"), "gate.coachee_request"); got != "Your request is written and validated" {
		t.Errorf("en: %q", got)
	}
	// Every variant speaks to a part of an engagement, stands beside its
	// message, and never names its reader in the third person.
	third := map[string]*regexp.Regexp{"coachee": coachee.fields, "coach": coach.fields, "sponsor": sponsor.fields}
	for _, lang := range Languages {
		msgs := catalog(t, lang)
		for id, texts := range msgs {
			i := strings.LastIndex(id, ".to_")
			if i < 0 {
				continue
			}
			base, part := id[:i], id[i+len(".to_"):]
			if _, ok := msgs[base]; !ok {
				t.Errorf("%s: %s speaks for %s, which does not exist", lang, id, base)
			}
			re, ok := third[part]
			if !ok {
				t.Errorf("%s: %s: no part %q", lang, id, part)
				continue
			}
			for _, s := range texts {
				if re.MatchString(s) {
					t.Errorf("%s: %s: %q names its reader in the third person", lang, id, s)
				}
			}
		}
	}
}

// The memo translates a message once with holes where values go (see memo):
// that is exact only while every field of the catalogs is a plain {{.Field}},
// with no condition, no function and no pipeline on a value.
func TestCatalogFieldsArePlain(t *testing.T) {
	action := regexp.MustCompile(`\{\{.*?\}\}`)
	plain := regexp.MustCompile(`^\{\{\s*\.[A-Za-z]+\s*\}\}$`)
	for _, lang := range Languages {
		for id, texts := range catalog(t, lang) {
			for _, s := range texts {
				for _, a := range action.FindAllString(s, -1) {
					if !plain.MatchString(a) {
						t.Errorf("%s: %s: %q is not a plain field: the memo's holes would not stand for its value", lang, id, a)
					}
				}
			}
		}
	}
}
