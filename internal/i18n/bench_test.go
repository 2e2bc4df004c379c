package i18n

import (
	"context"
	"strings"
	"testing"
)

// The dashboards translate a few hundred messages per page: these
// benchmarks measure one message of each kind (make bench's CPU profile put
// the translations at about a third of the server's time per dashboard).
func BenchmarkT(b *testing.B) {
	ctx := WithCoachee(WithLang(context.Background(), "fr"), "f")
	for _, c := range []struct {
		name, id string
		pairs    []any
	}{
		{"plain", "account.address", nil},
		{"names the coachee", "action.proposed_by.coachee", nil},
		{"plural", "action.entries", []any{"Count", 3}},
		{"with a name", "join.title", []any{"Workspace", "Cabinet Martin"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				T(ctx, c.id, c.pairs...)
			}
		})
	}
}

// TestMemoKeepsOnlyCatalogText: the memo of translations never answers one
// person's text for another's, nor one form of address for another.
func TestMemoKeepsOnlyCatalogText(t *testing.T) {
	fr := WithLang(context.Background(), "fr")
	for range 2 { // the second round reads the memo
		if a, b := T(fr, "join.title", "Workspace", "Cabinet A"), T(fr, "join.title", "Workspace", "Cabinet B"); a == b {
			t.Errorf("join.title for two workspaces: both %q", a)
		}
		if f, m := T(WithCoachee(fr, Feminine), "action.proposed_by.coachee"), T(WithCoachee(fr, Masculine), "action.proposed_by.coachee"); f == m {
			t.Errorf("proposed by the coachee, feminine and masculine: both %q", f)
		}
		if one, many := T(fr, "action.entries", "Count", 1), T(fr, "action.entries", "Count", 3); one == many || !strings.Contains(many, "3") {
			t.Errorf("action.entries for 1 and 3: %q, %q", one, many)
		}
		if en := T(WithLang(context.Background(), "en"), "account.address"); en == T(fr, "account.address") {
			t.Errorf("account.address in English and French: both %q", en)
		}
	}
}
