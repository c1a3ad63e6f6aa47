package validate

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// TA names the trust anchor a payload came from: an index into a
// process-wide table of names. A VRP then holds no pointer, so the garbage
// collector never scans the 600,000 of a global table, and takes 32 bytes
// instead of 48.
type TA uint16

// taNames is the table behind TA: written under its lock, read without it.
var taNames struct {
	mu    sync.Mutex
	index map[string]TA
	names atomic.Pointer[[]string]
}

// maxTANames bounds the table; names past it share its last entry.
const maxTANames = math.MaxUint16

// overflowTA names the payload of every trust anchor past maxTANames.
const overflowTA = "(too many trust anchors)"

// TAOf returns the TA of a name, adding it to the table when new.
func TAOf(name string) TA {
	taNames.mu.Lock()
	defer taNames.mu.Unlock()
	if t, ok := taNames.index[name]; ok {
		return t
	}
	var names []string
	if p := taNames.names.Load(); p != nil {
		names = *p
	}
	if len(names) == maxTANames {
		return TA(maxTANames - 1)
	}
	if len(names) == maxTANames-1 {
		name = overflowTA
	}
	if taNames.index == nil {
		taNames.index = map[string]TA{}
	}
	t := TA(len(names))
	taNames.index[name] = t
	next := append(names[:len(names):len(names)], name)
	taNames.names.Store(&next)
	return t
}

// String returns the trust anchor's name.
func (t TA) String() string {
	if p := taNames.names.Load(); p != nil && int(t) < len(*p) {
		return (*p)[t]
	}
	return ""
}

// Expiry is an expiry time in Unix seconds, 4 bytes: it saturates at 0
// and at 2106-02-07, a bound no real chain reaches (a CRL's nextUpdate or
// an EE certificate's notAfter is on every chain).
type Expiry uint32

// ExpiryOf converts a time, saturating.
func ExpiryOf(t time.Time) Expiry { return UnixExpiry(t.Unix()) }

// UnixExpiry converts Unix seconds, saturating.
func UnixExpiry(sec int64) Expiry { return Expiry(min(max(sec, 0), math.MaxUint32)) }

// Time returns the expiry as a time.
func (e Expiry) Time() time.Time { return time.Unix(int64(e), 0) }
