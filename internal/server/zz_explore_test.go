package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"triade/internal/domain"
)

var _ = domain.ValidSlug
var _ = url.PathEscape
var _ = strings.Contains
var _ = http.StatusOK

func FuzzExploreEngagementForm(f *testing.F) {
	z := fzNew(f)
	f.Add("Nouvel accompagnement", "{org}", "{u:coachee}", "{u:sponsor}", "", "")
	f.Fuzz(func(t *testing.T, title, org, coachee, sponsor, newName, newEmail string) {
		c := z.as(t, "coach")
		before := z.snapshot(t, "engagements", "tenant_id = '{tenant}'")
		form := []string{"title", title, "client_org", z.pick(org), "coach", z.ids["u:coach"], "coachee", z.pick(coachee),
			"sponsor", z.pick(sponsor), "sponsor_kind", "hr", "new_sponsor_name", newName, "new_sponsor_email", newEmail, "new_sponsor_kind", "manager"}
		r := c.post("/w/demo/engagements", form...)
		z.answer(t, r, form, []string{"title", "new_sponsor_name", "new_sponsor_email"}, http.StatusSeeOther, http.StatusUnprocessableEntity)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "engagements", "tenant_id = '{tenant}'"); after != before {
				t.Fatalf("a refused engagement (%d) was stored", r.status)
			}
			return
		}
		id := r.location[strings.LastIndex(r.location, "/")+1:]
		got := z.q(t, `SELECT e.title || '|' || e.client_org_id || '|' || (SELECT count(*) FROM engagement_parties p
			WHERE p.engagement_id = e.id AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = e.tenant_id AND m.user_id = p.user_id))
			FROM engagements e WHERE e.tenant_id = '{tenant}' AND e.id = $1`, id)
		if want := fzClean(title) + "|" + z.ids["org"] + "|0"; got != want {
			t.Fatalf("stored %q, want %q (title, the workspace's organisation, no party from outside)", got, want)
		}
		z.exec(t, `DELETE FROM engagements WHERE id = $1`, id)
	})
}

func FuzzExploreObjective(f *testing.F) {
	z := fzNew(f)
	f.Add("Déléguer davantage", "Description", "", "{objA}")
	f.Fuzz(func(t *testing.T, title, description, version, oid string) {
		c := z.as(t, "coach")
		base := "/w/demo/e/" + z.ids["fresh"]
		const where = "engagement_id IN ('{fresh}', '{ready}')"
		keep := []string{"title", "description"}
		allowed := []int{http.StatusSeeOther, http.StatusUnprocessableEntity}

		before := z.snapshot(t, "objectives", where)
		form := []string{"title", title, "description", description}
		r := c.post(base+"/objectives", form...)
		z.answer(t, r, form, keep, allowed...)
		if r.status == http.StatusSeeOther {
			got := z.q(t, `SELECT title || '|' || description FROM objectives WHERE engagement_id = '{fresh}' ORDER BY position DESC LIMIT 1`)
			if want := fzClean(title) + "|" + fzClean(description); got != want {
				t.Fatalf("added %q, want %q", got, want)
			}
			z.exec(t, `DELETE FROM objectives WHERE engagement_id = '{fresh}' AND id <> '{objA}'`)
		} else if after := z.snapshot(t, "objectives", where); after != before {
			t.Fatalf("a refused objective (%d) was stored", r.status)
		}

		oid = z.pick(oid)
		if version == "" {
			version = z.q(t, `SELECT version FROM objectives WHERE id = '{objA}'`)
		}
		before = z.snapshot(t, "objectives", where)
		form = []string{"title", title, "description", description, "version", version}
		r = c.post(base+"/objectives/"+url.PathEscape(oid), form...)
		z.answer(t, r, form, keep, append(allowed, http.StatusConflict, http.StatusNotFound)...)
		if r.status == http.StatusSeeOther {
			if oid != z.ids["objA"] {
				t.Fatalf("objective %q of another engagement edited", oid)
			}
			got := z.q(t, `SELECT title || '|' || description FROM objectives WHERE id = '{objA}'`)
			if want := fzClean(title) + "|" + fzClean(description); got != want {
				t.Fatalf("stored %q, want %q", got, want)
			}
		} else if after := z.snapshot(t, "objectives", where); after != before {
			t.Fatalf("a refused edit (%d) was stored", r.status)
		}
	})
}

