package x509rpki

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// IPRange is an inclusive range of addresses of one family.
type IPRange struct {
	Min, Max netip.Addr
}

// IPResources is one address family of an RFC 3779 IPAddrBlocks extension.
// Ranges are in canonical order: sorted, non-overlapping, non-adjacent.
type IPResources struct {
	Present bool // the family appears in the extension
	Inherit bool // RFC 3779 §2.2.3.5 inherit
	Ranges  []IPRange
}

// ASRange is an inclusive range of AS numbers.
type ASRange struct {
	Min, Max uint32
}

// ASResources is the asnum part of an RFC 3779 ASIdentifiers extension
// (rdi is forbidden by RFC 6487 §4.8.11). Ranges are canonical.
type ASResources struct {
	Present bool
	Inherit bool
	Ranges  []ASRange
}

// Resources is the set of Internet number resources of a certificate.
//
// A Resources value is immutable once parsed: Resolve shares slices with
// its arguments, so callers must not modify Ranges in place.
type Resources struct {
	IPv4, IPv6 IPResources
	AS         ASResources
}

// Prefix returns the prefix that r covers exactly, if it is one.
func (r IPRange) Prefix() (netip.Prefix, bool) {
	if !r.Min.IsValid() || r.Min.Is4() != r.Max.Is4() {
		return netip.Prefix{}, false
	}
	bits := r.Min.BitLen()
	lo, hi := toU128(r.Min), toU128(r.Max)
	// The prefix length is the number of leading bits min and max share;
	// below it min must be all zeros and max all ones.
	p := lo.xor(hi).leadingZeros() - (128 - bits)
	mask := onesBelow(bits - p)
	if lo.and(mask) != (u128{}) || hi.and(mask) != mask {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(r.Min, p), true
}

// u128 is an address as a 128-bit number (IPv4 in the low 32 bits).
type u128 struct{ hi, lo uint64 }

func toU128(a netip.Addr) u128 {
	b := a.As16()
	if a.Is4() {
		return u128{lo: uint64(binary.BigEndian.Uint32(b[12:]))}
	}
	return u128{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:])}
}

func (a u128) xor(b u128) u128 { return u128{a.hi ^ b.hi, a.lo ^ b.lo} }
func (a u128) and(b u128) u128 { return u128{a.hi & b.hi, a.lo & b.lo} }

func (a u128) leadingZeros() int {
	if a.hi != 0 {
		return bits.LeadingZeros64(a.hi)
	}
	return 64 + bits.LeadingZeros64(a.lo)
}

// onesBelow returns a number whose n low bits are set (0 <= n <= 128).
func onesBelow(n int) u128 {
	switch {
	case n >= 128:
		return u128{^uint64(0), ^uint64(0)}
	case n > 64:
		return u128{^uint64(0) >> (128 - n), ^uint64(0)}
	case n == 64:
		return u128{lo: ^uint64(0)}
	case n > 0:
		return u128{lo: ^uint64(0) >> (64 - n)}
	}
	return u128{}
}

// String formats r as a prefix when it is one, else as "min-max" (the form
// `validator inspect` prints).
func (r IPRange) String() string {
	if p, ok := r.Prefix(); ok {
		return p.String()
	}
	return r.Min.String() + "-" + r.Max.String()
}

// String formats r as "AS64496" or "AS64496-AS64511".
func (r ASRange) String() string {
	if r.Min == r.Max {
		return "AS" + strconv.FormatUint(uint64(r.Min), 10)
	}
	return "AS" + strconv.FormatUint(uint64(r.Min), 10) + "-AS" + strconv.FormatUint(uint64(r.Max), 10)
}

// Strings lists the resources for printing: AS entries, then IPv4, then
// IPv6; a family that inherits prints as "AS inherit", "IPv4 inherit" or
// "IPv6 inherit".
func (r Resources) Strings() []string {
	var out []string
	switch {
	case r.AS.Inherit:
		out = append(out, "AS inherit")
	default:
		for _, a := range r.AS.Ranges {
			out = append(out, a.String())
		}
	}
	for _, f := range []struct {
		name string
		res  IPResources
	}{{"IPv4", r.IPv4}, {"IPv6", r.IPv6}} {
		if f.res.Inherit {
			out = append(out, f.name+" inherit")
			continue
		}
		for _, ip := range f.res.Ranges {
			out = append(out, ip.String())
		}
	}
	return out
}

