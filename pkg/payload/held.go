package payload

import "sync"

// heldSnapshot is a State's snapshot, held strongly, or weakly with the
// means to build it again. A daemon's table holds the same payload, and
// routers ask for the whole snapshot only when they connect or fall
// behind the history: holding it weakly saves a second copy of every VRP
// (14 MB at 600,000 VRPs) between those moments.
type heldSnapshot struct {
	strong  *Snapshot
	dropped []DroppedASPA

	mu      sync.Mutex       // guards rebuild, which adopt replaces
	rebuild func() *Snapshot // nil when strong
	weak    Rebuilt[Snapshot]
}

func holdStrongly(s *Snapshot) *heldSnapshot {
	return &heldSnapshot{strong: s, dropped: s.DroppedASPAs}
}

// holdWeakly holds s until the collector takes it; rebuild must return a
// snapshot equal to s.
func holdWeakly(s *Snapshot, rebuild func() *Snapshot) *heldSnapshot {
	h := &heldSnapshot{rebuild: rebuild, dropped: s.DroppedASPAs}
	h.weak.Hold(s)
	return h
}

func (h *heldSnapshot) get() *Snapshot {
	if h.strong != nil {
		return h.strong
	}
	h.mu.Lock()
	rebuild := h.rebuild
	h.mu.Unlock()
	return h.weak.Get(rebuild)
}

// adopt takes the source of o, a snapshot equal to h's published since
// (the same payload from a new table): h's own source, the table before,
// is then no longer kept alive by h, nor by what was derived from h (RTR
// encodings), which stays valid. A strong h holds no source to let go.
func (h *heldSnapshot) adopt(o *heldSnapshot) {
	if h.strong != nil || o.strong != nil {
		return
	}
	h.mu.Lock()
	h.rebuild = o.rebuild
	h.mu.Unlock()
	if s := o.weak.Value(); s != nil {
		h.weak.Hold(s)
	}
}
