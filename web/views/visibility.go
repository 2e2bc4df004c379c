package views

import (
	"context"
	"strings"

	"triade/internal/domain"
)

// readers names who, besides the reader, can read a kind of information of
// the engagement, by the access matrix: "Claire Martin (coach), Marc Lefèvre
// (Responsable RH)", then the workspace's administrators when they may read
// it too. alsoShared adds the parties who read it once the coachee shares it
// (an action's journal).
func readers(ctx context.Context, e Eng, info domain.Info, alsoShared bool) string {
	var names []string
	for _, p := range e.Parties {
		if p.Me {
			continue
		}
		if domain.RightOf(p.Part, info).Has(domain.Read) || (alsoShared && domain.RightOf(p.Part, domain.InfoSharedActions).Has(domain.Read)) {
			names = append(names, p.Name+" ("+partName(ctx, p)+")")
		}
	}
	if domain.RightOf(domain.PartAdmin, info).Has(domain.Read) {
		names = append(names, t(ctx, "visibility.admins"))
	}
	return strings.Join(names, ", ")
}

// journalReadersOf names who reads an action's journal, by whether the action
// is shared: what VisibleIfShared says, for a list of actions at once.
func journalReadersOf(ctx context.Context, e Eng) map[bool]string {
	return map[bool]string{false: readers(ctx, e, domain.InfoActions, false), true: readers(ctx, e, domain.InfoActions, true)}
}

// partName is a party's part as the header shows it: the sponsor's kind when
// known ("Responsable RH").
func partName(ctx context.Context, p PartyRow) string {
	if p.SponsorKind != "" {
		return t(ctx, "sponsor_kind."+p.SponsorKind)
	}
	return t(ctx, partLabel(p.Part))
}
