package httpapi

import (
	"sync"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/state"
)

// View is what the API derives from one served table, computed lazily,
// once per table, on first use: the validity and ASPA indexes. The API
// keeps the view of the table it served last (one entry: memory stays
// bounded by one table's indexes); a confirmed but unchanged run
// publishes the same table, so its view stands. The output formats keep
// nothing: they are streamed from the table per request (data.go).
type View struct {
	// Table is the (SLURM-applied) payload served by the data endpoints
	// and used for validity and ASPA checks.
	Table *payload.Table
	// RTR is the RTR state published with Table, whose snapshot (its VRPs
	// sorted and deduplicated) the validity index shares; nil when none.
	// Taking the snapshot when the index is first built, not before,
	// leaves it to the collector until someone checks validity.
	RTR *payload.State
	// gen numbers the views of this API: it tells two tables apart in
	// ETags even when their build time and serial are the same (a SLURM
	// reload).
	gen uint64

	vrpOnce  sync.Once
	vrps     *vrpIndex
	aspaOnce sync.Once
	aspas    aspaIndex
}

// vrpIndex returns the validity index, building it on first use.
func (v *View) vrpIndex() *vrpIndex {
	v.vrpOnce.Do(func() {
		var snap *payload.Snapshot
		if v.RTR != nil {
			snap = v.RTR.Snapshot()
		}
		if snap != nil {
			v.vrps = indexOfSnapshot(snap)
		} else {
			v.vrps = newVRPIndex(v.Table)
		}
	})
	return v.vrps
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
