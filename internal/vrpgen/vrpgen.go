package vrpgen

import (
	"cmp"
	"math/bits"
	"net/netip"
	"slices"
)

// VRP is one generated Validated ROA Payload with its trust anchor.
type VRP struct {
	Prefix netip.Prefix
	MaxLen int
	ASN    uint32
	TA     string
}

// Spec names a generated set: its size, the size of its update and the
// seed. The update has the same size: Changes VRPs of the base are
// withdrawn and as many new ones announced.
type Spec struct {
	VRPs    int
	Changes int
	Seed    uint64
}

// The two sets the tests and benchmarks use.
var (
	// Full is the production-sized set: 600,000 VRPs, update ±1,000.
	Full = Spec{VRPs: 600_000, Changes: 1_000, Seed: 1}
	// Small is the quick set: 5,000 VRPs, update ±50.
	Small = Spec{VRPs: 5_000, Changes: 50, Seed: 2}
)

// Shares of the VRPs, in parts per thousand.
const (
	v6PerMille = 250
	// multiPerMille VRPs are a second origin for a prefix that already
	// has one, so about 3 % of prefixes have several origins.
	multiPerMille = 30
	as0PerMille   = 4
	// repeatPerMille VRPs repeat their AS's previous prefix with a longer
	// maxLength (two ROAs, or one ROA listing the prefix twice).
	repeatPerMille = 30
	// vrpsPerAS is the mean number of VRPs of an origin AS.
	vrpsPerAS = 12
)

// Generate returns the base set and its update, each sorted by prefix,
// maxLength and AS.
func (s Spec) Generate() (base, update []VRP) {
	g := newGenerator(s.Seed, s.VRPs)
	n := s.VRPs
	g.vrps = make([]VRP, 0, n)
	as0, multi := n*as0PerMille/1000, n*multiPerMille/1000
	v6, as06, multi6 := n*v6PerMille/1000, as0*v6PerMille/1000, multi*v6PerMille/1000
	g.primaries(n-as0-multi, v6-as06-multi6, n/10)
	primaries := len(g.vrps)
	g.as0(as0, as06)
	g.multiOrigin(primaries, multi, multi6)
	base = slices.Clone(g.vrps)
	sortVRPs(base)
	update = g.update(base, s.Changes)
	return base, update
}

// family is 4 or 6.
type family int

// origin is one generated origin AS.
type origin struct {
	asn   uint32
	ta    *trustAnchor
	home4 netip.Prefix // where its longer IPv4 prefixes lie
	home6 netip.Prefix // likewise for IPv6
	last  [2]int       // index in vrps of its last IPv4 and IPv6 VRP, or -1
}

type generator struct {
	r       rng
	used    map[netip.Prefix]bool // prefixes with an origin
	asns    map[uint32]bool
	origins []*origin
	vrps    []VRP
}

func newGenerator(seed uint64, n int) *generator {
	return &generator{r: rng{state: seed}, used: make(map[netip.Prefix]bool, n), asns: map[uint32]bool{0: true}}
}

// primaries makes n VRPs, v6 of them IPv6, origin AS by origin AS, each AS
// with a heavy-tailed count of at most maxPerAS.
func (g *generator) primaries(n, v6, maxPerAS int) {
	left4, left6 := n-v6, v6
	for left4+left6 > 0 {
		o := g.newOrigin(min(g.drawCount(maxPerAS), left4+left6))
		for range o.count {
			f := family(4)
			if g.r.intn(left4+left6) < left6 {
				f, left6 = 6, left6-1
			} else {
				left4--
			}
			g.addFor(o.origin, f)
		}
	}
}

// drawCount draws the number of VRPs of one AS: a bucket, then a count in
// it, more likely low than high (as within the production buckets).
func (g *generator) drawCount(limit int) int {
	k := countBuckets.draw(&g.r)
	c := 1<<k + g.r.intn(g.r.intn(1<<k)+1)
	return max(1, min(c, limit))
}

type counted struct {
	*origin
	count int
}

// newOrigin makes an AS with a fresh number, a trust anchor and home
// ranges sized for count VRPs.
func (g *generator) newOrigin(count int) counted {
	ta := &trustAnchors[taWeights.draw(&g.r)]
	o := &origin{asn: g.newASN(), ta: ta, last: [2]int{-1, -1}}
	// About 64 VRPs per /16 of home, within /10 to /16.
	h4 := max(10, 16-bits.Len(uint((count+63)/64-1)))
	o.home4 = g.v4In(ta, h4)
	h6 := 32
	if count > 256 {
		h6 = 29
	}
	o.home6 = g.v6In(ta, h6)
	g.origins = append(g.origins, o)
	return counted{o, count}
}

// newASN draws an unused AS number: 16-bit (60 %) or 32-bit, outside
// AS_TRANS and the private and documentation ranges.
func (g *generator) newASN() uint32 {
	for {
		var asn uint32
		if g.r.chance(6, 10) {
			asn = 1 + uint32(g.r.intn(64495))
		} else {
			asn = 131072 + uint32(g.r.intn(270000))
		}
		if asn != 23456 && !g.asns[asn] {
			g.asns[asn] = true
			return asn
		}
	}
}

// addFor adds one VRP of family f for o: usually a new prefix, sometimes
// o's previous prefix again with a longer maxLength.
func (g *generator) addFor(o *origin, f family) {
	slot := int(f-4) / 2
	if i := o.last[slot]; i >= 0 && g.r.chance(repeatPerMille, 1000) {
		prev := g.vrps[i]
		if prev.MaxLen < maxBits(f) {
			v := prev
			v.MaxLen = prev.MaxLen + 1 + g.r.intn(min(8, maxBits(f)-prev.MaxLen))
			o.last[slot] = len(g.vrps)
			g.vrps = append(g.vrps, v)
			return
		}
	}
	p := g.newPrefix(o, f)
	o.last[slot] = len(g.vrps)
	g.vrps = append(g.vrps, VRP{Prefix: p, MaxLen: g.maxLen(p), ASN: o.asn, TA: o.ta.name})
}

