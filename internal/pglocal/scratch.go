package pglocal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Scratch is a throwaway data directory (tests, the benchmark): in /dev/shm
// where there is one, since a cluster on tmpfs starts and clones several
// times faster.
//
// A process killed before its deferred cleanup (a test binary's -timeout
// panic, a killed bench) used to leave its cluster behind: 60–90 MB for a
// test run, gigabytes for the bench, in memory until someone noticed. Each
// scratch directory is now held by an advisory lock of its owner, which the
// kernel drops when the owner dies whatever the way, and the next NewScratch
// with the same prefix removes the directories no living process holds.
type Scratch struct {
	Dir  string
	lock *os.File
}

// scratchGrace leaves alone a directory younger than this: between its
// creation and its lock, a sibling's directory is not held yet.
const scratchGrace = time.Minute

// NewScratch creates a directory named prefix* and holds it; it first
// removes the stale directories of the same prefix.
func NewScratch(prefix string) (*Scratch, error) {
	var dir string
	err := errors.New("no base")
	for _, base := range []string{"/dev/shm", os.TempDir()} {
		if st, serr := os.Stat(base); serr != nil || !st.IsDir() {
			continue
		}
		sweepScratch(base, prefix, time.Now())
		if dir, err = os.MkdirTemp(base, prefix); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	lock, err := os.Open(dir)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pglocal: hold %s: %w", dir, err)
	}
	return &Scratch{Dir: dir, lock: lock}, nil
}

// Remove deletes the directory (its server must be stopped) and lets it go.
func (s *Scratch) Remove() {
	os.RemoveAll(s.Dir)
	s.lock.Close()
}

// sweepScratch removes base/prefix* directories that no process holds and
// no live postmaster runs in.
func sweepScratch(base, prefix string, now time.Time) {
	dirs, _ := filepath.Glob(filepath.Join(base, prefix+"*"))
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() || now.Sub(st.ModTime()) < scratchGrace {
			continue
		}
		f, err := os.Open(dir)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil && !postmasterAlive(dir) {
			os.RemoveAll(dir)
		}
		f.Close()
	}
}

// postmasterAlive tells whether the directory's postmaster.pid names a
// running process (a server whose owner died is stopped by Pdeathsig, but
// not on every system, and not instantly).
func postmasterAlive(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return false
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
