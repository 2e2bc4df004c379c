package store_test

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
	"triade/internal/store"
)

// The queries the dashboards and the duties ran before the summaries, which
// aggregated the source tables on every read (as the person, under row-level
// security). They are the oracle: what the pages show from the summaries must
// be what these computed.
const (
	mineBefore      = `WITH mine AS (SELECT engagement_id, part FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2)`
	dutyFactsBefore = `WITH me AS (SELECT engagement_id, part FROM engagement_parties WHERE tenant_id = $1 AND user_id = $2)
SELECT e.id, e.title, '', e.phase, me.part,
	ss.planned_ids, ss.planned_numbers, ss.planned_at, '{}'::timestamptz[], '{}'::text[], ss.held, ss.last_held, true,
	e.coach_willing_at IS NOT NULL, e.coachee_willing_at IS NOT NULL,
	fm.scheduled_at, coalesce(fm.held, false),
	(SELECT coalesce(array_agg(r.body <> '' ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id),
	(SELECT coalesce(array_agg(r.validated_at IS NOT NULL ORDER BY r.level), '{}') FROM requests r WHERE r.tenant_id = e.tenant_id AND r.engagement_id = e.id),
	e.coherence_ok,
	(SELECT coalesce(array_agg((SELECT count(*) FROM indicators i WHERE i.tenant_id = o.tenant_id AND i.objective_id = o.id)::int ORDER BY o.position), '{}')
	 FROM objectives o WHERE o.tenant_id = e.tenant_id AND o.engagement_id = e.id),
	c.approach, c.sessions_planned, c.session_minutes, c.start_date::timestamptz, c.end_date::timestamptz, c.confidentiality,
	coalesce(sv.n, 0),
	(SELECT coalesce(array_agg(DISTINCT x.part), '{}') FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = sv.n),
	EXISTS (SELECT 1 FROM synthesis_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = sv.n AND x.user_id = $2),
	(SELECT count(*)::int FROM document_comments dc WHERE dc.tenant_id = e.tenant_id AND dc.engagement_id = e.id AND dc.document = 'synthesis' AND dc.number = sv.n),
	q.open, q.newest,
	rt.ids[cardinality(rt.ids)], rt.numbers[cardinality(rt.numbers)],
	coalesce((SELECT count(*)::int FROM journal_entries j
		LEFT JOIN (SELECT ac.action_id, max(ac.at) AS last FROM action_comments ac WHERE ac.tenant_id = e.tenant_id AND ac.engagement_id = e.id
		           GROUP BY ac.action_id) lc ON lc.action_id = j.action_id
		WHERE j.tenant_id = e.tenant_id AND j.engagement_id = e.id AND j.at > coalesce(lc.last, '-infinity')), 0),
	a.open, a.next_due,
	ev.indicators, ev.coach, ev.coachee,
	fin.scheduled_at, coalesce(fin.held, false),
	EXISTS (SELECT 1 FROM coachee_syntheses cs WHERE cs.tenant_id = e.tenant_id AND cs.engagement_id = e.id AND cs.body <> ''),
	EXISTS (SELECT 1 FROM sponsor_feedback sf WHERE sf.tenant_id = e.tenant_id AND sf.engagement_id = e.id AND sf.author_id = $2 AND sf.body <> ''),
	coalesce(rv.n, 0),
	(SELECT coalesce(array_agg(DISTINCT x.part), '{}') FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = rv.n),
	EXISTS (SELECT 1 FROM report_validations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id AND x.number = rv.n AND x.user_id = $2)
FROM engagements e JOIN me ON me.engagement_id = e.id
JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
LEFT JOIN meetings fm ON fm.tenant_id = e.tenant_id AND fm.engagement_id = e.id AND fm.kind = 'framing'
LEFT JOIN meetings fin ON fin.tenant_id = e.tenant_id AND fin.engagement_id = e.id AND fin.kind = 'final'
CROSS JOIN LATERAL (SELECT max(number) AS n FROM synthesis_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id) sv
CROSS JOIN LATERAL (SELECT max(number) AS n FROM report_versions v WHERE v.tenant_id = e.tenant_id AND v.engagement_id = e.id) rv
CROSS JOIN LATERAL (SELECT count(*)::int AS open, max(created_at) AS newest FROM meeting_requests mr
	WHERE mr.tenant_id = e.tenant_id AND mr.engagement_id = e.id AND mr.meeting_id IS NULL) q
CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE s.status = 'held')::int AS held,
	max(s.scheduled_at) FILTER (WHERE s.status = 'held') AS last_held,
	coalesce(array_agg(s.id::text ORDER BY s.number) FILTER (WHERE s.status = 'planned'), '{}') AS planned_ids,
	coalesce(array_agg(s.number ORDER BY s.number) FILTER (WHERE s.status = 'planned'), '{}') AS planned_numbers,
	coalesce(array_agg(s.scheduled_at ORDER BY s.number) FILTER (WHERE s.status = 'planned'), '{}') AS planned_at
	FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id) ss
CROSS JOIN LATERAL (SELECT coalesce(array_agg(s.id::text ORDER BY s.number), '{}') AS ids, coalesce(array_agg(s.number ORDER BY s.number), '{}') AS numbers,
	coalesce(array_agg(s.scheduled_at ORDER BY s.number), '{}') AS at
	FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id AND s.status = 'held' AND me.part IN ('coach', 'cocoach', 'coachee')
	AND NOT EXISTS (SELECT 1 FROM autonomy_ratings ar WHERE ar.tenant_id = s.tenant_id AND ar.session_id = s.id
		AND ar.part = CASE me.part WHEN 'cocoach' THEN 'coach' ELSE me.part END)) rt
CROSS JOIN LATERAL (SELECT count(*)::int AS open, min(ac.due_date)::timestamptz AS next_due FROM actions ac
	WHERE ac.tenant_id = e.tenant_id AND ac.engagement_id = e.id AND ac.status IN ('todo', 'in_progress')) a
CROSS JOIN LATERAL (SELECT (SELECT count(*)::int FROM indicators i WHERE i.tenant_id = e.tenant_id AND i.engagement_id = e.id) AS indicators,
	count(*) FILTER (WHERE x.part = 'coach')::int AS coach, count(*) FILTER (WHERE x.part = 'coachee')::int AS coachee
	FROM evaluations x WHERE x.tenant_id = e.tenant_id AND x.engagement_id = e.id) ev
WHERE e.tenant_id = $1 AND e.phase IN ('cadrage', 'accompagnement', 'bouclage') 
ORDER BY e.title LIMIT 200`
	dashEngagementsBefore = mineBefore + `
		SELECT e.id, e.title, coalesce(cu.name, ''), e.phase,
		CASE WHEN e.phase IN ('cadrage', 'accompagnement', 'bouclage') THEN
			least(ss.next, (SELECT min(scheduled_at) FROM meetings m WHERE m.tenant_id = e.tenant_id AND m.engagement_id = e.id AND NOT m.held AND m.scheduled_at >= $3))
		END,
		ss.held, coalesce(c.sessions_planned, 0)
		FROM engagements e JOIN mine ON mine.engagement_id = e.id
		LEFT JOIN engagement_parties cp ON cp.tenant_id = e.tenant_id AND cp.engagement_id = e.id AND cp.part = 'coachee'
		LEFT JOIN users cu ON cu.id = cp.user_id
		LEFT JOIN contracts c ON c.tenant_id = e.tenant_id AND c.engagement_id = e.id
		CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE s.status = 'held') AS held,
			min(s.scheduled_at) FILTER (WHERE s.status = 'planned' AND s.scheduled_at >= $3) AS next
			FROM coaching_sessions s WHERE s.tenant_id = e.tenant_id AND s.engagement_id = e.id) ss
		WHERE e.tenant_id = $1
		ORDER BY array_position(ARRAY['cadrage','accompagnement','bouclage','clos','interrompu'], e.phase), e.title LIMIT 200`
	// The clock's part of the facts, computed apart from the code that
	// judges it (store.plannedFacts): whether a session is planned after $3,
	// and the planned sessions at or before it, by number.
	plannedBefore = mineBefore + `
		SELECT e.id::text, coalesce(bool_or(s.status = 'planned' AND s.scheduled_at > $3), false),
		coalesce(array_agg(s.id::text ORDER BY s.number) FILTER (WHERE s.status = 'planned' AND s.scheduled_at <= $3), '{}')
		FROM engagements e JOIN mine ON mine.engagement_id = e.id
		LEFT JOIN coaching_sessions s ON s.tenant_id = e.tenant_id AND s.engagement_id = e.id
		WHERE e.tenant_id = $1 AND e.phase IN ('cadrage', 'accompagnement', 'bouclage') GROUP BY e.id`
	agendaBefore = mineBefore + `
		SELECT e.id, e.title, 'session', s.scheduled_at, s.number FROM coaching_sessions s
		JOIN mine ON mine.engagement_id = s.engagement_id AND mine.part <> 'sponsor'
		JOIN engagements e ON e.tenant_id = $1 AND e.id = s.engagement_id
		WHERE s.tenant_id = $1 AND s.status = 'planned' AND s.scheduled_at BETWEEN $3 AND $3 + interval '7 days'
		UNION ALL
		SELECT e.id, e.title, m.kind, m.scheduled_at, 0 FROM meetings m
		JOIN mine ON mine.engagement_id = m.engagement_id
		JOIN engagements e ON e.tenant_id = $1 AND e.id = m.engagement_id
		WHERE m.tenant_id = $1 AND NOT m.held AND m.scheduled_at BETWEEN $3 AND $3 + interval '7 days'
		ORDER BY 4`
)

