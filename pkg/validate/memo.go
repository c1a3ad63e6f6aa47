package validate

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// The engine remembers what each publication point yielded, so that the
// next run re-validates only the points whose content changed: a point is
// identified by its CA certificate and the manifest it was validated with
// (the manifest's hashes pin every file it lists). A remembered output is
// reused until its earliest expiry, after which the point is validated
// again. This is what makes a new RRDP delta reach the RTR table in
// seconds: the run walks the tree, and only the changed points cost
// signature checks.

// memoKey identifies one validation of a publication point.
type memoKey struct {
	ca, mft [sha256.Size]byte
}

// memoEntry is what a publication point yielded.
type memoEntry struct {
	out      caOutput
	children []childCA
	// validUntil is when some object or the point itself may change
	// verdict by time alone (earliest notAfter, nextUpdate).
	validUntil time.Time
	pointURI   string
}

// childCA is a child CA as remembered: its certificate (resources
// resolved) and where it was found.
type childCA struct {
	cert    *x509rpki.Cert
	certSum [sha256.Size]byte
	key     [sha256.Size]byte // caKeyOf the child, kept: polls reuse it
	uri     string
	expires time.Time
}

// pointMemo records that a point's entry was validated from the raw copy
// a repository held at one commit generation: while the generation and
// the CA are the same, the copy is too, and a run reuses the entry without
// reading the point (40,000 pack reads made a quick poll take seconds).
type pointMemo struct {
	key  memoKey
	repo string
	gen  uint64
}

// memo holds the entries of the previous run (read) and of this run
// (written); entries not used in a run are forgotten after it.
type memo struct {
	mu       sync.Mutex
	disabled bool // a one-shot engine remembers nothing
	prev     map[memoKey]*memoEntry
	next     map[memoKey]*memoEntry
	// prevPoints and nextPoints map a CA key (memoKey.ca) to where its
	// entry was validated from.
	prevPoints, nextPoints map[[sha256.Size]byte]pointMemo
	// puts counts the entries this run validated afresh.
	puts int
}

func (m *memo) begin() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.next != nil {
		m.prev, m.prevPoints = m.next, m.nextPoints
	}
	// Sized as the last run's: a daemon polls every few seconds, and
	// growing 40,000-entry maps each time was most of a poll's garbage.
	m.next = make(map[memoKey]*memoEntry, len(m.prev))
	m.nextPoints = make(map[[sha256.Size]byte]pointMemo, len(m.prevPoints))
	m.puts = 0
}

// sameAsLast reports, at the end of a run, whether it used exactly the
// entries of the previous run: its output then is the previous output.
func (m *memo) sameAsLast() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.disabled && m.prev != nil && m.puts == 0 && len(m.next) == len(m.prev)
}

// get returns a still-valid entry and carries it over to this run.
func (m *memo) get(k memoKey, now time.Time) *memoEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.prev[k]
	if e == nil || !now.Before(e.validUntil) {
		return nil
	}
	m.next[k] = e
	return e
}

func (m *memo) put(k memoKey, e *memoEntry) {
	if m.disabled {
		return
	}
	m.mu.Lock()
	m.next[k] = e
	m.puts++
	m.mu.Unlock()
}

// unchanged returns the entry of the CA whose key is ca when it was
// validated from repo at generation gen and is still valid, carrying it
// over to this run.
func (m *memo) unchanged(ca [sha256.Size]byte, repo string, gen uint64, now time.Time) *memoEntry {
	if m.disabled {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.prevPoints[ca]
	if !ok || p.repo != repo || p.gen != gen {
		return nil
	}
	e := m.prev[p.key]
	if e == nil || !now.Before(e.validUntil) {
		return nil
	}
	m.next[p.key] = e
	m.nextPoints[ca] = p
	return e
}

// putPoint records where the entry of key was validated from.
func (m *memo) putPoint(key memoKey, repo string, gen uint64) {
	if m.disabled {
		return
	}
	m.mu.Lock()
	m.nextPoints[key.ca] = pointMemo{key: key, repo: repo, gen: gen}
	m.mu.Unlock()
}

// keyOf identifies CA n's publication point validated with mftDER. The CA
// part covers what the point's verdicts depend on from above: the
// certificate, its resources as resolved through the chain (an inherit
// certificate keeps its bytes when an ancestor shrinks), and the chain's
// expiry (which the output carries).
func keyOf(n *caNode, mftDER []byte) memoKey {
	return memoKey{ca: caKeyOf(n), mft: sha256.Sum256(mftDER)}
}

// caKeyOf is the CA part of a memo key, computed once per node (a
// resource set printed for each of 40,000 CAs at every poll was garbage).
func caKeyOf(n *caNode) [sha256.Size]byte {
	if !n.keyed {
		h := sha256.New()
		h.Write(n.certSum[:])
		h.Write([]byte(n.cert.Resources.String()))
		h.Write([]byte(n.expires.UTC().Format(time.RFC3339)))
		h.Sum(n.key[:0])
		n.keyed = true
	}
	return n.key
}
