package httpapi

import (
	"sync"
	"weak"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/state"
)

// View is what the API derives from one served table, computed lazily on
// first use: the validity and ASPA indexes. The API keeps the view of the
// table it served last (one entry: memory stays bounded by one table's
// indexes); a confirmed but unchanged run publishes the same table, so its
// view stands. The output formats keep nothing: they are streamed from the
// table per request (data.go).
type View struct {
	// Table is the (SLURM-applied) payload served by the data endpoints
	// and used for validity and ASPA checks.
	Table *payload.Table
	// RTR is the RTR state published with Table, whose snapshot (its VRPs
	// sorted and deduplicated) the validity index shares; nil when none.
	RTR *payload.State
	// gen numbers the views of this API: it tells two tables apart in
	// ETags even when their build time and serial are the same (a SLURM
	// reload).
	gen uint64

	vrpMu    sync.Mutex
	vrps     weak.Pointer[vrpIndex]
	aspaOnce sync.Once
	aspas    aspaIndex
}

// vrpIndex returns the validity index, built on first use and held
// weakly, as the RTR snapshot it shares is: the 14 MB of VRPs of a global
// table stay in memory while validity is being asked, not for the table's
// whole life.
func (v *View) vrpIndex() *vrpIndex {
	v.vrpMu.Lock()
	defer v.vrpMu.Unlock()
	if ix := v.vrps.Value(); ix != nil {
		return ix
	}
	var snap *payload.Snapshot
	if v.RTR != nil {
		snap = v.RTR.Snapshot()
	}
	var ix *vrpIndex
	if snap != nil {
		ix = indexOfSnapshot(snap)
	} else {
		ix = newVRPIndex(v.Table)
	}
	v.vrps = weak.Make(ix)
	return ix
}

// aspaIndex returns the customer-to-providers map, built on first use.
func (v *View) aspaIndex() aspaIndex {
	v.aspaOnce.Do(func() { v.aspas = newASPAIndex(v.Table) })
	return v.aspas
}

// viewOf returns the view of the table of st: the one kept when it is of
// that table, else a new one, kept in its place.
func (a *api) viewOf(st *state.State) *View {
	t := st.Table
	cur := a.view.Load()
	if cur != nil && cur.Table == t {
		return cur
	}
	v := &View{Table: t, RTR: st.RTR, gen: a.views.Add(1)}
	if a.view.CompareAndSwap(cur, v) {
		return v
	}
	if cur = a.view.Load(); cur != nil && cur.Table == t {
		return cur // another request built it first
	}
	return v
}
