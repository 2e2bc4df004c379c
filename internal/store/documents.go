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
		b.Queue(`SELECT v.number, v.created_at, coalesce(u.name, ''), v.content,
			coalesce((SELECT json_agg(json_build_object('UserID', sv.user_id, 'Name', vu.name, 'Part', sv.part, 'At', sv.validated_at) ORDER BY sv.validated_at)
			          FROM `+validationTable[doc]+` sv JOIN users vu ON vu.id = sv.user_id
			          WHERE sv.tenant_id = v.tenant_id AND sv.engagement_id = v.engagement_id AND sv.number = v.number), '[]')
			FROM `+versionTable[doc]+` v LEFT JOIN users u ON u.id = v.created_by
			WHERE v.tenant_id = $1 AND v.engagement_id = $2 AND v.number = $3`, sc.TenantID, id, number)
	}, func(br pgx.BatchResults) error {
		var vals []byte
		if err := br.QueryRow().Scan(&v.Number, &v.CreatedAt, &v.CreatedBy, content, &vals); err != nil {
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
	// the database does not show it to the reader (see ReportContent.Merge).
	SelfAssessment []byte
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
			b.Queue(`SELECT content FROM report_self_assessments WHERE tenant_id = $1 AND engagement_id = $2 AND number = $3 AND $4 = 'report'`,
				sc.TenantID, id, number, doc)
		}, func(br pgx.BatchResults) error {
			err := br.QueryRow().Scan(&p.SelfAssessment)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return dbError("self-assessment", err)
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
