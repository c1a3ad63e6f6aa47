package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

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

// daemonMemoryLimit applies the daemon's memory_limit setting (at start,
// at each reload and, for auto, after each run): a size sets the runtime's
// soft memory limit, 0 leaves the one the process started with (GOMEMLIMIT,
// or none), and auto follows the live heap (autoLimit). An explicit
// GOMEMLIMIT wins over auto. restore puts the initial limit back (the
// daemon runs in-process in tests).
type daemonMemoryLimit struct {
	mu      sync.Mutex
	initial int64
	auto    bool
	ran     bool   // a run has ended: auto follows its live heap
	live    uint64 // the live heap last measured (measure)
	timer   *time.Timer
	// lifted is set from a run's building a table to its end (building).
	lifted bool
}

func newDaemonMemoryLimit() *daemonMemoryLimit {
	return &daemonMemoryLimit{initial: debug.SetMemoryLimit(-1)}
}

func (m *daemonMemoryLimit) set(limit config.MemoryLimit) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.auto = limit.Auto && os.Getenv("GOMEMLIMIT") == ""
	switch {
	case m.auto && !m.ran:
		debug.SetMemoryLimit(autoColdLimit)
	case m.auto:
		live, overhead := liveHeap()
		if m.live != 0 {
			live = m.live
		}
		debug.SetMemoryLimit(autoLimit(live, overhead))
	case limit.Size > 0:
		debug.SetMemoryLimit(int64(limit.Size))
	default:
		debug.SetMemoryLimit(m.initial)
	}
}

// runDone moves an auto limit to the live heap of the table the daemon
// serves. That heap is measured by a collection measureDelay after each
// run that built a new table: at the end of the run the old table was
// still live (a limit taken then came out 40 MB high and held the daemon
// there until the next change), a second later it is not. Between
// measurements the live heap is kept; what the runtime holds outside the
// heap (stacks of RTR sessions come and go) is read at every run.
func (m *daemonMemoryLimit) runDone(built bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ran, m.lifted = true, false
	if !m.auto {
		return
	}
	if built || m.live == 0 {
		if m.timer != nil {
			m.timer.Stop()
		}
		m.timer = time.AfterFunc(measureDelay, m.measure)
	}
	if m.live != 0 {
		_, overhead := liveHeap()
		debug.SetMemoryLimit(autoLimit(m.live, overhead))
	}
}

// building lifts an auto limit from the moment a run starts building a
// new table to the run's end: the daemon then holds the old table and the
// new one, their RTR snapshots and the delta, and a limit just above the
// old live heap made the collector run almost without pause through it
// (at global scale, with a 2 s poll, a new ROA reached routers up to 3.4 s
// after its publication, against 2.5 s without a limit).
func (m *daemonMemoryLimit) building() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.auto || m.live == 0 {
		return // before the first measurement the cold limit stands
	}
	m.lifted = true
	_, overhead := liveHeap()
	debug.SetMemoryLimit(buildLimit(m.live, overhead))
}

// buildLimit is the auto limit while a table is built: room for two.
func buildLimit(live, overhead uint64) int64 {
	return max(autoColdLimit, int64(2*live+overhead))
}

// measureDelay is how long after a run that built a table the live heap
// is measured.
const measureDelay = 2 * time.Second

// measure collects, takes the live heap and sets the auto limit from it.
// While a run builds the next table its heap is no measure: that run's
// end (runDone) schedules the next measurement.
func (m *daemonMemoryLimit) measure() {
	m.mu.Lock()
	skip := !m.auto || m.lifted
	m.mu.Unlock()
	if skip {
		return
	}
	// Outside the lock: a run starting to build a table (building) must
	// not wait for this collection.
	runtime.GC()
	live, overhead := liveHeap()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.auto && !m.lifted {
		m.live = live
		debug.SetMemoryLimit(autoLimit(live, overhead))
	}
}

func (m *daemonMemoryLimit) restore() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.auto = false
	if m.timer != nil {
		m.timer.Stop()
	}
	debug.SetMemoryLimit(m.initial)
}

// autoMemoryFloor is the least an auto limit is: at global scale (600k
// VRPs, 40,000 CAs) the daemon's live heap is about 85–95 MiB, and 120MiB
// holds it at 132–133 MB resident between changes, with every format
// served and 1,000 RTR sessions, for a few tenths of a CPU-second more per
// 30 s poll.
const autoMemoryFloor = 120 << 20

// autoColdLimit is the auto limit until the first run ends: the live heap
// is still growing to its size, and the floor would make a cold run at
// global scale cost about 40 % more CPU (the run peaks near 200 MB).
const autoColdLimit = 192 << 20

// autoLimit is the auto limit for a live heap of live bytes and a runtime
// outside the heap of overhead bytes (goroutine stacks, 1,000 RTR
// sessions' among them, and the runtime's metadata: the limit counts
// them too): an eighth above the live heap (about what a poll allocates
// at global scale, so a collection or two per poll), and a larger RPKI or
// more sessions raise the limit instead of making the collector run
// without pause.
func autoLimit(live, overhead uint64) int64 {
	return max(autoMemoryFloor, int64(live+live/8+overhead))
}

// liveHeap is the heap the last collection found live, and the memory the
// runtime holds outside the heap's objects and free space.
func liveHeap() (live, overhead uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
		{Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	var v [6]uint64
	for i := range s {
		if s[i].Value.Kind() == metrics.KindUint64 {
			v[i] = s[i].Value.Uint64()
		}
	}
	heap := v[2] + v[3] + v[4] + v[5]
	if v[1] > heap {
		overhead = v[1] - heap
	}
	return v[0], overhead
}
