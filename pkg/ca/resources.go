package ca

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/openrpki/validator/pkg/x509rpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Address family identifiers (RFC 3779 §2.2.3.3; IANA AFI registry).
var (
	afiIPv4 = []byte{0, 1}
	afiIPv6 = []byte{0, 2}
)

// PrefixRange returns the address range a prefix covers.
func PrefixRange(p netip.Prefix) x509rpki.IPRange {
	p = p.Masked()
	lo := p.Addr().AsSlice()
	hi := slices.Clone(lo)
	for i := p.Bits(); i < len(hi)*8; i++ {
		hi[i/8] |= 0x80 >> (i % 8)
	}
	max, _ := netip.AddrFromSlice(hi)
	return x509rpki.IPRange{Min: p.Addr(), Max: max}
}

// ResourcesFor returns explicit resources holding the given prefixes (IPv4
// and IPv6 sorted into their families) and AS ranges, in canonical form.
// Families with nothing in them are absent.
func ResourcesFor(prefixes []netip.Prefix, as []x509rpki.ASRange) x509rpki.Resources {
	var r x509rpki.Resources
	for _, p := range prefixes {
		fam := &r.IPv6
		if p.Addr().Is4() {
			fam = &r.IPv4
		}
		fam.Present = true
		fam.Ranges = append(fam.Ranges, PrefixRange(p))
	}
	if len(as) > 0 {
		r.AS = x509rpki.ASResources{Present: true, Ranges: slices.Clone(as)}
	}
	return Canonical(r)
}

// InheritAll returns resources that inherit IPv4, IPv6 and AS numbers from
// the issuer (RFC 3779 §2.2.3.5, §3.2.3.3), as manifest EE certificates
// usually do.
func InheritAll() x509rpki.Resources {
	return x509rpki.Resources{
		IPv4: x509rpki.IPResources{Present: true, Inherit: true},
		IPv6: x509rpki.IPResources{Present: true, Inherit: true},
		AS:   x509rpki.ASResources{Present: true, Inherit: true},
	}
}

// Canonical returns r with each family sorted and with overlapping or
// adjacent ranges merged, the form RFC 3779 §2.2.3.6 and §3.2.3.4 require
// in DER. The input is not modified.
func Canonical(r x509rpki.Resources) x509rpki.Resources {
	r.IPv4.Ranges = canonicalIP(r.IPv4.Ranges)
	r.IPv6.Ranges = canonicalIP(r.IPv6.Ranges)
	r.AS.Ranges = canonicalAS(r.AS.Ranges)
	return r
}

// canonicalIP sorts and merges IP ranges of one family.
func canonicalIP(in []x509rpki.IPRange) []x509rpki.IPRange {
	if len(in) == 0 {
		return nil
	}
	rs := slices.Clone(in)
	slices.SortFunc(rs, func(a, b x509rpki.IPRange) int { return a.Min.Compare(b.Min) })
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		next := last.Max.Next()
		if r.Min.Compare(last.Max) <= 0 || (next.IsValid() && r.Min == next) {
			if r.Max.Compare(last.Max) > 0 {
				last.Max = r.Max
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// canonicalAS sorts and merges AS ranges.
func canonicalAS(in []x509rpki.ASRange) []x509rpki.ASRange {
	if len(in) == 0 {
		return nil
	}
	rs := slices.Clone(in)
	slices.SortFunc(rs, func(a, b x509rpki.ASRange) int { return cmp.Compare(a.Min, b.Min) })
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if uint64(r.Min) <= uint64(last.Max)+1 {
			last.Max = max(last.Max, r.Max)
			continue
		}
		out = append(out, r)
	}
	return out
}

// checkResources checks that every range is well-formed and in its family.
func checkResources(r *x509rpki.Resources) error {
	for _, fam := range []struct {
		name string
		res  *x509rpki.IPResources
		v4   bool
	}{{"IPv4", &r.IPv4, true}, {"IPv6", &r.IPv6, false}} {
		for _, rg := range fam.res.Ranges {
			if !rg.Min.IsValid() || !rg.Max.IsValid() || rg.Min.Is4() != fam.v4 || rg.Max.Is4() != fam.v4 ||
				rg.Min.Zone() != "" || rg.Min.Compare(rg.Max) > 0 {
				return fmt.Errorf("ca: RFC 3779 §2.2.3.8: bad %s range %v-%v", fam.name, rg.Min, rg.Max)
			}
		}
	}
	for _, rg := range r.AS.Ranges {
		if rg.Min > rg.Max {
			return fmt.Errorf("ca: RFC 3779 §3.2.3.8: bad AS range %d-%d", rg.Min, rg.Max)
		}
	}
	return nil
}

// hasIP reports whether an IPAddrBlocks extension is to be written.
func hasIP(r *x509rpki.Resources) bool { return r.IPv4.Present || r.IPv6.Present }

// addIPAddrBlocks writes the IPAddrBlocks value (RFC 3779 §2.2.3), IPv4
// before IPv6 as §2.2.3.3 orders families by AFI.
func addIPAddrBlocks(b *cryptobyte.Builder, r *x509rpki.Resources) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if r.IPv4.Present {
			addIPFamily(b, afiIPv4, &r.IPv4)
		}
		if r.IPv6.Present {
			addIPFamily(b, afiIPv6, &r.IPv6)
		}
	})
}

