package lab

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// The address plan. Every TA holds an IPv4 /3, an IPv6 /16 and a block of
// a million AS numbers; member CAs get a /16, a /32 and 100 AS numbers each;
// a member keeps the first quarter (a /18 and a /36) for its own ROAs and
// delegates the other quarters to its children, each of which also gets 10
// of its AS numbers. A CA's ROAs take the /22s of its own /18, one each.
const (
	maxTAs               = 5
	maxMembersPerTA      = 1 << 13 // /16s in a /3
	maxChildrenPerMember = 3       // quarters of a /16 left after the member's own
	maxROAsPerCA         = 16      // /22s in a /18
	asPerTA              = 1_000_000
	asPerMember          = 100
	asPerChild           = 10
)

// CA is one certification authority of the plan.
type CA struct {
	Name   string // unique and file-name safe: "ta0", "ta0-rir", "ta0-m12", "ta0-m12-c1"
	Parent int    // index into Plan.CAs; -1 for a trust anchor
	TA     int    // index of the trust anchor it descends from
	Repo   int    // publication server index (see Plan.Repos)

	Resources x509rpki.Resources
	// Own is the part of Resources that the CA uses for its own ROAs
	// (what it did not delegate).
	OwnV4, OwnV6 netip.Prefix
	OwnAS        x509rpki.ASRange

	ROAs       []ROA
	ASPAs      []ASPA
	RouterKeys []RouterKey
}

// ROA is the payload of one ROA.
type ROA struct {
	ASN      uint32
	Prefixes []x509rpki.ROAPrefix
}

// ASPA is the payload of one ASPA.
type ASPA struct {
	Customer  uint32
	Providers []uint32 // sorted, unique, without Customer
}

// RouterKey is one BGPsec router certificate to issue.
type RouterKey struct {
	ASN uint32
}

// Plan is the whole hierarchy, in parent-before-child order.
type Plan struct {
	Preset Preset
	Seed   uint64
	CAs    []CA
	// TARoots holds, for each TA, the index of its root CA in CAs.
	TARoots []int
	Repos   int
}

// NewPlan lays out a hierarchy for the preset; the same preset and seed
// always give the same plan.
func NewPlan(p Preset, seed uint64) (*Plan, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pl := &Plan{Preset: p, Seed: seed, Repos: p.TAs * p.Repositories}
	for t := 0; t < p.TAs; t++ {
		pl.addTA(t, rng)
	}
	pl.addASPAs(rng)
	return pl, nil
}

func (pl *Plan) addTA(t int, rng *rand.Rand) {
	p := pl.Preset
	asMin := uint32(t+1) * asPerTA
	res := resources(taV4(t), taV6(t), x509rpki.ASRange{Min: asMin, Max: asMin + asPerTA - 1})
	root := pl.add(CA{Name: fmt.Sprintf("ta%d", t), Parent: -1, TA: t, Repo: pl.repo(t, 0), Resources: res})
	pl.TARoots = append(pl.TARoots, root)
	rir := pl.add(CA{Name: fmt.Sprintf("ta%d-rir", t), Parent: root, TA: t, Repo: pl.repo(t, 0), Resources: res})
	for m := 0; m < p.MembersPerTA; m++ {
		pl.addMember(t, m, rir, rng)
	}
}

func (pl *Plan) addMember(t, m, parent int, rng *rand.Rand) {
	p := pl.Preset
	v4 := netip.PrefixFrom(addV4(taV4(t).Addr(), uint32(m)<<16), 16)
	v6 := netip.PrefixFrom(addV6(taV6(t).Addr(), 32, uint64(m)), 32)
	asMin := uint32(t+1)*asPerTA + uint32(m)*asPerMember
	name := fmt.Sprintf("ta%d-m%d", t, m)
	repo := pl.repo(t, 0)
	if p.Repositories > 1 {
		repo = pl.repo(t, 1+m%(p.Repositories-1))
	}
	ca := CA{Name: name, Parent: parent, TA: t, Repo: repo,
		Resources: resources(v4, v6, x509rpki.ASRange{Min: asMin, Max: asMin + asPerMember - 1}),
		OwnV4:     quarter(v4, 0), OwnV6: quarter(v6, 0),
		OwnAS: x509rpki.ASRange{Min: asMin, Max: asMin + asPerChild - 1}}
	pl.fill(&ca, rng)
	idx := pl.add(ca)
	if p.ChildEvery == 0 || m%p.ChildEvery != 0 {
		return
	}
	for c := 1; c <= p.ChildrenPerMember; c++ {
		cv4, cv6 := quarter(v4, c), quarter(v6, c)
		cas := x509rpki.ASRange{Min: asMin + uint32(c)*asPerChild, Max: asMin + uint32(c+1)*asPerChild - 1}
		child := CA{Name: fmt.Sprintf("%s-c%d", name, c), Parent: idx, TA: t, Repo: repo,
			Resources: resources(cv4, cv6, cas), OwnV4: cv4, OwnV6: cv6, OwnAS: cas}
		pl.fill(&child, rng)
		pl.add(child)
	}
}

// fill gives a member or child CA its ROAs and router keys.
func (pl *Plan) fill(ca *CA, rng *rand.Rand) {
	p := pl.Preset
	for i := 0; i < p.ROAsPerCA; i++ {
		ca.ROAs = append(ca.ROAs, newROA(ca, i, rng))
	}
	n := len(pl.CAs)
	if p.RouterKeyEvery > 0 && n%p.RouterKeyEvery == 0 {
		ca.RouterKeys = append(ca.RouterKeys, RouterKey{ASN: ca.OwnAS.Min})
	}
}

