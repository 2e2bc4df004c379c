// Package pglocal runs a private PostgreSQL server as a child process, so that
// `make run` and the tests need no system-wide database, no docker and no
// DATABASE_URL: only the PostgreSQL server binaries.
//
// Development keeps its data in a directory such as .data/pg, which survives
// restarts. Tests use a throwaway cluster (Options.Ephemeral) in a temporary
// directory, ideally on /dev/shm, with durability switched off for speed.
//
// The server listens on 127.0.0.1 only and trusts every local connection as
// the superuser "postgres": it is meant for a developer's machine or CI, never
// for production.
//
// PostgreSQL refuses to run as root. When this process is root (containers,
// CI) the server runs as the "postgres" system user instead, which the
// PostgreSQL packages create, and the data directory is handed over to it.
package pglocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoBinaries is returned by Start when initdb and postgres cannot be found.
// Callers (tests) can match it with errors.Is to skip instead of failing on a
// machine without PostgreSQL.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, postgres) not found: install PostgreSQL 15 or newer (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL")

// Options configure Start.
type Options struct {
	// Dir is the data directory. It is created and initialised (initdb) if it
	// holds no PG_VERSION; it must then be empty, so that a wrong path is never
	// filled with (or, as root, chowned to) PostgreSQL files. Keep Log out of it.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one on every start.
	Port int
	// Ephemeral trades crash safety for speed (fsync, synchronous_commit and
	// full_page_writes off): for data that is thrown away anyway, i.e. tests.
	Ephemeral bool
	// Log receives the output of initdb and the server; nil discards it.
	// Write errors are ignored so a broken log never stalls the server.
	Log io.Writer
	// Settings are extra server settings (name → value), e.g. for the benchmark.
	Settings map[string]string
}

// Server is a running postmaster started by Start. Stop it when done; on Linux
// it also receives SIGINT if this process dies, so it never outlives us.
type Server struct {
	dir  string
	port int
	cmd  *exec.Cmd
	out  *tailBuffer

	done    chan struct{} // closed once the postmaster has exited
	waitErr error         // result of cmd.Wait, valid after done is closed

	stopOnce sync.Once
	stopErr  error
}

const (
	superuser    = "postgres"       // role created by initdb -U; also the OS user when root
	readyTimeout = 60 * time.Second // a fresh cluster is ready in well under a second
	pollInterval = 50 * time.Millisecond
	stopTimeout  = 30 * time.Second // fast shutdown, before escalating to immediate
	tailLines    = 20               // server output quoted in errors
	tailBytes    = 16 << 10
)

// Start initialises Dir if needed, starts postgres on it and waits until it
// accepts connections. ctx bounds only the start-up, not the server's life.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("pglocal: Options.Dir is empty")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	owner, err := serverAccount()
	if err != nil {
		return nil, err
	}
	fresh, err := prepareDir(dir, owner, bin)
	if err != nil {
		return nil, err
	}

	out := &tailBuffer{}
	var log io.Writer = out
	if opts.Log != nil {
		log = teeWriter{out, opts.Log}
	}
	if fresh {
		if err := initdb(ctx, bin, dir, owner, log); err != nil {
			return nil, fmt.Errorf("pglocal: initdb %s: %w\n%s", dir, err, out.tail(tailLines))
		}
	}

	// A port picked by listening on :0 can be taken by someone else (another
	// test package, say) before postgres binds it; then try another one.
	for attempt := 1; ; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = freePort(); err != nil {
				return nil, fmt.Errorf("pglocal: pick a port: %w", err)
			}
		}
		s, err := launch(ctx, bin, dir, port, opts, owner, out, log)
		if errors.Is(err, errPortInUse) && opts.Port == 0 && attempt < 5 {
			continue
		}
		return s, err
	}
}

// URL returns a connection string for database as the superuser "postgres",
// which needs no password (trust authentication on 127.0.0.1).
func (s *Server) URL(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, s.port, url.PathEscape(database))
}

// Port returns the TCP port the server listens on.
func (s *Server) Port() int { return s.port }

// Stop asks for a fast shutdown (SIGINT: open sessions are cut, data is
// flushed) and waits for the server to exit. It is safe to call more than
// once, e.g. from a defer and a signal handler; later calls return the first
// result. It reports an error if the server had already died on its own.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.stop() })
	return s.stopErr
}

