package server_test

import (
	"html"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	hrefs = regexp.MustCompile(`href="([^"#?]+)"`)
	tags  = regexp.MustCompile(`(?s)<[^>]*>`)
	// document is the article of a synthesis or report version.
	document = regexp.MustCompile(`(?s)<article class="document">.*?</article>`)
	// The coachee named in the third person, in any form of address.
	thirdPerson = regexp.MustCompile(`(?i)\b(la|le|du|au|de la) (personne )?coach(é|ée)\b`)
)

// crawl returns the pages a person reaches from start by following the
// links under prefix, two clicks deep (breadth first): the tabs and what
// they list.
func crawl(c *client, start, prefix string) map[string]resp {
	pages := map[string]resp{}
	level := []string{start}
	for depth := 0; depth <= 2 && len(level) > 0; depth++ {
		var next []string
		for _, path := range level {
			if _, seen := pages[path]; seen {
				continue
			}
			r := c.get(path)
			pages[path] = r
			if r.status != http.StatusOK {
				continue
			}
			for _, m := range hrefs.FindAllStringSubmatch(r.body, -1) {
				p := html.UnescapeString(m[1])
				// (What the sponsor sees is the sponsor's page: it speaks of the
				// coachee, and TestSeenAsSponsor checks it is the same.)
				if strings.HasPrefix(p, prefix) && !strings.HasSuffix(p, "/pdf") && !strings.HasSuffix(p, ".css") && !strings.Contains(p, "/ics/") &&
					!strings.HasSuffix(p, "/as-sponsor") {
					next = append(next, p)
				}
			}
		}
		level = next
	}
	return pages
}

// TestCoacheePagesSpeakToHer: the coachee reading her own pages — the
// dashboard and every page of each of her engagements, in every phase of the
// demo — reads "votre demande", "vous avez confirmé", never "la demande de la
// coachée", in each of the three forms of address.
func TestCoacheePagesSpeakToHer(t *testing.T) {
	a := newApp(t, true)
	coachee := a.as("coachee@demo.test")
	engagements := a.sqlStrs(`SELECT e.id::text FROM engagements e JOIN engagement_parties p ON p.engagement_id = e.id
		JOIN users u ON u.id = p.user_id WHERE u.email = 'coachee@demo.test' AND p.part = 'coachee'`)
	if len(engagements) < 3 {
		t.Fatalf("the demo gives the coachee %d engagements, want one per phase", len(engagements))
	}
	documents := 0
	for _, form := range []string{"f", "m", "x"} {
		if r := coachee.post("/account/address", "address_form", form); r.status != http.StatusSeeOther {
			t.Fatalf("form %s: status %d", form, r.status)
		}
		pages := crawl(coachee, "/w/demo/", "/w/demo/e/")
		for _, id := range engagements {
			for p, r := range crawl(coachee, "/w/demo/e/"+id+"/", "/w/demo/e/"+id+"/") {
				pages[p] = r
			}
		}
		t.Logf("form %s: %d pages", form, len(pages))
		if len(pages) < 20 {
			t.Errorf("form %s: only %d pages visited", form, len(pages))
		}
		var paths []string
		for p := range pages {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			r := pages[p]
			if r.status != http.StatusOK {
				continue
			}
			// A document (a synthesis or report version) is the same for the
			// three parties who sign it: it names each by its part.
			body := document.ReplaceAllString(r.body, "")
			if body != r.body && form == "f" && strings.Contains(p, "/synthesis/") {
				documents++
				if !strings.Contains(html.UnescapeString(r.body), "Résultat observable de la coachée") {
					t.Errorf("%s: the document does not name the coachee by her part", p)
				}
			}
			txt := html.UnescapeString(tags.ReplaceAllString(body, " "))
			for _, m := range thirdPerson.FindAllStringIndex(txt, -1) {
				lo, hi := max(0, m[0]-60), min(len(txt), m[1]+40)
				t.Errorf("form %s: %s names the coachee in the third person: …%s…", form, p, strings.Join(strings.Fields(txt[lo:hi]), " "))
			}
		}
	}
	if documents == 0 {
		t.Error("no synthesis version among the coachee's pages: the documents went unchecked")
	}
}

// TestCoachAndSponsorNamedByForm: the coach and the sponsor choose their form
// of address on their account, like the coachee; from then on every page of
// their engagements names them so, for every reader.
func TestCoachAndSponsorNamedByForm(t *testing.T) {
	a := newApp(t, true)
	acc := "/w/demo/e/" + a.engagementID("Conduite du changement — service client")
	coach, sponsor, coachee := a.as("coach@demo.test"), a.as("sponsor@demo.test"), a.as("coachee@demo.test")
	has(t, "sponsor, before", sponsor.get(acc+"/meetings"), "À la demande du représentant de l'entreprise, du coaché ou du coach,")
	for _, c := range []*client{coach, sponsor} {
		if r := c.post("/account/address", "address_form", "f"); r.status != http.StatusSeeOther {
			t.Fatalf("choose f: status %d", r.status)
		}
	}
	has(t, "sponsor, after", sponsor.get(acc+"/meetings"), "À la demande de la représentante de l'entreprise, du coaché ou de la coach,")
	has(t, "coach, parties", coach.get(acc+"/"), "Représentante de l'entreprise")
	has(t, "coachee, her own words", coachee.get(acc+"/meetings"), "À votre demande, à celle de votre coach ou à celle de l'entreprise,")
	if r := coach.post("/account/address", "address_form", "x"); r.status != http.StatusSeeOther {
		t.Fatalf("choose x: status %d", r.status)
	}
	has(t, "sponsor, epicene coach", sponsor.get(acc+"/meetings"), "ou du ou de la coach,")
}
