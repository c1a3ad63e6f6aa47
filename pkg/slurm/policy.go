package slurm

import (
	"net/netip"

	"github.com/openrpki/validator/pkg/payload"
)

// Policy is the union of a set of non-overlapping SLURM files, indexed for
// applying to payload. It is immutable once built and safe for concurrent
// use.
type Policy struct {
	files []*File

	// VRP filters by family and asn.
	vrp vrpFilters

	// Router key filters by the members they set.
	keyASN  map[uint32]struct{}
	keySKI  map[[20]byte]struct{}
	keyBoth map[skiASN]struct{}

	// ASPA filters by customer.
	aspaCustomer map[uint32]struct{}

	vrps  []payload.VRP
	aspas []payload.ASPA
	keys  []payload.RouterKey
}

type skiASN struct {
	ski [20]byte
	asn uint32
}

// vrpFilters holds the prefix filters of one family: the maximal
// prefixes of filters without an asn, and per asn the filters for that
// asn (all prefixes when the filter has no prefix).
type vrpFilters struct {
	anyASN [2]spanSet
	byASN  map[uint32]*asnFilters
}

type asnFilters struct {
	all   bool
	spans [2]spanSet
}

// NewPolicy checks that files do not overlap (RFC 8416 §4.2) and builds
// their Policy. Files from Parse have no Name; errors then say "file #N".
func NewPolicy(files ...*File) (*Policy, error) {
	if err := checkOverlap(files); err != nil {
		return nil, err
	}
	p := &Policy{
		files:        files,
		vrp:          vrpFilters{byASN: map[uint32]*asnFilters{}},
		keyASN:       map[uint32]struct{}{},
		keySKI:       map[[20]byte]struct{}{},
		keyBoth:      map[skiASN]struct{}{},
		aspaCustomer: map[uint32]struct{}{},
	}
	var anyASN [2][]span
	byASN := map[uint32]*[2][]span{}
	for _, f := range files {
		p.addFilters(f, &anyASN, byASN)
		p.addAssertions(f)
	}
	for fam := range anyASN {
		p.vrp.anyASN[fam] = newSpanSet(anyASN[fam])
	}
	for asn, spans := range byASN {
		m := p.vrp.asn(asn)
		for fam := range spans {
			m.spans[fam] = newSpanSet(spans[fam])
		}
	}
	return p, nil
}

// addFilters indexes the filters of f; prefix filters are collected in
// anyASN and byASN and turned into span sets by NewPolicy.
func (p *Policy) addFilters(f *File, anyASN *[2][]span, byASN map[uint32]*[2][]span) {
	for _, pf := range f.PrefixFilters {
		switch {
		case !pf.Prefix.IsValid():
			p.vrp.asn(pf.ASN).all = true
		case !pf.HasASN:
			fam := family(pf.Prefix)
			anyASN[fam] = append(anyASN[fam], prefixSpan(pf.Prefix))
		default:
			s := byASN[pf.ASN]
			if s == nil {
				s = new([2][]span)
				byASN[pf.ASN] = s
			}
			fam := family(pf.Prefix)
			s[fam] = append(s[fam], prefixSpan(pf.Prefix))
		}
	}
	for _, bf := range f.BGPsecFilters {
		switch {
		case bf.HasASN && bf.HasSKI:
			p.keyBoth[skiASN{bf.SKI, bf.ASN}] = struct{}{}
		case bf.HasASN:
			p.keyASN[bf.ASN] = struct{}{}
		default:
			p.keySKI[bf.SKI] = struct{}{}
		}
	}
	for _, af := range f.ASPAFilters {
		p.aspaCustomer[af.Customer] = struct{}{}
	}
}

func (p *Policy) addAssertions(f *File) {
	for _, pa := range f.PrefixAssertions {
		p.vrps = append(p.vrps, pa.VRP)
	}
	for _, ba := range f.BGPsecAssertions {
		p.keys = append(p.keys, ba.Key)
	}
	for _, aa := range f.ASPAAssertions {
		p.aspas = append(p.aspas, aa.ASPA)
	}
}

func family(p netip.Prefix) int {
	if p.Addr().Is6() {
		return 1
	}
	return 0
}

// asn returns the filters for asn, creating them.
func (x *vrpFilters) asn(asn uint32) *asnFilters {
	m := x.byASN[asn]
	if m == nil {
		m = &asnFilters{}
		x.byASN[asn] = m
	}
	return m
}

// covers reports whether a prefix filter removes v.
func (x *vrpFilters) covers(v *payload.VRP) bool {
	fam := 0
	if v.V6 {
		fam = 1
	}
	s := vrpSpan(v)
	if x.anyASN[fam].covers(s) {
		return true
	}
	if len(x.byASN) == 0 {
		return false
	}
	m := x.byASN[v.ASN]
	return m != nil && (m.all || m.spans[fam].covers(s))
}

// Files returns the files the policy was built from. The caller must not
// modify them.
func (p *Policy) Files() []*File { return p.files }

// Counts returns the number of filters and assertions of all files, for
// logs and metrics.
func (p *Policy) Counts() (filters, assertions int) {
	if p == nil {
		return 0, 0
	}
	for _, f := range p.files {
		filters += len(f.PrefixFilters) + len(f.BGPsecFilters) + len(f.ASPAFilters)
		assertions += len(f.PrefixAssertions) + len(f.BGPsecAssertions) + len(f.ASPAAssertions)
	}
	return filters, assertions
}
