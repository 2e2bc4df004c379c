// Package bench measures Triade under load: it generates a large dataset with
// COPY, serves it, and loads the main pages with authenticated sessions.
package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Scale is the size of a dataset. The large one is 1,000 workspaces, 100,000
// engagements, about 1,000,000 sessions and 2,000,000 actions with as many
// journal entries; the small one is a hundredth.
type Scale struct {
	Workspaces int
}

const (
	engagementsPer = 100 // per workspace
	coachesPer     = 10
	sponsorsPer    = 10
	actionsPer     = 25 // per engagement past cadrage
)

// Password of every generated account.
const Password = "bench-password"

// id builds a stable UUID for the n-th row of a kind, so that the load can find
// its personas and pages without asking.
func id(kind byte, n int) [16]byte {
	var u [16]byte
	u[0] = kind
	binary.BigEndian.PutUint64(u[8:], uint64(n))
	u[6] = 0x40 // version 4 layout
	u[8] = 0x80 | u[8]&0x3f
	return u
}

const (
	kWorkspace byte = iota + 1
	kUser
	kOrg
	kEngagement
	kSession
	kAction
	kJournal
	kObjective
	kIndicator
	kMeeting
)

// Phase of the k-th engagement of a workspace: a fifth in cadrage, two fifths in
// accompagnement, a fifth in bouclage, the rest closed or interrupted.
func phaseOf(k int) string {
	switch r := k % 20; {
	case r < 4:
		return "cadrage"
	case r < 12:
		return "accompagnement"
	case r < 16:
		return "bouclage"
	case r < 19:
		return "clos"
	}
	return "interrompu"
}

func sessionsOf(k int) int {
	if phaseOf(k) == "cadrage" {
		return 0
	}
	return 12 + k%2
}

func actionsOf(k int) int {
	if phaseOf(k) == "cadrage" {
		return 0
	}
	return actionsPer
}

var sentences = []string{
	"Le coaché a présenté une situation de tension entre deux chefs d'atelier au sujet du planning de production.",
	"Analyse : la posture de sauveur l'amène à arbitrer à la place de ses collaborateurs, ce qui entretient la dépendance de l'équipe.",
	"Scénario travaillé en jeu de rôle : annoncer une décision impopulaire à l'équipe en assumant les raisons et en écoutant les objections sans céder.",
	"Décision : confier la résolution du conflit aux deux chefs d'atelier avec un point d'étape dans quinze jours.",
	"J'ai préparé la réunion, j'ai laissé les chefs d'atelier proposer eux-mêmes une solution, et je me suis tu plus longtemps que d'habitude.",
	"Ce que j'ai appris : me taire laisse la place aux autres ; la solution trouvée est meilleure que celle que j'aurais imposée.",
}

func text(n int) string { return sentences[n%len(sentences)] }

