//go:build unix

package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// checkOwner explains a data directory owned by someone else than the person
// starting Triade (root can use any: the database then runs as postgres).
func checkOwner(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	uid := os.Getuid()
	if !ok || uid == 0 || int(st.Uid) == uid {
		return nil
	}
	name := strconv.Itoa(int(st.Uid))
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	return fmt.Errorf("%s belongs to %s, not to you: start Triade as %s, or remove the directory (its demo data is recreated), or set DATA_DIR to a directory of yours", dir, name, name)
}
