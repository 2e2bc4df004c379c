//go:build linux

package pglocal

import "syscall"

// sysProcAttr returns the attributes for initdb and postgres.
//
// Pdeathsig makes the kernel send SIGINT (PostgreSQL's "fast shutdown") to the
// server when our process dies, so a crashed or killed `make run` / `go test`
// does not leave an orphaned server holding the port and the data directory.
// Caveat: the kernel ties this to the OS thread that forked the child, not the
// whole process; Go only retires threads when a goroutine exits while locked
// with runtime.LockOSThread, which this package never does.
//
// Go applies Credential before Pdeathsig in the child, so the setuid needed
// when running as root does not clear the death signal.
//
// Setpgid keeps a terminal's Ctrl-C away from the server: the application
// gets it, can finish its requests and then call Stop, instead of losing its
// database mid-request. Pdeathsig still covers an application that just dies.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Credential: cred,
		Pdeathsig:  syscall.SIGINT,
		Setpgid:    true,
	}
}