// String joins Strings with ", ".
func (r Resources) String() string { return strings.Join(r.Strings(), ", ") }

// HasInherit reports whether any family uses inherit.
func (r Resources) HasInherit() bool {
	return r.IPv4.Inherit || r.IPv6.Inherit || r.AS.Inherit
}

// Resolve replaces every inherited family of r by the parent's (RFC 3779
// §2.2.3.5, §3.2.3) and returns the result; parent should itself be
// resolved. The result shares slices with r and parent.
func (r Resources) Resolve(parent Resources) Resources {
	if r.IPv4.Inherit {
		r.IPv4 = parent.IPv4
	}
	if r.IPv6.Inherit {
		r.IPv6 = parent.IPv6
	}
	if r.AS.Inherit {
		r.AS = parent.AS
	}
	return r
}

// Covers reports whether every resource of child is held by r. A family
// that child inherits is covered; r must be resolved (no inherit).
func (r Resources) Covers(child Resources) bool {
	_, ok := r.Uncovered(child)
	return ok
}

// Uncovered returns a description of the first resource of child that r
// does not hold ("IPv4 10.0.0.0/8", "AS 64496-64511", "IPv6: issuer
// inherits") and false, or "" and true when r covers child. r must be
// resolved: an issuer family that still inherits covers nothing.
func (r Resources) Uncovered(child Resources) (string, bool) {
	if d, ok := coversIP("IPv4", r.IPv4, child.IPv4); !ok {
		return d, false
	}
	if d, ok := coversIP("IPv6", r.IPv6, child.IPv6); !ok {
		return d, false
	}
	return coversAS(r.AS, child.AS)
}

// coversIP checks one address family. Both range lists are canonical, and
// canonical parent ranges are never adjacent, so each child range must fit
// inside a single parent range; one merge-like pass decides.
func coversIP(name string, parent, child IPResources) (string, bool) {
	if child.Inherit || len(child.Ranges) == 0 {
		return "", true
	}
	if parent.Inherit {
		return name + ": issuer resources not resolved (inherit)", false
	}
	i := 0
	for _, c := range child.Ranges {
		for i < len(parent.Ranges) && parent.Ranges[i].Max.Less(c.Min) {
			i++
		}
		if i == len(parent.Ranges) || c.Min.Less(parent.Ranges[i].Min) || parent.Ranges[i].Max.Less(c.Max) {
			return name + " " + c.String(), false
		}
	}
	return "", true
}

// coversAS checks the AS numbers the same way as coversIP.
func coversAS(parent, child ASResources) (string, bool) {
	if child.Inherit || len(child.Ranges) == 0 {
		return "", true
	}
	if parent.Inherit {
		return "AS: issuer resources not resolved (inherit)", false
	}
	i := 0
	for _, c := range child.Ranges {
		for i < len(parent.Ranges) && parent.Ranges[i].Max < c.Min {
			i++
		}
		if i == len(parent.Ranges) || c.Min < parent.Ranges[i].Min || parent.Ranges[i].Max < c.Max {
			return c.String(), false
		}
	}
	return "", true
}

// ContainsPrefix reports whether the whole of p lies within the resources
// (as RFC 9582 §4 requires of each ROA prefix against its EE certificate).
// An inherited family contains nothing until resolved.
func (r Resources) ContainsPrefix(p netip.Prefix) bool {
	if !p.IsValid() || p.Addr().Is4In6() {
		return false
	}
	fam := r.IPv6
	if p.Addr().Is4() {
		fam = r.IPv4
	}
	if fam.Inherit {
		return false
	}
	lo, hi := prefixBounds(p.Masked())
	rs := fam.Ranges
	i := sort.Search(len(rs), func(i int) bool { return !rs[i].Max.Less(lo) })
	return i < len(rs) && !lo.Less(rs[i].Min) && !rs[i].Max.Less(hi)
}

// ContainsAS reports whether asn is within the AS resources. Inherited AS
// resources contain nothing until resolved.
func (r Resources) ContainsAS(asn uint32) bool {
	if r.AS.Inherit {
		return false
	}
	rs := r.AS.Ranges
	i := sort.Search(len(rs), func(i int) bool { return rs[i].Max >= asn })
	return i < len(rs) && rs[i].Min <= asn
}

