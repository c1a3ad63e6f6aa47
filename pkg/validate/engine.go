package validate

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// maxCertDepth is the default chain depth limit.
const maxCertDepth = x509rpki.MaxCertDepth

// Engine validates the RPKI from a set of trust anchors.
type Engine struct {
	o    Options
	log  *slog.Logger
	memo memo
	// tas numbers the trust anchors for the engine's lifetime, so a TA
	// keeps its number from run to run.
	tas *payload.TANames
	// last is the previous run's table, which a run that finds nothing
	// changed returns again, unless lastFailed: the caller did not take
	// it (it keeps what it had), so a run must not say unchanged.
	last       *payload.Table
	lastFailed bool
	// built is the last table a run built, which the next carries the
	// VRPs of unchanged points from (see carry).
	built lastTable
	// progress counts what the current run has done (Progress).
	progress progress
}

// New returns an engine; o.Source is required.
func New(o Options) (*Engine, error) {
	if o.Source == nil || o.Source.Store() == nil {
		return nil, errors.New("validate: a Source with a cache Store is required")
	}
	o = o.withDefaults()
	e := &Engine{o: o, log: o.Logger, tas: payload.NewTANames()}
	e.memo.disabled = o.OneShot
	return e, nil
}

// run is the state of one validation run.
type run struct {
	e     *Engine
	ctx   context.Context
	se    Session
	quick bool
	store *cache.Store
	now   time.Time
	q     *queue

	claims pointClaims // who named each manifest first (a shadow repository)
	// issuerPoints are issuers' copies read again for their children's
	// signers (reloadSigner).
	issuerPoints pointCache
	// memoRun is the memo's number for this run.
	memoRun uint32

	mu  sync.Mutex
	rep report.Run
	// gathered is each point's output, in the order collected;
	// assemble numbers their objects at the end.
	gathered []gathered
	moves    []move // where the reused points' VRPs move (carry)
	aspas    []payload.ASPAInfo
	keys     []payload.KeyInfo
	sources  payload.Sources
}

// taState counts what one trust anchor has produced, for its limits.
type taState struct {
	name          string
	id            payload.TA
	cas, objects  atomic.Int64
	points        atomic.Int64
	vrps, aspas   atomic.Int64
	keys          atomic.Int64
	limitReported atomic.Uint32 // the limits it went past (taLimit bits)
	repos         repoSet       // for MaxReposPerTA
}

// caNode is a validated CA certificate waiting for, or in, processing.
type caNode struct {
	cert *caCert
	// issuerCert is cert as x509rpki checks take it: checkPoint sets it
	// (run.issuer) before anything the CA issued is checked.
	issuerCert *x509rpki.Cert
	// key is the CA part of its memo keys, once keyed (caKeyOf).
	key   [sha256.Size]byte
	keyed bool
	uri   string // where the certificate was found
	ta    *taState
	up    *caNode // issuer; nil for the TA
	// index is the CA's entry in the run's Sources.CAs, once registered
	// (registerCA); -1 before.
	index int32
	// depth counts certificates below the TA.
	depth int
	// expires is the earliest notAfter or CRL nextUpdate from the TA down
	// to this certificate.
	expires time.Time
	// expanding is set, under the queue's lock, once the CA's children
	// are queued in batches (queue.push).
	expanding bool
}

// Run validates everything below the given trust anchors, fetching every
// repository. It returns the payload with its provenance and the run's
// report, and an error when no trust anchor could be validated or the run
// did not finish (its deadline passed or ctx ended): a caller then keeps
// what it had.
func (e *Engine) Run(ctx context.Context, tals []*tal.TAL) (*payload.Table, *report.Run, error) {
	return e.run(ctx, tals, false)
}

// Poll is a quick run between full runs: only RRDP repositories are
// fetched again (a conditional GET of the notification when nothing
// changed); rsync repositories and TA certificates come from the cache.
// With the engine's memory of unchanged publication points, a poll that
// finds one new RRDP delta costs the signature checks of what changed.
func (e *Engine) Poll(ctx context.Context, tals []*tal.TAL) (*payload.Table, *report.Run, error) {
	return e.run(ctx, tals, true)
}

