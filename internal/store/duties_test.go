package store_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"triade/internal/domain"
	"triade/internal/store"
	"triade/internal/testenv"
)

// TestDutyFacts reads the facts of the demo's engagements for its three
// parties in one query each, and checks them against what the pages load:
// the gate the cadrage page judges (store.Cadrage) misses exactly the
// conditions the parties' blocking duties name.
func TestDutyFacts(t *testing.T) {
	f := seededDemo(t)
	tenant := f.str(`SELECT id::text FROM workspaces WHERE slug = 'demo'`)
	scope := func(email string) store.Scope {
		return store.Scope{TenantID: tenant, UserID: f.str(`SELECT id::text FROM users WHERE email = $1`, email)}
	}
	now := time.Now()
	byPart := map[string][]store.PartFacts{}
	for _, who := range []string{"coach", "coachee", "sponsor"} {
		facts, err := f.env.Store.DutyFacts(f.ctx, scope(who+"@demo.test"), now, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(facts) == 0 {
			t.Fatalf("%s: no open engagement", who)
		}
		byPart[who] = facts
	}
	find := func(who, title string) store.PartFacts {
		for _, p := range byPart[who] {
			if p.Title == title {
				return p
			}
		}
		t.Fatalf("%s: no facts for %q", who, title)
		return store.PartFacts{}
	}
	has := func(ds []domain.Duty, kind string) bool {
		return slices.ContainsFunc(ds, func(d domain.Duty) bool { return d.Kind == kind })
	}

	// The fresh engagement: nothing done, each party has their first steps.
	const fresh = "Prise de poste — direction des achats"
	if ds := find("sponsor", fresh).Duties(now); !has(ds, domain.DutyCompanyRequest) {
		t.Errorf("sponsor on %s: %+v, want the company's request", fresh, ds)
	}
	if ds := find("coachee", fresh).Duties(now); !has(ds, domain.DutyWillingness) || !has(ds, domain.DutyCoacheeRequest) {
		t.Errorf("coachee on %s: %+v, want willingness and her request", fresh, ds)
	}
	if p := find("coach", fresh); p.Part != domain.PartCoach || !has(p.Duties(now), domain.DutyWillingness) {
		t.Errorf("coach on %s: part %q, %+v", fresh, p.Part, p.Duties(now))
	}

	// Every cadrage engagement: the gate and the duties agree.
	for _, p := range byPart["coach"] {
		if p.Phase != domain.PhaseCadrage {
			continue
		}
		file, err := f.env.Store.Cadrage(f.ctx, scope("coach@demo.test"), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.Missing(domain.CadrageGate(file.State()))
		gates := map[string]bool{}
		for _, who := range []string{"coach", "coachee", "sponsor"} {
			for _, d := range domain.Blocking(find(who, p.Title).Duties(now)) {
				for _, g := range d.Gates {
					gates[g] = true
				}
			}
		}
		var got []string
		for g := range gates {
			got = append(got, g)
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: duties block on %v, the cadrage page's gate misses %v", p.Title, got, want)
		}
	}

	// The coaching phase: the sponsor is never asked about the coaching itself
	// (she may see a shared journal entry, never answer it), and never counts
	// the coachee's ratings.
	const acc = "Conduite du changement — service client"
	sp := find("sponsor", acc)
	if ds := sp.Duties(now); has(ds, domain.DutyCommentJournal) || has(ds, domain.DutyRateAutonomy) || sp.ToRate.ID != "" {
		t.Errorf("sponsor on %s: %+v, facts %+v", acc, ds, sp.EngagementFacts)
	}
	if c := find("coach", acc); c.SessionsHeld == 0 || c.SessionsPlanned == 0 {
		t.Errorf("coach's facts on %s: held %d of %d", acc, c.SessionsHeld, c.SessionsPlanned)
	}
	one, err := f.env.Store.DutyFacts(f.ctx, scope("coach@demo.test"), now, find("coach", acc).ID)
	if err != nil || len(one) != 1 || one[0].Title != acc {
		t.Errorf("one engagement's facts: %d rows, %v", len(one), err)
	}
}

// A malformed engagement id has no facts (it is not a database error).
func TestDutyFactsOfAMalformedID(t *testing.T) {
	env := testenv.New(t)
	facts, err := env.Store.DutyFacts(context.Background(), store.Scope{}, time.Now(), "not-a-uuid")
	if err != nil || len(facts) != 0 {
		t.Errorf("DutyFacts(\"not-a-uuid\"): %v, %v", facts, err)
	}
}

// Planned sessions are judged against the moment: one still to come books the
// next session; those past (at the very moment included) are to record, by
// number.
func TestPlannedFactsAgainstNow(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	ids, numbers := []string{"s3", "s4", "s5"}, []int{3, 4, 5}
	at := []time.Time{now.AddDate(0, 0, -2), now, now.Add(time.Minute)}
	booked, rec := store.PlannedFacts(ids, numbers, at, now)
	if !booked || len(rec) != 2 || rec[0] != (domain.SessionRef{ID: "s3", Number: 3, At: at[0]}) || rec[1].ID != "s4" {
		t.Errorf("booked %v, to record %+v", booked, rec)
	}
	if booked, rec := store.PlannedFacts(ids[:2], numbers[:2], at[:2], now.Add(-time.Hour)); !booked || len(rec) != 1 {
		t.Errorf("an hour before: booked %v, to record %+v", booked, rec)
	}
	if booked, rec := store.PlannedFacts(nil, nil, nil, now); booked || rec != nil {
		t.Errorf("nothing planned: booked %v, to record %+v", booked, rec)
	}
}
