package state

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
)

// State is one published view: immutable, read without locks.
type State struct {
	// RTR is the payload state the RTR server serves; its Updated is
	// Confirmed, which RTR's max age is checked against.
	RTR *payload.State
	// Table is the served table (SLURM applied) with its provenance.
	Table *payload.Table
	// Report is the report of the last run; nil until a run finished
	// (a warm start serves a table read back from the cache).
	Report *report.Run
	// Repositories is the fetch health after the last run.
	Repositories []report.Repository
	// Confirmed is when a run last confirmed the data, changed or not.
	Confirmed time.Time
	// Changed is when the served table last changed (a new serial).
	Changed time.Time
}

// Serial returns the RTR serial of the served data (0 before any).
func (s *State) Serial() uint32 {
	if s.RTR == nil {
		return 0
	}
	return s.RTR.Serial
}

// Publisher publishes States. Publish and Confirm must be called by one
// writer at a time (they are serialised by a mutex, so a mistake costs
// latency, not correctness); Load may be called by any number of
// goroutines and never blocks.
type Publisher struct {
	mu   sync.Mutex
	hist *payload.History
	cur  atomic.Pointer[State]
}

// NewPublisher returns a publisher keeping up to history RTR deltas.
func NewPublisher(history int) *Publisher {
	return &Publisher{hist: payload.NewHistory(history)}
}

// Load returns the current State, or nil before the first publication.
func (p *Publisher) Load() *State { return p.cur.Load() }

// Publish makes t the served table at time at, with the run's report
// (nil for a table read back from the cache) and the repositories' health.
// A table whose payload differs from the served one gets a new serial and
// an RTR delta; the same payload only moves the freshness. It returns the
// new State and whether the payload changed.
func (p *Publisher) Publish(t *payload.Table, rep *report.Run, repos []report.Repository, at time.Time) (*State, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rtr, changed := p.hist.PublishWeakly(t.Snapshot(), t.Snapshot, at)
	next := &State{RTR: rtr, Table: t, Report: rep, Repositories: repos, Confirmed: at, Changed: at}
	if prev := p.cur.Load(); prev != nil && !changed {
		next.Changed = prev.Changed
	}
	p.cur.Store(next)
	return next, changed
}

// Confirm records that a run found the payload unchanged (the engine
// returned the previous table itself): the served table, its serial and
// its encodings stand, and the freshness that RTR, HTTP and the metrics
// read moves to at, without comparing the tables again. Before any
// publication it does nothing and returns nil.
func (p *Publisher) Confirm(rep *report.Run, repos []report.Repository, at time.Time) *State {
	p.mu.Lock()
	defer p.mu.Unlock()
	prev := p.cur.Load()
	if prev == nil {
		return nil
	}
	next := *prev
	next.RTR = p.hist.Confirm(at)
	next.Confirmed = at
	if rep != nil {
		next.Report, next.Repositories = rep, repos
	}
	p.cur.Store(&next)
	return &next
}

// Failed records the report of a run that failed (its table is not
// served): what is served and its freshness stand, and the report and
// the repositories' health say why, for the operators. Before any
// publication it publishes a State without a table.
func (p *Publisher) Failed(rep *report.Run, repos []report.Repository) *State {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := State{Report: rep, Repositories: repos}
	if prev := p.cur.Load(); prev != nil {
		next = *prev
		next.Report, next.Repositories = rep, repos
	}
	p.cur.Store(&next)
	return &next
}

// RTR is the publisher as the RTR server reads it (rtr.Source).
type RTR struct{ P *Publisher }

// Load returns the RTR payload state, or nil before the first publication.
func (r RTR) Load() *payload.State {
	if s := r.P.Load(); s != nil {
		return s.RTR
	}
	return nil
}