// as0 adds n AS0 VRPs (RFC 6483 §4: the space must not be routed), v6 of
// them IPv6, anywhere in a random RIR's space.
func (g *generator) as0(n, v6 int) {
	for i := range n {
		f := family(4)
		if i < v6 {
			f = 6
		}
		o := &origin{ta: &trustAnchors[taWeights.draw(&g.r)]}
		p := g.newPrefix(o, f)
		g.vrps = append(g.vrps, VRP{Prefix: p, MaxLen: g.maxLen(p), TA: o.ta.name})
	}
}

// multiOrigin adds n VRPs (v6 of them IPv6) that give a prefix of one of
// the first primaries VRPs a second origin AS. Each prefix gets at most
// one more.
func (g *generator) multiOrigin(primaries, n, v6 int) {
	taken := map[netip.Prefix]bool{}
	for i := range n {
		want := family(4)
		if i < v6 {
			want = 6
		}
		for {
			v := g.vrps[g.r.intn(primaries)]
			if familyOf(v.Prefix) != want || taken[v.Prefix] {
				continue
			}
			o := g.origins[g.r.intn(len(g.origins))]
			if o.asn == v.ASN {
				continue
			}
			taken[v.Prefix] = true
			g.vrps = append(g.vrps, VRP{Prefix: v.Prefix, MaxLen: v.MaxLen, ASN: o.asn, TA: o.ta.name})
			break
		}
	}
}

// update withdraws changes VRPs of base and announces as many new
// prefixes of existing origins, of the same families.
func (g *generator) update(base []VRP, changes int) []VRP {
	gone := map[int]bool{}
	var added []VRP
	for len(gone) < changes {
		i := g.r.intn(len(base))
		if gone[i] {
			continue
		}
		gone[i] = true
		o := g.origins[g.r.intn(len(g.origins))]
		p := g.newPrefix(o, familyOf(base[i].Prefix))
		added = append(added, VRP{Prefix: p, MaxLen: g.maxLen(p), ASN: o.asn, TA: o.ta.name})
	}
	out := make([]VRP, 0, len(base))
	for i, v := range base {
		if !gone[i] {
			out = append(out, v)
		}
	}
	out = append(out, added...)
	sortVRPs(out)
	return out
}

// newPrefix draws an unused prefix of family f: inside o's home range when
// the drawn length allows, else anywhere in o's RIR's space. The length is
// drawn once, so that collisions do not bend the length distribution.
func (g *generator) newPrefix(o *origin, f family) netip.Prefix {
	home, lengths, anywhere := o.home4, lengthsV4, g.v4In
	if f == 6 {
		home, lengths, anywhere = o.home6, lengthsV6, g.v6In
	}
	l := lengths.draw(&g.r)
	for try := 0; ; try++ {
		var p netip.Prefix
		if home.IsValid() && l >= home.Bits() && try < 16 {
			p = g.within(home, l)
		} else {
			p = anywhere(o.ta, l)
		}
		if !g.used[p] {
			g.used[p] = true
			return p
		}
	}
}

// maxLen draws a maxLength for p.
func (g *generator) maxLen(p netip.Prefix) int {
	d, top := maxLenV4, 32
	if p.Addr().Is6() {
		d, top = maxLenV6, 128
	}
	return min(top, p.Bits()+d.draw(&g.r))
}

// v4In returns a random IPv4 prefix of length l (at least 8) in ta's space.
func (g *generator) v4In(ta *trustAnchor, l int) netip.Prefix {
	first := ta.v4[g.r.intn(len(ta.v4))]
	a := [4]byte{first}
	return g.within(netip.PrefixFrom(netip.AddrFrom4(a), 8), l)
}

// v6In returns a random IPv6 prefix of length l (at least 16) in ta's
// space.
func (g *generator) v6In(ta *trustAnchor, l int) netip.Prefix {
	top := ta.v6[0] + uint16(g.r.intn(int(ta.v6[1]-ta.v6[0])+1))
	var a [16]byte
	a[0], a[1] = byte(top>>8), byte(top)
	return g.within(netip.PrefixFrom(netip.AddrFrom16(a), 16), l)
}

// within returns a random prefix of length l inside outer (l >= its
// length, l - its length <= 64).
func (g *generator) within(outer netip.Prefix, l int) netip.Prefix {
	free := l - outer.Bits()
	if free == 0 {
		return outer
	}
	x := g.r.next() >> (64 - free) // free random bits, placed at [outer.Bits(), l)
	a := outer.Addr().AsSlice()
	for bit := l - 1; x != 0; bit, x = bit-1, x>>1 {
		if x&1 != 0 {
			a[bit/8] |= 0x80 >> (bit % 8)
		}
	}
	addr, _ := netip.AddrFromSlice(a)
	return netip.PrefixFrom(addr, l)
}

func familyOf(p netip.Prefix) family {
	if p.Addr().Is4() {
		return 4
	}
	return 6
}

func maxBits(f family) int {
	if f == 4 {
		return 32
	}
	return 128
}

// sortVRPs sorts IPv4 before IPv6, then by address, length, maxLength and
// AS: a total order, so the output does not depend on the sort algorithm.
func sortVRPs(v []VRP) {
	slices.SortFunc(v, func(a, b VRP) int {
		if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()), cmp.Compare(a.MaxLen, b.MaxLen),
			cmp.Compare(a.ASN, b.ASN))
	})
}
