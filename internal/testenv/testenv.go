// Package testenv gives tests a real PostgreSQL: one private cluster per test
// binary (or TEST_DATABASE_URL, a superuser URL), a template database migrated
// once, and a fresh clone of it for each test (pgtestdb). Tests query through
// the restricted application role, exactly as the server does.
package testenv

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver pgtestdb opens
	"github.com/peterldowns/pgtestdb"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"triade/internal/pglocal"
	"triade/internal/store"
	"triade/migrations"
)

var superURL string // a superuser on the test cluster

// Main starts the test cluster around a package's tests. Use it from TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	superURL = os.Getenv("TEST_DATABASE_URL")
	if superURL == "" {
		// A scratch directory: on tmpfs, and removed by a later run if this
		// one is killed before its deferred cleanup (a -timeout panic).
		scratch, err := pglocal.NewScratch("triade-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "testenv:", err)
			return 1
		}
		defer scratch.Remove()
		pg, err := pglocal.Start(ctx, pglocal.Options{Dir: scratch.Dir, Ephemeral: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, "testenv: start PostgreSQL:", err)
			return 1
		}
		defer pg.Stop()
		superURL = pg.URL("postgres")
	}
	owner, err := pgxpool.New(ctx, superURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	err = store.EnsureAppRole(ctx, owner)
	owner.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	return m.Run()
}

// Env is one test's database.
type Env struct {
	Store *store.Store
	App   *pgxpool.Pool // the application role, as the server uses it
	Super *pgxpool.Pool // a superuser on the same database, for assertions only
	River *river.Client[pgx.Tx]
	URL   string // superuser URL of this test's database
	Key   []byte // the server key Store was given
}

// New gives the test a fresh, migrated database.
func New(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	conf := pgtestdb.Custom(t, config(t), migrator{})
	u, _ := url.Parse(superURL)
	u.Path = "/" + conf.Database
	dbURL := u.String()
	super, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(super.Close)
	// A right on the database: the copy of the template does not carry it.
	if err := store.RestrictDatabase(ctx, super); err != nil {
		t.Fatal(err)
	}
	app, err := store.OpenApp(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Close)
	rc, err := river.NewClient(riverpgxv5.New(app), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// The server key, read through the owner's side as the program does.
	key, err := store.LoadKey(ctx, super)
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(app, rc)
	st.SetKey(key)
	return &Env{Store: st, App: app, Super: super, River: rc, URL: dbURL, Key: key}
}

func config(t testing.TB) pgtestdb.Config {
	u, err := url.Parse(superURL)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	return pgtestdb.Config{DriverName: "pgx", Host: u.Hostname(), Port: u.Port(), User: u.User.Username(), Password: pw,
		Database: u.Path[1:], Options: q.Encode(), ForceTerminateConnections: true}
}

// migrator builds pgtestdb's template with goose and River's migrations; its
// hash changes whenever a migration does, so a stale template is never reused.
type migrator struct{}

func (migrator) Hash() (string, error) {
	h := sha256.New()
	h.Write([]byte("river-v0.51.2\n"))
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func (migrator) Migrate(ctx context.Context, db *sql.DB, conf pgtestdb.Config) error {
	if err := store.MigrateSQL(ctx, db); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer pool.Close()
	return store.MigrateRiver(ctx, pool)
}
