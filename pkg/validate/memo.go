package validate

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
)

// The engine remembers what each publication point yielded, so that the
// next run re-validates only the points whose content changed: a point is
// identified by its CA certificate and the manifest it was validated with
// (the manifest's hashes pin every file it lists). A remembered output is
// reused until its earliest expiry, after which the point is validated
// again. This is what makes a new RRDP delta reach the RTR table in
// seconds: the run walks the tree, and only the changed points cost
// signature checks.
//
// The expiry of the chain above a point (the earliest notAfter and CRL
// nextUpdate from the TA down) is not part of the key: a parent CA that
// reissues its CRL moves the chain expiry of every CA below it (an RIR's
// CA, of 20,000 children, does so many times a day), and keyed by it the
// whole subtree was validated again. A reused output is brought to the
// chain it is reached through instead (memoEntry.chain): each payload
// item's expiry is the earliest of that chain's, the point's own
// (memoEntry.own) and its object's notAfter.

// memoKey identifies one validation of a publication point.
type memoKey struct {
	ca, mft [sha256.Size]byte
}

// memoEntry is what a publication point yielded, as small as it can be
// kept: the engine keeps one per CA between runs. Its VRPs are not in it:
// the table of the run that last built one holds them (see carry).
type memoEntry struct {
	counts   []verdictCount
	children []childCA
	// more is what most points do not have; nil when they do not.
	more *moreOutput
	// objects and vrps count the point's objects and VRPs; in the
	// engine's last table they are the objects numbered base+1 to
	// base+objects, and the VRPs that name them.
	objects uint32
	vrps    int
	base    uint32
	// next is base in the table the run numbered nextRun builds (see
	// run.carry; commit makes it base).
	next    uint32
	nextRun uint32
	// own is the point's own expiry, its CRL's nextUpdate; chain is the
	// expiry of the chain above the point that the expiries of its
	// payload in the last table were computed with, nextChain the one of
	// the run numbered nextRun (commit makes it chain), in which the
	// entry's VRPs are carried from the last table if nextCarried.
	own, chain, nextChain payload.Expiry
	nextCarried           bool
	// validUntil is when some object or the point itself may change
	// verdict by time alone (earliest notAfter, nextUpdate). The chain's
	// expiry is not in it: each CA above bounds its own point's.
	validUntil time.Time
}

// moreOutput is the rarer output of a point: ASPAs, router keys and
// rejected objects.
type moreOutput struct {
	aspas    []payload.ASPAInfo
	keys     []payload.KeyInfo
	rejected []report.Object
	// chain is the chain's expiry the ASPAs' and keys' were computed
	// with: that of the point's validation, not of the last table.
	chain payload.Expiry
}

// childCA is a child CA as remembered: its certificate (resources
// resolved) and where it was found. Its chain's expiry is computed again
// at each reuse (see reuse).
type childCA struct {
	cert *caCert
	key  [sha256.Size]byte // caKeyOf the child: polls reuse it
	uri  string
}

// remember makes the memo entry of a point's output out, validated under
// a chain that expires at chain.
func (r *run) remember(out *caOutput, chain time.Time) *memoEntry {
	e := &memoEntry{objects: uint32(len(out.objects)), counts: slices.Clip(out.counts), validUntil: out.until, vrps: len(out.vrps),
		own: payload.ExpiryOf(out.own), chain: payload.ExpiryOf(chain)}
	if len(out.aspas)+len(out.keys)+len(out.rejected) > 0 {
		e.more = &moreOutput{aspas: out.aspas, keys: out.keys, rejected: slices.Clip(out.rejected), chain: e.chain}
	}
	e.children = make([]childCA, 0, len(out.children)) // kept until the point changes: no append slack
	for _, c := range out.children {
		e.children = append(e.children, childCA{cert: c.cert, key: caKeyOf(c), uri: c.uri})
	}
	return e
}

// output is what the point yielded, its objects and VRPs aside (assemble
// carries them).
func (e *memoEntry) output() caOutput {
	out := caOutput{counts: e.counts, until: e.validUntil}
	if e.more != nil {
		out.aspas, out.keys, out.rejected = e.more.aspas, e.more.keys, e.more.rejected
	}
	return out
}

// memoSlot is what the engine remembers of one CA's publication point:
// the output of its last validation, under the manifest it was validated
// with, and the repository generation that copy came from (while the
// generation and the CA are the same, the copy is too, and a run reuses
// the output without reading the point: 40,000 pack reads made a quick
// poll take seconds).
type memoSlot struct {
	mft   [sha256.Size]byte
	entry *memoEntry
	// used is the run that last used or made the entry.
	used uint32
	// repo and gen locate the copy the entry was validated from, as of
	// run pointRun (0: unknown).
	repo     string
	gen      uint64
	pointRun uint32
}

