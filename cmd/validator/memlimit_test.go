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
// measured after a run that built a table, from the floor up; a size and 0
// replace it; GOMEMLIMIT wins over auto.
func TestDaemonMemoryLimitAuto(t *testing.T) {
	m := newDaemonMemoryLimit()
	defer m.restore()
	m.set(config.AutoMemoryLimit)
	if got := debug.SetMemoryLimit(-1); got != autoColdLimit {
		t.Fatalf("auto before any run: %d, want %d", got, autoColdLimit)
	}
	m.runDone(true)
	if got := debug.SetMemoryLimit(-1); got != autoColdLimit {
		t.Fatalf("auto right after the first run: %d, want %d until measured", got, autoColdLimit)
	}
	m.measure() // what the timer does measureDelay later
	_, overhead := liveHeap()
	if got, want := debug.SetMemoryLimit(-1), autoLimit(m.live, overhead); m.live == 0 || got < want-1<<20 || got > want+1<<20 || got < autoMemoryFloor {
		t.Fatalf("auto once measured: %d, want about %d (floor %d, live %d)", got, want, autoMemoryFloor, m.live)
	}
	// Building a table lifts the limit to room for two; the heap is not
	// measured then, and the run's end brings the limit back.
	measured := m.live
	m.building()
	if got, want := debug.SetMemoryLimit(-1), buildLimit(measured, overhead); got < want-1<<20 || got > want+1<<20 || got < autoColdLimit {
		t.Fatalf("auto while a table is built: %d, want about %d", got, want)
	}
	m.measure()
	if m.live != measured || debug.SetMemoryLimit(-1) < autoColdLimit {
		t.Fatalf("measured while a table was built: live %d (was %d), limit %d", m.live, measured, debug.SetMemoryLimit(-1))
	}
	m.runDone(true)
	if got := debug.SetMemoryLimit(-1); got >= autoColdLimit && autoLimit(measured, overhead) < autoColdLimit {
		t.Fatalf("auto after the build: %d, want the limit of the measured heap again", got)
	}
	// A run that built nothing keeps the live heap measured, whatever the
	// last collection saw.
	m.mu.Lock()
	m.live = 200 << 20
	m.mu.Unlock()
	m.runDone(false)
	if got := debug.SetMemoryLimit(-1); got < 225<<20 {
		t.Fatalf("auto after a run that built nothing: %d, want the kept live heap's limit (225 MiB and more)", got)
	}
	if got := autoLimit(400<<20, 30<<20); got != 480<<20 {
		t.Fatalf("auto for a 400 MiB live heap and 30 MiB outside it: %d, want 480 MiB", got)
	}
	if live, overhead := liveHeap(); live == 0 || overhead == 0 {
		t.Fatalf("live heap %d, overhead %d: want both read", live, overhead)
	}
	m.set(config.MemoryLimit{Size: 300 << 20})
	m.runDone(true)
	m.measure()
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
