package validate

import (
	"sync"

	"github.com/openrpki/validator/pkg/tal"
)

// queue hands CAs to a fixed pool of workers. Waiting CAs are taken last in,
// first out, so the tree is walked depth first, which bounds what waits to
// one fan-out at a time, not the whole tree. A goroutine per waiting CA, the
// obvious alternative, cost more than a gigabyte of stacks and certificates
// at 40,000 CAs.
//
// A worker checking a point with many child CAs (an RIR's thousands of
// hosted CAs) queues them in batches as it goes (push) and waits while
// more than maxWaiting CAs are queued: it never runs far ahead of the
// workers that take them, which mostly wait for their repositories. It
// held all 6,400 at ~3 KB each otherwise.
//
// Only one worker at a time reads a large publication point (takeLarge):
// an RIR's point of hosted CAs is megabytes, and two TAs' at once doubled
// the run's peak.
//
// Trust anchors are started one after another: the next only once fewer
// CAs wait than there are workers and no point is being expanded.
type queue struct {
	mu      sync.Mutex
	cond    sync.Cond
	stack   []*caNode
	tas     []taJob
	workers int
	busy    int // workers between take and done
	// opening counts started trust anchors whose own point is not
	// expanded yet; expanding counts points being queued in batches.
	opening, expanding int
	// blocked counts workers waiting in push for the stack to shrink or
	// in takeLarge for the large point slot.
	blocked int
	// largeHeld is set while a worker checks a large point (takeLarge).
	largeHeld bool
}

// maxWaitingPerWorker sets the stack size past which push waits.
const maxWaitingPerWorker = 2

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
		if len(q.tas) > 0 && q.opening == 0 && q.expanding == 0 && len(q.stack) < q.workers {
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
			if q.blocked > 0 {
				q.cond.Broadcast()
			}
			return n, nil, true
		}
		if q.busy == 0 && len(q.tas) == 0 {
			return nil, nil, false
		}
		q.cond.Wait()
	}
}

// push queues CAs found by a worker still busy with their parent n, and
// waits while too many are queued, unless every other worker waits too.
func (q *queue) push(n *caNode, children []*caNode) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !n.expanding {
		n.expanding = true
		q.expanding++
	}
	q.stack = append(q.stack, children...)
	q.cond.Broadcast()
	for len(q.stack) > maxWaitingPerWorker*q.workers && q.blocked+1 < q.workers {
		q.blocked++
		q.cond.Wait()
		q.blocked--
	}
}

// takeLarge waits until no other worker holds a large publication point
// (see largePoint) and takes the slot; dropLarge gives it back. Progress
// holds: the holder waits in push only while another worker is free to
// take from the stack.
func (q *queue) takeLarge() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.largeHeld {
		q.blocked++
		q.cond.Wait()
		q.blocked--
	}
	q.largeHeld = true
}

func (q *queue) dropLarge() {
	q.mu.Lock()
	q.largeHeld = false
	q.mu.Unlock()
	q.cond.Broadcast()
}

// done ends a take of n (nil for a trust anchor), queueing the CAs it
// found.
func (q *queue) done(n *caNode, children []*caNode) {
	q.mu.Lock()
	q.stack = append(q.stack, children...)
	q.busy--
	if n != nil && n.expanding {
		q.expanding--
	}
	if opened := n != nil && n.up == nil; opened || (n == nil && len(children) == 0) {
		q.opening-- // the TA's point is expanded, or the TA failed
	}
	q.mu.Unlock()
	q.cond.Broadcast()
}