func (s *Server) stop() error {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			s.kill()
		}
	}
	if s.waitErr != nil {
		return fmt.Errorf("pglocal: postgres on %s: %v\n%s", s.dir, s.waitErr, s.out.tail(tailLines))
	}
	return nil
}

// kill stops the server without waiting for sessions or checkpoints
// (SIGQUIT, "immediate shutdown"), then SIGKILL as a last resort.
func (s *Server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

var errPortInUse = errors.New("port in use")

func launch(ctx context.Context, bin binaries, dir string, port int, opts Options, owner *account, out *tailBuffer, log io.Writer) (*Server, error) {
	// The Unix socket lives in the data directory: /var/run/postgresql may not
	// exist or be writable, and the directory is already ours (or the postgres
	// user's). Socket paths are limited to ~104 bytes; on a deeper Dir we do
	// without the socket, since we only connect over TCP.
	sockDir := dir
	if len(dir)+len("/.s.PGSQL.65535") >= 104 {
		sockDir = ""
	}
	args := []string{
		"-D", dir,
		"-p", strconv.Itoa(port),
		"-h", "127.0.0.1",
		"-k", sockDir,
		"-c", "max_connections=200", // parallel tests each hold a pool
		"-c", "shared_buffers=128MB",
	}
	if opts.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for k, v := range opts.Settings {
		args = append(args, "-c", k+"="+v)
	}
	cmd := exec.Command(bin.postgres, args...)
	cmd.Dir = dir // the postgres user may not be able to enter our working directory
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.SysProcAttr = sysProcAttr(owner.credential())
	cmd.WaitDelay = 5 * time.Second // don't hang on an output pipe held by a stray child
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pglocal: start postgres: %w", err)
	}
	s := &Server{dir: dir, port: port, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	timeout := time.NewTimer(readyTimeout)
	defer timeout.Stop()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if s.ready(ctx) {
			return s, nil
		}
		select {
		case <-s.done:
			tail := out.tail(tailLines)
			if strings.Contains(tail, "Address already in use") {
				return nil, fmt.Errorf("pglocal: port %d: %w", port, errPortInUse)
			}
			return nil, fmt.Errorf("pglocal: postgres on %s exited during start-up (%v):\n%s", dir, s.waitErr, tail)
		case <-ctx.Done():
			s.kill()
			return nil, fmt.Errorf("pglocal: waiting for postgres on %s: %w\n%s", dir, ctx.Err(), out.tail(tailLines))
		case <-timeout.C:
			s.kill()
			return nil, fmt.Errorf("pglocal: postgres on %s not ready after %v:\n%s", dir, readyTimeout, out.tail(tailLines))
		case <-tick.C:
		}
	}
}

// ready reports whether the server answers, and that it is ours: if the port
// was grabbed by another cluster before our postgres bound it, that one would
// answer too, while ours is about to exit with "Address already in use".
func (s *Server) ready(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var dataDir string
	if err := conn.QueryRow(ctx, "select current_setting('data_directory')").Scan(&dataDir); err != nil {
		return false
	}
	return dataDir == s.dir
}

// prepareDir creates dir, makes it usable by the server account and reports
// whether it still needs initdb.
func prepareDir(dir string, owner *account, bin binaries) (fresh bool, err error) {
	// Parents get 0755 so that, as root, the postgres user can pass through
	// them; only the data directory itself must be private (0700).
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return false, fmt.Errorf("pglocal: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return false, fmt.Errorf("pglocal: %w", err)
	}
	if owner != nil {
		if err := owner.checkReach(dir); err != nil {
			return false, err
		}
	}

	version, err := os.ReadFile(filepath.Join(dir, "PG_VERSION"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		entries, err := os.ReadDir(dir)
		if err != nil {
			return false, fmt.Errorf("pglocal: %w", err)
		}
		if len(entries) > 0 {
			return false, fmt.Errorf("pglocal: %s is neither empty nor a PostgreSQL data directory (no PG_VERSION): initdb needs an empty or new directory, so keep other files (such as the server log) beside it", dir)
		}
		fresh = true
	case err != nil:
		return false, fmt.Errorf("pglocal: %w", err)
	default:
		if err := checkExisting(dir, strings.TrimSpace(string(version)), bin); err != nil {
			return false, err
		}
	}

	if owner != nil {
		if err := owner.chownTree(dir); err != nil {
			return false, err
		}
	}
	// postgres refuses a data directory readable by others; initdb fixes that
	// for a fresh one, an existing one may have been copied or unpacked.
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o027 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return false, fmt.Errorf("pglocal: %w", err)
		}
	}
	return fresh, nil
}

