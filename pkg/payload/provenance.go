package payload

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// TA names the trust anchor a payload item came from: an index into a
// TANames table. An annotated VRP then holds no pointer, so the garbage
// collector never scans the 600,000 of a global table.
type TA uint16

// TANames is the table behind TA: append-only, written under its lock and
// read without it. The engine keeps one for its lifetime, so a trust anchor
// keeps its number from run to run; a table read from a file has its own.
type TANames struct {
	mu    sync.Mutex
	index map[string]TA
	names atomic.Pointer[[]string]
}

// maxTANames bounds a table; names past it share its last entry.
const maxTANames = math.MaxUint16

// overflowTA names the payload of every trust anchor past maxTANames.
const overflowTA = "(too many trust anchors)"

// NewTANames returns an empty table.
func NewTANames() *TANames { return &TANames{index: map[string]TA{}} }

// Of returns the TA of a name, adding it to the table when new.
func (t *TANames) Of(name string) TA {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ta, ok := t.index[name]; ok {
		return ta
	}
	names := t.list()
	if len(names) == maxTANames {
		return TA(maxTANames - 1)
	}
	if len(names) == maxTANames-1 {
		name = overflowTA
	}
	ta := TA(len(names))
	t.index[name] = ta
	next := append(names[:len(names):len(names)], name)
	t.names.Store(&next)
	return ta
}

// Name returns the name of ta, or "" when the table has no such entry.
func (t *TANames) Name(ta TA) string {
	if names := t.list(); int(ta) < len(names) {
		return names[ta]
	}
	return ""
}

func (t *TANames) list() []string {
	if t == nil {
		return nil
	}
	if p := t.names.Load(); p != nil {
		return *p
	}
	return nil
}

// Expiry is an expiry time in Unix seconds, 4 bytes: it saturates at 0
// and at 2106-02-07, a bound no real chain reaches (a CRL's nextUpdate or
// an EE certificate's notAfter is on every chain). Zero means "never"
// (local assertions).
type Expiry uint32

// ExpiryOf converts a time, saturating.
func ExpiryOf(t time.Time) Expiry { return UnixExpiry(t.Unix()) }

// UnixExpiry converts Unix seconds, saturating.
func UnixExpiry(sec int64) Expiry { return Expiry(min(max(sec, 0), math.MaxUint32)) }

// Time returns the expiry as a time.
func (e Expiry) Time() time.Time { return time.Unix(int64(e), 0) }

// Info is the provenance of one payload item: its trust anchor, the
// earliest expiry on its chain (notAfter and CRL nextUpdate from the TA
// down to the object), and the signed object it came from.
type Info struct {
	TA      TA
	Expires Expiry
	// Object is 1 + the index of the object in the table's
	// Sources.Objects; 0 when unknown (read from a file) or local (SLURM).
	Object uint32
}

// LocalTA is the trust anchor name of locally asserted payload (SLURM,
// RFC 8416 §3.4): such items have no source object and no expiry, and
// the output formats print them as Routinator prints its exceptions.
const LocalTA = "slurm"

// Source returns the index of the item's object in Sources.Objects.
func (i Info) Source() (int, bool) { return int(i.Object) - 1, i.Object != 0 }

// VRPInfo is a VRP with its provenance (36 bytes, pointer-free).
type VRPInfo struct {
	VRP
	Info
}

// ASPAInfo is an ASPA record with its provenance.
type ASPAInfo struct {
	ASPA
	Info
}

// KeyInfo is a router key with its provenance.
type KeyInfo struct {
	RouterKey
	Info
}