// addIPFamily writes one IPAddressFamily; SAFI is never written (RFC 6487
// §4.8.10).
func addIPFamily(b *cryptobyte.Builder, afi []byte, fam *x509rpki.IPResources) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(afi)
		if fam.Inherit {
			b.AddASN1NULL()
			return
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, r := range fam.Ranges {
				addIPRange(b, r)
			}
		})
	})
}

// addIPRange writes an IPAddressOrRange: a prefix when the range is one
// (RFC 3779 §2.2.3.6 requires that), else an IPAddressRange whose min drops
// its trailing zero bits and whose max drops its trailing one bits
// (§2.1.2).
func addIPRange(b *cryptobyte.Builder, r x509rpki.IPRange) {
	lo, hi := r.Min.AsSlice(), r.Max.AsSlice()
	width := len(lo) * 8
	p := commonPrefixBits(lo, hi)
	if trailingBits(lo, 0) >= width-p && trailingBits(hi, 1) >= width-p {
		addBitString(b, lo, p)
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addBitString(b, lo, width-trailingBits(lo, 0))
		addBitString(b, hi, width-trailingBits(hi, 1))
	})
}

// commonPrefixBits counts the leading bits a and b share.
func commonPrefixBits(a, b []byte) int {
	for i := range a {
		if x := a[i] ^ b[i]; x != 0 {
			n := 0
			for x&0x80 == 0 {
				x <<= 1
				n++
			}
			return i*8 + n
		}
	}
	return len(a) * 8
}

// trailingBits counts the trailing bits of a equal to bit (0 or 1).
func trailingBits(a []byte, bit byte) int {
	n := 0
	for i := len(a) - 1; i >= 0; i-- {
		v := a[i]
		if bit == 1 {
			v = ^v
		}
		if v == 0 {
			n += 8
			continue
		}
		for v&1 == 0 {
			v >>= 1
			n++
		}
		return n
	}
	return n
}

// addASIdentifiers writes the ASIdentifiers value (RFC 3779 §3.2.3) with
// asnum only: rdi is not allowed in the RPKI (RFC 6487 §4.8.11).
func addASIdentifiers(b *cryptobyte.Builder, as *x509rpki.ASResources) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			if as.Inherit {
				b.AddASN1NULL()
				return
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, r := range as.Ranges {
					addASRange(b, r)
				}
			})
		})
	})
}

// addASRange writes an ASIdOrRange: a single id when min equals max
// (RFC 3779 §3.2.3.7 wants ranges only for two or more ASes).
func addASRange(b *cryptobyte.Builder, r x509rpki.ASRange) {
	if r.Min == r.Max {
		b.AddASN1Uint64(uint64(r.Min))
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Uint64(uint64(r.Min))
		b.AddASN1Uint64(uint64(r.Max))
	})
}
