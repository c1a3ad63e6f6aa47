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
	uri     string
	expires time.Time
}

// memo holds the entries of the previous run (read) and of this run
// (written); entries not used in a run are forgotten after it.
type memo struct {
	mu       sync.Mutex
	disabled bool // a one-shot engine remembers nothing
	prev     map[memoKey]*memoEntry
	next     map[memoKey]*memoEntry
}

func (m *memo) begin() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.next != nil {
		m.prev = m.next
	}
	m.next = map[memoKey]*memoEntry{}
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
	m.mu.Unlock()
}

// keyOf identifies CA n's publication point validated with mftDER. The CA
// part covers what the point's verdicts depend on from above: the
// certificate, its resources as resolved through the chain (an inherit
// certificate keeps its bytes when an ancestor shrinks), and the chain's
// expiry (which the output carries).
func keyOf(n *caNode, mftDER []byte) memoKey {
	h := sha256.New()
	h.Write(n.certSum[:])
	h.Write([]byte(n.cert.Resources.String()))
	h.Write([]byte(n.expires.UTC().Format(time.RFC3339)))
	var k memoKey
	h.Sum(k.ca[:0])
	k.mft = sha256.Sum256(mftDER)
	return k
}
