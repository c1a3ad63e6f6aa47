package cache

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
)

// An update's changes are recorded as ops and applied at Commit, point by
// point in URI order, where they are checked against the committed
// objects and against each other (RFC 8182 §3.4.2). Holding them in a
// map by URI, as this package once did, cost about 200 bytes an object:
// 100 MB for a 1 GB snapshot, and as much again for any hostile one. The
// op log keeps at most opRunBudget bytes of ops in memory; beyond that it
// sorts them and writes them to a run file (an external merge sort), and
// Commit merges the runs. An update of any size thus costs a bounded
// amount of memory and, on disk, about 100 bytes an op next to the spool.
const (
	// opRunBudget is the memory of the ops held before they are sorted
	// and written to a run file: 4 MiB is about 25,000 ops.
	opRunBudget = 4 << 20
	// opOverhead is the memory of one op besides its URI.
	opOverhead = 96
	// opMergeFanIn bounds the runs merged at once: when a spill would
	// make more, the runs so far are merged into one first. With the
	// read buffer of each run (runReadBuffer), two merges at once (see
	// pointWriter) cost at most 4 MiB.
	opMergeFanIn = 32
)

// opKind is what one op does.
type opKind uint8

const (
	// opAdd publishes a new object (a publish without hash).
	opAdd opKind = iota + 1
	// opReplace publishes over the object whose SHA-256 is sum.
	opReplace
	// opWithdraw withdraws the object whose SHA-256 is sum.
	opWithdraw
)

// op is one Publish or Withdraw. point and name are the two parts of its
// URI; off and n locate the published content in the spool.
type op struct {
	point, name string
	sum         [32]byte
	off         int64
	n           int
	kind        opKind
}

// cmpOps orders ops by publication point, then file name: the order in
// which Commit writes points and a pack lists its files.
func cmpOps(a, b *op) int {
	return cmp.Or(strings.Compare(a.point, b.point), strings.Compare(a.name, b.name))
}

// opLog records the ops of an update and yields them sorted by point and
// name, in the order they were made for one name.
type opLog struct {
	dir string
	// budget and fanIn are opRunBudget and opMergeFanIn (tests lower them).
	budget, fanIn int
	mem           []op
	bytes         int
	runs          []*runFile
}

// newOpLog returns an empty log whose run files go to dir.
func newOpLog(dir string) opLog {
	return opLog{dir: dir, budget: opRunBudget, fanIn: opMergeFanIn}
}

// add records o, spilling the ops held to a run file once they reach the
// budget.
func (l *opLog) add(o op) error {
	l.mem = append(l.mem, o)
	l.bytes += opOverhead + len(o.point) + len(o.name)
	if l.bytes < l.budget {
		return nil
	}
	return l.spill()
}

// spill sorts the ops held and writes them to a new run file, after
// merging the runs so far into one if there are fanIn of them.
func (l *opLog) spill() error {
	if len(l.runs) >= l.fanIn {
		merged, err := writeRun(l.dir, l.mergeRuns(l.runs))
		if err != nil {
			return err
		}
		l.dropRuns()
		l.runs = []*runFile{merged}
	}
	slices.SortStableFunc(l.mem, func(a, b op) int { return cmpOps(&a, &b) })
	run, err := writeRun(l.dir, &memIter{ops: l.mem})
	clear(l.mem) // drop the URIs the ops held
	l.mem, l.bytes = l.mem[:0], 0
	if err != nil {
		return err
	}
	l.runs = append(l.runs, run)
	return nil
}

// seal sorts the ops held in memory; Commit calls it once, before sorted.
func (l *opLog) seal() {
	slices.SortStableFunc(l.mem, func(a, b op) int { return cmpOps(&a, &b) })
}

// sorted returns a new iterator over every op, sorted. It may be called
// more than once: each iterator reads the runs on its own.
func (l *opLog) sorted() opIter {
	if len(l.runs) == 0 {
		return &memIter{ops: l.mem}
	}
	return l.mergeRuns(l.runs, &memIter{ops: l.mem})
}

// mergeRuns returns an iterator merging runs, then extra, which were
// recorded in that order: ops of one name keep the order they were made.
func (l *opLog) mergeRuns(runs []*runFile, extra ...opIter) opIter {
	srcs := make([]opIter, 0, len(runs)+len(extra))
	for _, r := range runs {
		srcs = append(srcs, r.iter())
	}
	return newMergeIter(append(srcs, extra...))
}

// dropRuns removes the run files.
func (l *opLog) dropRuns() {
	for _, r := range l.runs {
		r.remove()
	}
	l.runs = nil
}

// close drops everything the log holds.
func (l *opLog) close() {
	l.dropRuns()
	l.mem, l.bytes = nil, 0
}

// opIter yields ops in order; next returns false at the end.
type opIter interface {
	next() (op, bool, error)
	close()
}

// memIter iterates over ops in memory.
type memIter struct {
	ops []op
	i   int
}

func (m *memIter) next() (op, bool, error) {
	if m.i == len(m.ops) {
		return op{}, false, nil
	}
	m.i++
	return m.ops[m.i-1], true, nil
}

func (m *memIter) close() {}

// mergeIter merges sorted iterators; of equal ops, the one of the earlier
// iterator comes first.
type mergeIter struct {
	h   mergeHeap
	err error
}

// mergeSrc is one iterator of a merge with its current op.
type mergeSrc struct {
	it   opIter
	cur  op
	rank int
}

// mergeHeap orders the sources by their current op, then rank.
type mergeHeap []*mergeSrc

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if c := cmpOps(&h[i].cur, &h[j].cur); c != 0 {
		return c < 0
	}
	return h[i].rank < h[j].rank
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(*mergeSrc)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newMergeIter starts a merge of its; an error reading the first op of one
// is returned by the first next.
func newMergeIter(its []opIter) *mergeIter {
	m := &mergeIter{}
	for rank, it := range its {
		o, ok, err := it.next()
		if err != nil && m.err == nil {
			m.err = err
		}
		if !ok {
			it.close()
			continue
		}
		m.h = append(m.h, &mergeSrc{it: it, cur: o, rank: rank})
	}
	heap.Init(&m.h)
	return m
}

func (m *mergeIter) next() (op, bool, error) {
	if m.err != nil || len(m.h) == 0 {
		return op{}, false, m.err
	}
	top := m.h[0]
	out := top.cur
	o, ok, err := top.it.next()
	switch {
	case err != nil:
		m.err = err
		return op{}, false, err
	case ok:
		top.cur = o
		heap.Fix(&m.h, 0)
	default:
		top.it.close()
		heap.Pop(&m.h)
	}
	return out, true, nil
}

func (m *mergeIter) close() {
	for _, s := range m.h {
		s.it.close()
	}
	m.h = nil
}

// cursor holds the current op of an iterator, for readers that look at an
// op before deciding to take it.
type cursor struct {
	it  opIter
	cur op
	ok  bool
	err error
}

// newCursor positions a cursor on the first op of it.
func newCursor(it opIter) *cursor {
	c := &cursor{it: it}
	c.advance()
	return c
}

// advance moves to the next op; ok turns false at the end or on an error.
func (c *cursor) advance() {
	if c.err == nil {
		c.cur, c.ok, c.err = c.it.next()
	}
	if c.err != nil {
		c.ok = false
	}
}

// at reports whether the current op is of point.
func (c *cursor) at(point string) bool { return c.ok && c.cur.point == point }

// atName reports whether the current op is of point and name.
func (c *cursor) atName(point, name string) bool { return c.at(point) && c.cur.name == name }
