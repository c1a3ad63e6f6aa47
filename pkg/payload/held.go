package payload

import (
	"sync"
	"weak"
)

// heldSnapshot is a State's snapshot, held strongly, or weakly with the
// means to build it again. A daemon's table holds the same payload, and
// routers ask for the whole snapshot only when they connect or fall
// behind the history: holding it weakly saves a second copy of every VRP
// (14 MB at 600,000 VRPs) between those moments.
type heldSnapshot struct {
	strong  *Snapshot
	rebuild func() *Snapshot // nil when strong
	dropped []DroppedASPA

	mu   sync.Mutex
	weak weak.Pointer[Snapshot]
}

func holdStrongly(s *Snapshot) *heldSnapshot {
	return &heldSnapshot{strong: s, dropped: s.DroppedASPAs}
}

// holdWeakly holds s until the collector takes it; rebuild must return a
// snapshot equal to s.
func holdWeakly(s *Snapshot, rebuild func() *Snapshot) *heldSnapshot {
	return &heldSnapshot{rebuild: rebuild, dropped: s.DroppedASPAs, weak: weak.Make(s)}
}

func (h *heldSnapshot) get() *Snapshot {
	if h.strong != nil {
		return h.strong
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.weak.Value(); s != nil {
		return s
	}
	s := h.rebuild()
	h.weak = weak.Make(s)
	return s
}
