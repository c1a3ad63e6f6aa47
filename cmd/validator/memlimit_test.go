package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "80MiB": 80 << 20, "1GiB": 1 << 30, "500000000": 5e8, "64KiB": 64 << 10,
		"100MB": 1e8, "2GB": 2e9, "7B": 7,
	} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("parseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "MiB", "1.5GiB", "12XB", "9999999999999GiB"} {
		if _, err := parseByteSize(bad); err == nil {
			t.Errorf("parseByteSize(%q) accepted", bad)
		}
	}
}

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
