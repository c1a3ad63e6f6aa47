package validate

import (
	"sync"
	"testing"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
)

// progressProbe reads the engine's progress from inside the run, at each
// publication point the engine reports.
type progressProbe struct {
	nopObserver
	e       *Engine
	mu      sync.Mutex
	seen    int
	running bool
	maxPts  int64
}

func (p *progressProbe) PubPointDone(uri, outcome string) {
	pr := p.e.Progress()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen++
	p.running = (p.seen == 1 || p.running) && pr.Running
	p.maxPts = max(p.maxPts, pr.Points)
}

// TestEngineProgress checks that the progress read during a run says it
// is running, and that after it the counts are the run's: every CA, every
// publication point and every object of the report.
func TestEngineProgress(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 25})
	probe := &progressProbe{}
	e, done := labEngineWith(t, l, t.TempDir(), fetch.SourceOptions{}, Options{Observer: probe})
	defer done()
	probe.e = e
	if p := e.Progress(); p.Running || !p.Start.IsZero() || p.CAs != 0 {
		t.Fatalf("progress before any run: %+v", p)
	}
	res := runEngine(t, l, e)
	if !probe.running || probe.seen != res.PointTotal() || probe.maxPts < int64(res.PointTotal())-1 {
		t.Errorf("during the run: running %v over %d points (want %d), at most %d done", probe.running, probe.seen, res.PointTotal(), probe.maxPts)
	}
	p := e.Progress()
	objects := 0
	for _, byVerdict := range res.Objects {
		for _, n := range byVerdict {
			objects += n
		}
	}
	if p.Running || p.Quick || !p.Start.Equal(res.Start) || p.CAs != int64(len(res.Sources.CAs)) ||
		p.Points != int64(res.PointTotal()) || p.Objects != int64(objects) {
		t.Errorf("after the run: %+v; want %d CAs, %d points, %d objects, start %v", p, len(res.Sources.CAs), res.PointTotal(), objects, res.Start)
	}
}
