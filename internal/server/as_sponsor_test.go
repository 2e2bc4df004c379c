package server_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var (
	mainPart   = regexp.MustCompile(`(?s)<main[^>]*>(.*)</main>`)
	seenAsPart = regexp.MustCompile(`(?s)<aside class="seen-as".*?</aside>`)
	formPart   = regexp.MustCompile(`(?s)<form\b.*?</form>`)
	previewRef = regexp.MustCompile(`href="([^"]*/as-sponsor\?page=[^"]*)"`)
)

var textNode = regexp.MustCompile(`>([^<]+)<`)

// textNodes is the set of a page's texts, as read.
func textNodes(body string) map[string]bool {
	out := map[string]bool{}
	for _, m := range textNode.FindAllStringSubmatch(body, -1) {
		if s := strings.Join(strings.Fields(html.UnescapeString(m[1])), " "); s != "" {
			out[s] = true
		}
	}
	return out
}

var detailsPart = regexp.MustCompile(`(?s)<details\b.*?</details>`)

// withoutForms drops the forms of a page, and the disclosures that only hold one.
func withoutForms(body string) string {
	body = detailsPart.ReplaceAllStringFunc(body, func(d string) string {
		if strings.Contains(d, "<form") {
			return ""
		}
		return d
	})
	return formPart.ReplaceAllString(body, "")
}

// mainOf is a page's <main>, without the preview's frame: what a party reads.
func mainOf(body string) string {
	m := mainPart.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return seenAsPart.ReplaceAllString(m[1], "")
}

// TestSeenAsSponsor: the coachee (and her coach) see the engagement exactly as
// its sponsor does — the sponsor's own pages, same text, through the same
// handlers and rules — framed and read-only; nothing the sponsor may not read
// (a cancel reason, an unshared action, what was said in session, the coach's
// note or comments) ever shows; no sponsor, no page.
func TestSeenAsSponsor(t *testing.T) {
	a := newApp(t, true)
	acc := "/w/demo/e/" + a.engagementID("Conduite du changement — service client")
	coachee, coach, sponsor := a.as("coachee@demo.test"), a.as("coach@demo.test"), a.as("sponsor@demo.test")
	secrets := []string{"Déplacement imprévu au siège", "Co-construire le plan de charge", "Réunion d'équipe houleuse",
		"Hypothèse : le besoin d'être apprécié", "Belle avancée : notez"}

	// The secrets are in the engagement: the coach's own pages show them.
	own := coach.get(acc+"/sessions").body + coach.get(acc+"/actions").body
	for _, p := range hrefs.FindAllStringSubmatch(coach.get(acc+"/sessions").body, -1) {
		if strings.HasPrefix(p[1], acc+"/sessions/") {
			own += coach.get(p[1]).body
		}
	}
	for _, p := range hrefs.FindAllStringSubmatch(coach.get(acc+"/actions").body, -1) {
		if strings.HasPrefix(p[1], acc+"/actions/") {
			own += coach.get(p[1]).body
		}
	}
	for _, s := range secrets {
		if !strings.Contains(html.UnescapeString(own), s) {
			t.Fatalf("the demo lacks %q: the test would prove nothing", s)
		}
	}

	has(t, "coachee, tab", coachee.get(acc+"/"), acc+"/as-sponsor", "Ce que voit l'entreprise")
	hasNot(t, "sponsor, tab", sponsor.get(acc+"/"), "/as-sponsor")

	// Every page of the preview, reached by its own links, equals the
	// sponsor's page at the same place, forms aside; the preview has none.
	seen := map[string]bool{}
	queue := []string{acc + "/as-sponsor"}
	for len(queue) > 0 && len(seen) < 60 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		for who, c := range map[string]*client{"coachee": coachee, "coach": coach} {
			r := c.get(p)
			if r.status != http.StatusOK {
				t.Errorf("%s: %s: status %d", who, p, r.status)
				continue
			}
			if strings.Contains(p, ".ics") || strings.Contains(p, ".css") { // a file, not a page
				continue
			}
			has(t, who+" "+p, r, "Ce que voit Sponsor Démo (Responsable formation)", "lecture seule", "Revenir à votre vue")
			got := mainOf(r.body)
			if strings.Contains(got, "<form") {
				t.Errorf("%s: %s offers a form", who, p)
			}
			for _, s := range secrets {
				if strings.Contains(html.UnescapeString(got), s) {
					t.Errorf("%s: %s shows %q", who, p, s)
				}
			}
			real := p[:strings.Index(p, "/as-sponsor")] + strings.TrimPrefix(p[strings.Index(p, "/as-sponsor")+len("/as-sponsor"):], "?page=")
			want := mainOf(sponsor.get(html.UnescapeString(real)).body)
			// The same text: all the preview says, the sponsor's page says
			// (her own writings there sit in the fields of her forms); all the
			// sponsor's page says outside its forms, the preview says.
			sponsorAll, sponsorRead, preview := textNodes(want), textNodes(withoutForms(want)), textNodes(got)
			for s := range preview {
				if !sponsorAll[s] {
					t.Errorf("%s: %s shows %q, which the sponsor's page %s does not", who, p, s, real)
				}
			}
			for s := range sponsorRead {
				if !preview[s] {
					t.Errorf("%s: %s lacks %q, which the sponsor reads on %s", who, p, s, real)
				}
			}
			if who == "coachee" {
				for _, m := range previewRef.FindAllStringSubmatch(r.body, -1) {
					queue = append(queue, html.UnescapeString(m[1]))
				}
			}
		}
	}
	t.Logf("%d pages of the preview", len(seen))
	if len(seen) < 6 {
		t.Errorf("the preview reached only %d pages: %v", len(seen), seen)
	}
	has(t, "preview, shared action", coachee.get(acc+"/as-sponsor?page=/actions"), "Réunir les deux chefs d")

	// No one else, and nothing without a sponsor.
	if r := sponsor.get(acc + "/as-sponsor"); r.status != http.StatusNotFound {
		t.Errorf("sponsor: status %d, want 404", r.status)
	}
	if r := a.as("admin@demo.test").get(acc + "/as-sponsor"); r.status != http.StatusNotFound {
		t.Errorf("admin: status %d, want 404", r.status)
	}
	if r := coachee.get(acc + "/as-sponsor?page=/sessions/00000000-0000-4000-8000-000000000000"); r.status != http.StatusNotFound {
		t.Errorf("a session's content as the sponsor: status %d, want 404", r.status)
	}
	if r := coachee.get(acc + "/as-sponsor?page=https://example.org/"); r.status != http.StatusNotFound {
		t.Errorf("a page that is not a path: status %d, want 404", r.status)
	}
	a.env.Super.Exec(t.Context(), `DELETE FROM engagement_parties WHERE part = 'sponsor' AND engagement_id = $1`, strings.TrimPrefix(acc, "/w/demo/e/"))
	if r := coachee.get(acc + "/as-sponsor"); r.status != http.StatusNotFound {
		t.Errorf("no sponsor: status %d, want 404", r.status)
	}
	hasNot(t, "coachee, no sponsor", coachee.get(acc+"/"), "/as-sponsor")
}
