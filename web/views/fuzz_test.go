package views

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/a-h/templ"
	xhtml "golang.org/x/net/html"

	"triade/internal/domain"
)

// The documents are rendered from frozen versions whose every text was typed
// by someone: a title, names, the requests, long texts, comments. Whatever
// those texts hold, the page renders, stays valid UTF-8 when they are, shows
// each text escaped, and keeps the structure it has with harmless texts: no
// tag, attribute or comment comes from the content.

const fuzzEngID = "0b7e3c1e-8d7a-4f3e-9a51-2f0c4b6d8e10"

// docSeeds are the interesting values each string argument is seeded with.
var docSeeds = []string{
	"",
	"Prise de poste — direction des achats",
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	"</textarea><b>x</b>",
	"<!-- comment -->",
	"&amp; &lt; &#0; &#x3c;",
	"{{.Name}} {{template \"x\"}}",
	"'; DROP TABLE users; --",
	"\xff\xfe",
	"a\x00b",
	"ligne 1\r\nligne 2\n\nligne 3",
	"שלום \u202e‮ evil 👩🏽‍💻",
	"javascript:alert(1)",
	strings.Repeat("x", 100000),
}

func addDocSeeds(f *testing.F) {
	for i, s := range docSeeds {
		// Each seed in every position at least once, with a neighbour.
		n := docSeeds[(i+3)%len(docSeeds)]
		f.Add(s, n, s, n, s, i)
		f.Add(n, s, n, s, n, -i)
	}
	f.Add("Leadership", "Coach Démo", "Demande", "Texte", "reached", 3)
}

// placeholder keeps whether a text is empty (the templates branch on that) and
// nothing else.
func placeholder(s string) string {
	if s == "" {
		return ""
	}
	return "X"
}

func fuzzPage(title, name string, n int) Page {
	return Page{Title: "synthesis.doc.title", TitleArgs: []any{"Number", n}, Lang: "fr", CSS: "/static/app.css", Path: "/",
		User: &Person{Name: name, Email: "coach@demo.test"}, Workspace: &WorkspaceLink{Slug: "demo", Name: title, Roles: domain.RoleSet{domain.RoleCoach}},
		Roles: domain.RoleSet{domain.RoleCoach}, Workspaces: []WorkspaceLink{{Slug: "demo", Name: title}, {Slug: "autre", Name: name}}}
}

func fuzzEng(title, name, other string) Eng {
	base := "/w/demo/e/" + fuzzEngID
	return Eng{ID: fuzzEngID, Title: title, ClientOrg: name, Base: base, Phase: domain.PhaseCadrage, Part: domain.PartCoach,
		Parties: []PartyRow{{Name: name, Part: domain.PartCoach}, {Name: other, Part: domain.PartSponsor, SponsorKind: "hr"}},
		Tabs:    []NavItem{{Label: "eng.tab.overview", Href: base}, {Label: "eng.tab.synthesis", Href: base + "/synthesis", Current: true}}}
}

func synthesisDoc(title, name, request, text, item string, n int) (Page, SynthesisDoc) {
	base := "/w/demo/e/" + fuzzEngID
	v := SynthesisDoc{Eng: fuzzEng(title, name, item),
		Version: VersionRow{Number: n, At: item, By: name, Href: base + "/synthesis/1", Current: n%2 == 0, CanValidate: n%3 == 0,
			Validations: []ValidationRow{{Name: name, At: item, Part: domain.PartCoachee}, {Name: item, At: text, Part: domain.PartSponsor}}},
		Content: SynthesisContent{Title: title, ClientOrg: name, Coach: name, Coachee: item, Sponsors: []string{name, item},
			CompanyRequest: request, CoacheeRequest: text, Coherence: item, Text: text, Approach: request, Start: item, End: name,
			Sessions: n, Minutes: -n, Confidentiality: text, Exceptions: item,
			Objectives: []ObjectiveView{
				{Title: title, Description: text, Indicators: []IndicatorView{{Kind: item, Description: request, Baseline: name, Target: item, Observe: text}}},
				{Title: item, Description: ""}}},
		Comments:   []CommentRow{{At: item, Author: name, Body: text}},
		CanComment: n%2 != 0}
	return fuzzPage(title, name, n), v
}

