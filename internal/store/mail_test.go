package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/store"
	"triade/internal/testenv"
)

// TestForgetMail: erasure deletes every e-mail sent to the person or naming
// them (in an invitation's calendar too), though the outbox is sealed, and
// nothing else.
func TestForgetMail(t *testing.T) {
	env := testenv.New(t)
	ctx, st := context.Background(), env.Store
	for _, m := range []store.Mail{
		{To: "alice@essai.test", Subject: "Bienvenue", Body: "Bonjour", Link: "https://triade.test/a"},
		{To: "bob@essai.test", Subject: "Séance", Body: "Avec Alice Dupont demain", Link: "https://triade.test/b"},
		{To: "bob@essai.test", Subject: "Rappel", Body: "Rien à signaler", Link: "https://triade.test/c"},
		{To: "carole@essai.test", Subject: "Alice Dupont a validé", Body: "…", Link: "https://triade.test/d"},
		// Invitations name their attendees in the calendar only, in folded lines.
		{To: "dan@essai.test", Subject: "Invitation", Body: "Séance", Link: "https://triade.test/e",
			Calendar: "BEGIN:VCALENDAR\r\nATTENDEE;CN=Quelqu'un:mailto:Alice@Essai.test\r\nEND:VCALENDAR\r\n", Method: "REQUEST"},
		{To: "eve@essai.test", Subject: "Invitation", Body: "Séance", Link: "https://triade.test/f",
			Calendar: "BEGIN:VCALENDAR\r\nATTENDEE;CN=Alice Du\r\n pont:mailto:x@essai.test\r\nEND:VCALENDAR\r\n", Method: "REQUEST"},
	} {
		if err := st.QueueMail(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	err := st.Tx(ctx, store.Scope{}, func(tx pgx.Tx) error {
		return st.ForgetMail(ctx, tx, "alice@essai.test", []string{"Alice Dupont", " "})
	})
	if err != nil {
		t.Fatal(err)
	}
	left, err := st.Outbox(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, m := range left {
		links = append(links, m.Link)
	}
	if !slices.Equal(links, []string{"https://triade.test/c"}) {
		t.Fatalf("outbox after forgetting Alice: %v, want only the unrelated e-mail", links)
	}
}
