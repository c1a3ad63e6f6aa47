package payload

import (
	"cmp"
	"slices"
	"time"
)

// Table is the payload of a validation run with its provenance: what the
// output formats print, what the HTTP API explains, and what the RTR
// snapshot is built from (Set). It is immutable once built: every reader
// shares its slices.
type Table struct {
	// BuildTime is when the run that produced the table ended.
	BuildTime time.Time
	// VRPs, ASPAs and RouterKeys are sorted (see Sort) and hold each item
	// once per trust anchor.
	VRPs       []VRPInfo
	ASPAs      []ASPAInfo
	RouterKeys []KeyInfo
	// TAs names the trust anchors of the items' Info.TA.
	TAs *TANames
	// Sources lists the signed objects and CAs the items came from; nil
	// when unknown (a table read back from a file).
	Sources *Sources
}

// TAName returns the name of trust anchor ta.
func (t *Table) TAName(ta TA) string { return t.TAs.Name(ta) }

// Set strips the provenance off the payload.
func (t *Table) Set() Set {
	s := t.setWithoutVRPs()
	s.VRPs = make([]VRP, 0, len(t.VRPs))
	for _, v := range t.VRPs {
		s.VRPs = append(s.VRPs, v.VRP)
	}
	return s
}

// setWithoutVRPs is Set without the VRPs, which Snapshot takes apart.
func (t *Table) setWithoutVRPs() Set {
	s := Set{ASPAs: make([]ASPA, 0, len(t.ASPAs)), RouterKeys: make([]RouterKey, 0, len(t.RouterKeys))}
	for _, a := range t.ASPAs {
		s.ASPAs = append(s.ASPAs, a.ASPA)
	}
	for _, k := range t.RouterKeys {
		s.RouterKeys = append(s.RouterKeys, k.RouterKey)
	}
	return s
}

// Snapshot returns the table's payload as an RTR snapshot: what
// NewSnapshot(t.Set()) returns, with one copy of the VRPs, not two.
func (t *Table) Snapshot() *Snapshot {
	snap := NewSnapshot(t.setWithoutVRPs())
	snap.VRPs = t.distinctVRPs()
	return snap
}

// distinctVRPs returns the table's VRPs sorted, without duplicates. A
// sorted table has equal VRPs of two trust anchors side by side, so it
// takes one pass.
func (t *Table) distinctVRPs() []VRP {
	vrps := make([]VRP, 0, len(t.VRPs))
	for _, v := range t.VRPs {
		if n := len(vrps); n == 0 || vrps[n-1] != v.VRP {
			vrps = append(vrps, v.VRP)
		}
	}
	if !slices.IsSortedFunc(vrps, CompareVRP) {
		vrps = sortDedup(vrps, CompareVRP)
	}
	return vrps
}

// Sort puts the items in a fixed order (payload order, then trust anchor
// name) and merges the same item from the same trust anchor reached by two
// paths, keeping the later expiry and its source.
func (t *Table) Sort() { t.SortKeeping(nil) }

// SortKeeping is Sort, appending to merged (when not nil) the VRPs it
// merged away: a table built from the last one needs them back when the
// object whose VRP was kept changes.
func (t *Table) SortKeeping(merged *[]VRPInfo) {
	t.VRPs = sortMerge(t.VRPs, func(a, b VRPInfo) int {
		return t.thenByTA(CompareVRP(a.VRP, b.VRP), a.TA, b.TA)
	}, merged)
	t.ASPAs = sortMerge(t.ASPAs, func(a, b ASPAInfo) int {
		return t.thenByTA(CompareASPA(a.ASPA, b.ASPA), a.TA, b.TA)
	}, nil)
	t.RouterKeys = sortMerge(t.RouterKeys, func(a, b KeyInfo) int {
		return t.thenByTA(CompareRouterKey(a.RouterKey, b.RouterKey), a.TA, b.TA)
	}, nil)
}

// thenByTA breaks a tie c of payload by trust anchor name (not by number,
// which depends on the order names were first seen).
func (t *Table) thenByTA(c int, a, b TA) int {
	if c != 0 || a == b {
		return c
	}
	return cmp.Compare(t.TAName(a), t.TAName(b))
}

func (v *VRPInfo) info() *Info  { return &v.Info }
func (a *ASPAInfo) info() *Info { return &a.Info }
func (k *KeyInfo) info() *Info  { return &k.Info }

// sortMerge sorts in by compare and merges equal neighbours, keeping the
// provenance of the later expiry; what it merges away goes to merged when
// that is not nil.
func sortMerge[T any, P interface {
	*T
	info() *Info
}](in []T, compare func(a, b T) int, merged *[]T) []T {
	slices.SortFunc(in, compare)
	out := in[:0]
	for _, x := range in {
		if n := len(out); n > 0 && compare(out[n-1], x) == 0 {
			dropped := x
			if last, this := P(&out[n-1]).info(), P(&x).info(); this.Expires > last.Expires {
				dropped = out[n-1]
				*last = *this
			}
			if merged != nil {
				*merged = append(*merged, dropped)
			}
			continue
		}
		out = append(out, x)
	}
	return out
}