// checkExisting turns the likely failures of an existing data directory into
// errors that say what to do, instead of a postgres log excerpt.
func checkExisting(dir, version string, bin binaries) error {
	if _, err := os.Stat(filepath.Join(dir, "global", "pg_control")); err != nil {
		return fmt.Errorf("pglocal: %s has PG_VERSION but no global/pg_control, probably an interrupted initdb: remove it", dir)
	}
	if have, err := bin.majorVersion(); err == nil && have != version {
		return fmt.Errorf("pglocal: %s was initialised by PostgreSQL %s but the server binaries (%s) are version %s: install PostgreSQL %s, or remove the directory to start afresh", dir, version, filepath.Dir(bin.postgres), have, version)
	}

	// A postmaster.pid left by a killed run is harmless, postgres ignores it
	// when its pid is dead. A live pid whose port answers is a server still
	// running on this directory (an earlier `make run`, say).
	if pid, port, ok := runningServer(dir); ok {
		return fmt.Errorf("pglocal: another server is using %s (pid %d, port %d): stop it, or use another directory", dir, pid, port)
	}
	return nil
}

// runningServer reads the directory's postmaster.pid and tells whether it
// names a running server: its process alive and its port answering (the
// pid of a server that died may have gone to another process).
func runningServer(dir string) (pid, port int, ok bool) {
	pidFile, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0, 0, false
	}
	lines := strings.Split(string(pidFile), "\n")
	if len(lines) < 4 {
		return 0, 0, false
	}
	pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	if pid <= 0 || port <= 0 {
		return 0, 0, false
	}
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return 0, 0, false
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return 0, 0, false
	}
	conn.Close()
	return pid, port, true
}

func initdb(ctx context.Context, bin binaries, dir string, owner *account, log io.Writer) error {
	cmd := exec.CommandContext(ctx, bin.initdb,
		"-D", dir,
		"-U", superuser,
		"-A", "trust",
		"--no-sync", // durability of a brand-new cluster buys nothing; saves seconds on disks
		"--locale=C",
		"-E", "UTF8",
	)
	cmd.Dir = dir
	cmd.Stdout = log
	cmd.Stderr = log
	cmd.SysProcAttr = sysProcAttr(owner.credential())
	// On cancellation let initdb remove what it created instead of leaving a
	// half-initialised directory behind.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 10 * time.Second
	return cmd.Run()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// binaries locates initdb and postgres of one installation.
type binaries struct{ initdb, postgres string }

// findBinaries prefers the Debian/Ubuntu layout (/usr/lib/postgresql/N/bin,
// highest N), whose binaries are usually not on PATH, then PATH (Homebrew,
// Nix, other distributions), then other well-known places.
func findBinaries() (binaries, error) {
	dirs := byVersion(glob("/usr/lib/postgresql/*/bin"))
	if p, err := exec.LookPath("postgres"); err == nil {
		// PATH may hold a symlink or wrapper; initdb must come from the same
		// installation as postgres, so look next to the real file first.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	dirs = append(dirs, byVersion(glob(
		"/opt/homebrew/opt/postgresql@*/bin", // keg-only Homebrew formulae
		"/usr/local/opt/postgresql@*/bin",
		"/usr/pgsql-*/bin", // PGDG packages on RHEL and Fedora
	))...)
	for _, d := range dirs {
		b := binaries{initdb: filepath.Join(d, "initdb"), postgres: filepath.Join(d, "postgres")}
		if executable(b.initdb) && executable(b.postgres) {
			return b, nil
		}
	}
	return binaries{}, ErrNoBinaries
}

func glob(patterns ...string) []string {
	var all []string
	for _, p := range patterns {
		m, _ := filepath.Glob(p)
		all = append(all, m...)
	}
	return all
}

var firstNumber = regexp.MustCompile(`\d+`)

