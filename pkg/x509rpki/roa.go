package x509rpki

import (
	"cmp"
	"encoding/asn1"
	"net/netip"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ROAPrefix is one prefix of a ROA with its maximum length.
type ROAPrefix struct {
	Prefix    netip.Prefix
	MaxLength int
}

// ROA is a Route Origin Authorization (RFC 9582).
type ROA struct {
	Signed   *SignedObject
	ASID     uint32
	Prefixes []ROAPrefix // IPv4 first, in the order encoded

	// Canonical reports whether ipAddrBlocks is in the canonical form of
	// RFC 9582 §4.3.3 (IPv4 before IPv6, each family sorted ascending by
	// address, prefix length and maxLength, without duplicates). That form
	// is asked of issuers; a relying party is not told to reject other
	// forms, so ParseROA accepts them and reports it here (as rpki-client
	// does, which only warns).
	Canonical bool
}

// Address family identifiers of RFC 3779 §2.2.3.3, as used by ROAs (RFC
// 9582 §4.3.1: exactly two octets, no SAFI).
const (
	afiIPv4 = 1
	afiIPv6 = 2
)

// roaErr builds a ROA error.
func roaErr(class error, section, format string, args ...any) error {
	return newError("roa", class, section, format, args...)
}

// ParseROA parses a ROA (RFC 9582) and checks its profile, including the
// RFC 6488 envelope and the resource extensions of its EE certificate.
func ParseROA(der []byte) (*ROA, error) {
	so, err := ParseSignedObject(der, oidCTROA)
	if err != nil {
		return nil, err
	}
	roa, err := parseROAContent(so.Content)
	if err != nil {
		return nil, err
	}
	roa.Signed = so
	if err := roaCheckEE(so.EE); err != nil {
		return nil, err
	}
	return roa, nil
}

// roaCheckEE applies RFC 9582 §5 to the EE certificate: IP resources
// present and listed (no "inherit": RFC 9582 took this over from the
// RFC 6482 erratum, and rpki-client rejects it too), AS resources absent.
// rpki-client 8.2 and later reject the "superfluous AS Resources
// extension" too; the 2011 BBN conformance "good" ROAs all carry one and
// are therefore rejected here.
func roaCheckEE(ee *Cert) error {
	r := ee.Resources
	if !r.IPv4.Present && !r.IPv6.Present {
		return roaErr(ErrProfile, "RFC 9582 §5", "EE certificate has no IP resources")
	}
	if r.IPv4.Inherit || r.IPv6.Inherit {
		return roaErr(ErrProfile, "RFC 9582 §5", "EE certificate uses inherit")
	}
	if r.AS.Present {
		return roaErr(ErrProfile, "RFC 9582 §5", "EE certificate has AS resources")
	}
	return nil
}

// parseROAContent parses the RouteOriginAttestation eContent (RFC 9582 §4).
func parseROAContent(b []byte) (*ROA, error) {
	input := cryptobyte.String(b)
	var seq cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, roaErr(ErrMalformed, "RFC 9582 §4", "RouteOriginAttestation: not a DER SEQUENCE")
	}
	if !input.Empty() {
		return nil, roaErr(ErrMalformed, "RFC 9582 §4", "%d bytes of trailing data in eContent", len(input))
	}
	if err := sigobjVersion(&seq, 0, "roa", "RFC 9582 §4.1"); err != nil {
		return nil, err
	}
	roa := &ROA{Canonical: true}
	var err error
	if roa.ASID, err = sigobjASID(&seq, "roa", "RFC 9582 §4.2", "asID"); err != nil {
		return nil, err
	}
	var blocks cryptobyte.String
	if !seq.ReadASN1(&blocks, cbasn1.SEQUENCE) || !seq.Empty() {
		return nil, roaErr(ErrMalformed, "RFC 9582 §4.3", "ipAddrBlocks: bad encoding or trailing data")
	}
	if err := roa.parseBlocks(blocks); err != nil {
		return nil, err
	}
	return roa, nil
}