// memo holds one slot per CA key (memoKey.ca). A run uses the slots of
// the previous run and makes new ones; at its end (sweep) the slots it did
// not use are forgotten. One map of 40,000 small slots replaced four maps
// (two runs' entries and two runs' points, 25 MB at global scale).
type memo struct {
	mu       sync.Mutex
	disabled bool // a one-shot engine remembers nothing
	slots    map[[sha256.Size]byte]*memoSlot
	// run numbers the runs (from 1); used counts the slots this run used,
	// puts those it validated afresh; slotsAtBegin is how many slots the
	// previous runs left.
	run          uint32
	used, puts   int
	slotsAtBegin int
}

// begin starts a run and returns its number.
func (m *memo) begin() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.slots == nil {
		m.slots = map[[sha256.Size]byte]*memoSlot{}
	}
	m.run++
	m.used, m.puts, m.slotsAtBegin = 0, 0, len(m.slots)
	return m.run
}

// sweep forgets, at the end of a run, the slots it did not use.
func (m *memo) sweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.slots {
		if s.used != m.run {
			delete(m.slots, k)
		}
	}
}

// commit, once a run has built its table, moves the entries it used to
// that table's numbering, and forgets a used entry it did not number (a
// panic cut its point short): carried from the wrong numbering, its VRPs
// would be other objects'.
func (m *memo) commit() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, s := range m.slots {
		switch {
		case s.used != m.run:
		case s.entry.nextRun == m.run:
			s.entry.base, s.entry.chain = s.entry.next, s.entry.nextChain
		default:
			delete(m.slots, k)
		}
	}
}

// sameAsLast reports, at the end of a run, whether it used exactly the
// entries of the previous run: its output then is the previous output.
func (m *memo) sameAsLast() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.disabled && m.run > 1 && m.puts == 0 && m.used == m.slotsAtBegin
}

// use marks slot s used by this run; callers hold mu.
func (m *memo) use(s *memoSlot) {
	if s.used != m.run {
		s.used = m.run
		m.used++
	}
}

// get returns a still-valid entry and carries it over to this run.
func (m *memo) get(k memoKey, now time.Time) *memoEntry {
	if m.disabled {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.slots[k.ca]
	if s == nil || s.mft != k.mft || !now.Before(s.entry.validUntil) {
		return nil
	}
	m.use(s)
	return s.entry
}

func (m *memo) put(k memoKey, e *memoEntry) {
	if m.disabled {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.slots[k.ca]
	if s == nil {
		s = &memoSlot{}
		m.slots[k.ca] = s
	}
	s.mft, s.entry = k.mft, e
	m.use(s)
	m.puts++
}

// unchanged returns the entry of the CA whose key is ca when it was
// validated from repo at generation gen (as the previous run recorded)
// and is still valid, carrying it over to this run.
func (m *memo) unchanged(ca [sha256.Size]byte, repo string, gen uint64, now time.Time) *memoEntry {
	if m.disabled {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.slots[ca]
	if s == nil || s.pointRun != m.run-1 || s.repo != repo || s.gen != gen || !now.Before(s.entry.validUntil) {
		return nil
	}
	m.use(s)
	s.pointRun = m.run
	return s.entry
}

// putPoint records where the entry of key was validated from.
func (m *memo) putPoint(key memoKey, repo string, gen uint64) {
	if m.disabled {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.slots[key.ca]; s != nil && s.mft == key.mft {
		s.repo, s.gen, s.pointRun = repo, gen, m.run
	}
}

// keyOf identifies CA n's publication point validated with mftDER. The CA
// part covers what the point's verdicts depend on from above: the
// certificate and its resources as resolved through the chain (an inherit
// certificate keeps its bytes when an ancestor shrinks). The chain's
// expiry, which the output carries, is not in it (see memoEntry.chain).
func keyOf(n *caNode, mftDER []byte) memoKey {
	return memoKey{ca: caKeyOf(n), mft: sha256.Sum256(mftDER)}
}

// caKeyOf is the CA part of a memo key, computed once per node (a
// resource set printed for each of 40,000 CAs at every poll was garbage).
func caKeyOf(n *caNode) [sha256.Size]byte {
	if !n.keyed {
		h := sha256.New()
		h.Write(n.cert.certSum[:])
		h.Write([]byte(n.cert.resources.String()))
		h.Sum(n.key[:0])
		n.keyed = true
	}
	return n.key
}
