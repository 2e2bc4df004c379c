package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Figure is one figure of a programme, as the database computed it: N is the
// number of engagements it covers, Value the figure, Body the text of a list
// line (its Value: how many engagements share that text). All three are nil
// when the figure covers fewer than k engagements.
type Figure struct {
	Section, Item string
	N             *int
	Value         *float64
	Body          *string
}

// Hidden reports whether the database withheld the figure under the k rule.
func (f Figure) Hidden() bool { return f.N == nil }

// Programme is the company's view of its coaching programme: the figures of
// one client organisation's engagements. Figures is empty when the
// organisation has fewer than K engagements in all.
type Programme struct {
	OrgID, OrgName string
	K              int
	Figures        []Figure
	Letterhead     Letterhead
}

// ProgrammeOf loads the programme of an organisation. The figures come from
// app_programme(), which applies the k rule itself; a person who may not see
// the programme gets a not found. The figures, the same for every viewer of
// an organisation, are kept for programmeTTL: a thousand engagements take the
// database a few hundred milliseconds to add up, and a programme's picture
// does not change by the second. Who may see it is asked every time.
func (s *Store) ProgrammeOf(ctx context.Context, sc Scope, orgID string) (*Programme, error) {
	if !validUUID(orgID) {
		return nil, domain.ErrNotFound
	}
	p := &Programme{OrgID: orgID}
	var viewer bool
	err := s.view(ctx, sc, part{func(b *pgx.Batch) {
		b.Queue(`SELECT app_programme_viewer(o.id), o.name, w.programme_k FROM client_orgs o JOIN workspaces w ON w.id = o.tenant_id
			WHERE o.tenant_id = $1 AND o.id = $2`, sc.TenantID, orgID)
	}, func(br pgx.BatchResults) error {
		err := br.QueryRow().Scan(&viewer, &p.OrgName, &p.K)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return dbError("programme org", err)
	}}, letterheadPart(sc, &p.Letterhead))
	if err != nil {
		return nil, err
	}
	if !viewer {
		return nil, domain.ErrNotFound
	}
	key := programmeKey{s, sc.TenantID, orgID, p.K}
	if f, ok := programmes.get(key, s.Now()); ok {
		p.Figures = f
		return p, nil
	}
	err = s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT section, item, n, value::float8, body FROM app_programme($1)`, orgID)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		p.Figures, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Figure])
		return err
	})
	if err != nil {
		return nil, dbError("programme", err)
	}
	programmes.put(key, p.Figures, s.Now().Add(programmeTTL))
	return p, nil
}

// programmeTTL is how long a programme's figures are kept.
const programmeTTL = time.Minute

// programmeKey names one organisation's figures under one k, for one store.
type programmeKey struct {
	store       *Store
	tenant, org string
	k           int
}

type programmeEntry struct {
	figures []Figure
	until   time.Time
}

// programmeCache keeps the figures of the organisations recently looked at.
type programmeCache struct {
	mu sync.Mutex
	m  map[programmeKey]programmeEntry
}

var programmes = &programmeCache{m: map[programmeKey]programmeEntry{}}

func (c *programmeCache) get(k programmeKey, now time.Time) ([]Figure, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e.figures, ok && now.Before(e.until)
}

func (c *programmeCache) put(k programmeKey, f []Figure, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for old, e := range c.m { // drop what has expired, so the map stays small
		if !e.until.After(until.Add(-programmeTTL)) {
			delete(c.m, old)
		}
	}
	c.m[k] = programmeEntry{f, until}
}

// queueProgrammeOrgs and readProgrammeOrgs list the organisations whose
// programme the person may see (a sponsor: their own organisation's), for the
// dashboard's batch.
func queueProgrammeOrgs(b *pgx.Batch, tenant string) {
	// The person's own sponsor memberships name their organisations: what
	// app_programme_viewer asks of each organisation, asked once (statements
	// per sponsor dashboard under the bench: 0.097 + 0.039 -> 0.077 ms).
	b.Queue(`SELECT o.id, o.name FROM client_orgs o WHERE o.tenant_id = $1
		AND ((SELECT app_has_role('admin')) OR o.id IN (SELECT m.client_org_id FROM memberships m
			WHERE m.tenant_id = app_tenant() AND m.user_id = app_user() AND 'sponsor' = ANY (m.roles) AND m.joined_at IS NOT NULL))
		ORDER BY o.name, o.id`, tenant)
}

func readProgrammeOrgs(br pgx.BatchResults) ([]ClientOrg, error) {
	rows, _ := br.Query()
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ClientOrg, error) {
		var o ClientOrg
		return o, r.Scan(&o.ID, &o.Name)
	})
	return out, dbError("programme orgs", err)
}

// ProgrammeK reads the workspace's smallest group for programme figures.
func (s *Store) ProgrammeK(ctx context.Context, sc Scope) (int, error) {
	var k int
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT programme_k FROM workspaces WHERE id = $1`, sc.TenantID)
	}, func(br pgx.BatchResults) error { return br.QueryRow().Scan(&k) })
	return k, dbError("programme k", err)
}
