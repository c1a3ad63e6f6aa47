package main

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"

	"github.com/openrpki/validator/pkg/config"
)

// defaultOneShotMemoryLimit is the soft memory limit of `validator vrps`.
// A one-shot run's live heap stays near 20–50 MB at global scale while it
// allocates gigabytes; at the Go default (GOGC=100) the heap doubles that
// and the process peaked at ~150 MB. A soft limit makes the collector run
// sooner as the heap nears it instead (peak RSS ~100 MB, a few percent
// more CPU). It is soft: a larger input is never refused, it only costs
// more collection.
const defaultOneShotMemoryLimit = "80MiB"

// applyMemoryLimit sets the runtime's soft memory limit from a flag value:
// a size such as 80MiB, 1GiB or 500000000, or 0 for none, and returns the
// function that restores the previous limit (the command runs in-process
// in tests). An explicit GOMEMLIMIT in the environment wins over the
// default (not over the flag).
func applyMemoryLimit(value string, explicit bool) (restore func(), err error) {
	if !explicit && os.Getenv("GOMEMLIMIT") != "" {
		return func() {}, nil
	}
	n, err := config.ParseByteSize(value)
	if err != nil {
		return nil, fmt.Errorf("--memory-limit: %w", err)
	}
	if n == 0 {
		n = math.MaxInt64
	}
	prev := debug.SetMemoryLimit(n)
	return func() { debug.SetMemoryLimit(prev) }, nil
}

// daemonMemoryLimit applies the daemon's memory_limit setting (at start
// and at each reload): a size sets the runtime's soft memory limit, 0
// leaves the one the process started with (GOMEMLIMIT, or none). restore
// puts that back (the daemon runs in-process in tests).
type daemonMemoryLimit struct{ initial int64 }

func newDaemonMemoryLimit() *daemonMemoryLimit {
	return &daemonMemoryLimit{initial: debug.SetMemoryLimit(-1)}
}

func (m *daemonMemoryLimit) set(limit config.ByteSize) {
	if limit > 0 {
		debug.SetMemoryLimit(int64(limit))
		return
	}
	debug.SetMemoryLimit(m.initial)
}

func (m *daemonMemoryLimit) restore() { debug.SetMemoryLimit(m.initial) }
