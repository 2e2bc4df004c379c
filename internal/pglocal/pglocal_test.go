package pglocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// tempDir returns a new empty directory, on /dev/shm when there is one
// (tmpfs makes initdb and start-up much faster). It is used as the data
// directory itself: as root its parent must be searchable by the postgres
// user, which rules out a subdirectory of t.TempDir() or os.MkdirTemp.
func tempDir(t *testing.T) string {
	t.Helper()
	s, err := NewScratch("pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Remove)
	return s.Dir
}

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	s, err := Start(ctx, opts)
	if errors.Is(err, ErrNoBinaries) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

func connect(t *testing.T, s *Server) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func portOpen(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func TestEphemeral(t *testing.T) {
	dir := tempDir(t)
	t0 := time.Now()
	s := start(t, Options{Dir: dir, Ephemeral: true})
	t.Logf("fresh ephemeral cluster in %s ready in %v (port %d)", dir, time.Since(t0).Round(time.Millisecond), s.Port())

	conn := connect(t, s)
	ctx := context.Background()
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("select 1 = %d, %v", one, err)
	}
	for setting, want := range map[string]string{"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "200"} {
		var got string
		if err := conn.QueryRow(ctx, "select current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
	conn.Close(ctx)

	if !portOpen(s.Port()) {
		t.Fatalf("port %d not open while running", s.Port())
	}
	t0 = time.Now()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped in %v", time.Since(t0).Round(time.Millisecond))
	if portOpen(s.Port()) {
		t.Errorf("port %d still open after Stop", s.Port())
	}
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid left behind after Stop: %v", err)
	}
}

func TestPersistentRestart(t *testing.T) {
	dir := tempDir(t)
	ctx := context.Background()
	for run := 1; run <= 3; run++ {
		t0 := time.Now()
		s := start(t, Options{Dir: dir})
		t.Logf("run %d: ready in %v (port %d)", run, time.Since(t0).Round(time.Millisecond), s.Port())
		conn := connect(t, s)
		if run == 1 {
			if _, err := conn.Exec(ctx, "create table survivor (n int); insert into survivor values (1)"); err != nil {
				t.Fatal(err)
			}
		} else {
			if _, err := conn.Exec(ctx, "insert into survivor values ($1)", run); err != nil {
				t.Fatalf("run %d: table from run 1 gone: %v", run, err)
			}
		}
		var n int
		if err := conn.QueryRow(ctx, "select count(*) from survivor").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != run {
			t.Fatalf("run %d: %d rows, want %d", run, n, run)
		}
		var fsync string
		if err := conn.QueryRow(ctx, "select current_setting('fsync')").Scan(&fsync); err != nil || fsync != "on" {
			t.Errorf("persistent server: fsync = %q, %v; want on", fsync, err)
		}
		conn.Close(ctx)
		if err := s.Stop(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStopIdempotent(t *testing.T) {
	s := start(t, Options{Dir: tempDir(t), Ephemeral: true})
	for i := 0; i < 3; i++ {
		if err := s.Stop(); err != nil {
			t.Fatalf("Stop #%d: %v", i+1, err)
		}
	}
}

func TestFixedPort(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Options{Dir: tempDir(t), Port: port, Ephemeral: true})
	if s.Port() != port {
		t.Errorf("Port() = %d, want %d", s.Port(), port)
	}
	if want := "postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/app?sslmode=disable"; s.URL("app") != want {
		t.Errorf("URL = %q, want %q", s.URL("app"), want)
	}
}

func TestDirInUse(t *testing.T) {
	dir := tempDir(t)
	start(t, Options{Dir: dir, Ephemeral: true})
	s, err := Start(context.Background(), Options{Dir: dir, Ephemeral: true})
	if err == nil {
		s.Stop()
		t.Fatal("second server on the same directory started")
	}
	if !strings.Contains(err.Error(), "another server is using "+dir) {
		t.Errorf("error = %v, want it to say another server is using %s", err, dir)
	}
}

func TestRefusesForeignDir(t *testing.T) {
	dir := tempDir(t)
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Start(context.Background(), Options{Dir: dir, Ephemeral: true})
	if errors.Is(err, ErrNoBinaries) {
		t.Skip(err)
	}
	if err == nil {
		s.Stop()
		t.Fatal("started on a non-empty directory without PG_VERSION")
	}
	if !strings.Contains(err.Error(), "neither empty nor a PostgreSQL data directory") {
		t.Errorf("error = %v", err)
	}
}

// As root the server runs as "postgres", which must be able to reach Dir.
func TestUnreachableDirAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the directory to the postgres user")
	}
	parent := tempDir(t) // 0700, owned by root
	_, err := Start(context.Background(), Options{Dir: filepath.Join(parent, "pg"), Ephemeral: true})
	if errors.Is(err, ErrNoBinaries) {
		t.Skip(err)
	}
	if err == nil || !strings.Contains(err.Error(), "is not searchable") {
		t.Fatalf("error = %v, want one saying %s is not searchable", err, parent)
	}
}

func TestTail(t *testing.T) {
	var b tailBuffer
	for i := 1; i <= 30; i++ {
		b.Write([]byte("line " + strconv.Itoa(i) + "\n"))
	}
	got := b.tail(3)
	if got != "line 28\nline 29\nline 30" {
		t.Errorf("tail(3) = %q", got)
	}
}

// A server whose postmaster was killed leaves postmaster.pid behind; the next
// Start must recover (the pid is dead) and keep the committed data.
func TestRestartAfterKill(t *testing.T) {
	dir := tempDir(t)
	ctx := context.Background()
	s := start(t, Options{Dir: dir})
	conn := connect(t, s)
	if _, err := conn.Exec(ctx, "create table survivor (n int); insert into survivor values (1)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	s.cmd.Process.Kill()
	<-s.done
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid: %v", err)
	}

	t0 := time.Now()
	s = start(t, Options{Dir: dir})
	t.Logf("restart after kill (crash recovery) in %v", time.Since(t0).Round(time.Millisecond))
	var n int
	if err := connect(t, s).QueryRow(ctx, "select count(*) from survivor").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after crash: %d rows, %v", n, err)
	}
}

// The server must not outlive a parent that dies without calling Stop
// (Pdeathsig). The parent here is this test binary, run again as a helper.
func TestParentDies(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux-only")
	}
	if os.Getenv("PGLOCAL_HELPER_DIR") != "" {
		t.Skip("helper mode")
	}
	dir := tempDir(t)
	if _, err := findBinaries(); err != nil {
		t.Skip(err)
	}
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	helper.Env = append(os.Environ(), "PGLOCAL_HELPER_DIR="+dir)
	helper.Stderr = os.Stderr
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	defer helper.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	port, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "port "))
	if err != nil || !portOpen(port) {
		t.Fatalf("helper said %q; port open: %v", line, err == nil && portOpen(port))
	}
	helper.Process.Kill()
	helper.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for portOpen(port) {
		if time.Now().After(deadline) {
			t.Fatalf("server on port %d still running 10s after its parent died", port)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// It shut down cleanly, so the directory is immediately reusable.
	start(t, Options{Dir: dir}).Stop()
}

func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("PGLOCAL_HELPER_DIR")
	if dir == "" {
		t.Skip("only run by TestParentDies")
	}
	s, err := Start(context.Background(), Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("port %d\n", s.Port())
	select {} // wait to be killed
}

// Unix socket paths are limited to ~104 bytes; a deeper Dir must still work
// (over TCP only).
func TestLongDir(t *testing.T) {
	dir := tempDir(t)
	if err := os.Chmod(dir, 0o755); err != nil { // as root, postgres must reach long/pg
		t.Fatal(err)
	}
	long := dir + "/" + strings.Repeat("d", 120-len(dir))
	if err := os.Mkdir(long, 0o755); err != nil {
		t.Fatal(err)
	}
	var one int
	s := start(t, Options{Dir: long + "/pg", Ephemeral: true})
	if err := connect(t, s).QueryRow(context.Background(), "select 1").Scan(&one); err != nil {
		t.Fatal(err)
	}
}

// TestScratchSweepsWhatNoOneHolds: a scratch directory is removed by the next
// NewScratch once its owner is gone (the lock dies with the process), never
// while it is held, nor in its first minute (before its owner locks it).
func TestScratchSweepsWhatNoOneHolds(t *testing.T) {
	prefix := fmt.Sprintf("pglocal-sweep-%d-", os.Getpid())
	held, err := NewScratch(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Remove()
	base := filepath.Dir(held.Dir)
	orphan, err := os.MkdirTemp(base, prefix) // as a killed owner leaves it
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(orphan)
	if err := os.WriteFile(filepath.Join(orphan, "PG_VERSION"), []byte("15\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	young, err := os.MkdirTemp(base, prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(young)
	old := time.Now().Add(-2 * scratchGrace)
	for _, dir := range []string{held.Dir, orphan} {
		if err := os.Chtimes(dir, old, old); err != nil {
			t.Fatal(err)
		}
	}

	next, err := NewScratch(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Remove()
	for dir, want := range map[string]bool{held.Dir: true, orphan: false, young: true, next.Dir: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s: kept %v, want %v", filepath.Base(dir), err == nil, want)
		}
	}
	held.Remove()
	if _, err := os.Stat(held.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Remove left %s: %v", held.Dir, err)
	}
}
