//go:build unix && !linux

package pglocal

import "syscall"

// sysProcAttr returns the attributes for initdb and postgres. Pdeathsig is
// Linux-only; elsewhere (macOS) a server outlives a killed parent and the next
// Start reports "another server is using DIR" until it is stopped by hand.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred}
}
