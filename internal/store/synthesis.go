package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/domain"
)

// SynthesisContent is the frozen content of a synthesis version: the framing as
// it stood when the version was made, and the coach's free text.
type SynthesisContent struct {
	Title, ClientOrg               string
	Coach, Coachee                 string
	Sponsors                       []string
	CompanyRequest, CoacheeRequest string
	CoherenceComment               string
	Objectives                     []SynthesisObjective
	Contract                       SynthesisContract
	Text                           string
}

// SynthesisObjective is an objective as frozen in a version.
type SynthesisObjective struct {
	Title, Description string
	Indicators         []SynthesisIndicator
}

// SynthesisIndicator is an indicator as frozen in a version.
type SynthesisIndicator struct {
	Kind, Description, Baseline, Target, Observe string
}

// SynthesisContract is the contract as frozen in a version.
type SynthesisContract struct {
	Approach                    string
	SessionsPlanned, SessionMin int
	Start, End                  *time.Time
	Confidentiality, Exceptions string
}

func contentOf(f *CadrageFile) SynthesisContent {
	c := SynthesisContent{Title: f.Title, ClientOrg: f.ClientOrg, Coach: f.Name(domain.PartCoach), Coachee: f.Name(domain.PartCoachee),
		CompanyRequest: f.Requests[domain.RequestCompany].Body, CoacheeRequest: f.Requests[domain.RequestCoachee].Body,
		CoherenceComment: f.CoherenceComment, Text: f.SynthesisText}
	for _, p := range f.With(domain.PartSponsor) {
		c.Sponsors = append(c.Sponsors, p.Name)
	}
	for _, o := range f.Objectives {
		so := SynthesisObjective{Title: o.Title, Description: o.Description}
		for _, i := range o.Indicators {
			so.Indicators = append(so.Indicators, SynthesisIndicator{i.Kind, i.Description, i.Baseline, i.Target, i.Observe})
		}
		c.Objectives = append(c.Objectives, so)
	}
	k := f.Contract
	c.Contract = SynthesisContract{Approach: k.Approach, Start: k.Start, End: k.End, Confidentiality: k.Confidentiality, Exceptions: k.Exceptions}
	if k.SessionsPlanned != nil {
		c.Contract.SessionsPlanned = *k.SessionsPlanned
	}
	if k.SessionMin != nil {
		c.Contract.SessionMin = *k.SessionMin
	}
	return c
}

// SaveSynthesisText saves the coach's free text of the synthesis, based on the
// version the person saw.
func (s *Store) SaveSynthesisText(ctx context.Context, sc Scope, id, text string, version int) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		tag, err := tx.Exec(ctx, `UPDATE engagements SET synthesis_text = $3, synthesis_version = synthesis_version + 1
			WHERE tenant_id = $1 AND id = $2 AND synthesis_version = $4`, sc.TenantID, id, text, version)
		if err != nil {
			return dbError("synthesis text", err)
		}
		return checkVersion(tag.RowsAffected())
	})
}

