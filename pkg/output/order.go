package output

import (
	"cmp"
	"iter"
	"slices"

	"github.com/openrpki/validator/pkg/payload"
)

// A table lists VRPs by payload.CompareVRP: per address family, by address,
// then prefix length, maxLength, origin and trust anchor. That is a
// pre-order walk of the prefix tree (a prefix comes before the prefixes
// it covers). Each peer prints another order, derived here while
// streaming, without sorting the table again.

// RoutinatorOrder yields the VRPs of vrps (sorted by payload.CompareVRP,
// items of one VRP adjacent) in Routinator's order, one group of items
// per distinct VRP. Routinator sorts route origins by rpki-rs's Prefix
// ordering (src/resources/addr.rs: IPv4 first; of two prefixes where one
// covers the other, the more specific first; else by address), then
// maxLength and origin (src/rtr/payload.rs, RouteOrigin). That is a
// post-order walk of the prefix tree: a stack of the covering prefixes
// still open (at most 129 deep) turns the table's order into it.
func RoutinatorOrder[T any](vrps []T, vrpOf func(*T) payload.VRP) iter.Seq[[]T] {
	return func(yield func([]T) bool) {
		var open [][2]int // runs of one prefix, each covering the next
		emit := func(run [2]int) bool {
			for i := run[0]; i < run[1]; {
				j := i + 1
				for j < run[1] && vrpOf(&vrps[j]) == vrpOf(&vrps[i]) {
					j++
				}
				if !yield(vrps[i:j]) {
					return false
				}
				i = j
			}
			return true
		}
		for i := 0; i < len(vrps); {
			v := vrpOf(&vrps[i])
			j := i + 1
			for j < len(vrps) && samePrefix(vrpOf(&vrps[j]), v) {
				j++
			}
			for len(open) > 0 && !covers(vrpOf(&vrps[open[len(open)-1][0]]), v) {
				if !emit(open[len(open)-1]) {
					return
				}
				open = open[:len(open)-1]
			}
			open = append(open, [2]int{i, j})
			i = j
		}
		for k := len(open) - 1; k >= 0; k-- {
			if !emit(open[k]) {
				return
			}
		}
	}
}

// samePrefix reports whether a and b have the same prefix.
func samePrefix(a, b payload.VRP) bool {
	return a.V6 == b.V6 && a.Bits == b.Bits && a.Addr == b.Addr
}

// covers reports whether the prefix of a covers (or equals) that of b.
func covers(a, b payload.VRP) bool {
	if a.V6 != b.V6 || a.Bits > b.Bits {
		return false
	}
	full, rest := a.Bits/8, a.Bits%8
	if string(a.Addr[:full]) != string(b.Addr[:full]) {
		return false
	}
	if rest == 0 {
		return true
	}
	mask := byte(0xff) << (8 - rest)
	return a.Addr[full] == b.Addr[full]&mask
}

// rpkiClientVRPs yields the distinct VRPs of vrps in rpki-client's order
// (main.c, vrpcmp: per address, longer prefixes first, then larger
// maxLength first, then origin), each as the item rpki-client keeps of
// duplicates: the latest expiry, the first trust anchor by name on a tie
// (rpki-client keeps the first it read). VRPs of one address are adjacent
// in the table, so only such a run is reordered, in scratch.
func rpkiClientVRPs(vrps []payload.VRPInfo) iter.Seq[payload.VRPInfo] {
	return func(yield func(payload.VRPInfo) bool) {
		var run []payload.VRPInfo
		for i := 0; i < len(vrps); {
			j := i + 1
			for j < len(vrps) && vrps[j].V6 == vrps[i].V6 && vrps[j].Addr == vrps[i].Addr {
				j++
			}
			run = append(run[:0], vrps[i:j]...)
			slices.SortStableFunc(run, func(a, b payload.VRPInfo) int {
				return cmp.Or(cmp.Compare(b.Bits, a.Bits), cmp.Compare(b.MaxLen, a.MaxLen),
					cmp.Compare(a.ASN, b.ASN), cmp.Compare(b.Expires, a.Expires))
			})
			for k, v := range run {
				if k > 0 && run[k-1].VRP == v.VRP {
					continue
				}
				if !yield(v) {
					return
				}
			}
			i = j
		}
	}
}
