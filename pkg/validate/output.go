package validate

import (
	"cmp"
	"slices"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// VRP is a validated ROA payload with its provenance.
type VRP struct {
	payload.VRP
	// TA is the trust anchor (its TAL file name).
	TA TA
	// Expires is the earliest notAfter or CRL nextUpdate on its chain (4
	// bytes where a time.Time takes 24: a global table has 600,000 VRPs).
	Expires Expiry
}

// ASPA is a validated ASPA with its provenance.
type ASPA struct {
	payload.ASPA
	TA      TA
	Expires Expiry
}

// RouterKey is a validated BGPsec router key with its provenance.
type RouterKey struct {
	payload.RouterKey
	TA      TA
	Expires Expiry
}

// TAReport is the outcome of one trust anchor.
type TAReport struct {
	Name string `json:"name"`
	// From is the URI the certificate came from ("cache" when none
	// answered and the kept copy was used).
	From  string `json:"from,omitempty"`
	Error string `json:"error,omitempty"`
	// CAs, VRPs, ASPAs and RouterKeys count what was found below it.
	CAs        int `json:"cas"`
	VRPs       int `json:"vrps"`
	ASPAs      int `json:"aspas"`
	RouterKeys int `json:"router_keys"`
}

// PubPointReport is the outcome of one publication point.
type PubPointReport struct {
	URI string `json:"uri"`
	// Outcome is "fresh" (the fetched copy validated), "cached" (the last
	// validated copy was used) or "failed" (neither was usable).
	Outcome string `json:"outcome"`
	// Reason says why the fetched copy was not used, if it was not.
	Reason string `json:"reason,omitempty"`
}

// ObjectReport is one rejected object.
type ObjectReport struct {
	URI    string `json:"uri"`
	Type   string `json:"type"`
	Class  string `json:"class"`
	Reason string `json:"reason"`
}

// Result is the output of one validation run, sorted.
type Result struct {
	Start, End time.Time
	VRPs       []VRP
	ASPAs      []ASPA
	RouterKeys []RouterKey
	TAs        []TAReport
	PubPoints  []PubPointReport
	Rejected   []ObjectReport
	// Objects counts objects by type and verdict ("valid" or the class
	// of the rejection).
	Objects map[string]map[string]int
	// Reused counts the publication points found unchanged since the
	// previous run of the engine, whose output was reused without
	// checking a signature.
	Reused int
	// Unchanged is set when every publication point was reused and none
	// is missing: the payload is the previous run's, the very slices.
	Unchanged bool
}

// Set returns the payload of the result, for SLURM and the RTR table.
func (r *Result) Set() payload.Set { return PayloadSet(r.VRPs, r.ASPAs, r.RouterKeys) }

// PayloadSet strips the provenance off annotated payload.
func PayloadSet(vrps []VRP, aspas []ASPA, keys []RouterKey) payload.Set {
	s := payload.Set{VRPs: make([]payload.VRP, 0, len(vrps)), ASPAs: make([]payload.ASPA, 0, len(aspas)),
		RouterKeys: make([]payload.RouterKey, 0, len(keys))}
	for _, v := range vrps {
		s.VRPs = append(s.VRPs, v.VRP)
	}
	for _, a := range aspas {
		s.ASPAs = append(s.ASPAs, a.ASPA)
	}
	for _, k := range keys {
		s.RouterKeys = append(s.RouterKeys, k.RouterKey)
	}
	return s
}

// sort puts every list in a fixed order and merges duplicate payload (the
// same VRP from the same TA via two paths), keeping the later expiry.
func (r *Result) sort() {
	r.sortPayload()
	r.sortReports()
}

// samePayloadAs takes the payload of last, which this run found unchanged,
// instead of sorting the same again.
func (r *Result) samePayloadAs(last *Result) {
	r.VRPs, r.ASPAs, r.RouterKeys = last.VRPs, last.ASPAs, last.RouterKeys
	r.Unchanged = true
	r.sortReports()
}

func (r *Result) sortPayload() {
	r.VRPs = sortDedup(r.VRPs, func(a, b VRP) int {
		return thenByTA(payload.CompareVRP(a.VRP, b.VRP), a.TA, b.TA)
	})
	r.ASPAs = sortDedup(r.ASPAs, func(a, b ASPA) int {
		return thenByTA(payload.CompareASPA(a.ASPA, b.ASPA), a.TA, b.TA)
	})
	r.RouterKeys = sortDedup(r.RouterKeys, func(a, b RouterKey) int {
		return thenByTA(payload.CompareRouterKey(a.RouterKey, b.RouterKey), a.TA, b.TA)
	})
}

// thenByTA breaks a tie c of payload by trust anchor name (not by TA
// number, which depends on the order names were first seen).
func thenByTA(c int, a, b TA) int {
	if c != 0 || a == b {
		return c
	}
	return cmp.Compare(a.String(), b.String())
}

func (r *Result) sortReports() {
	slices.SortFunc(r.TAs, func(a, b TAReport) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(r.PubPoints, func(a, b PubPointReport) int { return cmp.Compare(a.URI, b.URI) })
	slices.SortFunc(r.Rejected, func(a, b ObjectReport) int {
		return cmp.Or(cmp.Compare(a.URI, b.URI), cmp.Compare(a.Reason, b.Reason))
	})
}

func (v *VRP) expiry() *Expiry       { return &v.Expires }
func (a *ASPA) expiry() *Expiry      { return &a.Expires }
func (k *RouterKey) expiry() *Expiry { return &k.Expires }

// sortDedup sorts in by compare and merges equal neighbours, keeping the
// later expiry.
func sortDedup[T any, P interface {
	*T
	expiry() *Expiry
}](in []T, compare func(a, b T) int) []T {
	slices.SortFunc(in, compare)
	out := in[:0]
	for _, x := range in {
		if n := len(out); n > 0 && compare(out[n-1], x) == 0 {
			last := P(&out[n-1]).expiry()
			*last = max(*last, *P(&x).expiry())
			continue
		}
		out = append(out, x)
	}
	return out
}

func earlierOf(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
