package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// The synthesis document and the final report are both numbered, frozen
// versions validated by the three parties; one set of queries serves both.
var (
	versionTable    = map[string]string{"synthesis": "synthesis_versions", "report": "report_versions"}
	validationTable = map[string]string{"synthesis": "synthesis_validations", "report": "report_validations"}
)

// versionsQuery lists a document's versions, newest first, with validations.
func versionsQuery(doc string) string {
	return `SELECT v.number, v.created_at, coalesce(u.name, ''),
		coalesce(json_agg(json_build_object('UserID', sv.user_id, 'Name', vu.name, 'Part', sv.part, 'At', sv.validated_at)
		         ORDER BY sv.validated_at) FILTER (WHERE sv.user_id IS NOT NULL), '[]')
		FROM ` + versionTable[doc] + ` v LEFT JOIN users u ON u.id = v.created_by
		LEFT JOIN ` + validationTable[doc] + ` sv ON sv.tenant_id = v.tenant_id AND sv.engagement_id = v.engagement_id AND sv.number = v.number
		LEFT JOIN users vu ON vu.id = sv.user_id
		WHERE v.tenant_id = $1 AND v.engagement_id = $2 GROUP BY v.number, v.created_at, u.name ORDER BY v.number DESC`
}

func scanVersion(r pgx.CollectableRow) (SynthesisVersion, error) {
	var v SynthesisVersion
	var vals []byte
	if err := r.Scan(&v.Number, &v.CreatedAt, &v.CreatedBy, &vals); err != nil {
		return v, err
	}
	return v, json.Unmarshal(vals, &v.Validations)
}

// versionPart reads one version with its raw content and validations.
func versionPart(sc Scope, doc, id string, number int, v *SynthesisVersion, content *[]byte) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT v.number, v.created_at, coalesce(u.name, ''), v.content, v.sha256,
			coalesce((SELECT json_agg(json_build_object('UserID', sv.user_id, 'Name', vu.name, 'Part', sv.part, 'At', sv.validated_at) ORDER BY sv.validated_at)
			          FROM `+validationTable[doc]+` sv JOIN users vu ON vu.id = sv.user_id
			          WHERE sv.tenant_id = v.tenant_id AND sv.engagement_id = v.engagement_id AND sv.number = v.number), '[]')
			FROM `+versionTable[doc]+` v LEFT JOIN users u ON u.id = v.created_by
			WHERE v.tenant_id = $1 AND v.engagement_id = $2 AND v.number = $3`, sc.TenantID, id, number)
	}, func(br pgx.BatchResults) error {
		var vals []byte
		if err := br.QueryRow().Scan(&v.Number, &v.CreatedAt, &v.CreatedBy, content, &v.SHA256, &vals); err != nil {
			return dbError(doc, err)
		}
		return json.Unmarshal(vals, &v.Validations)
	}}
}

// DocumentPage is what a version's page shows: the version, the number of the
// current one (only it can be validated), and the comments on the version.
type DocumentPage struct {
	Version  SynthesisVersion
	Content  []byte
	Current  int
	Comments []DocComment
	// SelfAssessment is a report version's coachee self-assessment, nil when
	// the database does not show it to the reader (see ReportContent.Merge),
	// and SelfSHA256 its fingerprint.
	SelfAssessment, SelfSHA256 []byte
	// Letterhead is the workspace's, printed at the top of the document.
	Letterhead Letterhead
	// Validated is the latest earlier version the reader validated (0 if
	// none) and ValidatedContent its content: what changed since is shown
	// before they validate again.
	Validated        int
	ValidatedContent []byte
}

// Letterhead is what heads a workspace's printed documents.
type Letterhead struct {
	Name, Address string
	Logo          []byte
	LogoType      string
}

// letterheadPart reads the workspace's letterhead (its name alone when none
// was set).
func letterheadPart(sc Scope, out *Letterhead) part {
	return part{func(b *pgx.Batch) {
		b.Queue(`SELECT w.name, coalesce(l.address, ''), l.logo, coalesce(l.logo_type, '')
			FROM workspaces w LEFT JOIN workspace_letterheads l ON l.tenant_id = w.id WHERE w.id = $1`, sc.TenantID)
	}, func(br pgx.BatchResults) error {
		return dbError("letterhead", br.QueryRow().Scan(&out.Name, &out.Address, &out.Logo, &out.LogoType))
	}}
}

// Document loads a version's page in one round trip.
func (s *Store) Document(ctx context.Context, sc Scope, doc, id string, number int) (*DocumentPage, error) {
	p := &DocumentPage{}
	var all []DocComment
	err := s.view(ctx, sc, versionPart(sc, doc, id, number, &p.Version, &p.Content),
		part{func(b *pgx.Batch) {
			b.Queue(`SELECT coalesce(max(number), 0) FROM `+versionTable[doc]+` WHERE tenant_id = $1 AND engagement_id = $2`, sc.TenantID, id)
		}, func(br pgx.BatchResults) error { return dbError("latest version", br.QueryRow().Scan(&p.Current)) }},
		commentsPart(sc, id, doc, &all),
		part{func(b *pgx.Batch) {
			b.Queue(`SELECT content, sha256 FROM report_self_assessments WHERE tenant_id = $1 AND engagement_id = $2 AND number = $3 AND $4 = 'report'`,
				sc.TenantID, id, number, doc)
		}, func(br pgx.BatchResults) error {
			err := br.QueryRow().Scan(&p.SelfAssessment, &p.SelfSHA256)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return dbError("self-assessment", err)
		}},
		letterheadPart(sc, &p.Letterhead),
		part{func(b *pgx.Batch) {
			b.Queue(`SELECT v.number, v.content FROM `+versionTable[doc]+` v JOIN `+validationTable[doc]+` val
				ON val.tenant_id = v.tenant_id AND val.engagement_id = v.engagement_id AND val.number = v.number
				WHERE v.tenant_id = $1 AND v.engagement_id = $2 AND v.number < $3 AND val.user_id = $4
				ORDER BY v.number DESC LIMIT 1`, sc.TenantID, id, number, sc.UserID)
		}, func(br pgx.BatchResults) error {
			err := br.QueryRow().Scan(&p.Validated, &p.ValidatedContent)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return dbError("validated version", err)
		}})
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.Number == number {
			p.Comments = append(p.Comments, c)
		}
	}
	return p, nil
}

// validateDocument records a party's validation of the current (latest) version
// and returns who has validated it so far.
func validateDocument(ctx context.Context, tx pgx.Tx, sc Scope, doc, id string, number int, part domain.Part) (domain.SynthesisState, error) {
	var st domain.SynthesisState
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM `+versionTable[doc]+` WHERE tenant_id = $1 AND engagement_id = $2`,
		sc.TenantID, id).Scan(&st.Current); err != nil {
		return st, dbError("latest version", err)
	}
	if number != st.Current {
		return st, domain.Errorf(domain.EConflict, "synthesis.not_current")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO `+validationTable[doc]+` (tenant_id, engagement_id, number, user_id, part)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, sc.TenantID, id, number, sc.UserID, part); err != nil {
		return st, dbError("validate", err)
	}
	rows, _ := tx.Query(ctx, `SELECT part FROM `+validationTable[doc]+` WHERE tenant_id = $1 AND engagement_id = $2 AND number = $3`, sc.TenantID, id, number)
	parts, err := pgx.CollectRows(rows, pgx.RowTo[domain.Part])
	if err != nil {
		return st, dbError("validations", err)
	}
	for _, p := range parts {
		st.Record(p)
	}
	return st, engagementEvent(ctx, tx, sc, id, doc+".validated", map[string]any{"number": number, "part": part})
}

