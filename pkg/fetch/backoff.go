package fetch

import (
	"errors"
	"sync"
	"time"
)

// ErrBackoff marks a fetch skipped because the repository failed recently.
var ErrBackoff = errors.New("fetch: repository in backoff after failures")

// health is what the scheduler remembers about one transport endpoint
// across runs.
type health struct {
	failures    int
	nextTry     time.Time
	lastSuccess time.Time
}

// healthBook holds the health of every endpoint, keyed by transport and URI.
type healthBook struct {
	mu   sync.Mutex
	m    map[string]*health
	base time.Duration
	max  time.Duration
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

// succeeded records a success at now.
func (b *healthBook) succeeded(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.entry(key)
	h.failures, h.nextTry, h.lastSuccess = 0, time.Time{}, now
}

// failed records a failure at now and schedules the next try after an
// exponential backoff: base, 2·base, 4·base… capped at max.
func (b *healthBook) failed(key string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.entry(key)
	h.failures++
	d := b.base << min(h.failures-1, 20)
	if d > b.max || d <= 0 {
		d = b.max
	}
	h.nextTry = now.Add(d)
}

// seedSuccess sets the last success from persisted state if none is known.
func (b *healthBook) seedSuccess(key string, t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h := b.entry(key); h.lastSuccess.IsZero() {
		h.lastSuccess = t
	}
}