// parseBlocks reads ipAddrBlocks: one or two families, each at most once
// (RFC 9582 §4.3.1).
func (roa *ROA) parseBlocks(blocks cryptobyte.String) error {
	var seen [3]bool
	n := 0
	last := 0
	v6First := false
	roa.Prefixes = make([]ROAPrefix, 0, countROAPrefixes(blocks))
	for !blocks.Empty() {
		n++
		if n > 2 {
			return roaErr(ErrProfile, "RFC 9582 §4.3.1", "more than two ROAIPAddressFamily")
		}
		var fam, addrs cryptobyte.String
		if !blocks.ReadASN1(&fam, cbasn1.SEQUENCE) {
			return roaErr(ErrMalformed, "RFC 9582 §4.3.1", "ROAIPAddressFamily: not a DER SEQUENCE")
		}
		afi, err := sigobjAFI(&fam, "roa", "RFC 9582 §4.3.1")
		if err != nil {
			return err
		}
		if seen[afi] {
			return roaErr(ErrProfile, "RFC 9582 §4.3.1", "%s block appears twice", afiName(afi))
		}
		seen[afi] = true
		if afi < last {
			roa.Canonical, v6First = false, true
		}
		last = afi
		if !fam.ReadASN1(&addrs, cbasn1.SEQUENCE) || !fam.Empty() {
			return roaErr(ErrMalformed, "RFC 9582 §4.3.1", "addresses: bad encoding or trailing data")
		}
		if err := roa.parseAddresses(addrs, afi); err != nil {
			return err
		}
	}
	if n == 0 {
		return roaErr(ErrProfile, "RFC 9582 §4.3.1", "ipAddrBlocks is empty")
	}
	if v6First {
		roa.sortFamilies()
	}
	return nil
}

// countROAPrefixes counts the ROAIPAddress entries of the first two
// families of ipAddrBlocks, up to MaxROAPrefixes, so that Prefixes is
// allocated once. It skips what it cannot read: parseBlocks reports it.
func countROAPrefixes(blocks cryptobyte.String) int {
	n := 0
	for range 2 {
		var fam, afi, addrs cryptobyte.String
		if !blocks.ReadASN1(&fam, cbasn1.SEQUENCE) || !fam.ReadASN1(&afi, cbasn1.OCTET_STRING) ||
			!fam.ReadASN1(&addrs, cbasn1.SEQUENCE) {
			break
		}
		n += countElements(addrs, MaxROAPrefixes-n)
	}
	return min(n, MaxROAPrefixes)
}

// sortFamilies puts IPv4 prefixes first when the encoding had IPv6 first,
// keeping the encoded order within each family.
func (roa *ROA) sortFamilies() {
	slices.SortStableFunc(roa.Prefixes, func(a, b ROAPrefix) int {
		return cmp.Compare(a.Prefix.Addr().BitLen(), b.Prefix.Addr().BitLen())
	})
}

// parseAddresses reads the ROAIPAddress entries of one family (RFC 9582
// §4.3.2): at least one, each a prefix of the family with an optional
// maxLength between the prefix length and the family's maximum.
func (roa *ROA) parseAddresses(addrs cryptobyte.String, afi int) error {
	first := len(roa.Prefixes)
	if addrs.Empty() {
		return roaErr(ErrProfile, "RFC 9582 §4.3.1", "empty %s addresses", afiName(afi))
	}
	for !addrs.Empty() {
		if len(roa.Prefixes) >= MaxROAPrefixes {
			return roaErr(ErrMalformed, "", "more than %d prefixes", MaxROAPrefixes)
		}
		p, err := parseROAAddress(&addrs, afi)
		if err != nil {
			return err
		}
		if len(roa.Prefixes) > first && roaPrefixCompare(roa.Prefixes[len(roa.Prefixes)-1], p) >= 0 {
			roa.Canonical = false // out of order or duplicate
		}
		roa.Prefixes = append(roa.Prefixes, p)
	}
	return nil
}

// parseROAAddress reads one ROAIPAddress.
func parseROAAddress(addrs *cryptobyte.String, afi int) (ROAPrefix, error) {
	var entry cryptobyte.String
	var bs asn1.BitString
	if !addrs.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1BitString(&bs) {
		return ROAPrefix{}, roaErr(ErrMalformed, "RFC 9582 §4.3.2.1", "ROAIPAddress: bad address")
	}
	prefix, err := sigobjPrefix(bs, afi, "roa", "RFC 9582 §4.3.2.1")
	if err != nil {
		return ROAPrefix{}, err
	}
	maxBits := prefix.Addr().BitLen()
	p := ROAPrefix{Prefix: prefix, MaxLength: prefix.Bits()}
	if entry.Empty() {
		return p, nil
	}
	var ml int64
	if !entry.ReadASN1Integer(&ml) || !entry.Empty() {
		return ROAPrefix{}, roaErr(ErrMalformed, "RFC 9582 §4.3.2.2", "maxLength: bad encoding or trailing data")
	}
	if ml < int64(prefix.Bits()) || ml > int64(maxBits) {
		return ROAPrefix{}, roaErr(ErrProfile, "RFC 9582 §4.3.2.2", "maxLength %d outside [%d, %d] for %v", ml, prefix.Bits(), maxBits, prefix)
	}
	p.MaxLength = int(ml)
	return p, nil
}

