package payload

import (
	"cmp"
	"slices"
	"testing"
)

// FuzzSortKeepingFrom: sorting a table whose first VRPs are in order
// (merging the rest in) gives what sorting the whole gives: the same VRPs
// with the same trust anchors and expiries, and the same VRPs merged away.
// A prefix said to be in order that is not falls back to a whole sort.
func FuzzSortKeepingFrom(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 2, 1, 2, 3, 1, 1, 2, 3, 2, 9, 9, 9}, uint8(3), true)
	f.Add([]byte{2, 5, 0, 1, 2, 4, 0, 1, 18, 4, 0, 1, 8, 1, 2, 3, 12, 1, 1, 1}, uint8(200), true)
	f.Add([]byte{2, 5, 0, 1, 2, 4, 0, 1, 18, 4, 0, 1, 8, 1, 2, 3, 12, 1, 1, 1}, uint8(2), false)
	f.Fuzz(func(t *testing.T, data []byte, prefix uint8, inOrder bool) {
		whole := tableOf(data, false)
		for i := range whole.VRPs {
			whole.VRPs[i].Expires = Expiry(i*7) % 5 // ties and differences
			whole.VRPs[i].Object = uint32(i + 1)
		}
		k := int(prefix) % (len(whole.VRPs) + 1)
		if inOrder {
			slices.SortFunc(whole.VRPs[:k], func(a, b VRPInfo) int {
				return whole.thenByTA(CompareVRP(a.VRP, b.VRP), a.TA, b.TA)
			})
		}
		from := &Table{TAs: whole.TAs, VRPs: slices.Clone(whole.VRPs)}
		var mergedWhole, mergedFrom []VRPInfo
		whole.SortKeeping(&mergedWhole)
		from.SortKeepingFrom(k, &mergedFrom)
		if got, want := vrpKeysOf(from.VRPs, false), vrpKeysOf(whole.VRPs, false); !slices.Equal(got, want) {
			t.Fatalf("from %d: %v, want %v", k, got, want)
		}
		if got, want := vrpKeysOf(mergedFrom, true), vrpKeysOf(mergedWhole, true); !slices.Equal(got, want) {
			t.Fatalf("from %d: merged away %v, want %v", k, got, want)
		}
	})
}

// vrpKey is what two sorts must agree on: which of equal VRPs of equal
// expiry is kept is free.
type vrpKey struct {
	VRP
	TA      TA
	Expires Expiry
}

// vrpKeysOf returns the keys of vs, sorted when asked (a multiset).
func vrpKeysOf(vs []VRPInfo, sorted bool) []vrpKey {
	out := make([]vrpKey, len(vs))
	for i, v := range vs {
		out[i] = vrpKey{v.VRP, v.TA, v.Expires}
	}
	if sorted {
		slices.SortFunc(out, func(a, b vrpKey) int {
			return cmp.Or(CompareVRP(a.VRP, b.VRP), cmp.Compare(a.TA, b.TA), cmp.Compare(a.Expires, b.Expires))
		})
	}
	return out
}
