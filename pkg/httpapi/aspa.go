package httpapi

import (
	"slices"

	"github.com/openrpki/validator/pkg/payload"
)

// ASPA-based AS_PATH verification, after draft-ietf-sidrops-aspa-verification
// revision -17 (29 February 2024, the revision checked while writing this;
// the hop check and the up-ramp/down-ramp procedures below are its
// "Hop-Check Function" and its algorithms for upstream and downstream
// paths). Paths are given as they appear in BGP: the first AS is the
// neighbor that sent the route (the draft's AS(N)), the last the origin
// (AS(1)).

// ASPA verification outcomes.
const (
	ASPAValid   = "valid"
	ASPAInvalid = "invalid"
	ASPAUnknown = "unknown"
)

// Hop check results: whether AS y is attested as a provider of AS x.
const (
	hopNoAttestation = "no-attestation"
	hopProvider      = "provider+"
	hopNotProvider   = "not-provider+"
)

// aspaIndex maps a customer AS to its sorted provider set. Records of the
// same customer (from several TAs) are merged, as rpki-client does.
type aspaIndex map[uint32][]uint32

func newASPAIndex(t *payload.Table) aspaIndex {
	ix := aspaIndex{}
	if t == nil {
		return ix
	}
	for _, a := range t.ASPAs {
		ix[a.Customer] = append(ix[a.Customer], a.Providers...)
	}
	for c, p := range ix {
		slices.Sort(p)
		ix[c] = slices.Compact(p)
	}
	return ix
}

// hop is the draft's hop check authorized(x, y): "no-attestation" when x
// has no ASPA, "provider+" when y is in x's provider set, else
// "not-provider+".
func (ix aspaIndex) hop(x, y uint32) string {
	p, ok := ix[x]
	if !ok {
		return hopNoAttestation
	}
	if _, found := slices.BinarySearch(p, y); found {
		return hopProvider
	}
	return hopNotProvider
}

// ramps are the four ramp lengths of the downstream procedure over a
// path of n ASes, indexed origin first.
type ramps struct {
	maxUp, minUp, maxDown, minDown int
}

// computeRamps computes the ramps of path as (origin first). The maximum
// up-ramp ends before the first hop AS(i)->AS(i+1) that is not-provider+;
// the minimum up-ramp before the first that is not provider+ (no
// attestation counts against it). The down-ramps are the same from the
// other end, over hops AS(j)->AS(j-1).
func (ix aspaIndex) computeRamps(as []uint32) ramps {
	n := len(as)
	r := ramps{maxUp: n, minUp: n, maxDown: n, minDown: n}
	for i := 0; i+1 < n; i++ {
		h := ix.hop(as[i], as[i+1])
		if h != hopProvider && r.minUp == n {
			r.minUp = i + 1
		}
		if h == hopNotProvider {
			r.maxUp = i + 1
			break
		}
	}
	for j := n - 1; j > 0; j-- {
		h := ix.hop(as[j], as[j-1])
		if h != hopProvider && r.minDown == n {
			r.minDown = n - j
		}
		if h == hopNotProvider {
			r.maxDown = n - j
			break
		}
	}
	return r
}

// verifyUpstream applies the upstream procedure (routes from customers,
// lateral peers and route server clients) to a collapsed path, origin
// first: every hop must go up, from customer to attested provider.
func (ix aspaIndex) verifyUpstream(as []uint32) string {
	if len(as) <= 1 {
		return ASPAValid
	}
	r := ix.computeRamps(as)
	switch {
	case r.maxUp < len(as):
		return ASPAInvalid
	case r.minUp < len(as):
		return ASPAUnknown
	}
	return ASPAValid
}

// verifyDownstream applies the downstream procedure (routes from
// providers) to a collapsed path, origin first: it must be an up-ramp
// followed by a down-ramp, with at most one lateral hop between them.
func (ix aspaIndex) verifyDownstream(as []uint32) string {
	n := len(as)
	if n <= 2 {
		return ASPAValid
	}
	r := ix.computeRamps(as)
	switch {
	case r.maxUp+r.maxDown < n:
		return ASPAInvalid
	case r.minUp+r.minDown < n:
		return ASPAUnknown
	}
	return ASPAValid
}

// collapse removes prepends (repeated neighbours), as the draft requires
// before the procedures run.
func collapse(as []uint32) []uint32 {
	return slices.Compact(slices.Clone(as))
}

// originFirst returns the BGP-order path (neighbor first) reversed.
func originFirst(bgp []uint32) []uint32 {
	out := slices.Clone(bgp)
	slices.Reverse(out)
	return out
}
