package validate

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestQueueLargePointsAndBatches runs a synthetic tree through the queue:
// three trust anchors, each with a large point whose thousands of children
// are pushed in batches while the large slot is held, on few workers (the
// case where push must not wait for itself). Every CA is processed once,
// no two large points are held at once, and the run ends.
func TestQueueLargePointsAndBatches(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		const tas, fanout = 3, 2000
		jobs := make([]taJob, tas)
		q := newQueue(jobs, workers)
		var processed, large, maxLarge atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					n, ta, ok := q.take()
					if !ok {
						return
					}
					switch {
					case ta != nil:
						q.done(nil, []*caNode{{}})
					case n.up == nil: // the TA's point: one large child point
						processed.Add(1)
						q.done(n, []*caNode{{up: n, depth: 1}})
					case n.depth == 1: // large: children in batches
						processed.Add(1)
						q.takeLarge()
						if l := large.Add(1); l > maxLarge.Load() {
							maxLarge.Store(l)
						}
						var batch []*caNode
						for range fanout {
							batch = append(batch, &caNode{up: n, depth: 2})
							if len(batch) == handOffBatch {
								q.push(n, batch)
								batch = nil
							}
						}
						large.Add(-1)
						q.dropLarge()
						q.done(n, batch)
					default:
						processed.Add(1)
						q.done(n, nil)
					}
				}
			})
		}
		wg.Wait()
		if want := int64(tas * (2 + fanout)); processed.Load() != want {
			t.Errorf("%d workers: processed %d CAs, want %d", workers, processed.Load(), want)
		}
		if maxLarge.Load() != 1 {
			t.Errorf("%d workers: %d large points held at once", workers, maxLarge.Load())
		}
	}
}
