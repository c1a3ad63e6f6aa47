package fetch

import (
	"errors"
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/report"
)

// ErrBackoff marks a fetch skipped because the repository failed recently.
var ErrBackoff = errors.New("fetch: repository in backoff after failures")

// health is what the scheduler remembers about one transport endpoint
// across runs: the backoff state and the last attempt, for the operators.
type health struct {
	failures    int
	nextTry     time.Time
	lastSuccess time.Time
	last        Attempt
	// failure is the error of the last attempt that failed (a skip in
	// backoff is not one): what the operators need while it backs off.
	failure error
}

// healthBook holds the health of every endpoint, keyed by transport and URI.
type healthBook struct {
	mu   sync.Mutex
	m    map[string]*health
	base time.Duration
	max  time.Duration
	now  func() time.Time
}

// get returns a copy of the health of key.
func (b *healthBook) get(key string) health {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h, ok := b.m[key]; ok {
		return *h
	}
	return health{}
}

// entry returns the record of key, creating it; callers hold mu.
func (b *healthBook) entry(key string) *health {
	h, ok := b.m[key]
	if !ok {
		h = &health{}
		b.m[key] = h
	}
	return h
}

// record books one attempt. A success clears the backoff; a transport
// failure schedules the next try after an exponential backoff (base,
// 2·base, 4·base… capped at max). A refusal or a skipped attempt (in
// backoff already) counts as failing without backing off further.
func (b *healthBook) record(key string, a Attempt) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.entry(key)
	if a.Serial == 0 && h.last.Serial != 0 && a.Transport == h.last.Transport {
		a.Serial = h.last.Serial // keep the serial held through failures
	}
	h.last = a
	if a.Outcome == Failed || a.Outcome == Refused {
		h.failure = a.Err
	}
	switch {
	case !a.Failed():
		h.failures, h.nextTry, h.lastSuccess = 0, time.Time{}, b.now()
	case a.Outcome == Failed:
		h.failures++
		d := b.base << min(h.failures-1, 20)
		if d > b.max || d <= 0 {
			d = b.max
		}
		h.nextTry = b.now().Add(d)
	default:
		h.failures = max(h.failures, 1)
	}
}

// seedSuccess sets the last success from persisted state if none is known.
func (b *healthBook) seedSuccess(key string, t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h := b.entry(key); h.lastSuccess.IsZero() {
		h.lastSuccess = t
	}
}

// snapshot returns the health of every endpoint attempted so far.
func (b *healthBook) snapshot() []report.Repository {
	b.mu.Lock()
	out := make([]report.Repository, 0, len(b.m))
	for _, h := range b.m {
		if h.last.URI == "" {
			continue // seeded, never attempted
		}
		r := report.Repository{URI: h.last.URI, Transport: h.last.Transport, Outcome: string(h.last.Outcome),
			Failing: h.last.Failed(), Failures: h.failures, LastAttempt: h.last.Start, LastSuccess: h.lastSuccess,
			LastDuration: h.last.Duration, Bytes: h.last.Bytes, Serial: h.last.Serial, NextTry: h.nextTry}
		if err := h.last.Err; err != nil {
			if h.last.Outcome == Backoff && h.failure != nil {
				err = h.failure // why it backs off, not that it does (NextTry says until when)
			}
			r.LastError = err.Error()
		}
		out = append(out, r)
	}
	b.mu.Unlock()
	report.SortRepositories(out)
	return out
}
