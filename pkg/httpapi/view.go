package httpapi

import (
	"sync"

	"github.com/openrpki/validator/pkg/payload"
)

// View is what the API derives from one served table, computed lazily,
// once per table, on first use: the encoded formats and the validity and
// ASPA indexes. The API keeps the view of the table it served last (one
// entry: memory stays bounded by one table's derivations); a confirmed
// but unchanged run publishes the same table, so its view and encodings
// stand.
type View struct {
	// Table is the (SLURM-applied) payload served by the data endpoints
	// and used for validity and ASPA checks.
	Table *payload.Table

	encOnce  [numFormats]sync.Once
	enc      [numFormats]*encoded
	vrpOnce  sync.Once
	vrps     *vrpIndex
	aspaOnce sync.Once
	aspas    aspaIndex
}

// encodedFormat returns the encoded output of format i, encoding it on
// first use. Concurrent first callers wait for the one encoding.
func (v *View) encodedFormat(i int) *encoded {
	v.encOnce[i].Do(func() { v.enc[i] = encode(formatNames[i], v.Table) })
	return v.enc[i]
}

// vrpIndex returns the validity index, building it on first use.
func (v *View) vrpIndex() *vrpIndex {
	v.vrpOnce.Do(func() { v.vrps = newVRPIndex(v.Table) })
	return v.vrps
}

// aspaIndex returns the customer-to-providers map, built on first use.
func (v *View) aspaIndex() aspaIndex {
	v.aspaOnce.Do(func() { v.aspas = newASPAIndex(v.Table) })
	return v.aspas
}

// viewOf returns the view of table t: the one kept when it is of t, else a
// new one, kept in its place.
func (a *api) viewOf(t *payload.Table) *View {
	cur := a.view.Load()
	if cur != nil && cur.Table == t {
		return cur
	}
	v := &View{Table: t}
	if a.view.CompareAndSwap(cur, v) {
		return v
	}
	if cur = a.view.Load(); cur != nil && cur.Table == t {
		return cur // another request built it first
	}
	return v
}
