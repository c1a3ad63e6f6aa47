package slurm

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
	"sort"

	"github.com/openrpki/validator/pkg/payload"
)

// u128 is an address as a 128-bit number: IPv4 in the top 32 bits, in the
// layout of payload.VRP.Addr.
type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo))
}

// span is the address range [first, last] of one prefix.
type span struct{ first, last u128 }

// spanOf returns the range of the prefix with address bytes addr and
// length bits.
func spanOf(addr [16]byte, bits uint8) span {
	a := u128{binary.BigEndian.Uint64(addr[:8]), binary.BigEndian.Uint64(addr[8:])}
	return span{first: a, last: u128{a.hi | hostMask(bits, 0), a.lo | hostMask(bits, 64)}}
}

// hostMask returns the host bits of a /bits prefix that fall in the 64-bit
// word starting at bit off.
func hostMask(bits uint8, off int) uint64 {
	n := int(bits) - off // network bits in this word
	switch {
	case n <= 0:
		return ^uint64(0)
	case n >= 64:
		return 0
	}
	return ^uint64(0) >> n
}

func vrpSpan(v *payload.VRP) span { return spanOf(v.Addr, v.Bits) }

func prefixSpan(p netip.Prefix) span {
	k := keyOf(p)
	return spanOf(k.addr, k.bits)
}

// spanSet is a sorted list of disjoint prefix ranges: the maximal prefixes
// of a set of filters. A prefix is covered by some filter exactly when it
// is covered by the maximal filter prefix around it, and prefixes either
// nest or are disjoint, so one binary search answers the question.
type spanSet []span

// newSpanSet keeps the maximal prefixes of spans.
func newSpanSet(spans []span) spanSet {
	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(a.first.cmp(b.first), b.last.cmp(a.last)) // larger first
	})
	var out spanSet
	for _, s := range spans {
		if n := len(out); n > 0 && s.last.cmp(out[n-1].last) <= 0 {
			continue // inside the previous maximal prefix
		}
		out = append(out, s)
	}
	return out
}

// covers reports whether s lies inside one span of the set.
func (ss spanSet) covers(s span) bool {
	i := sort.Search(len(ss), func(i int) bool { return ss[i].first.cmp(s.first) > 0 })
	return i > 0 && s.last.cmp(ss[i-1].last) <= 0
}

// pfxKey is a prefix in the layout of payload.VRP.
type pfxKey struct {
	addr [16]byte
	bits uint8
}

func keyOf(p netip.Prefix) pfxKey {
	k := pfxKey{bits: uint8(p.Bits())}
	if p.Addr().Is4() {
		a := p.Addr().As4()
		copy(k.addr[:4], a[:])
	} else {
		k.addr = p.Addr().As16()
	}
	return k
}