func reportDoc(title, name, request, text, item string, n int) (Page, ReportDoc) {
	base := "/w/demo/e/" + fuzzEngID
	ev := func(reached, assessment, evidence string) EvalView {
		return EvalView{Reached: reached, Assessment: assessment, Evidence: evidence, Set: true}
	}
	v := ReportDoc{Eng: fuzzEng(title, name, item),
		Version: VersionRow{Number: n, At: item, By: name, Href: base + "/report/1", Current: n%2 == 0, CanValidate: n%3 == 0,
			Validations: []ValidationRow{{Name: name, At: item, Part: domain.PartCoach}}},
		CanComment: n%2 != 0, Title: title, ClientOrg: name, Coach: name, Coachee: item, Sponsors: []string{item, name},
		CompanyRequest: request, CoacheeRequest: text, CoacheeSynthesis: text,
		Held: n, Planned: -n, Used: n * 90, Total: n, Start: item, End: name, Final: request,
		Objectives: []ReportObjective{{Title: title, Indicators: []EvalRow{
			{Kind: item, Description: request, Baseline: name, Target: item, Mine: ev(name, item, text), Other: ev(item, "reached", request), Both: n%2 == 0, Withheld: n%5 == 0},
			{Kind: "observable", Description: item, Baseline: "", Target: "", Mine: EvalView{}, Other: ev(text, item, ""), Both: true},
		}}},
		Recommendations: []RecommendationRow{{ID: "r1", Body: text, Carrier: item, Author: name, Due: item}},
		Feedback:        []Item{{Title: name, Body: text}},
		Comments:        []CommentRow{{At: item, Author: name, Body: request}}}
	return fuzzPage(title, name, n), v
}

func render(t *testing.T, c templ.Component) string {
	t.Helper()
	var buf bytes.Buffer
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("render panicked: %v", v)
		}
	}()
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	return buf.String()
}

// skeleton is the page's markup without its texts: each tag with its sorted
// attribute names, each comment and doctype.
func skeleton(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	z := xhtml.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("tokenize: %v", z.Err())
			}
			return out
		case xhtml.TextToken:
			continue
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			tok := z.Token()
			var keys []string
			for _, a := range tok.Attr {
				keys = append(keys, a.Key)
			}
			sort.Strings(keys)
			out = append(out, fmt.Sprintf("%d<%s %s>", tt, tok.Data, strings.Join(keys, " ")))
		default:
			out = append(out, fmt.Sprintf("%d", tt))
		}
	}
}

func checkDocument(t *testing.T, got, harmless string, texts ...string) {
	t.Helper()
	valid := true
	for _, s := range texts {
		valid = valid && utf8.ValidString(s)
	}
	if valid && !utf8.ValidString(got) {
		t.Fatal("valid UTF-8 texts gave a page that is not valid UTF-8")
	}
	if strings.Contains(strings.ToLower(got), "<script") {
		t.Fatal("the page holds a <script> tag")
	}
	for _, s := range texts {
		if s != "" && !strings.Contains(got, html.EscapeString(s)) {
			t.Errorf("text %.80q does not appear escaped on the page", s)
		}
	}
	a, b := skeleton(t, got), skeleton(t, harmless)
	if len(a) != len(b) {
		t.Fatalf("the texts changed the page's markup: %d tags, %d with harmless texts", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the texts changed the page's markup at tag %d: %s, with harmless texts %s", i, a[i], b[i])
		}
	}
}

func FuzzSynthesisDocument(f *testing.F) {
	addDocSeeds(f)
	f.Fuzz(func(t *testing.T, title, name, request, text, item string, n int) {
		got := render(t, SynthesisDocument(synthesisDoc(title, name, request, text, item, n)))
		ph := placeholder
		harmless := render(t, SynthesisDocument(synthesisDoc(ph(title), ph(name), ph(request), ph(text), ph(item), n)))
		checkDocument(t, got, harmless, title, name, request, text, item)
	})
}

func FuzzReportDocument(f *testing.F) {
	addDocSeeds(f)
	f.Fuzz(func(t *testing.T, title, name, request, text, item string, n int) {
		got := render(t, ReportDocument(reportDoc(title, name, request, text, item, n)))
		ph := placeholder
		harmless := render(t, ReportDocument(reportDoc(ph(title), ph(name), ph(request), ph(text), ph(item), n)))
		checkDocument(t, got, harmless, title, name, request, text, item)
	})
}

// FuzzIndicatorChart: the evaluation chart reads figures out of free texts
// ("6 par mois", "-10 %", "1e400"): it never panics, and every mark it draws
// lies on the indicator's axis (x from 20 to 580).
func FuzzIndicatorChart(f *testing.F) {
	for _, s := range [][3]string{
		{"2 par mois", "6 par mois", "4"}, {"0", "0", "0"}, {"-2 %", "-10 %", "-5 %"}, {"10", "5", "20"},
		{"1" + strings.Repeat("0", 400), "1", "2"}, {"9999999999999999999999", "1", ""}, {"", "3", "1"},
		{"3,5", "4.5", "aucun"}, {"-0", "0.0000001", "1e3"}, {"\xff1", "2\x00", "٣"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, baseline, target, reached string) {
		rows := []EvalRow{{Description: "indicateur", Baseline: baseline, Target: target, Mine: EvalView{Reached: reached, Assessment: "partly", Set: true}}}
		for _, b := range indicatorBars(rows) {
			for _, x := range []int{b.Baseline, b.Target, b.Reached} {
				if x != -1 && (x < 20 || x > 580) {
					t.Errorf("baseline %q, target %q, reached %q: mark at x=%d, off the axis 20..580", baseline, target, reached, x)
				}
			}
		}
		render(t, IndicatorChart(rows))
	})
}