func (e *Engine) run(ctx context.Context, tals []*tal.TAL, quick bool) (*payload.Table, *report.Run, error) {
	ctx, cancel := context.WithTimeout(ctx, e.o.RunTimeout)
	defer cancel()
	r := &run{e: e, ctx: ctx, se: e.o.Source.Begin(ctx, quick), quick: quick, store: e.o.Source.Store(), now: e.o.Now()}
	defer r.se.Close()
	r.memoRun = e.memo.begin()
	r.rep = report.Run{Start: time.Now(), Quick: quick, Objects: map[string]map[string]int{}}
	e.progress.begin(quick, r.rep.Start)
	defer e.progress.running.Store(false)
	if e.last != nil && e.last.Sources != nil {
		r.sources.CAs = make([]payload.CASource, 0, len(e.last.Sources.CAs))
		r.gathered = make([]gathered, 0, len(e.last.Sources.CAs))
		r.claims.presize(len(e.last.Sources.CAs))
	}
	states := make([]*taState, len(tals))
	jobs := make([]taJob, len(tals))
	for i, t := range tals {
		states[i] = &taState{name: t.Name, id: e.tas.Of(t.Name)}
		jobs[i] = taJob{tal: t, state: states[i]}
	}
	r.q = newQueue(jobs, e.o.Workers)
	var wg sync.WaitGroup
	for range e.o.Workers {
		wg.Go(r.work)
	}
	wg.Wait()
	if err := r.store.SyncValid(); err != nil {
		e.log.Warn("syncing the validated store", "error", err)
	}
	r.rep.End = time.Now()
	for _, st := range states {
		r.fillTACounts(st)
	}
	t := r.table()
	e.memo.sweep()
	r.rep.Sort()
	err := r.outcome(ctx, len(tals))
	if err != nil {
		r.rep.Error = err.Error()
	}
	if !e.memo.disabled {
		// Even after an error: the memo is now this run's, and a run
		// that reuses all of it yields this table.
		e.last, e.lastFailed = t, err != nil
	}
	// A copy: a pointer into r would keep the whole run (its gathered
	// outputs, its issuers' copies) for as long as the report is shown.
	rep := r.rep
	return t, &rep, err
}

// outcome is the error of a run: cut short, or no trust anchor validated.
func (r *run) outcome(ctx context.Context, tals int) error {
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("validate: run did not finish: %w", err)
	}
	if tals > 0 && len(r.rep.FailedTAs()) == len(r.rep.TAs) {
		return errors.New("validate: no trust anchor could be validated")
	}
	return nil
}

// table builds the run's table: the previous one when every point was
// reused, else the gathered payload, sorted.
func (r *run) table() *payload.Table {
	e := r.e
	if e.memo.sameAsLast() && e.last != nil && !e.lastFailed {
		r.rep.Unchanged = true
		t := *e.last
		t.BuildTime = r.rep.End
		return &t
	}
	if e.o.BuildingTable != nil {
		e.o.BuildingTable()
	}
	vrps, inOrder, aspas, keys := r.assemble()
	var src *payload.Sources
	if !e.o.NoSources {
		s := r.sources
		src = &s
	}
	t := &payload.Table{BuildTime: r.rep.End, VRPs: vrps, ASPAs: aspas, RouterKeys: keys,
		TAs: e.tas, Sources: src}
	if e.memo.disabled {
		t.Sort()
		return t
	}
	var merged []payload.VRPInfo
	t.SortKeepingFrom(inOrder, &merged)
	e.built = lastTable{table: t, merged: merged, objects: r.sources.Objects}
	e.memo.commit()
	return t
}

func (r *run) fillTACounts(st *taState) {
	for i := range r.rep.TAs {
		if t := &r.rep.TAs[i]; t.Name == st.name {
			t.CAs, t.Points, t.VRPs = int(st.cas.Load()), int(st.points.Load()), int(st.vrps.Load())
			t.ASPAs, t.RouterKeys = int(st.aspas.Load()), int(st.keys.Load())
		}
	}
}

// work is one worker: it processes what the queue hands out until nothing
// is left.
func (r *run) work() {
	for {
		n, ta, ok := r.q.take()
		if !ok {
			return
		}
		var children []*caNode
		switch {
		case ta != nil:
			children = r.processTASafely(ta.tal, ta.state)
		case r.ctx.Err() != nil:
			r.pointDone(n, report.Point{Outcome: report.Failed, Reason: "run cancelled: " + context.Cause(r.ctx).Error()})
		default:
			children = r.processCASafely(n)
		}
		r.q.done(n, children)
	}
}

// processCASafely is processCA, with a panic (a bug met by some input)
// turned into the failure of n's publication point, logged with its stack
// and counted: the rest of the run goes on.
func (r *run) processCASafely(n *caNode) (children []*caNode) {
	defer func() {
		if p := recover(); p != nil {
			err := r.panicked("publication point of CA "+n.uri, p)
			r.pointDone(n, report.Point{Outcome: report.Failed, Reason: err.Error()})
			children = nil
		}
	}()
	return r.processCA(n)
}

// processTASafely is processTA, with a panic failing the trust anchor.
func (r *run) processTASafely(t *tal.TAL, st *taState) (children []*caNode) {
	defer func() {
		if p := recover(); p != nil {
			err := r.panicked("trust anchor "+t.Name, p)
			r.mu.Lock()
			r.rep.TAs = append(r.rep.TAs, report.TA{Name: t.Name, Error: err.Error()})
			r.mu.Unlock()
			children = nil
		}
	}()
	return r.processTA(t, st)
}

