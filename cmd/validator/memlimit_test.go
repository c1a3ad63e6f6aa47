package main

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/openrpki/validator/pkg/config"
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

// An auto limit starts at the cold-run limit, then follows the live heap
// from the floor up; a size and 0 replace it; GOMEMLIMIT wins over auto.
func TestDaemonMemoryLimitAuto(t *testing.T) {
	m := newDaemonMemoryLimit()
	defer m.restore()
	m.set(config.AutoMemoryLimit)
	if got := debug.SetMemoryLimit(-1); got != autoColdLimit {
		t.Fatalf("auto before any run: %d, want %d", got, autoColdLimit)
	}
	m.runDone(true)
	_, overhead := liveHeap()
	if got, want := debug.SetMemoryLimit(-1), autoLimit(m.live, overhead); got != want || got < autoMemoryFloor || m.live == 0 {
		t.Fatalf("auto after a run: %d, want %d (floor %d, live %d)", got, want, autoMemoryFloor, m.live)
	}
	// Measured at the end of the next run; in between it is kept,
	// whatever the last collection saw.
	m.runDone(false)
	m.live = 200 << 20
	m.runDone(false)
	if got := debug.SetMemoryLimit(-1); got < 225<<20 {
		t.Fatalf("auto after a run that built nothing: %d, want the kept live heap's limit (225 MiB and more)", got)
	}
	m.runDone(true)
	if m.live != 200<<20 || !m.pending {
		t.Fatalf("after a run that built a table: live %d, pending %v; want kept, measured at the next run", m.live, m.pending)
	}
	m.runDone(false)
	if m.live == 200<<20 || m.pending {
		t.Fatalf("the run after: live %d, pending %v; want measured", m.live, m.pending)
	}
	if got := autoLimit(400<<20, 30<<20); got != 480<<20 {
		t.Fatalf("auto for a 400 MiB live heap and 30 MiB outside it: %d, want 480 MiB", got)
	}
	if live, overhead := liveHeap(); live == 0 || overhead == 0 {
		t.Fatalf("live heap %d, overhead %d: want both read", live, overhead)
	}
	m.set(config.MemoryLimit{Size: 300 << 20})
	m.runDone(true)
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Fatalf("a size after a run: %d, want 300 MiB", got)
	}
	m.set(config.MemoryLimit{})
	if got := debug.SetMemoryLimit(-1); got != m.initial {
		t.Fatalf("0: %d, want the initial %d", got, m.initial)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	m.set(config.AutoMemoryLimit)
	if got := debug.SetMemoryLimit(-1); got != m.initial {
		t.Fatalf("auto under GOMEMLIMIT: %d, want the initial %d", got, m.initial)
	}
}
