package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and commit are set at build time (make build):
// go build -ldflags "-X main.version=1.2.0 -X main.commit=0123abcd". Without
// commit, the one the Go toolchain recorded (vcs.* build settings) is shown.
var version, commit = "dev", ""

// versionLine says which build this is: the version, and the commit and its
// time that the Go toolchain recorded (vcs.* build settings).
func versionLine() string {
	rev, when, dirty := "unknown", "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+changes"
	}
	if commit != "" {
		rev = commit
	}
	line := fmt.Sprintf("triade %s (commit %s", version, rev)
	if when != "" {
		line += ", " + when
	}
	return line + ", " + runtime.Version() + ")"
}