// PublishSynthesis freezes the current framing and free text as the next
// numbered version. Validations belong to a version, so the new one starts with
// none: earlier validations no longer count.
func (s *Store) PublishSynthesis(ctx context.Context, sc Scope, id string) (int, error) {
	var number int
	err := s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		f := &CadrageFile{Requests: map[domain.RequestLevel]Request{}}
		if err := loadCadrage(ctx, tx, sc, id, f); err != nil {
			return err
		}
		content, err := json.Marshal(contentOf(f))
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO synthesis_versions (tenant_id, engagement_id, number, content, created_by)
			VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM synthesis_versions WHERE tenant_id = $1 AND engagement_id = $2), $3, $4)
			RETURNING number`, sc.TenantID, id, content, sc.UserID).Scan(&number); err != nil {
			return dbError("publish synthesis", err)
		}
		return engagementEvent(ctx, tx, sc, id, "synthesis.published", map[string]any{"number": number})
	})
	return number, err
}

// ValidateSynthesis records that a party validates a version; only the current
// (latest) version can be validated.
func (s *Store) ValidateSynthesis(ctx context.Context, sc Scope, id string, number int, part domain.Part) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, _ domain.Phase) error {
		// Validating a version means agreeing to what it says: once the
		// content moved on since (a drifted version), the coach publishes a
		// new version first.
		f := &CadrageFile{Requests: map[domain.RequestLevel]Request{}}
		if err := loadCadrage(ctx, tx, sc, id, f); err != nil {
			return err
		}
		if f.Drifted() {
			return domain.Errorf(domain.EConflict, "synthesis.drifted")
		}
		_, err := validateDocument(ctx, tx, sc, "synthesis", id, number, part)
		return err
	})
}

// MovePhase moves the engagement forward through its gate, judged by the phase
// rules on a snapshot taken inside the same transaction.
func (s *Store) MovePhase(ctx context.Context, sc Scope, id string, to domain.Phase) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, from domain.Phase) error {
		f := &CadrageFile{Requests: map[domain.RequestLevel]Request{}}
		if err := loadCadrage(ctx, tx, sc, id, f); err != nil {
			return err
		}
		if err := domain.CanMove(from, to, f.State()); err != nil {
			return err
		}
		return setPhase(ctx, tx, sc, id, from, to, "", s.Now())
	})
}

// Interrupt ends an open engagement early, with the reason and who ended it.
func (s *Store) Interrupt(ctx context.Context, sc Scope, id, reason string) error {
	return s.inOpen(ctx, sc, id, func(tx pgx.Tx, from domain.Phase) error {
		return setPhase(ctx, tx, sc, id, from, domain.PhaseInterrompu, reason, s.Now())
	})
}

func setPhase(ctx context.Context, tx pgx.Tx, sc Scope, id string, from, to domain.Phase, reason string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE engagements SET phase = $3, phase_changed_at = $4,
		ended_reason = CASE WHEN $3 = 'interrompu' THEN $5 ELSE ended_reason END,
		ended_by = CASE WHEN $3 = 'interrompu' THEN $6::uuid ELSE ended_by END
		WHERE tenant_id = $1 AND id = $2`, sc.TenantID, id, to, now, reason, sc.UserID); err != nil {
		return dbError("set phase", err)
	}
	if to == domain.PhaseBouclage {
		// The final three-way meeting and the coachee's synthesis belong to bouclage.
		if _, err := tx.Exec(ctx, `INSERT INTO meetings (tenant_id, engagement_id, kind) VALUES ($1, $2, 'final');
			`, sc.TenantID, id); err != nil {
			return dbError("final meeting", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO coachee_syntheses (tenant_id, engagement_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, sc.TenantID, id); err != nil {
			return dbError("coachee synthesis", err)
		}
	}
	data := map[string]any{"from": from, "to": to}
	if reason != "" {
		data["reason"] = reason
	}
	return engagementEvent(ctx, tx, sc, id, "phase.moved", data)
}

// Drifted reports whether what a synthesis version holds (the framing and the
// free text, as contentOf builds it) differs from the newest version's frozen
// content: then that version, validated or not, is no longer current content.
func (f *CadrageFile) Drifted() bool {
	if f.CurrentSnapshot == nil {
		return false
	}
	a, b, err := f.Snapshots()
	return err != nil || a != b
}

// Snapshots returns the newest version's frozen content and the content as it
// stands now, both written by the same builder, for comparing and showing the
// difference.
func (f *CadrageFile) Snapshots() (frozen, now string, err error) {
	var c SynthesisContent
	if err := json.Unmarshal(f.CurrentSnapshot, &c); err != nil {
		return "", "", err
	}
	if frozen, err = c.canonical(); err != nil {
		return "", "", err
	}
	now, err = contentOf(f).canonical()
	return frozen, now, err
}

// canonical is the content as JSON with its dates in UTC: the same content
// gives the same text whatever zone it was read in.
func (c SynthesisContent) canonical() (string, error) {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	c.Contract.Start, c.Contract.End = utc(c.Contract.Start), utc(c.Contract.End)
	b, err := json.Marshal(c)
	return string(b), err
}
