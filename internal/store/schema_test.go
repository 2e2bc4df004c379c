package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/testenv"
)

// TestEveryForeignKeyIsIndexed: each foreign key has an index leading with
// its columns. Without one, a page that reads a table by its engagement scans
// the whole workspace (an engagement page read every indicator of the
// workspace to show four), and deleting the row it points to scans the whole
// table — across every workspace for a person's account, whose erasure
// clears or checks a dozen tables of millions of rows.
func TestEveryForeignKeyIsIndexed(t *testing.T) {
	env := testenv.New(t)
	rows, _ := env.Super.Query(context.Background(), `
		SELECT c.conrelid::regclass::text || ' (' || (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
			FROM unnest(c.conkey) WITH ORDINALITY k(att, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att)
			|| ') -> ' || c.confrelid::regclass::text
		FROM pg_constraint c
		WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
		AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid
			AND (SELECT array_agg(x ORDER BY x) FROM unnest((i.indkey::int2[])[0:cardinality(c.conkey) - 1]) x)
			  = (SELECT array_agg(x ORDER BY x) FROM unnest(c.conkey) x))
		ORDER BY 1`)
	unindexed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, fk := range unindexed {
		t.Errorf("foreign key without an index leading with its columns: %s", fk)
	}
	var fks int
	env.Super.QueryRow(context.Background(), `SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`).Scan(&fks)
	if fks < 50 {
		t.Errorf("only %d foreign keys found: the check would prove little", fks)
	}
	t.Logf("%d foreign keys, %d without an index", fks, len(unindexed))
}

// TestPartiesIndexesAnswerThePolicies: the policies ask, row by row, whether
// the person takes part in the row's engagement (migration 00025). Every
// index of engagement_parties the planner may choose for that lookup has the
// engagement among its keys: an index of (workspace, person) alone, picked
// by a plan made for any values, read all the person's parts for each row
// (1,000 for the bench's programme coach).
func TestPartiesIndexesAnswerThePolicies(t *testing.T) {
	env := testenv.New(t)
	rows, _ := env.Super.Query(context.Background(), `
		SELECT i.indexrelid::regclass::text FROM pg_index i
		WHERE i.indrelid = 'engagement_parties'::regclass
		AND NOT EXISTS (SELECT 1 FROM unnest((i.indkey::int2[])[0:i.indnkeyatts - 1]) k(att)
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.att WHERE a.attname = 'engagement_id')`)
	partial, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, idx := range partial {
		t.Errorf("index %s of engagement_parties has no engagement_id key: the policies' lookup through it reads all the person's parts", idx)
	}
}