// byVersion sorts installation directories by the first number in their
// path, highest first: /usr/lib/postgresql/16/bin before .../15/bin.
func byVersion(dirs []string) []string {
	num := func(s string) int {
		n, _ := strconv.Atoi(firstNumber.FindString(s))
		return n
	}
	slices.SortStableFunc(dirs, func(a, b string) int { return num(b) - num(a) })
	return dirs
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

var serverVersion = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// majorVersion runs `postgres -V` ("postgres (PostgreSQL) 15.14 (Debian ...)").
func (b binaries) majorVersion() (string, error) {
	out, err := exec.Command(b.postgres, "-V").Output()
	if err != nil {
		return "", err
	}
	m := serverVersion.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("unrecognised version %q", out)
	}
	return string(m[1]), nil
}

// account is the OS user the server runs as when we are root; nil otherwise,
// in which case the children simply run as ourselves.
type account struct {
	name     string
	uid, gid uint32
	groups   []uint32
}

func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(superuser)
	if err != nil {
		return nil, fmt.Errorf("pglocal: PostgreSQL refuses to run as root and there is no %q system user to run it as (%v): create that user, or run as a non-root user", superuser, err)
	}
	a := &account{name: u.Username}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("pglocal: user %q: %w", superuser, err)
	}
	a.uid, a.gid = uint32(uid), uint32(gid)
	gids, _ := u.GroupIds()
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			a.groups = append(a.groups, uint32(n))
		}
	}
	return a, nil
}

func (a *account) credential() *syscall.Credential {
	if a == nil {
		return nil
	}
	return &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: a.groups}
}

// checkReach verifies that the account can traverse every ancestor of dir. A
// root-owned 0700 directory on the way (/root, or the parent of t.TempDir())
// would otherwise surface as a cryptic "Permission denied" from initdb.
func (a *account) checkReach(dir string) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("pglocal: %w", err)
	}
	for p := filepath.Dir(real); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pglocal: %w", err)
		}
		if !a.canSearch(fi) {
			return fmt.Errorf("pglocal: running as root, so PostgreSQL runs as user %q, which cannot reach %s: %s (mode %v) is not searchable by it; choose a data directory whose ancestors all are world-searchable (a directory made by os.MkdirTemp under /dev/shm or /tmp, itself, works), or run as a non-root user", a.name, dir, p, fi.Mode().Perm())
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func (a *account) canSearch(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true // cannot tell; let initdb or postgres complain
	}
	perm := fi.Mode().Perm()
	switch {
	case st.Uid == a.uid:
		return perm&0o100 != 0
	case st.Gid == a.gid || slices.Contains(a.groups, st.Gid):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

// chownTree hands dir over to the account, touching only entries it does not
// already own: after the first start that is none.
func (a *account) chownTree(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == a.uid && st.Gid == a.gid {
			return nil
		}
		if err := os.Lchown(path, int(a.uid), int(a.gid)); err != nil {
			return fmt.Errorf("pglocal: hand %s to user %q: %w", path, a.name, err)
		}
		return nil
	})
}

// tailBuffer keeps the end of the server's output, to quote in errors.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*tailBytes {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-tailBytes:]...)
	}
	return len(p), nil
}

// tail returns the last n lines.
func (t *tailBuffer) tail(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := bytes.TrimRight(t.buf, "\n")
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			if n--; n == 0 {
				return string(b[i+1:])
			}
		}
	}
	return string(b)
}

// teeWriter copies to the tail buffer and the caller's log, ignoring the
// log's errors: os/exec stops draining the pipe on a write error, and a
// server blocked on a full stderr pipe stops answering.
type teeWriter struct {
	tail *tailBuffer
	log  io.Writer
}

func (w teeWriter) Write(p []byte) (int, error) {
	w.tail.Write(p)
	w.log.Write(p)
	return len(p), nil
}

// Tool returns the path of a program of the same installation as the server
// binaries: pg_dump, pg_restore, psql…
func Tool(name string) (string, error) {
	b, err := findBinaries()
	if err != nil {
		return "", err
	}
	p := filepath.Join(filepath.Dir(b.postgres), name)
	if !executable(p) {
		return "", fmt.Errorf("pglocal: %s not found beside %s", name, b.postgres)
	}
	return p, nil
}