// prefixBounds returns the first and last address of a masked prefix.
func prefixBounds(p netip.Prefix) (netip.Addr, netip.Addr) {
	lo := p.Addr()
	b := lo.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	hi, _ := netip.AddrFromSlice(b)
	return lo, hi
}

// bitAt returns bit i (0 = most significant) of b.
func bitAt(b []byte, i int) byte {
	return (b[i/8] >> (7 - i%8)) & 1
}

// Address family identifiers allowed by RFC 6487 §4.8.10.
const (
	familyIPv4 = 1
	familyIPv6 = 2
)

// Sections cited by resource errors.
const (
	secIPExt = "RFC 6487 §4.8.10"
	secASExt = "RFC 6487 §4.8.11"
)

// parseIPAddrBlocks parses the extnValue of id-pe-ipAddrBlocks (RFC 3779
// §2.2.3) into r, checking canonical form: one entry per family, IPv4
// before IPv6 (§2.2.3.3), no SAFI (RFC 6487 §4.8.10), ranges sorted,
// without overlap or adjacency (§2.2.3.6), prefixes where possible
// (§2.2.3.7) and min/max with trailing bits removed (§2.2.3.9).
func parseIPAddrBlocks(v cryptobyte.String, r *Resources) error {
	blocks, err := readSequence(&v)
	if err != nil || !v.Empty() {
		return newError("cert", ErrMalformed, secIPExt, "malformed IPAddrBlocks")
	}
	if blocks.Empty() {
		return newError("cert", ErrProfile, secIPExt, "IPAddrBlocks without address family")
	}
	budget, lastAFI := MaxIPBlocks, 0
	for !blocks.Empty() {
		fam, err := readSequence(&blocks)
		if err != nil {
			return newError("cert", ErrMalformed, secIPExt, "malformed IPAddressFamily")
		}
		afi, err := readAFI(&fam)
		if err != nil {
			return err
		}
		if afi <= lastAFI {
			return newError("cert", ErrProfile, "RFC 3779 §2.2.3.3", "address families duplicated or out of order")
		}
		lastAFI = afi
		res, bits := &r.IPv4, 32
		if afi == familyIPv6 {
			res, bits = &r.IPv6, 128
		}
		if err := parseIPChoice(fam, res, bits, &budget); err != nil {
			return err
		}
	}
	return nil
}

// readAFI reads the addressFamily OCTET STRING: exactly two octets (a SAFI
// is not allowed, RFC 6487 §4.8.10) holding AFI 1 or 2.
func readAFI(s *cryptobyte.String) (int, error) {
	af, err := readOctetString(s)
	if err != nil {
		return 0, newError("cert", ErrMalformed, secIPExt, "malformed addressFamily")
	}
	if len(af) == 3 {
		return 0, newError("cert", ErrProfile, secIPExt, "SAFI not allowed")
	}
	if len(af) != 2 {
		return 0, newError("cert", ErrMalformed, "RFC 3779 §2.2.3.3", "addressFamily is not 2 octets")
	}
	afi := int(af[0])<<8 | int(af[1])
	if afi != familyIPv4 && afi != familyIPv6 {
		return 0, newError("cert", ErrProfile, secIPExt, "address family %d not allowed", afi)
	}
	return afi, nil
}

// parseIPChoice parses an IPAddressChoice: inherit, or a non-empty list of
// prefixes and ranges.
func parseIPChoice(s cryptobyte.String, res *IPResources, bits int, budget *int) error {
	res.Present = true
	if s.PeekASN1Tag(cbasn1.NULL) {
		var null cryptobyte.String
		s.ReadASN1(&null, cbasn1.NULL)
		if len(null) != 0 || !s.Empty() {
			return newError("cert", ErrMalformed, secIPExt, "malformed inherit")
		}
		res.Inherit = true
		return nil
	}
	list, err := readSequence(&s)
	if err != nil || !s.Empty() {
		return newError("cert", ErrMalformed, secIPExt, "malformed addressesOrRanges")
	}
	if list.Empty() {
		return newError("cert", ErrProfile, "RFC 3779 §2.2.3.6", "empty addressesOrRanges")
	}
	n := countElements(list, *budget)
	if *budget -= n; *budget < 0 {
		return newError("cert", ErrMalformed, secIPExt, "more than MaxIPBlocks (%d) entries", MaxIPBlocks)
	}
	res.Ranges = make([]IPRange, 0, n)
	for !list.Empty() {
		rng, err := readIPEntry(&list, bits)
		if err != nil {
			return err
		}
		if err := checkIPOrder(res.Ranges, rng); err != nil {
			return err
		}
		res.Ranges = append(res.Ranges, rng)
	}
	return nil
}

