package validate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// maxCertDepth is the default chain depth limit.
const maxCertDepth = x509rpki.MaxCertDepth

// Engine validates the RPKI from a set of trust anchors.
type Engine struct {
	o    Options
	log  *zap.Logger
	memo memo
	// last is the previous run's result, whose payload a run that finds
	// nothing changed returns again.
	last *Result
}

// New returns an engine; o.Source is required.
func New(o Options) (*Engine, error) {
	if o.Source == nil || o.Source.Store == nil {
		return nil, errors.New("validate: a Source with a cache Store is required")
	}
	o = o.withDefaults()
	e := &Engine{o: o, log: o.Logger}
	e.memo.disabled = o.OneShot
	return e, nil
}

// run is the state of one validation run.
type run struct {
	e   *Engine
	ctx context.Context
	se  *session
	now time.Time
	q   *queue

	mu   sync.Mutex
	res  Result
	vrps parts[VRP] // joined into res.VRPs at the end
}

// taState counts what one trust anchor has produced, for its limits.
type taState struct {
	name          string
	id            TA
	cas, objects  atomic.Int64
	vrps, aspas   atomic.Int64
	keys          atomic.Int64
	limitReported atomic.Bool
}

// caNode is a validated CA certificate waiting for, or in, processing.
type caNode struct {
	cert *x509rpki.Cert // with its resources resolved (no inherit); see keptCert
	// certSum is the SHA-256 of the certificate's DER, which cert no
	// longer holds (memo keys).
	certSum [sha256.Size]byte
	// key is the CA part of its memo keys, once keyed (caKeyOf).
	key   [sha256.Size]byte
	keyed bool
	uri   string // where the certificate was found
	ta    *taState
	up    *caNode // issuer; nil for the TA
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
// repository. It returns an error only when no trust anchor could be
// validated.
func (e *Engine) Run(ctx context.Context, tals []*tal.TAL) (*Result, error) {
	return e.run(ctx, tals, false)
}

// Poll is a quick run between full runs: only RRDP repositories are
// fetched again (a conditional GET of the notification when nothing
// changed); rsync repositories and TA certificates come from the cache.
// With the engine's memory of unchanged publication points, a poll that
// finds one new RRDP delta costs the signature checks of what changed.
func (e *Engine) Poll(ctx context.Context, tals []*tal.TAL) (*Result, error) {
	return e.run(ctx, tals, true)
}

func (e *Engine) run(ctx context.Context, tals []*tal.TAL, quick bool) (*Result, error) {
	r := &run{e: e, ctx: ctx, se: e.o.Source.begin(ctx, quick), now: e.o.Now()}
	defer r.se.close()
	e.memo.begin()
	r.res.Start = time.Now()
	r.res.Objects = map[string]map[string]int{}
	if e.last != nil {
		r.res.PubPoints = make([]PubPointReport, 0, len(e.last.PubPoints))
	}
	states := make([]*taState, len(tals))
	jobs := make([]taJob, len(tals))
	for i, t := range tals {
		states[i] = &taState{name: t.Name, id: TAOf(t.Name)}
		jobs[i] = taJob{tal: t, state: states[i]}
	}
	r.q = newQueue(jobs, e.o.Workers)
	var wg sync.WaitGroup
	for range e.o.Workers {
		wg.Go(r.work)
	}
	wg.Wait()
	if err := e.o.Source.Store.SyncValid(); err != nil {
		e.log.Warn("syncing the validated store", zap.Error(err))
	}
	r.res.End = time.Now()
	if e.memo.sameAsLast() && e.last != nil {
		r.res.samePayloadAs(e.last)
	} else {
		r.res.VRPs = r.vrps.join()
		r.res.sort()
	}
	if !e.memo.disabled {
		e.last = &r.res
	}
	ok := 0
	for i := range r.res.TAs {
		if r.res.TAs[i].Error == "" {
			ok++
		}
	}
	for _, st := range states {
		r.fillTACounts(st)
	}
	if ok == 0 && len(tals) > 0 {
		return &r.res, errors.New("validate: no trust anchor could be validated")
	}
	return &r.res, nil
}

func (r *run) fillTACounts(st *taState) {
	for i := range r.res.TAs {
		if t := &r.res.TAs[i]; t.Name == st.name {
			t.CAs, t.VRPs = int(st.cas.Load()), int(st.vrps.Load())
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
			children = r.processTA(ta.tal, ta.state)
		case r.ctx.Err() != nil:
			r.pubPointDone(n.cert.CARepository, "failed", "run cancelled")
		default:
			children = r.processCA(n)
		}
		r.q.done(n, children)
	}
}

// processTA fetches and checks a TA certificate against its TAL (RFC 8630
// §3) and returns it as the CA to process first.
func (r *run) processTA(t *tal.TAL, st *taState) []*caNode {
	rep := TAReport{Name: t.Name}
	node, err := r.taNode(t, st, &rep)
	if err != nil {
		rep.Error = err.Error()
		r.e.log.Warn("trust anchor failed", zap.String("ta", t.Name), zap.Error(err))
	}
	r.mu.Lock()
	r.res.TAs = append(r.res.TAs, rep)
	r.mu.Unlock()
	if node == nil {
		return nil
	}
	return []*caNode{node}
}

func (r *run) taNode(t *tal.TAL, st *taState, rep *TAReport) (*caNode, error) {
	der, from, err := r.se.taCert(r.ctx, t)
	if err != nil {
		return nil, fmt.Errorf("fetching TA certificate: %w", err)
	}
	rep.From = from
	cert, err := x509rpki.ParseCert(der)
	if err != nil {
		return nil, err
	}
	if cert.Kind != x509rpki.KindTA {
		return nil, fmt.Errorf("RFC 8630 §3: %s is not a self-signed CA certificate", from)
	}
	if !bytes.Equal(cert.RawSPKI, t.SPKI) {
		return nil, errors.New("RFC 8630 §3: TA certificate key differs from the TAL's")
	}
	if cert.Resources.HasInherit() {
		return nil, errors.New("RFC 6487 §7.1: TA certificate uses inherit")
	}
	if err := cert.Validate(cert, r.now); err != nil {
		return nil, err
	}
	st.cas.Add(1)
	return &caNode{cert: cert, certSum: sha256.Sum256(der), uri: from, ta: st, expires: cert.NotAfter}, nil
}

// handOffBatch is how many accepted child CAs a worker collects before it
// queues them, while it goes on with the rest of its publication point
// (see queue).
const handOffBatch = 32

// processCA validates a CA's publication point and its objects, and returns
// the child CAs to process that it has not queued already.
func (r *run) processCA(n *caNode) []*caNode {
	repo, fetchErr := r.se.repoOf(n.cert.Notify, n.cert.CARepository)
	if repo != nil && repo.PointSize(n.cert.CARepository) >= largePointBytes {
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
	var out caOutput
	out.until = earlierOf(cp.mft.NextUpdate, cp.expires)
	handed := 0
	for _, f := range cp.files {
		r.object(n, cp, f.name, f.data, &out)
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
	// Exactly sized: the memo and the run's parts keep this slice.
	out.vrps = slices.Clone(out.vrps)
	r.collect(n, &out)
	if r.e.memo.disabled {
		return out.children[handed:]
	}
	entry := &memoEntry{out: out, validUntil: out.until, pointURI: cp.uri}
	entry.out.children = nil
	for _, c := range out.children {
		entry.children = append(entry.children, childCA{cert: c.cert, certSum: c.certSum, key: caKeyOf(c),
			uri: c.uri, expires: c.expires})
	}
	r.e.memo.put(cp.key, entry)
	r.rememberSource(cp)
	return out.children[handed:]
}

// largePointBytes is the pack size from which a publication point counts
// as large (see queue.takeLarge): about 700 certificates.
const largePointBytes = 1 << 20

// rememberSource records which repository generation a point validated
// from its fetched copy came from (see pointMemo).
func (r *run) rememberSource(cp *checkedPoint) {
	if cp.from != nil {
		r.e.memo.putPoint(cp.key, cp.from.repo.ID(), cp.from.gen)
	}
}

// reuse yields what an unchanged publication point yielded last time.
func (r *run) reuse(n *caNode, e *memoEntry) []*caNode {
	out := e.out
	r.collect(n, &out)
	r.mu.Lock()
	r.res.Reused++
	r.mu.Unlock()
	var children []*caNode
	for _, c := range e.children {
		if err := r.childLimits(n, c.cert); err != nil {
			r.collectRejected(c.uri, err)
			continue
		}
		children = append(children, &caNode{cert: c.cert, certSum: c.certSum, key: c.key, keyed: true, uri: c.uri, ta: n.ta, up: n,
			depth: n.depth + 1, expires: c.expires})
	}
	return children
}
