package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// Figure is one figure of a programme, as the database computed it: N is the
// number of engagements it covers, Value the figure, Body the text of a list
// line. All three are nil when the figure covers fewer than k engagements.
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

// ProgrammeOf loads the programme of an organisation in one round trip. The
// figures come from app_programme(), which applies the k rule itself; a
// person who may not see the programme gets a not found.
func (s *Store) ProgrammeOf(ctx context.Context, sc Scope, orgID string) (*Programme, error) {
	if !validUUID(orgID) {
		return nil, domain.ErrNotFound
	}
	p := &Programme{OrgID: orgID}
	var viewer bool
	err := s.view(ctx, sc, part{func(b *pgx.Batch) {
		b.Queue(`SELECT app_programme_viewer(o.id), o.name, w.programme_k FROM client_orgs o JOIN workspaces w ON w.id = o.tenant_id
			WHERE o.tenant_id = $1 AND o.id = $2`, sc.TenantID, orgID)
		b.Queue(`SELECT section, item, n, value::float8, body FROM app_programme($1)`, orgID)
	}, func(br pgx.BatchResults) error {
		err := br.QueryRow().Scan(&viewer, &p.OrgName, &p.K)
		if err == pgx.ErrNoRows {
			viewer = false
		} else if err != nil {
			return dbError("programme org", err)
		}
		rows, _ := br.Query()
		p.Figures, err = pgx.CollectRows(rows, pgx.RowToStructByPos[Figure])
		return dbError("programme", err)
	}}, letterheadPart(sc, &p.Letterhead))
	if err != nil {
		return nil, err
	}
	if !viewer {
		return nil, domain.ErrNotFound
	}
	return p, nil
}

// ProgrammeOrgs lists the organisations whose programme the person may see
// (every one for an administrator, their own for a sponsor).
func (s *Store) ProgrammeOrgs(ctx context.Context, sc Scope) ([]ClientOrg, error) {
	var out []ClientOrg
	err := s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT o.id, o.name FROM client_orgs o WHERE o.tenant_id = $1 AND app_programme_viewer(o.id) ORDER BY o.name`, sc.TenantID)
	}, func(br pgx.BatchResults) error {
		rows, _ := br.Query()
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ClientOrg, error) {
			var o ClientOrg
			return o, r.Scan(&o.ID, &o.Name)
		})
		return err
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
