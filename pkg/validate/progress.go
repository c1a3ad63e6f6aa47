package validate

import (
	"sync/atomic"
	"time"
)

// Progress is how far the engine's current run is, for the status page
// and the progress log line of a long run.
type Progress struct {
	// Running is set while a run is going on; the counts are then its
	// own, else the last run's.
	Running bool
	Quick   bool
	Start   time.Time
	// CAs counts the CA certificates taken up (trust anchors included),
	// Points the publication points done, Objects the objects checked
	// (or reused from an unchanged point).
	CAs, Points, Objects int64
}

// progress is the engine's counters: atomics only, so that the workers
// never wait for a reader and a reader never waits for the run.
type progress struct {
	running, quick       atomic.Bool
	start                atomic.Int64 // Unix nanoseconds
	cas, points, objects atomic.Int64
}

// begin resets the counters for a new run.
func (p *progress) begin(quick bool, at time.Time) {
	p.cas.Store(0)
	p.points.Store(0)
	p.objects.Store(0)
	p.start.Store(at.UnixNano())
	p.quick.Store(quick)
	p.running.Store(true)
}

// Progress returns how far the current run (or else the last one) is. It
// reads atomics only, and never blocks.
func (e *Engine) Progress() Progress {
	p := &e.progress
	out := Progress{Running: p.running.Load(), Quick: p.quick.Load(),
		CAs: p.cas.Load(), Points: p.points.Load(), Objects: p.objects.Load()}
	if ns := p.start.Load(); ns != 0 {
		out.Start = time.Unix(0, ns)
	}
	return out
}
