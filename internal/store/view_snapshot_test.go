package store_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"triade/internal/store"
)

// TestViewSeesOneMoment: the queries of one page (one View) read the
// database at one moment. A transaction commits between the first query and
// the last; both see the same snapshot (under READ COMMITTED the last saw a
// newer one).
func TestViewSeesOneMoment(t *testing.T) {
	f := seededDemo(t)
	sc := store.Scope{TenantID: f.tenant("demo"), UserID: f.user("coach@demo.test")}
	committed := make(chan error, 1)
	var first, last string
	go func() {
		time.Sleep(250 * time.Millisecond)                         // the first query has run; the sleep runs
		_, err := f.env.Super.Exec(f.ctx, `SELECT txid_current()`) // a transaction with an id commits
		committed <- err
	}()
	err := f.env.Store.View(f.ctx, sc, func(b *pgx.Batch) {
		b.Queue(`SELECT pg_current_snapshot()::text`)
		b.Queue(`SELECT pg_sleep(1)`)
		b.Queue(`SELECT pg_current_snapshot()::text`)
	}, func(br pgx.BatchResults) error {
		go func() {
			time.Sleep(150 * time.Millisecond)                         // the first query has run; the sleep runs
			_, err := f.env.Super.Exec(f.ctx, `SELECT txid_current()`) // a transaction with an id commits
			committed <- err
		}()
		if err := br.QueryRow().Scan(&first); err != nil {
			return err
		}
		if _, err := br.Exec(); err != nil {
			return err
		}
		return br.QueryRow().Scan(&last)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-committed; err != nil {
		t.Fatal(err)
	}
	if first != last {
		t.Errorf("one page's queries saw two moments: snapshot %s, then %s", first, last)
	}
}