// readIPEntry reads one IPAddressOrRange.
func readIPEntry(s *cryptobyte.String, bits int) (IPRange, error) {
	if s.PeekASN1Tag(cbasn1.BIT_STRING) {
		p, err := readIPBits(s, bits)
		if err != nil {
			return IPRange{}, err
		}
		return IPRange{Min: fillAddr(p, bits, 0), Max: fillAddr(p, bits, 1)}, nil
	}
	seq, err := readSequence(s)
	if err != nil {
		return IPRange{}, newError("cert", ErrMalformed, secIPExt, "malformed IPAddressOrRange")
	}
	lo, err := readIPBits(&seq, bits)
	if err != nil {
		return IPRange{}, err
	}
	hi, err := readIPBits(&seq, bits)
	if err != nil || !seq.Empty() {
		return IPRange{}, newError("cert", ErrMalformed, secIPExt, "malformed IPAddressRange")
	}
	return checkIPRange(lo, hi, bits)
}

// checkIPRange builds an IPAddressRange and checks its encoding (RFC 3779
// §2.2.3.9): min without trailing zero bits, max without trailing one bits,
// min <= max, and not expressible as a prefix (§2.2.3.7).
func checkIPRange(lo, hi bitString, bits int) (IPRange, error) {
	if lo.n > 0 && lo.at(lo.n-1) == 0 {
		return IPRange{}, newError("cert", ErrProfile, "RFC 3779 §2.2.3.9", "range min has trailing zero bits")
	}
	if hi.n > 0 && hi.at(hi.n-1) == 1 {
		return IPRange{}, newError("cert", ErrProfile, "RFC 3779 §2.2.3.9", "range max has trailing one bits")
	}
	rng := IPRange{Min: fillAddr(lo, bits, 0), Max: fillAddr(hi, bits, 1)}
	if rng.Max.Less(rng.Min) {
		return IPRange{}, newError("cert", ErrProfile, "RFC 3779 §2.2.3.9", "range min above max: %s-%s", rng.Min, rng.Max)
	}
	if p, ok := rng.Prefix(); ok {
		return IPRange{}, newError("cert", ErrProfile, "RFC 3779 §2.2.3.7", "range %s must be encoded as a prefix", p)
	}
	return rng, nil
}

// checkIPOrder checks that rng follows the last range without overlap or
// adjacency (RFC 3779 §2.2.3.6).
func checkIPOrder(prev []IPRange, rng IPRange) error {
	if len(prev) == 0 {
		return nil
	}
	last := prev[len(prev)-1]
	if !last.Max.Less(rng.Min) {
		return newError("cert", ErrProfile, "RFC 3779 §2.2.3.6", "%s out of order or overlapping %s", rng, last)
	}
	if last.Max.Next() == rng.Min {
		return newError("cert", ErrProfile, "RFC 3779 §2.2.3.6", "%s adjacent to %s, must be merged", rng, last)
	}
	return nil
}

// bitString is the value of a BIT STRING as read by readIPBits.
type bitString struct {
	b []byte
	n int // bit length
}

// at returns bit i (0 = most significant).
func (s bitString) at(i int) byte { return bitAt(s.b, i) }

// readIPBits reads a BIT STRING of at most bits bits (cryptobyte already
// rejects unused bits that are not zero).
func readIPBits(s *cryptobyte.String, bits int) (bitString, error) {
	bs, err := readBitString(s)
	if err != nil {
		return bitString{}, newError("cert", ErrMalformed, secIPExt, "malformed IPAddress")
	}
	if bs.BitLength > bits {
		return bitString{}, newError("cert", ErrProfile, "RFC 3779 §2.2.3.8", "IPAddress of %d bits, family has %d", bs.BitLength, bits)
	}
	return bitString{b: bs.Bytes, n: bs.BitLength}, nil
}

// fillAddr extends p to a full address, filling the missing bits with fill.
func fillAddr(p bitString, bits int, fill byte) netip.Addr {
	var a [16]byte
	copy(a[:], p.b)
	if fill == 1 {
		if p.n%8 != 0 {
			a[p.n/8] |= 0xff >> (p.n % 8)
		}
		for i := (p.n + 7) / 8; i < bits/8; i++ {
			a[i] = 0xff
		}
	}
	if bits == 32 {
		return netip.AddrFrom4([4]byte(a[:4]))
	}
	return netip.AddrFrom16(a)
}

