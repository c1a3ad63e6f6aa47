package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// The limit holds for the command's run only.
func TestMemoryLimitRestored(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	restore, err := applyMemoryLimit("80MiB", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got != 80<<20 {
		t.Errorf("limit during the run %d, want %d", got, 80<<20)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit after the run %d, want %d", got, before)
	}
	restore, err = applyMemoryLimit("0", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit 0 gave %d, want none", got)
	}
	restore()
}