// registerCA gives CA n its entry in the run's sources, which its objects
// and its children point to. It runs before n's children are queued, so a
// parent always has its index when a child registers.
func (r *run) registerCA(n *caNode) {
	r.e.progress.cas.Add(1)
	if r.e.o.NoSources {
		n.index = -1
		return
	}
	c := n.cert
	parent := int32(-1)
	if n.up != nil {
		parent = n.up.index
	}
	r.mu.Lock()
	n.index = int32(len(r.sources.CAs))
	r.sources.CAs = append(r.sources.CAs, payload.CASource{URI: n.uri, Repository: c.repository, Manifest: c.manifest,
		Parent: parent, TA: n.ta.id, NotBefore: payload.UnixExpiry(c.notBefore), NotAfter: payload.UnixExpiry(c.notAfter)})
	r.mu.Unlock()
}

// handOffBatch is how many accepted child CAs a worker collects before it
// queues them, while it goes on with the rest of its publication point
// (see queue).
const handOffBatch = 32

// processCA validates a CA's publication point and its objects, and returns
// the child CAs to process that it has not queued already. A panic while
// doing so fails the point, not the run (recovered in checkPointSafely and
// objectSafely).
func (r *run) processCA(n *caNode) []*caNode {
	r.registerCA(n)
	defer r.dropSigner(n)
	repo, fetchErr := r.repository(n)
	if e := r.unchanged(n, repo); e != nil {
		r.pointDone(n, report.Point{Outcome: report.Fresh})
		return r.reuse(n, e)
	}
	if repo != nil && repo.PointSize(n.cert.repository) >= largePointBytes {
		r.q.takeLarge()
		defer r.q.dropLarge()
	}
	cp := r.publicationPoint(n, repo, fetchErr)
	if cp == nil {
		return nil
	}
	if cp.memo != nil {
		r.rememberSource(cp)
		return r.reuse(n, cp.memo)
	}
	// Objects are numbered even without sources kept: carry needs them.
	out := caOutput{noSources: r.e.o.NoSources && r.e.memo.disabled, own: cp.crl.NextUpdate}
	out.until = earlierOf(cp.mft.NextUpdate, out.own)
	handed := 0
	for _, f := range cp.files {
		r.objectSafely(n, cp, f.name, f.data, &out)
		if len(out.children)-handed >= handOffBatch {
			r.q.push(n, out.children[handed:])
			handed = len(out.children)
			if r.e.memo.disabled {
				// Nothing needs the queued children here any more:
				// dropping them lets each be freed once processed.
				out.children, handed = out.children[:0], 0
			}
		}
	}
	// Exactly sized: the run keeps these slices until its table is built.
	out.vrps, out.objects = slices.Clone(out.vrps), slices.Clone(out.objects)
	if r.e.memo.disabled {
		r.collect(n, &out, nil, false)
		return out.children[handed:]
	}
	entry := r.remember(&out, n.expires)
	r.collect(n, &out, entry, false)
	r.e.memo.put(cp.key, entry)
	r.rememberSource(cp)
	return out.children[handed:]
}

// largePointBytes is the pack size from which a publication point counts
// as large (see queue.takeLarge): about 700 certificates.
const largePointBytes = 1 << 20

// rememberSource records which repository generation a point validated
// from its fetched copy came from (see memoSlot).
func (r *run) rememberSource(cp *checkedPoint) {
	if cp.from != nil {
		r.e.memo.putPoint(cp.key, cp.from.repo.ID(), cp.from.gen)
	}
}

// reuse yields what an unchanged publication point yielded last time.
func (r *run) reuse(n *caNode, e *memoEntry) []*caNode {
	out := e.output()
	r.collect(n, &out, e, true)
	r.mu.Lock()
	r.rep.Reused++
	r.mu.Unlock()
	// One block for the nodes: 40,000 small allocations at every poll
	// were a tenth of its garbage.
	nodes := make([]caNode, 0, len(e.children))
	children := make([]*caNode, 0, len(e.children))
	for _, c := range e.children {
		if err := r.childLimits(n, c.cert.ski[:], c.uri); err != nil {
			r.collectRejected(n, c.uri, err)
			continue
		}
		expires := earlierOf(earlierOf(n.expires, e.own.Time()), time.Unix(c.cert.notAfter, 0))
		nodes = append(nodes, caNode{cert: c.cert, key: c.key, keyed: true, uri: c.uri, ta: n.ta, up: n,
			index: -1, depth: n.depth + 1, expires: expires})
		children = append(children, &nodes[len(nodes)-1])
	}
	return children
}
