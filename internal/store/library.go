package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"triade/internal/domain"
)

// StarterLibrary is the theoretical input a new workspace starts with: classic
// references of coaching practice, each with its source. The workspace edits
// or removes them like its own items.
var StarterLibrary = []LibraryItem{
	{Title: "Triangle dramatique de Karpman",
		Summary:   "Persécuteur, Sauveur, Victime : trois rôles que l'on endosse tour à tour dans une relation conflictuelle. Repérer le rôle que l'on tient aide à sortir du jeu plutôt qu'à l'alimenter.",
		Reference: "S. B. Karpman, « Fairy tales and script drama analysis », Transactional Analysis Bulletin, 7 (26), 1968, p. 39-43"},
	{Title: "Analyse transactionnelle — les états du moi",
		Summary:   "Parent, Adulte, Enfant : trois façons d'être, de penser et d'agir. Repérer depuis quel état du moi chacun parle éclaire les échanges qui se tendent ou se croisent.",
		Reference: "E. Berne, Transactional Analysis in Psychotherapy, Grove Press, 1961 ; Des jeux et des hommes, Stock, 1966 (Games People Play, 1964)"},
	{Title: "Fenêtre de Johari",
		Summary:   "Quatre zones de la connaissance de soi dans la relation : ouverte, aveugle, cachée, inconnue. Le retour des autres réduit la zone aveugle ; se dévoiler réduit la zone cachée.",
		Reference: "J. Luft et H. Ingham, « The Johari window, a graphic model of interpersonal awareness », Proceedings of the Western Training Laboratory in Group Development, UCLA, 1955"},
	{Title: "Objectifs SMART",
		Summary:   "Spécifique, Mesurable, Atteignable, Réaliste, Temporellement défini : une grille pour formuler des objectifs que l'on saura évaluer au bouclage, indicateur par indicateur.",
		Reference: "G. T. Doran, « There's a S.M.A.R.T. way to write management's goals and objectives », Management Review, 70 (11), 1981, p. 35-36"},
	{Title: "Leadership situationnel",
		Summary:   "Diriger, entraîner, soutenir, déléguer : adapter son style au degré de compétence et d'engagement de la personne pour la tâche considérée, et le faire évoluer avec elle.",
		Reference: "P. Hersey et K. Blanchard, Management of Organizational Behavior: Utilizing Human Resources, Prentice Hall, 1969"},
	{Title: "Cycle d'apprentissage de Kolb",
		Summary:   "Expérience concrète, observation réfléchie, conceptualisation, expérimentation active : on apprend de l'expérience en parcourant les quatre temps, ce que l'intersession met en pratique.",
		Reference: "D. A. Kolb, Experiential Learning: Experience as the Source of Learning and Development, Prentice Hall, 1984"},
	{Title: "Modèle GROW",
		Summary:   "Goal, Reality, Options, Will (objectif, réalité, options, engagement) : une trame de séance qui part du but, explore la situation, ouvre les possibles puis engage à agir.",
		Reference: "J. Whitmore, Coaching for Performance, Nicholas Brealey, 1992 (trad. Le guide du coaching, Maxima)"},
}

// seedLibrary gives a new workspace the starter library, in the transaction
// that creates it, as its founder.
func seedLibrary(ctx context.Context, tx pgx.Tx, tenantID, founderID string) error {
	for _, it := range StarterLibrary {
		if _, err := tx.Exec(ctx, `INSERT INTO library_items (tenant_id, title, summary, reference, created_by) VALUES ($1, $2, $3, $4, $5)`,
			tenantID, it.Title, it.Summary, it.Reference, founderID); err != nil {
			return dbError("starter library", err)
		}
	}
	return nil
}

// UpdateLibraryItem rewrites a piece of theoretical input of the workspace.
func (s *Store) UpdateLibraryItem(ctx context.Context, sc Scope, it LibraryItem) error {
	if !validUUID(it.ID) {
		return domain.ErrNotFound
	}
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE library_items SET title = $3, summary = $4, reference = $5
			WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL`, sc.TenantID, it.ID, it.Title, it.Summary, it.Reference)
		return libraryWrite("update library item", tag, err)
	})
}

// ArchiveLibraryItem takes a piece of theoretical input out of the library.
// The sessions that linked it keep it: it is archived, not deleted.
func (s *Store) ArchiveLibraryItem(ctx context.Context, sc Scope, id string) error {
	if !validUUID(id) {
		return domain.ErrNotFound
	}
	return s.Tx(ctx, sc, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE library_items SET archived_at = $3 WHERE tenant_id = $1 AND id = $2 AND archived_at IS NULL`,
			sc.TenantID, id, s.Now())
		return libraryWrite("archive library item", tag, err)
	})
}

// libraryWrite maps a write to the library: a refusal by the database is a
// 403, an item that is not (or no longer) there a 404.
func libraryWrite(what string, tag pgconn.CommandTag, err error) error {
	switch {
	case isCode(err, "42501"):
		return domain.ErrForbidden
	case err != nil:
		return dbError(what, err)
	case tag.RowsAffected() == 0:
		return domain.ErrNotFound
	}
	return nil
}
