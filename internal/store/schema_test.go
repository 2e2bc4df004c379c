package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"triade/internal/store"
	"triade/internal/testenv"
)

// TestEveryForeignKeyIsIndexed: each foreign key has an index leading with
// its columns — or with those of its columns that reference a unique key of
// the parent, which find the rows of one parent as well (a key naming the
// parent's id and its engagement is found by the index on the id). Without
// one, a page that reads a table by its engagement scans the whole workspace
// (an engagement page read every indicator of the workspace to show four),
// and deleting the row it points to scans the whole table — across every
// workspace for a person's account, whose erasure clears or checks a dozen
// tables of millions of rows.
func TestEveryForeignKeyIsIndexed(t *testing.T) {
	env := testenv.New(t)
	rows, _ := env.Super.Query(context.Background(), `
		SELECT c.conrelid::regclass::text || ' (' || (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
			FROM unnest(c.conkey) WITH ORDINALITY k(att, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att)
			|| ') -> ' || c.confrelid::regclass::text
		FROM pg_constraint c
		WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
		AND NOT EXISTS (
			SELECT 1 FROM pg_index i, (
				SELECT (SELECT array_agg(x ORDER BY x) FROM unnest(c.conkey) x) AS cols
				UNION ALL
				SELECT (SELECT array_agg(c.conkey[p] ORDER BY c.conkey[p]) FROM generate_subscripts(c.confkey, 1) p
						WHERE c.confkey[p] = ANY (u.indkey::int2[]))
				FROM pg_index u WHERE u.indrelid = c.confrelid AND u.indisunique AND u.indpred IS NULL
					AND (u.indkey::int2[]) <@ c.confkey) k
			WHERE i.indrelid = c.conrelid
			AND (SELECT array_agg(x ORDER BY x) FROM unnest((i.indkey::int2[])[0:cardinality(k.cols) - 1]) x) = k.cols)
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

// TestChildrenNameTheirParentsEngagement: a row that points to a parent row
// and carries its own engagement (an indicator and its objective, a journal
// entry and its action, a session's content and its session) must point to a
// parent of that same engagement. The policies decide who may write the row by
// its engagement_id; a foreign key on the parent's id alone let a party of one
// engagement attach rows to another engagement's parent. Every such foreign
// key names the engagement.
func TestChildrenNameTheirParentsEngagement(t *testing.T) {
	env := testenv.New(t)
	rows, _ := env.Super.Query(context.Background(), `
		SELECT c.conrelid::regclass::text || ' -> ' || c.confrelid::regclass::text || ' (' || c.conname || ')'
		FROM pg_constraint c
		WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
		AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attname = 'engagement_id' AND NOT a.attisdropped)
		AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.confrelid AND a.attname = 'engagement_id' AND NOT a.attisdropped)
		AND NOT EXISTS (SELECT 1 FROM unnest(c.conkey) WITH ORDINALITY k(att, n)
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att
			JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[k.n]
			WHERE a.attname = 'engagement_id' AND f.attname = 'engagement_id')
		ORDER BY 1`)
	loose, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, fk := range loose {
		t.Errorf("foreign key to a parent of any engagement: %s", fk)
	}
}

// keptColumns are the columns of workspace tables that the database keeps
// from other tables' writes, on which the request role has no right (an
// action's journal count and last entry: migration 00030).
var keptColumns = map[string][]string{
	"actions": {"journal_count", "journal_last"},
}

// TestRequestRoleWritesAllButKeptColumns: where the request role's rights on
// a table are given column by column (to leave out what the database keeps),
// they cover every other column. Column rights do not extend to a column
// added later: without its grant, the application's writes of it would fail.
func TestRequestRoleWritesAllButKeptColumns(t *testing.T) {
	env := testenv.New(t)
	rows, _ := env.Super.Query(context.Background(), `
		SELECT c.relname || '.' || a.attname || ' (' || p.priv || ')'
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		CROSS JOIN (VALUES ('INSERT'), ('UPDATE')) p(priv)
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
		AND EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = c.oid AND b.attnum > 0 AND NOT b.attisdropped
			AND has_column_privilege($1, c.oid, b.attnum, p.priv))
		AND NOT has_column_privilege($1, c.oid, a.attnum, p.priv)
		ORDER BY 1`, store.AppRole)
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{}
	for table, cols := range keptColumns {
		for _, col := range cols {
			want = append(want, table+"."+col+" (INSERT)", table+"."+col+" (UPDATE)")
		}
	}
	slices.Sort(want)
	if !slices.Equal(missing, want) {
		t.Errorf("columns the request role may not write, in tables where it writes some:\n got  %q\n want %q", missing, want)
	}
}