// parseASIdentifiers parses the extnValue of id-pe-autonomousSysIds (RFC
// 3779 §3.2.3) into r: asnum required, rdi forbidden (RFC 6487 §4.8.11),
// entries sorted without overlap or adjacency, ranges with min < max.
func parseASIdentifiers(v cryptobyte.String, r *Resources) error {
	ids, err := readSequence(&v)
	if err != nil || !v.Empty() {
		return newError("cert", ErrMalformed, secASExt, "malformed ASIdentifiers")
	}
	var asnum cryptobyte.String
	if !ids.ReadASN1(&asnum, tagExplicit0) {
		return newError("cert", ErrProfile, secASExt, "asnum missing")
	}
	if !ids.Empty() {
		return newError("cert", ErrProfile, secASExt, "rdi not allowed")
	}
	r.AS.Present = true
	if asnum.PeekASN1Tag(cbasn1.NULL) {
		var null cryptobyte.String
		asnum.ReadASN1(&null, cbasn1.NULL)
		if len(null) != 0 || !asnum.Empty() {
			return newError("cert", ErrMalformed, secASExt, "malformed inherit")
		}
		r.AS.Inherit = true
		return nil
	}
	list, err := readSequence(&asnum)
	if err != nil || !asnum.Empty() {
		return newError("cert", ErrMalformed, secASExt, "malformed asIdsOrRanges")
	}
	if list.Empty() {
		return newError("cert", ErrProfile, "RFC 3779 §3.2.3", "empty asIdsOrRanges")
	}
	return parseASEntries(list, &r.AS)
}

// parseASEntries reads the ASIdOrRange entries of a non-empty list.
func parseASEntries(list cryptobyte.String, as *ASResources) error {
	n := countElements(list, MaxASBlocks)
	if n > MaxASBlocks {
		return newError("cert", ErrMalformed, secASExt, "more than MaxASBlocks (%d) entries", MaxASBlocks)
	}
	as.Ranges = make([]ASRange, 0, n)
	for !list.Empty() {
		rng, err := readASEntry(&list)
		if err != nil {
			return err
		}
		if k := len(as.Ranges); k > 0 {
			last := as.Ranges[k-1]
			if rng.Min <= last.Max {
				return newError("cert", ErrProfile, "RFC 3779 §3.2.3", "%s out of order or overlapping %s", rng, last)
			}
			if rng.Min == last.Max+1 {
				return newError("cert", ErrProfile, "RFC 3779 §3.2.3", "%s adjacent to %s, must be merged", rng, last)
			}
		}
		as.Ranges = append(as.Ranges, rng)
	}
	return nil
}

// readASEntry reads one ASIdOrRange; a range must have min < max, since a
// single AS is encoded as an ASId (RFC 3779 §3.2.3, as rpki-client).
func readASEntry(s *cryptobyte.String) (ASRange, error) {
	if s.PeekASN1Tag(cbasn1.INTEGER) {
		id, err := readASID(s)
		return ASRange{Min: id, Max: id}, err
	}
	seq, err := readSequence(s)
	if err != nil {
		return ASRange{}, newError("cert", ErrMalformed, secASExt, "malformed ASIdOrRange")
	}
	lo, err := readASID(&seq)
	if err != nil {
		return ASRange{}, err
	}
	hi, err := readASID(&seq)
	if err != nil || !seq.Empty() {
		return ASRange{}, newError("cert", ErrMalformed, secASExt, "malformed ASRange")
	}
	if lo >= hi {
		return ASRange{}, newError("cert", ErrProfile, "RFC 3779 §3.2.3", "ASRange %d-%d not ascending", lo, hi)
	}
	return ASRange{Min: lo, Max: hi}, nil
}

// readASID reads an ASId: an INTEGER from 0 to 2^32-1 (RFC 6793).
func readASID(s *cryptobyte.String) (uint32, error) {
	v, err := readSmallInt(s)
	if err == nil && (v < 0 || v > math.MaxUint32) {
		err = errors.New("out of range")
	}
	if err != nil {
		return 0, newError("cert", ErrMalformed, secASExt, "ASId: %v", err)
	}
	return uint32(v), nil
}