// VersionContents loads the content of two versions of a document, for a
// comparison; either missing is not found.
func (s *Store) VersionContents(ctx context.Context, sc Scope, doc, id string, from, to int) (old, cur []byte, err error) {
	err = s.View(ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT content FROM `+versionTable[doc]+` WHERE tenant_id = $1 AND engagement_id = $2 AND number = $3`, sc.TenantID, id, from)
		b.Queue(`SELECT content FROM `+versionTable[doc]+` WHERE tenant_id = $1 AND engagement_id = $2 AND number = $3`, sc.TenantID, id, to)
	}, func(br pgx.BatchResults) error {
		if err := br.QueryRow().Scan(&old); err != nil {
			return err
		}
		return br.QueryRow().Scan(&cur)
	})
	return old, cur, dbError("version contents", err)
}

// SetLetterhead saves the workspace's postal address and, when logo is not
// nil, its logo (an empty logo removes it).
func (s *Store) SetLetterhead(ctx context.Context, sc Scope, address string, logo []byte, logoType string, removeLogo bool) error {
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO workspace_letterheads (tenant_id, address, logo, logo_type) VALUES ($1, $2, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET address = EXCLUDED.address, updated_at = now(),
			  logo = CASE WHEN $5 THEN NULL WHEN EXCLUDED.logo IS NULL THEN workspace_letterheads.logo ELSE EXCLUDED.logo END,
			  logo_type = CASE WHEN $5 THEN '' WHEN EXCLUDED.logo IS NULL THEN workspace_letterheads.logo_type ELSE EXCLUDED.logo_type END`,
			sc.TenantID, address, logo, logoType, removeLogo)
		if err != nil {
			return dbError("letterhead", err)
		}
		return recordEvent(ctx, tx, sc.TenantID, sc.UserID, "letterhead.saved", "", nil)
	})
}

// WorkspaceLetterhead reads the letterhead for the settings page.
func (s *Store) WorkspaceLetterhead(ctx context.Context, sc Scope) (Letterhead, error) {
	var l Letterhead
	return l, s.view(ctx, sc, letterheadPart(sc, &l))
}