func FuzzExploreIndicator(f *testing.F) {
	z := fzNew(f)
	f.Add("observable", "Réunions animées", "0", "1 par semaine", "", "{objA}")
	f.Fuzz(func(t *testing.T, kind, description, baseline, target, observation, oid string) {
		c := z.as(t, "coach")
		const where = "engagement_id IN ('{fresh}', '{ready}')"
		before := z.snapshot(t, "indicators", where)
		oid = z.pick(oid)
		form := []string{"kind", kind, "description", description, "baseline", baseline, "target", target, "observation", observation}
		r := c.post("/w/demo/e/"+z.ids["fresh"]+"/objectives/"+url.PathEscape(oid)+"/indicators", form...)
		z.answer(t, r, form, []string{"description", "baseline", "target", "observation"},
			http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusNotFound)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "indicators", where); after != before {
				t.Fatalf("a refused indicator (%d) was stored", r.status)
			}
			return
		}
		if oid != z.ids["objA"] {
			t.Fatalf("indicator added to objective %q of another engagement", oid)
		}
		got := z.q(t, `SELECT kind || '|' || description || '|' || baseline || '|' || target || '|' || observation FROM indicators
			WHERE objective_id = '{objA}' ORDER BY position DESC LIMIT 1`)
		if want := strings.Join([]string{kind, fzClean(description), fzClean(baseline), fzClean(target), fzClean(observation)}, "|"); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
		z.exec(t, `DELETE FROM indicators WHERE objective_id = '{objA}'`)
	})
}

func FuzzExploreJournal(f *testing.F) {
	z := fzNew(f)
	f.Add("J'ai réuni l'équipe", "Ça s'est bien passé", "Préparer davantage", "{aid}")
	f.Fuzz(func(t *testing.T, did, happened, learnt, aid string) {
		c := z.as(t, "coachee")
		const where = "engagement_id IN ('{acc}', '{bou}')"
		before := z.snapshot(t, "journal_entries", where)
		aid = z.pick(aid)
		form := []string{"did", did, "happened", happened, "learnt", learnt}
		r := c.post("/w/demo/e/"+z.ids["acc"]+"/actions/"+url.PathEscape(aid)+"/journal", form...)
		z.answer(t, r, form, []string{"did", "happened", "learnt"}, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusNotFound)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "journal_entries", where); after != before {
				t.Fatalf("a refused journal entry (%d) was stored", r.status)
			}
			return
		}
		if aid != z.ids["aid"] {
			t.Fatalf("journal entry added to action %q of another engagement", aid)
		}
		got := z.q(t, `SELECT did || '|' || happened || '|' || learnt FROM journal_entries WHERE action_id = '{aid}' ORDER BY at DESC LIMIT 1`)
		if want := fzClean(did) + "|" + fzClean(happened) + "|" + fzClean(learnt); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
		z.exec(t, `DELETE FROM journal_entries WHERE action_id = '{aid}' AND at > '{t0}'`)
	})
}

