package output

import (
	"cmp"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

// randomVRPs draws VRPs from a small space so that prefixes nest, share
// addresses and repeat under two trust anchors.
func randomVRPs(t *testing.T, rng *rand.Rand, n int) *payload.Table {
	tb := &payload.Table{TAs: payload.NewTANames()}
	tas := []payload.TA{tb.TAs.Of("a"), tb.TAs.Of("b")}
	for range n {
		var p netip.Prefix
		if rng.IntN(4) == 0 {
			a := [16]byte{0x20, 0x01, 0x0d, 0xb8, byte(rng.IntN(4))}
			p = netip.PrefixFrom(netip.AddrFrom16(a), 32+rng.IntN(16)).Masked()
		} else {
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(4) * 64), 0}), 8+rng.IntN(17)).Masked()
		}
		maxLen := uint8(p.Bits() + rng.IntN(3))
		v := mustVRP(t, p.String(), maxLen, uint32(64496+rng.IntN(3)))
		tb.VRPs = append(tb.VRPs, payload.VRPInfo{VRP: v, Info: payload.Info{TA: tas[rng.IntN(2)], Expires: payload.Expiry(rng.IntN(3))}})
	}
	tb.Sort()
	return tb
}

// routinatorCompare is rpki-rs's ordering of route origins, written from
// its definition (src/resources/addr.rs, Prefix::cmp; src/rtr/payload.rs,
// RouteOrigin::cmp) as a reference for the streaming walk.
func routinatorCompare(a, b payload.VRP) int {
	if a.V6 != b.V6 {
		if a.V6 {
			return 1
		}
		return -1
	}
	pa, pb := a.Prefix(), b.Prefix()
	var c int
	switch short := min(pa.Bits(), pb.Bits()); {
	case pa.Bits() == pb.Bits():
		c = pa.Addr().Compare(pb.Addr())
	case netip.PrefixFrom(pa.Addr(), short).Masked() == netip.PrefixFrom(pb.Addr(), short).Masked():
		c = cmp.Compare(pb.Bits(), pa.Bits()) // the more specific first
	default:
		c = pa.Addr().Compare(pb.Addr())
	}
	return cmp.Or(c, cmp.Compare(a.MaxLen, b.MaxLen), cmp.Compare(a.ASN, b.ASN))
}

// vrpcmp is rpki-client's order (main.c), written from its definition.
func vrpcmp(a, b payload.VRP) int {
	if a.V6 != b.V6 {
		if a.V6 {
			return 1
		}
		return -1
	}
	return cmp.Or(slices.Compare(a.Addr[:], b.Addr[:]), cmp.Compare(b.Bits, a.Bits),
		cmp.Compare(b.MaxLen, a.MaxLen), cmp.Compare(a.ASN, b.ASN))
}

// TestOrders checks the streaming walks against the peers' comparisons
// over random tables: the same distinct VRPs in the same order.
func TestOrders(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		tb := randomVRPs(t, rng, 1+rng.IntN(60))
		var want []payload.VRP
		for _, v := range tb.VRPs {
			want = append(want, v.VRP)
		}
		slices.SortFunc(want, payload.CompareVRP)
		want = slices.Compact(want)

		var got []payload.VRP
		for g := range RoutinatorOrder(tb.VRPs, func(v *payload.VRPInfo) payload.VRP { return v.VRP }) {
			for _, v := range g {
				if v.VRP != g[0].VRP {
					t.Fatalf("round %d: group mixes %v and %v", round, g[0].VRP, v.VRP)
				}
			}
			got = append(got, g[0].VRP)
		}
		ref := slices.Clone(want)
		slices.SortFunc(ref, routinatorCompare)
		if !slices.Equal(got, ref) {
			t.Fatalf("round %d: Routinator order\n got %v\nwant %v", round, got, ref)
		}

		got = got[:0]
		for v := range rpkiClientVRPs(tb.VRPs) {
			got = append(got, v.VRP)
			for _, o := range tb.VRPs {
				if o.VRP == v.VRP && o.Expires > v.Expires {
					t.Fatalf("round %d: %v kept with expiry %d, not the later %d", round, v.VRP, v.Expires, o.Expires)
				}
			}
		}
		ref = slices.Clone(want)
		slices.SortFunc(ref, vrpcmp)
		if !slices.Equal(got, ref) {
			t.Fatalf("round %d: rpki-client order\n got %v\nwant %v", round, got, ref)
		}
	}
}

// TestRoutinatorOrderExample spells out the post-order walk.
func TestRoutinatorOrderExample(t *testing.T) {
	tb := &payload.Table{TAs: payload.NewTANames()}
	for _, s := range []string{"10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.1.0.0/16", "10.255.0.0/16", "11.0.0.0/8", "::/0", "2001:db8::/32"} {
		tb.VRPs = append(tb.VRPs, payload.VRPInfo{VRP: mustVRP(t, s, 0, 1)})
	}
	tb.Sort()
	var got []string
	for g := range RoutinatorOrder(tb.VRPs, func(v *payload.VRPInfo) payload.VRP { return v.VRP }) {
		got = append(got, g[0].Prefix().String())
	}
	want := []string{"10.0.0.0/24", "10.0.0.0/16", "10.1.0.0/16", "10.255.0.0/16", "10.0.0.0/8", "11.0.0.0/8", "2001:db8::/32", "::/0"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
