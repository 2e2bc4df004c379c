package server_test

import (
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"triade/internal/testenv"
)

// programmeApp serves a programme of n engagements and signs its people in.
func programmeApp(t *testing.T, n int) (*app, *testenv.Programme, func(who string) *client) {
	a := newApp(t, false)
	p := testenv.BuildProgramme(t, a.env, n)
	return a, p, func(who string) *client {
		c := a.client()
		r := c.post("/login", "email", who+"@"+p.Slug+".test", "password", testenv.ProgrammePassword)
		if r.status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", who, r.status)
		}
		return c
	}
}

// The page, the printable report and the CSV show every figure of the direct
// computation that covers k (5) engagements, and nothing under k.
func TestProgrammePageCSVAndPrint(t *testing.T) {
	for _, n := range []int{1, 4, 5, 30} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			_, p, as := programmeApp(t, n)
			base := "/w/" + p.Slug + "/orgs/" + p.OrgID + "/programme"
			hr := as("hr")
			page, print, file := hr.get(base), hr.get(base+"/print"), hr.get(base+".csv")
			for _, r := range []resp{page, print, file} {
				if r.status != http.StatusOK {
					t.Fatalf("status %d", r.status)
				}
				if strings.Contains(r.body, testenv.Secret) {
					t.Error("a programme shows what no aggregate may read")
				}
			}
			contains(t, print, "Cabinet Programme") // the letterhead
			rows := programmeCSV(t, file.body)
			if n < 5 {
				contains(t, page, "moins de 5 accompagnements")
				for _, r := range []resp{page, print} {
					for _, th := range p.Themes {
						if strings.Contains(r.body, th) {
							t.Errorf("theme %q shown under k", th)
						}
					}
				}
				if len(rows) != 1 || rows["engagements/total"][2] != "" {
					t.Errorf("csv under k: %q", rows)
				}
				return
			}
			shown := 0
			for key, want := range p.ExpectedFor(5) {
				row, ok := rows[key]
				if want[0] < 5 {
					if ok && row[2] != "" {
						t.Errorf("csv %s: %q shown under k", key, row)
					}
					continue
				}
				if !ok {
					t.Errorf("csv lacks %s", key)
					continue
				}
				got, err := strconv.ParseFloat(row[3], 64)
				if err != nil || math.Abs(got-want[1]) > 0.06 || row[2] != strconv.Itoa(int(want[0])) {
					t.Errorf("csv %s = %q, want %v", key, row, want)
				}
				shown++
				// The page writes the figure the French way.
				contains(t, page, strings.Replace(strconv.FormatFloat(want[1], 'f', -1, 64), ".", ",", 1))
			}
			// Phases 5, durations 2, sessions 2, evaluations 6, the first session's
			// autonomy 3 (the only one 5 closed engagements all reached), the total.
			if n == 30 && shown < 19 {
				t.Errorf("only %d figures shown for 30 engagements", shown)
			}
			if n == 30 {
				contains(t, page, p.Themes...)
				contains(t, print, p.Recos...)
			} else {
				contains(t, page, "moins de 5 accompagnements")
			}
		})
	}
}

// programmeCSV reads the export: rows by "section/item" (a list line by its
// text), with the header left out.
func programmeCSV(t *testing.T, body string) map[string][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("csv: %v", err)
	}
	out := map[string][]string{}
	for _, r := range recs[1:] {
		key := r[0] + "/" + r[1]
		if r[0] == "theme" || r[0] == "recommendation" {
			key = r[0] + "/" + r[4]
		}
		out[key] = r
	}
	return out
}

// Only the organisation's sponsor and the admin open its programme; the other
// organisation's sponsor, the coach and a coachee get the not-found page, and
// the sponsor's dashboard links to her organisation's programme only.
func TestProgrammeAccess(t *testing.T) {
	_, p, as := programmeApp(t, 5)
	base := "/w/" + p.Slug + "/orgs/" + p.OrgID + "/programme"
	for who, want := range map[string]int{"hr": 200, "admin": 200, "other-hr": 404, "coach": 404, "coachee0": 404} {
		c := as(who)
		for _, path := range []string{base, base + ".csv", base + "/print"} {
			if r := c.get(path); r.status != want {
				t.Errorf("%s %s: %d, want %d", who, path, r.status, want)
			}
		}
	}
	dash := as("hr").get("/w/" + p.Slug + "/")
	contains(t, dash, base)
	if other := as("other-hr").get("/w/" + p.Slug + "/"); strings.Contains(other.body, base) || !strings.Contains(other.body, p.OtherOrgID) {
		t.Error("the other sponsor's dashboard links to the wrong programme")
	}
	contains(t, as("admin").get("/w/"+p.Slug+"/orgs"), base)
}

// k is a workspace setting, at least 3, refused beside the field below that,
// and the page follows it.
func TestProgrammeKSetting(t *testing.T) {
	_, p, as := programmeApp(t, 4)
	admin := as("admin")
	settings := "/w/" + p.Slug + "/settings"
	r := admin.post(settings, "years", "3", "timezone", "Europe/Paris", "k", "2")
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("k = 2: %d", r.status)
	}
	contains(t, r, "Saisissez un nombre entier d&#39;au moins 3.", `value="2"`)
	if r := admin.post(settings, "years", "3", "timezone", "Europe/Paris", "k", "3"); r.status != http.StatusSeeOther {
		t.Fatalf("k = 3: %d", r.status)
	}
	page := admin.get("/w/" + p.Slug + "/orgs/" + p.OrgID + "/programme")
	contains(t, page, "au moins 3 accompagnements", p.Themes[0], p.Themes[3])
}
