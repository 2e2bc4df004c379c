package pglocal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	bases := []string{"/dev/shm", os.TempDir()}
	now := time.Now()
	for _, base := range bases {
		sweepScratch(base, prefix, now)
	}
	var dir string
	err := errors.New("no base")
	for _, base := range bases {
		if st, serr := os.Stat(base); serr != nil || !st.IsDir() {
			continue
		}
		if dir, err = os.MkdirTemp(base, prefix); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	lock, err := os.Open(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pglocal: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		// A file system without flock on a directory (NFS): the directory
		// goes unheld, and a sweep, which cannot lock it either, leaves it.
		lock.Close()
		lock = nil
	}
	return &Scratch{Dir: dir, lock: lock}, nil
}

// Remove deletes the directory (its server must be stopped) and lets it go.
func (s *Scratch) Remove() {
	os.RemoveAll(s.Dir)
	if s.lock != nil {
		s.lock.Close()
	}
}

// sweepScratch removes base/prefix* directories (not links to one) of this
// account that no process holds and no live postmaster runs in.
func sweepScratch(base, prefix string, now time.Time) {
	dirs, _ := filepath.Glob(filepath.Join(base, prefix+"*"))
	for _, dir := range dirs {
		st, err := os.Lstat(dir)
		if err != nil || !st.IsDir() || now.Sub(st.ModTime()) < scratchGrace || !ours(st) {
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

// ours tells whether a directory was made by this account: as root, the
// data directory has been given to the server's account, so root sweeps
// any (the prefix is this project's).
func ours(st os.FileInfo) bool {
	euid := os.Geteuid()
	sys, ok := st.Sys().(*syscall.Stat_t)
	return euid == 0 || ok && int(sys.Uid) == euid
}

// postmasterAlive tells whether a server runs in the directory (a server
// whose owner died is stopped by Pdeathsig, but not on every system, and not
// instantly).
func postmasterAlive(dir string) bool {
	_, _, ok := runningServer(dir)
	return ok
}
