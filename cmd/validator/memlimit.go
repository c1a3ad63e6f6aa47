package main

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
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
	n, err := parseByteSize(value)
	if err != nil {
		return nil, fmt.Errorf("--memory-limit: %w", err)
	}
	if n == 0 {
		n = math.MaxInt64
	}
	prev := debug.SetMemoryLimit(n)
	return func() { debug.SetMemoryLimit(prev) }, nil
}

// byteUnits are the suffixes parseByteSize accepts, longest first.
var byteUnits = []struct {
	suffix string
	scale  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1},
}

// parseByteSize reads a non-negative byte count with an optional unit.
func parseByteSize(s string) (int64, error) {
	num, scale := s, int64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, scale = rest, u.scale
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/scale {
		return 0, fmt.Errorf("%q is not a size (such as 80MiB, 1GiB or 0)", s)
	}
	return n * scale, nil
}
