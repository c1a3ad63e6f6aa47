package validate

import (
	"sync"

	"github.com/openrpki/validator/pkg/tal"
)

// queue hands CAs to a fixed pool of workers. Waiting CAs are taken last in,
// first out, so the tree is walked depth first, and a trust anchor is only
// started once the CAs of those before it are all taken: what waits is one
// fan-out at a time (a large CA's children), not the whole tree, which
// bounds memory at any scale. A goroutine per waiting CA, the obvious
// alternative, cost more than a gigabyte of stacks and certificates at
// 40,000 CAs.
type queue struct {
	mu    sync.Mutex
	cond  sync.Cond
	stack []*caNode
	tas   []taJob
	busy  int // workers between take and done
}

// taJob is a trust anchor not yet started.
type taJob struct {
	tal   *tal.TAL
	state *taState
}

func newQueue(tas []taJob) *queue {
	q := &queue{tas: tas}
	q.cond.L = &q.mu
	return q
}

// take returns the next CA, or else the next trust anchor to start; ok is
// false once nothing is left and no worker can add more.
func (q *queue) take() (n *caNode, ta *taJob, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if k := len(q.stack); k > 0 {
			n = q.stack[k-1]
			q.stack[k-1] = nil
			q.stack = q.stack[:k-1]
			q.busy++
			return n, nil, true
		}
		if len(q.tas) > 0 {
			ta = &q.tas[0]
			q.tas = q.tas[1:]
			q.busy++
			return nil, ta, true
		}
		if q.busy == 0 {
			return nil, nil, false
		}
		q.cond.Wait()
	}
}

// done ends a take, queueing the CAs it found.
func (q *queue) done(children []*caNode) {
	q.mu.Lock()
	q.stack = append(q.stack, children...)
	q.busy--
	q.mu.Unlock()
	q.cond.Broadcast()
}
