package httpapi

import (
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/validate"
)

// View is the immutable value the API serves: the output of one
// validation run as the daemon publishes it. Build it with a composite
// literal, publish a pointer, and never change it afterwards; the unexported
// fields cache what is derived from it, computed once on first use.
type View struct {
	// Table is the (SLURM-applied) payload served by the data endpoints
	// and used for validity and ASPA checks.
	Table *output.Table
	// Result is the run's report (TAs, publication points, rejected
	// objects, counts); it may be nil when the view comes from a file.
	Result *validate.Result
	// Serial is the RTR serial of this payload.
	Serial uint32
	// Updated is when this payload was published.
	Updated time.Time

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
	v.encOnce[i].Do(func() { v.enc[i] = encode(formatNames[i], v) })
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

// Prepare computes everything the requests would compute lazily: every
// format encoded and gzipped, and the validity and ASPA indexes. The
// daemon may call it before publishing the view, so that no request waits
// for the encoding (about a second per format at 600k VRPs), at the cost
// of memory for formats nobody asks for.
func (v *View) Prepare() {
	for i := range formatNames {
		v.encodedFormat(i)
	}
	v.vrpIndex()
	v.aspaIndex()
}

// PerTA counts the view's VRPs and ASPAs per trust anchor, as served
// (after SLURM), for metrics.Published. It walks the table: call it once
// per publication, not per request.
func (v *View) PerTA() (vrps, aspas map[string]int) {
	vrps, aspas = map[string]int{}, map[string]int{}
	if v.Table == nil {
		return vrps, aspas
	}
	byTA := map[validate.TA]int{}
	for _, x := range v.Table.VRPs {
		byTA[x.TA]++
	}
	for ta, n := range byTA {
		vrps[ta.String()] += n
	}
	clear(byTA)
	for _, x := range v.Table.ASPAs {
		byTA[x.TA]++
	}
	for ta, n := range byTA {
		aspas[ta.String()] += n
	}
	if v.Result != nil {
		// A TA that yields nothing still gets its zero, which is what the
		// "TA with zero VRPs" alert looks for.
		for _, ta := range v.Result.TAs {
			vrps[ta.Name] += 0
			aspas[ta.Name] += 0
		}
	}
	return vrps, aspas
}

// PubPointCounts counts a run's publication points by outcome ("fresh",
// "cached", "failed"), for metrics.RunDone.
func PubPointCounts(res *validate.Result) map[string]int {
	out := map[string]int{}
	if res == nil {
		return out
	}
	for _, p := range res.PubPoints {
		out[p.Outcome]++
	}
	return out
}