func FuzzExploreEvaluation(f *testing.F) {
	z := fzNew(f)
	f.Add("1 par semaine", "reached", "Comptes rendus", "{indBou}")
	f.Fuzz(func(t *testing.T, reached, assessment, evidence, iid string) {
		c := z.as(t, "coach")
		const where = "engagement_id IN ('{acc}', '{bou}')"
		before := z.snapshot(t, "evaluations", where)
		iid = z.pick(iid)
		form := []string{"reached", reached, "assessment", assessment, "evidence", evidence}
		r := c.post("/w/demo/e/"+z.ids["bou"]+"/evaluation/"+url.PathEscape(iid), form...)
		z.answer(t, r, form, []string{"reached", "evidence"}, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusNotFound)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, "evaluations", where); after != before {
				t.Fatalf("a refused evaluation (%d) was stored", r.status)
			}
			return
		}
		if iid != z.ids["indBou"] {
			t.Fatalf("evaluation of indicator %q of another engagement stored", iid)
		}
		got := z.q(t, `SELECT reached || '|' || assessment || '|' || evidence FROM evaluations WHERE indicator_id = '{indBou}' AND part = 'coach'`)
		if want := fzClean(reached) + "|" + assessment + "|" + fzClean(evidence); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
	})
}

func FuzzExploreTextForms(f *testing.F) {
	z := fzNew(f)
	f.Fuzz(func(t *testing.T, route uint8, text, version string) {
		rt := fzTextRoutes[int(route)%len(fzTextRoutes)]
		c := z.as(t, rt.who)
		before := z.snapshot(t, rt.table, rt.where)
		form := []string{rt.field, text}
		for i := 0; i+1 < len(rt.extra); i += 2 {
			form = append(form, rt.extra[i], z.pick(rt.extra[i+1]))
		}
		allowed := []int{http.StatusSeeOther, http.StatusUnprocessableEntity}
		if rt.version != "" {
			if version == "" {
				version = z.q(t, rt.version)
			}
			form = append(form, "version", version)
			allowed = append(allowed, http.StatusConflict)
		}
		r := c.post(z.fill(rt.path), form...)
		z.answer(t, r, form, []string{rt.field}, allowed...)
		if r.status != http.StatusSeeOther {
			if after := z.snapshot(t, rt.table, rt.where); after != before {
				t.Fatalf("POST %s refused (%d) but stored", rt.path, r.status)
			}
			return
		}
		if got := z.q(t, rt.stored); got != fzClean(text) {
			t.Fatalf("POST %s stored %.80q, want %.80q", rt.path, got, fzClean(text))
		}
		if rt.cleanup != "" {
			z.exec(t, rt.cleanup)
		}
	})
}

func FuzzExploreRawForm(f *testing.F) {
	z := fzNew(f)
	paths := []struct{ who, path string }{
		{"anon", "/login"}, {"anon", "/signup"}, {"admin", "/w/demo/orgs"}, {"admin", "/w/demo/invitations"},
		{"coach", "/w/demo/engagements"}, {"coach", "/w/demo/e/{fresh}/contract"}, {"coach", "/w/demo/e/{fresh}/objectives"},
		{"coachee", "/w/demo/e/{acc}/actions/{aid}/journal"}, {"coach", "/w/demo/e/{bou}/closing/recommendations"},
		{"anon", "/lang"},
	}
	form := "application/x-www-form-urlencoded"
	f.Fuzz(func(t *testing.T, route uint8, contentType, body string) {
		rt := paths[int(route)%len(paths)]
		c := z.as(t, rt.who)
		req, err := http.NewRequest(http.MethodPost, z.srv.URL+z.fill(rt.path), strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", contentType)
		r := c.do(req)
		if r.status >= 500 {
			t.Fatalf("POST %s (Content-Type %q, body %.80q): status %d\nserver log: %s", rt.path, contentType, body, r.status, z.log)
		}
		_, perr := url.ParseQuery(body)
		if contentType == form && perr != nil && r.status != http.StatusBadRequest {
			t.Errorf("POST %s with a malformed form body %.80q: status %d, want 400", rt.path, body, r.status)
		}
		if r.status >= 400 && !strings.Contains(r.body, `<main`) {
			t.Errorf("POST %s: status %d without a page", rt.path, r.status)
		}
	})
}