// sameAsBefore checks, for one person at one moment, that the dashboard's
// engagements, agenda and duty facts read from the summaries equal what the
// former aggregating queries give.
func sameAsBefore(t *testing.T, st *store.Store, sc store.Scope, who string, now time.Time) {
	t.Helper()
	ctx := t.Context()
	var facts []store.PartFacts
	var engagements []store.DashEngagement
	var agenda []store.AgendaItem
	type plannedAt struct {
		booked bool
		record []string
	}
	planned := map[string]plannedAt{}
	var (
		pid     string
		pbooked bool
		precord []string
	)
	err := st.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(dutyFactsBefore, sc.TenantID, sc.UserID)
		b.Queue(dashEngagementsBefore, sc.TenantID, sc.UserID, now)
		b.Queue(agendaBefore, sc.TenantID, sc.UserID, now)
		b.Queue(plannedBefore, sc.TenantID, sc.UserID, now)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		if facts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.PartFacts, error) { return store.ScanPartFacts(r, now) }); err != nil {
			return err
		}
		rows, _ = br.Query()
		if engagements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.DashEngagement, error) {
			var e store.DashEngagement
			return e, r.Scan(&e.ID, &e.Title, &e.Other, &e.Phase, &e.NextMeeting, &e.Held, &e.Planned)
		}); err != nil {
			return err
		}
		rows, _ = br.Query()
		agenda, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.AgendaItem, error) {
			var a store.AgendaItem
			return a, r.Scan(&a.EngagementID, &a.Title, &a.Kind, &a.At, &a.Number)
		})
		if err != nil {
			return err
		}
		rows, _ = br.Query()
		_, err = pgx.ForEachRow(rows, []any{&pid, &pbooked, &precord}, func() error {
			planned[pid] = plannedAt{pbooked, precord}
			return nil
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.DutyFacts(ctx, sc, now, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range got {
		var record []string
		for _, r := range f.ToRecord {
			record = append(record, r.ID)
		}
		if w := planned[f.ID]; f.NextBooked != w.booked || !slices.Equal(record, w.record) && len(record)+len(w.record) > 0 {
			t.Errorf("%s at %s, %s: next booked %v, to record %v; want %v, %v", who, now.Format(time.DateTime), f.Title, f.NextBooked, record, w.booked, w.record)
		}
	}
	if g, w := normal(got), normal(facts); !reflect.DeepEqual(g, w) {
		t.Errorf("%s at %s: duty facts from the summaries differ from those aggregated before: %s", who, now.Format(time.DateTime), firstDiff(g, w))
	}
	d, err := st.Dashboard(ctx, sc, domain.RoleSet{domain.RoleCoach}, now)
	if err != nil {
		t.Fatal(err)
	}
	// The dashboard reads its facts with its list, in one statement: what it
	// shows as waiting is what the facts compared above give.
	byDuty := func(a, b store.Waiting) int {
		return cmp.Or(cmp.Compare(a.Title, b.Title), cmp.Compare(a.EngagementID, b.EngagementID), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Path, b.Path))
	}
	w := store.WaitingFrom(got, now)
	slices.SortStableFunc(w, byDuty)
	slices.SortStableFunc(d.Waiting, byDuty)
	if !reflect.DeepEqual(normal(d.Waiting), normal(w)) {
		t.Errorf("%s at %s: dashboard waiting\n%+v\nwant\n%+v", who, now.Format(time.DateTime), d.Waiting, w)
	}
	for i := range d.Engagements {
		d.Engagements[i].GateOpen = false // judged from the facts, compared above
	}
	if !reflect.DeepEqual(normal(d.Engagements), normal(engagements)) {
		t.Errorf("%s: dashboard engagements\n%+v\nwant\n%+v", who, d.Engagements, engagements)
	}
	byTime := func(a, b store.AgendaItem) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.EngagementID, b.EngagementID), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Number, b.Number))
	}
	slices.SortFunc(d.Agenda, byTime)
	slices.SortFunc(agenda, byTime)
	if !reflect.DeepEqual(normal(d.Agenda), normal(agenda)) {
		t.Errorf("%s: agenda\n%+v\nwant\n%+v", who, d.Agenda, agenda)
	}
}

