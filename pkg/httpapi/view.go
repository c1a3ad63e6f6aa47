package httpapi

import (
	"sync"
	"weak"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/state"
)

// View is what the API derives from one served table, computed lazily on
// first use: the validity and ASPA indexes, and the number its ETags carry.
// The API keeps the view of the table it served last (one entry: memory
// stays bounded by one table's indexes); a confirmed but unchanged run
// publishes the same table, so its view stands. The output formats keep
// nothing: they are streamed from the table per request (data.go).
type View struct {
	// table is the (SLURM-applied) payload the view is of, held weakly:
	// the API keeps its last view until a request comes with a newer
	// table, and the one it served must not stay alive meanwhile (30 MB
	// at global scale). Requests pass the table along with its state.
	table weak.Pointer[payload.Table]
	// gen numbers the views of this API: it tells two tables apart in
	// ETags even when their build time and serial are the same (a SLURM
	// reload).
	gen uint64

	vrps     payload.Rebuilt[vrpIndex]
	aspaOnce sync.Once
	aspas    aspaIndex
}

// vrpIndex returns the validity index of st, the state v is the view of:
// built on first use from its RTR snapshot (its VRPs sorted and
// deduplicated, shared, not copied), and held weakly, as that snapshot
// is: the 14 MB of VRPs of a global table stay in memory while validity is
// being asked, not for the table's whole life.
func (v *View) vrpIndex(st *state.State) *vrpIndex {
	return v.vrps.Get(func() *vrpIndex {
		if st.RTR != nil {
			if snap := st.RTR.Snapshot(); snap != nil {
				return indexOfSnapshot(snap)
			}
		}
		return newVRPIndex(st.Table)
	})
}

// aspaIndex returns the customer-to-providers map of t, the table v is
// the view of, built on first use.
func (v *View) aspaIndex(t *payload.Table) aspaIndex {
	v.aspaOnce.Do(func() { v.aspas = newASPAIndex(t) })
	return v.aspas
}

// viewOf returns the view of the table of st: the one kept when it is of
// that table, else a new one, kept in its place.
func (a *api) viewOf(st *state.State) *View {
	t := st.Table
	cur := a.view.Load()
	if cur != nil && cur.table.Value() == t {
		return cur
	}
	v := &View{table: weak.Make(t), gen: a.views.Add(1)}
	if a.view.CompareAndSwap(cur, v) {
		return v
	}
	if cur = a.view.Load(); cur != nil && cur.table.Value() == t {
		return cur // another request built it first
	}
	return v
}