// newROA makes the i-th ROA of a CA: the i-th /22 of its own /18 (with a
// maxLength of 22 or 24), sometimes one or two of its /24s as well, and a
// /48 of its own IPv6 space; about three prefixes in all, as in production.
func newROA(ca *CA, i int, rng *rand.Rand) ROA {
	asn := ca.OwnAS.Min + uint32(rng.IntN(int(ca.OwnAS.Max-ca.OwnAS.Min+1)))
	p22 := netip.PrefixFrom(addV4(ca.OwnV4.Addr(), uint32(i)<<10), 22)
	maxLen := 22
	if rng.IntN(2) == 0 {
		maxLen = 24
	}
	r := ROA{ASN: asn, Prefixes: []x509rpki.ROAPrefix{{Prefix: p22, MaxLength: maxLen}}}
	for k := range rng.IntN(3) {
		p24 := netip.PrefixFrom(addV4(p22.Addr(), uint32(k+1)<<8), 24)
		r.Prefixes = append(r.Prefixes, x509rpki.ROAPrefix{Prefix: p24, MaxLength: 24})
	}
	p48 := netip.PrefixFrom(addV6(ca.OwnV6.Addr(), 48, uint64(i)), 48)
	r.Prefixes = append(r.Prefixes, x509rpki.ROAPrefix{Prefix: p48, MaxLength: 48})
	return r
}

// addASPAs gives every ASPAEvery-th member or child CA an ASPA for its first
// AS number, with one to four providers taken from other CAs.
func (pl *Plan) addASPAs(rng *rand.Rand) {
	p := pl.Preset
	if p.ASPAEvery == 0 {
		return
	}
	var leaves []int
	for i := range pl.CAs {
		if pl.CAs[i].OwnAS.Min != 0 {
			leaves = append(leaves, i)
		}
	}
	for n, i := range leaves {
		if n%p.ASPAEvery != 0 || len(leaves) < 2 {
			continue
		}
		customer := pl.CAs[i].OwnAS.Min
		var provs []uint32
		for range 1 + rng.IntN(4) {
			other := pl.CAs[leaves[rng.IntN(len(leaves))]].OwnAS.Min
			if other != customer {
				provs = append(provs, other)
			}
		}
		if provs = sortUnique(provs); len(provs) > 0 {
			pl.CAs[i].ASPAs = append(pl.CAs[i].ASPAs, ASPA{Customer: customer, Providers: provs})
		}
	}
}

func (pl *Plan) add(ca CA) int {
	pl.CAs = append(pl.CAs, ca)
	return len(pl.CAs) - 1
}

// repo numbers publication servers globally: each TA has Repositories of them.
func (pl *Plan) repo(ta, local int) int { return ta*pl.Preset.Repositories + local }

// taV4 is TA t's IPv4 /3: 32/3, 64/3, 96/3, 128/3, 160/3.
func taV4(t int) netip.Prefix {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(t+1)<<29)
	return netip.PrefixFrom(netip.AddrFrom4(b), 3)
}

// taV6 is TA t's IPv6 /16: 2a00::/16, 2a01::/16, ...
func taV6(t int) netip.Prefix {
	var b [16]byte
	b[0], b[1] = 0x2a, byte(t)
	return netip.PrefixFrom(netip.AddrFrom16(b), 16)
}

func resources(v4, v6 netip.Prefix, as x509rpki.ASRange) x509rpki.Resources {
	return x509rpki.Resources{
		IPv4: x509rpki.IPResources{Present: true, Ranges: []x509rpki.IPRange{prefixRange(v4)}},
		IPv6: x509rpki.IPResources{Present: true, Ranges: []x509rpki.IPRange{prefixRange(v6)}},
		AS:   x509rpki.ASResources{Present: true, Ranges: []x509rpki.ASRange{as}},
	}
}

// quarter returns the q-th quarter (0..3) of p.
func quarter(p netip.Prefix, q int) netip.Prefix {
	bits := p.Bits() + 2
	if p.Addr().Is4() {
		return netip.PrefixFrom(addV4(p.Addr(), uint32(q)<<(32-bits)), bits)
	}
	return netip.PrefixFrom(addV6(p.Addr(), bits, uint64(q)), bits)
}

// addV4 adds n to an IPv4 address.
func addV4(a netip.Addr, n uint32) netip.Addr {
	b := a.As4()
	binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])+n)
	return netip.AddrFrom4(b)
}

// addV6 adds n units of a /bits block (bits ≤ 64) to an IPv6 address.
func addV6(a netip.Addr, bits int, n uint64) netip.Addr {
	b := a.As16()
	hi := binary.BigEndian.Uint64(b[:8]) + n<<(64-bits)
	binary.BigEndian.PutUint64(b[:8], hi)
	return netip.AddrFrom16(b)
}

// prefixRange returns the first and last address of p.
func prefixRange(p netip.Prefix) x509rpki.IPRange {
	p = p.Masked()
	first := p.Addr()
	b := first.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	last, _ := netip.AddrFromSlice(b)
	return x509rpki.IPRange{Min: first, Max: last}
}

func sortUnique(v []uint32) []uint32 {
	slices.Sort(v)
	out := v[:0]
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}