// normal makes nil and empty slices alike and times comparable (one
// location), so that DeepEqual compares what the pages show.
func normal[T any](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	out := slices.Clone(xs)
	for i := range out {
		normalValue(reflect.ValueOf(&out[i]).Elem())
	}
	return out
}

func normalValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if tm, ok := v.Addr().Interface().(*time.Time); ok {
			if !tm.IsZero() {
				*tm = tm.UTC()
			}
			return
		}
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				normalValue(v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			normalValue(v.Elem())
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		for i := range v.Len() {
			normalValue(v.Index(i))
		}
	}
}

// firstDiff names the first element and field where two lists differ.
func firstDiff[T any](got, want []T) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if reflect.DeepEqual(got[i], want[i]) {
			continue
		}
		g, w := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
		return fmt.Sprintf("row %d: %s", i, fieldDiff(g, w, ""))
	}
	return "none"
}

func fieldDiff(g, w reflect.Value, path string) string {
	if g.Kind() == reflect.Struct && g.Type() != reflect.TypeOf(time.Time{}) {
		for i := range g.NumField() {
			if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
				return fieldDiff(g.Field(i), w.Field(i), path+"."+g.Type().Field(i).Name)
			}
		}
	}
	return fmt.Sprintf("%s = %+v, want %+v", path, g.Interface(), w.Interface())
}
