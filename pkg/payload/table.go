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
func (t *Table) SortKeeping(merged *[]VRPInfo) { t.SortKeepingFrom(0, merged) }

// SortKeepingFrom is SortKeeping for a table whose first inOrder VRPs are
// sorted already (those a poll carries over from the last sorted table):
// it sorts the rest and merges it in, in linear time. A poll that changed
// one point sorted 600,000 VRPs again, 0.2 CPU-s between the publication
// and the routers.
func (t *Table) SortKeepingFrom(inOrder int, merged *[]VRPInfo) {
	compare := func(a, b VRPInfo) int { return t.thenByTA(CompareVRP(a.VRP, b.VRP), a.TA, b.TA) }
	sortAfter(t.VRPs, inOrder, compare)
	t.VRPs = mergeEqual(t.VRPs, compare, merged)
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

// sortMerge sorts in by compare and merges equal neighbours (mergeEqual).
func sortMerge[T any, P interface {
	*T
	info() *Info
}](in []T, compare func(a, b T) int, merged *[]T) []T {
	slices.SortFunc(in, compare)
	return mergeEqual[T, P](in, compare, merged)
}

// sortAfter sorts in, whose first inOrder items are sorted already: it
// sorts a copy of the rest and merges it in from the back, in place. A
// prefix out of order (which callers rule out) or a rest as long as the
// prefix falls back to sorting the whole.
func sortAfter[T any](in []T, inOrder int, compare func(a, b T) int) {
	if inOrder <= 0 || inOrder > len(in) || len(in)-inOrder > inOrder || !slices.IsSortedFunc(in[:inOrder], compare) {
		slices.SortFunc(in, compare)
		return
	}
	rest := slices.Clone(in[inOrder:])
	slices.SortFunc(rest, compare)
	i, j := inOrder-1, len(rest)-1
	for w := len(in) - 1; j >= 0; w-- {
		if i >= 0 && compare(in[i], rest[j]) > 0 {
			in[w] = in[i]
			i--
		} else {
			in[w] = rest[j]
			j--
		}
	}
}

// mergeEqual merges the equal neighbours of sorted items, keeping the
// provenance of the later expiry; what it merges away goes to merged when
// that is not nil.
func mergeEqual[T any, P interface {
	*T
	info() *Info
}](in []T, compare func(a, b T) int, merged *[]T) []T {
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
