package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.0".
var version = "dev"

// versionLine says which build this is: the version, and the commit and its
// time that the Go toolchain recorded (vcs.* build settings).
func versionLine() string {
	commit, when, dirty := "unknown", "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if dirty {
		commit += "+changes"
	}
	line := fmt.Sprintf("triade %s (commit %s", version, commit)
	if when != "" {
		line += ", " + when
	}
	return line + ", " + runtime.Version() + ")"
}