// roaPrefixCompare orders ROA prefixes as RFC 9582 §4.3.3 does: by
// address, then prefix length, then maxLength.
func roaPrefixCompare(a, b ROAPrefix) int {
	if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()); c != 0 {
		return c
	}
	return cmp.Compare(a.MaxLength, b.MaxLength)
}

// afiName names an address family for messages.
func afiName(afi int) string {
	if afi == afiIPv4 {
		return "IPv4"
	}
	return "IPv6"
}

// Validate checks the ROA against its issuer at time now: the CMS
// signature, the EE certificate (validity, signature, resources) and that
// every prefix lies inside the EE's IP resources, with inherit resolved
// against the issuer (RFC 9582 §5, RFC 6488 §3). A prefix outside gives an
// ErrResources error. The issuer's own resources must be resolved.
func (r *ROA) Validate(issuer *Cert, now time.Time) error {
	if err := r.Signed.validateSigned("roa", issuer, now); err != nil {
		return err
	}
	res := r.Signed.EE.Resources.Resolve(issuer.Resources)
	for _, p := range r.Prefixes {
		if !res.ContainsPrefix(p.Prefix) {
			return roaErr(ErrResources, "RFC 9582 §5", "prefix %v not covered by the EE certificate", p.Prefix)
		}
	}
	return nil
}

// sigobjVersion reads an optional "version [0] EXPLICIT INTEGER DEFAULT 0"
// and checks it equals want. DER (X.690 §11.5) forbids encoding a DEFAULT
// value, so an explicit 0 is rejected; want == 1 (ASPA) requires it
// present.
func sigobjVersion(s *cryptobyte.String, want int64, object, section string) error {
	var v cryptobyte.String
	var present bool
	if !s.ReadOptionalASN1(&v, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return newError(object, ErrMalformed, section, "version: bad encoding")
	}
	if !present {
		if want == 0 {
			return nil
		}
		return newError(object, ErrProfile, section, "version absent, want %d", want)
	}
	var n int64
	if !v.ReadASN1Integer(&n) || !v.Empty() {
		return newError(object, ErrMalformed, section, "version: bad encoding")
	}
	if n == 0 {
		return newError(object, ErrMalformed, section, "version 0 explicitly encoded (DER forbids encoding a DEFAULT value)")
	}
	if n != want {
		return newError(object, ErrProfile, section, "version is %d, want %d", n, want)
	}
	return nil
}

// sigobjASID reads an ASID ::= INTEGER (0..4294967295).
func sigobjASID(s *cryptobyte.String, object, section, field string) (uint32, error) {
	var n int64
	if !s.ReadASN1Integer(&n) {
		return 0, newError(object, ErrMalformed, section, "%s: bad INTEGER", field)
	}
	if n < 0 || n > 0xffffffff {
		return 0, newError(object, ErrProfile, section, "%s %d out of range", field, n)
	}
	return uint32(n), nil
}

// sigobjAFI reads an addressFamily OCTET STRING of exactly two octets and
// returns afiIPv4 or afiIPv6.
func sigobjAFI(s *cryptobyte.String, object, section string) (int, error) {
	var afi cryptobyte.String
	if !s.ReadASN1(&afi, cbasn1.OCTET_STRING) {
		return 0, newError(object, ErrMalformed, section, "addressFamily: bad encoding")
	}
	if len(afi) != 2 || afi[0] != 0 || (afi[1] != afiIPv4 && afi[1] != afiIPv6) {
		return 0, newError(object, ErrProfile, section, "addressFamily %x is not IPv4 or IPv6", []byte(afi))
	}
	return int(afi[1]), nil
}

// sigobjPrefix turns an RFC 3779 §2.2.3.8 IPAddress BIT STRING into a
// prefix of family afi. cryptobyte has already checked that the unused
// bits are zero (DER).
func sigobjPrefix(bs asn1.BitString, afi int, object, section string) (netip.Prefix, error) {
	size := 4
	if afi == afiIPv6 {
		size = 16
	}
	if len(bs.Bytes) > size {
		return netip.Prefix{}, newError(object, ErrProfile, section, "%s address of %d bits", afiName(afi), bs.BitLength)
	}
	var buf [16]byte
	copy(buf[:], bs.Bytes)
	var addr netip.Addr
	if afi == afiIPv4 {
		addr = netip.AddrFrom4([4]byte(buf[:4]))
	} else {
		addr = netip.AddrFrom16(buf)
	}
	return netip.PrefixFrom(addr, bs.BitLength), nil
}
