package validate

import (
	"sync"

	"github.com/openrpki/validator/pkg/tal"
)

// queue hands CAs to a fixed pool of workers. Waiting CAs are taken last in,
// first out, so the tree is walked depth first, which bounds what waits to
// one fan-out at a time (a large CA's children), not the whole tree. A
// goroutine per waiting CA, the obvious alternative, cost more than a
// gigabyte of stacks and certificates at 40,000 CAs.
//
// Trust anchors are started one after another: the next only once the
// previous one's own publication point has been expanded and fewer CAs wait
// than there are workers. A TA's point is the largest of its tree (at
// global scale 8.8 MB of objects giving 6,400 child CAs); opening all five
// at once held ~85 MB, most of the run's peak.
type queue struct {
	mu      sync.Mutex
	cond    sync.Cond
	stack   []*caNode
	tas     []taJob
	workers int
	busy    int // workers between take and done
	// opening counts started trust anchors whose own point is not
	// expanded yet.
	opening int
}

// taJob is a trust anchor not yet started.
type taJob struct {
	tal   *tal.TAL
	state *taState
}

func newQueue(tas []taJob, workers int) *queue {
	q := &queue{tas: tas, workers: workers}
	q.cond.L = &q.mu
	return q
}

// take returns the next CA, or else the next trust anchor to start; ok is
// false once nothing is left and no worker can add more.
func (q *queue) take() (n *caNode, ta *taJob, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if len(q.tas) > 0 && q.opening == 0 && len(q.stack) < q.workers {
			ta = &q.tas[0]
			q.tas = q.tas[1:]
			q.busy++
			q.opening++
			return nil, ta, true
		}
		if k := len(q.stack); k > 0 {
			n = q.stack[k-1]
			q.stack[k-1] = nil
			q.stack = q.stack[:k-1]
			q.busy++
			return n, nil, true
		}
		if q.busy == 0 && len(q.tas) == 0 {
			return nil, nil, false
		}
		q.cond.Wait()
	}
}

// push queues CAs found by a worker that is still busy with their parent.
func (q *queue) push(children []*caNode) {
	q.mu.Lock()
	q.stack = append(q.stack, children...)
	q.mu.Unlock()
	q.cond.Broadcast()
}

// done ends a take of n (nil for a trust anchor), queueing the CAs it
// found.
func (q *queue) done(n *caNode, children []*caNode) {
	q.mu.Lock()
	q.stack = append(q.stack, children...)
	q.busy--
	if opened := n != nil && n.up == nil; opened || (n == nil && len(children) == 0) {
		q.opening-- // the TA's point is expanded, or the TA failed
	}
	q.mu.Unlock()
	q.cond.Broadcast()
}