// Generate fills an empty, migrated database with a dataset of the given scale,
// as the schema owner with triggers off (the data is consistent by
// construction), printing its progress.
func Generate(ctx context.Context, pool *pgxpool.Pool, sc Scale, hash string, out io.Writer) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	c := conn.Conn()
	if _, err := c.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		return fmt.Errorf("bench: the generator needs a superuser: %w", err)
	}
	defer c.Exec(context.Background(), "SET session_replication_role = DEFAULT")
	W := sc.Workspaces
	E := W * engagementsPer
	now := time.Now()
	start := time.Now()
	copy := func(table string, cols []string, n int, row func(i int) []any) error {
		t0 := time.Now()
		i := 0
		_, err := c.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n {
				return nil, nil
			}
			r := row(i)
			i++
			if i%200000 == 0 {
				fmt.Fprintf(out, "\r  %-22s %9d / %d", table, i, n)
			}
			return r, nil
		}))
		if err != nil {
			return fmt.Errorf("bench: copy %s: %w", table, err)
		}
		fmt.Fprintf(out, "\r  %-22s %9d rows in %5.1fs (total %5.1fs)\n", table, n, time.Since(t0).Seconds(), time.Since(start).Seconds())
		return nil
	}
	usersPer := 1 + coachesPer + sponsorsPer + engagementsPer
	userN := func(w, local int) int { return w*1000 + local } // 0 admin, 1..10 coaches, 11..20 sponsors, 100.. coachees
	steps := []func() error{
		func() error {
			return copy("workspaces", []string{"id", "slug", "name"}, W, func(w int) []any {
				return []any{id(kWorkspace, w), fmt.Sprintf("ws%04d", w), fmt.Sprintf("Cabinet %04d", w)}
			})
		},
		func() error {
			return copy("users", []string{"id", "email", "name", "password_hash"}, W*usersPer, func(i int) []any {
				w, j := i/usersPer, i%usersPer
				local := j
				if j > coachesPer+sponsorsPer {
					local = 100 + j - (1 + coachesPer + sponsorsPer)
				}
				n := userN(w, local)
				return []any{id(kUser, n), fmt.Sprintf("u%d@ws%04d.test", local, w), fmt.Sprintf("Personne %d", n), hash}
			})
		},
		func() error {
			return copy("client_orgs", []string{"tenant_id", "id", "name"}, W, func(w int) []any {
				return []any{id(kWorkspace, w), id(kOrg, w), "Client " + fmt.Sprint(w)}
			})
		},
		func() error {
			return copy("memberships", []string{"tenant_id", "user_id", "roles", "client_org_id"}, W*usersPer, func(i int) []any {
				w, j := i/usersPer, i%usersPer
				role, local := "admin", 0
				var org any
				switch {
				case j == 0:
				case j <= coachesPer:
					role, local = "coach", j
				case j <= coachesPer+sponsorsPer:
					role, local, org = "sponsor", j, id(kOrg, w)
				default:
					role, local, org = "coachee", 100+j-(1+coachesPer+sponsorsPer), id(kOrg, w)
				}
				return []any{id(kWorkspace, w), id(kUser, userN(w, local)), []string{role}, org}
			})
		},
		func() error {
			return copy("engagements", []string{"tenant_id", "id", "title", "client_org_id", "phase", "phase_changed_at", "first_meeting_at",
				"coach_willing_at", "coachee_willing_at", "coherence_ok", "coherence_comment", "synthesis_text"}, E, func(e int) []any {
				w, k := e/engagementsPer, e%engagementsPer
				at := now.AddDate(0, 0, -k)
				return []any{id(kWorkspace, w), id(kEngagement, e), fmt.Sprintf("Accompagnement %d — %s", e, text(k)[:30]), id(kOrg, w),
					phaseOf(k), at, at.AddDate(0, -3, 0), at, at, phaseOf(k) != "cadrage", text(k + 1), text(k + 2)}
			})
		},
		func() error {
			return copy("engagement_parties", []string{"tenant_id", "engagement_id", "user_id", "part", "sponsor_kind"}, E*3, func(i int) []any {
				e, j := i/3, i%3
				w, k := e/engagementsPer, e%engagementsPer
				switch j {
				case 0:
					return []any{id(kWorkspace, w), id(kEngagement, e), id(kUser, userN(w, 1+k%coachesPer)), "coach", ""}
				case 1:
					return []any{id(kWorkspace, w), id(kEngagement, e), id(kUser, userN(w, 100+k)), "coachee", ""}
				}
				return []any{id(kWorkspace, w), id(kEngagement, e), id(kUser, userN(w, 11+k%sponsorsPer)), "sponsor", "hr"}
			})
		},
		func() error {
			return copy("diagnoses", []string{"tenant_id", "engagement_id", "stakes", "draft_objectives"}, E, func(e int) []any {
				return []any{id(kWorkspace, e/engagementsPer), id(kEngagement, e), text(e), text(e + 3)}
			})
		},
		func() error {
			return copy("requests", []string{"tenant_id", "engagement_id", "level", "body", "validated_at"}, E*2, func(i int) []any {
				e := i / 2
				return []any{id(kWorkspace, e/engagementsPer), id(kEngagement, e), []string{"company", "coachee"}[i%2], text(i), now}
			})
		},
		func() error {
			return copy("objectives", []string{"tenant_id", "id", "engagement_id", "position", "title", "description"}, E*2, func(i int) []any {
				e := i / 2
				return []any{id(kWorkspace, e/engagementsPer), id(kObjective, i), id(kEngagement, e), i%2 + 1, fmt.Sprintf("Objectif %d", i%2+1), text(i)}
			})
		},
		func() error {
			return copy("indicators", []string{"tenant_id", "id", "engagement_id", "objective_id", "position", "kind", "description", "baseline", "target", "observation"},
				E*4, func(i int) []any {
					e, o := i/4, i/2
					return []any{id(kWorkspace, e/engagementsPer), id(kIndicator, i), id(kEngagement, e), id(kObjective, o), i%2 + 1,
						[]string{"observable", "performance"}[i%2], "Indicateur " + fmt.Sprint(i%4+1), "6 par mois", "1 par mois", "Relevé mensuel"}
				})
		},
		func() error {
			return copy("contracts", []string{"tenant_id", "engagement_id", "approach", "sessions_planned", "session_minutes", "start_date", "end_date", "confidentiality"},
				E, func(e int) []any {
					return []any{id(kWorkspace, e/engagementsPer), id(kEngagement, e), text(e), 14, 90, now.AddDate(0, -6, 0), now.AddDate(0, 6, 0), text(e + 1)}
				})
		},
		func() error {
			return copy("meetings", []string{"tenant_id", "id", "engagement_id", "kind", "scheduled_at", "held", "notes"}, E, func(e int) []any {
				return []any{id(kWorkspace, e/engagementsPer), id(kMeeting, e), id(kEngagement, e), "framing", now.AddDate(0, -5, 0), phaseOf(e%engagementsPer) != "cadrage", text(e)}
			})
		},
		func() error {
			return copy("synthesis_versions", []string{"tenant_id", "engagement_id", "number", "content", "sha256"}, E, func(e int) []any {
				return []any{id(kWorkspace, e/engagementsPer), id(kEngagement, e), 1, fmt.Sprintf(`{"Title": "Accompagnement %d", "Text": %q}`, e, text(e)), []byte{}}
			})
		},
		func() error {
			return copy("report_versions", []string{"tenant_id", "engagement_id", "number", "content", "sha256"}, E, func(e int) []any {
				return []any{id(kWorkspace, e/engagementsPer), id(kEngagement, e), 1,
					fmt.Sprintf(`{"Title": "Accompagnement %d", "CoacheeSynthesis": %q, "SessionsHeld": 12, "SessionsPlanned": 14}`, e, text(e)), []byte{}}
			})
		},
	}
	sessionOffsets, total := offsets(E, sessionsOf)
	actionOffsets, totalActions := offsets(E, actionsOf)
	steps = append(steps,
		func() error {
			return copy("coaching_sessions", []string{"tenant_id", "id", "engagement_id", "number", "scheduled_at", "minutes", "status"}, total, func(i int) []any {
				e, j := locate(sessionOffsets, i)
				status := "held"
				if j >= 10 {
					status = "planned"
				}
				return []any{id(kWorkspace, e/engagementsPer), id(kSession, i), id(kEngagement, e), j + 1, now.AddDate(0, 0, 14*(j-10)), 90, status}
			})
		},
		func() error {
			return copy("session_contents", []string{"tenant_id", "session_id", "engagement_id", "analysis", "scenarios", "decision"}, total, func(i int) []any {
				e, _ := locate(sessionOffsets, i)
				return []any{id(kWorkspace, e/engagementsPer), id(kSession, i), id(kEngagement, e), text(i + 1), text(i + 2), text(i + 3)}
			})
		},
		func() error {
			// Each action has one journal entry (below), written now: the
			// count and last entry the journal's trigger keeps on it.
			return copy("actions", []string{"tenant_id", "id", "engagement_id", "title", "description", "due_date", "status", "shared_at", "journal_count", "journal_last"}, totalActions, func(i int) []any {
				e, j := locate(actionOffsets, i)
				var shared any
				if j == 0 {
					shared = now
				}
				return []any{id(kWorkspace, e/engagementsPer), id(kAction, i), id(kEngagement, e), fmt.Sprintf("Action %d", j+1), text(i),
					now.AddDate(0, 0, j-12), []string{"todo", "in_progress", "done", "dropped"}[j%4], shared, 1, now}
			})
		},
		func() error {
			return copy("journal_entries", []string{"tenant_id", "id", "action_id", "engagement_id", "at", "did", "happened", "learnt"}, totalActions, func(i int) []any {
				e, _ := locate(actionOffsets, i)
				return []any{id(kWorkspace, e/engagementsPer), id(kJournal, i), id(kAction, i), id(kEngagement, e), now, text(i + 4), text(i + 5), text(i + 6)}
			})
		},
	)
	steps = append(steps, programmeSteps(copy, sc, hash, now)...)
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	// The fingerprints of the frozen versions (a trigger's work, off during
	// the COPY), over the database's own rendering of the content.
	for _, table := range []string{"synthesis_versions", "report_versions"} {
		if _, err := c.Exec(ctx, "UPDATE "+table+" SET sha256 = sha256(convert_to(content::text, 'UTF8'))"); err != nil {
			return fmt.Errorf("bench: fingerprints: %w", err)
		}
	}
	// The summaries the triggers keep (off during the COPY): one recompute
	// pass, from the same view the triggers read.
	t0 := time.Now()
	tag, err := c.Exec(ctx, "INSERT INTO engagement_summaries SELECT * FROM engagement_summary_source")
	if err != nil {
		return fmt.Errorf("bench: summaries: %w", err)
	}
	fmt.Fprintf(out, "  %-22s %9d rows in %5.1fs (total %5.1fs)\n", "engagement_summaries", tag.RowsAffected(), time.Since(t0).Seconds(), time.Since(start).Seconds())
	// The programme cohorts the closing of engagements releases (the
	// trigger is off too): each organisation's, as the migration does.
	t0 = time.Now()
	if _, err := c.Exec(ctx, "SELECT programme_release(o.tenant_id, o.id) FROM client_orgs o"); err != nil {
		return fmt.Errorf("bench: programme cohorts: %w", err)
	}
	fmt.Fprintf(out, "  %-22s released in %5.1fs (total %5.1fs)\n", "programme cohorts", time.Since(t0).Seconds(), time.Since(start).Seconds())
	// VACUUM as well as ANALYZE: a database in service has been vacuumed
	// (visibility maps set, so index-only scans skip the heap; hint bits
	// set, so a first read does not write). Without it the first pages
	// loaded paid for it, and autovacuum worked through the fresh tables
	// during the measures, its CPU counted as the pages' (the bench runs
	// the cluster with autovacuum off).
	if _, err := c.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return err
	}
	fmt.Fprintf(out, "  vacuumed and analysed; dataset ready in %.1fs\n", time.Since(start).Seconds())
	return nil
}

// offsets turns per-engagement counts into cumulative offsets, so a row number
// maps back to its engagement.
func offsets(engagements int, per func(k int) int) ([]int, int) {
	off := make([]int, engagements+1)
	for e := 0; e < engagements; e++ {
		off[e+1] = off[e] + per(e%engagementsPer)
	}
	return off, off[engagements]
}

// locate finds the engagement of row i and the row's rank within it.
func locate(off []int, i int) (e, j int) {
	lo, hi := 0, len(off)-1
	for lo < hi-1 {
		mid := (lo + hi) / 2
		if off[mid] <= i {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, i - off[lo]
}
