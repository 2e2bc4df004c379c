package server

import (
	"os"
	"runtime/debug"
)

// TuneGC lets the heap grow to three times what is live between collections
// (GOGC=200) unless GOGC is set. A page allocates a few hundred kilobytes and
// the live heap is small: with Go's default (100), `make bench` measured a
// fifth to a quarter of the server's CPU in the collector; at 200 the CPU per
// dashboard fell by about a quarter and the process's peak resident memory
// stayed under 130 MB. GOMEMLIMIT, when set, still caps the heap.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}
