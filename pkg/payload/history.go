package payload

import (
	"sync"
	"sync/atomic"
	"time"
)

// State is one published, immutable view of the payload: the current
// snapshot, its serial, and the deltas that lead to it. Readers get it with
// History.Load and use it without locks; nothing in it is ever modified.
type State struct {
	// Serial is the serial of the snapshot (RFC 8210 §5.1 Serial Number,
	// RFC 1982 arithmetic: it wraps).
	Serial uint32
	// Deltas holds the last deltas, oldest first; the last one ends at
	// Serial. Deltas[i].To == Deltas[i+1].From.
	Deltas []*Delta
	// Updated is when the data was last confirmed by a validation run,
	// changed or not. Servers use it to stop serving stale data.
	Updated time.Time

	snap *heldSnapshot
}

// NewState returns a State of snap at serial, holding snap strongly.
func NewState(serial uint32, snap *Snapshot) *State {
	return &State{Serial: serial, snap: holdStrongly(snap)}
}

// Snapshot returns the current table. One published with PublishWeakly is
// built again when the collector took it: keep the result while using it.
func (s *State) Snapshot() *Snapshot {
	if s.snap == nil {
		return nil
	}
	return s.snap.get()
}

// SameSnapshot reports whether s and o hold the very same snapshot (not
// only equal ones): what was derived from one serves the other.
func (s *State) SameSnapshot(o *State) bool { return s.snap == o.snap }

// DroppedASPAs is the snapshot's DroppedASPAs, without building it again.
func (s *State) DroppedASPAs() []DroppedASPA {
	if s.snap == nil {
		return nil
	}
	return s.snap.dropped
}

// Delta returns the delta from serial to s.Serial, merging the stored
// deltas. It returns ok=false when serial is older than the history (the
// caller must then send Cache Reset, RFC 8210 §8.4). For serial ==
// s.Serial it returns an empty delta.
func (s *State) Delta(serial uint32) (d *Delta, ok bool) {
	if serial == s.Serial {
		return &Delta{From: serial, To: serial}, true
	}
	for i := len(s.Deltas) - 1; i >= 0; i-- {
		if s.Deltas[i].From != serial {
			continue
		}
		d = s.Deltas[i]
		for _, next := range s.Deltas[i+1:] {
			d = Merge(d, next)
		}
		return d, true
	}
	return nil, false
}

// History keeps the current State and publishes a new one for each
// snapshot. Publish must be called by one writer at a time (it is guarded
// by a mutex so a mistake costs latency, not correctness); Load may be
// called by any number of goroutines and never blocks.
type History struct {
	limit int
	mu    sync.Mutex // serialises writers only
	cur   atomic.Pointer[State]
}

// NewHistory returns an empty History keeping up to limit deltas
// (DefaultHistory if limit <= 0, at most MaxHistory).
func NewHistory(limit int) *History {
	if limit <= 0 {
		limit = DefaultHistory
	}
	limit = min(limit, MaxHistory)
	return &History{limit: limit}
}

// Load returns the current State, or nil before the first Publish.
func (h *History) Load() *State {
	return h.cur.Load()
}

// Publish makes snap the current table. If it differs from the current
// one, the serial is incremented and the delta recorded (dropping the
// oldest beyond the limit); if it is identical, only Updated moves, so
// routers are not woken for nothing (unlike StayRTR, which bumps the serial
// on every refresh). It returns the new State and whether the data changed.
func (h *History) Publish(snap *Snapshot, now time.Time) (*State, bool) {
	return h.publish(snap, holdStrongly(snap), now)
}

// PublishWeakly is Publish, the State holding snap weakly: the collector
// may take it when no reader holds it, and State.Snapshot then calls
// rebuild, which must return a snapshot equal to snap (from the table it
// was made of, say).
func (h *History) PublishWeakly(snap *Snapshot, rebuild func() *Snapshot, now time.Time) (*State, bool) {
	return h.publish(snap, holdWeakly(snap, rebuild), now)
}

// publish makes snap, held by held, the current table. The served
// snapshot takes up the source of an unchanged one, so that the table it
// was built from is not kept alive beside the new one.
func (h *History) publish(snap *Snapshot, held *heldSnapshot, now time.Time) (*State, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	prev := h.cur.Load()
	if prev == nil {
		st := &State{Serial: 0, snap: held, Updated: now}
		h.cur.Store(st)
		return st, true
	}
	d := Construct(prev.Snapshot(), snap)
	if d.Empty() {
		prev.snap.adopt(held)
		st := *prev
		st.Updated = now
		h.cur.Store(&st)
		return &st, false
	}
	d.From, d.To = prev.Serial, prev.Serial+1
	deltas := append(make([]*Delta, 0, min(len(prev.Deltas)+1, h.limit)), tail(prev.Deltas, h.limit-1)...)
	st := &State{Serial: d.To, snap: held, Deltas: append(deltas, d), Updated: now}
	h.cur.Store(st)
	return st, true
}

// tail returns the last n elements of s.
func tail[T any](s []T, n int) []T {
	if n <= 0 {
		return nil
	}
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// Confirm records that the current table was confirmed at now without
// comparing a new one (the caller knows it is unchanged): only Updated
// moves. It returns the new State, or nil before the first Publish.
func (h *History) Confirm(now time.Time) *State {
	h.mu.Lock()
	defer h.mu.Unlock()
	prev := h.cur.Load()
	if prev == nil {
		return nil
	}
	st := *prev
	st.Updated = now
	h.cur.Store(&st)
	return &st
}
