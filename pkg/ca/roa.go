package ca

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/openrpki/validator/pkg/x509rpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// EncodeROA returns the DER RouteOriginAttestation eContent (RFC 9582 §4):
// version absent (DEFAULT 0), asID, then ipAddrBlocks with the IPv4 family
// before IPv6 (§4.3.1) and each family's prefixes in canonical order
// (ascending address, then length, then maxLength; exact duplicates
// dropped). A maxLength is written only when it differs from the prefix
// length (§4.3.2 makes it OPTIONAL and rpki-client expects it absent then);
// a MaxLength of 0 means "equal to the prefix length". Out-of-range
// maxLengths are written as given, so the lab can build bad ROAs.
func EncodeROA(asID uint32, prefixes []x509rpki.ROAPrefix) ([]byte, error) {
	v4, v6, err := splitROAPrefixes(prefixes)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Uint64(uint64(asID))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addROAFamily(b, afiIPv4, v4)
			addROAFamily(b, afiIPv6, v6)
		})
	})
	return b.Bytes()
}

// splitROAPrefixes masks, sorts and de-duplicates the prefixes per family.
func splitROAPrefixes(prefixes []x509rpki.ROAPrefix) (v4, v6 []x509rpki.ROAPrefix, err error) {
	if len(prefixes) == 0 {
		return nil, nil, errors.New("ca: roa: RFC 9582 §4.3: at least one prefix is required")
	}
	if len(prefixes) > x509rpki.MaxROAPrefixes {
		return nil, nil, fmt.Errorf("ca: roa: more than %d prefixes", x509rpki.MaxROAPrefixes)
	}
	for _, p := range prefixes {
		if !p.Prefix.IsValid() || p.Prefix.Addr().Zone() != "" {
			return nil, nil, fmt.Errorf("ca: roa: RFC 9582 §4.3.2: invalid prefix %v", p.Prefix)
		}
		p.Prefix = p.Prefix.Masked()
		if p.MaxLength == 0 {
			p.MaxLength = p.Prefix.Bits()
		}
		if p.Prefix.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	return canonicalROA(v4), canonicalROA(v6), nil
}

// canonicalROA sorts one family and drops exact duplicates.
func canonicalROA(ps []x509rpki.ROAPrefix) []x509rpki.ROAPrefix {
	slices.SortFunc(ps, func(a, b x509rpki.ROAPrefix) int {
		if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()); c != 0 {
			return c
		}
		return cmp.Compare(a.MaxLength, b.MaxLength)
	})
	return slices.Compact(ps)
}

// addROAFamily writes one ROAIPAddressFamily, or nothing for an empty family
// (RFC 9582 §4.3.1: a family appears at most once and never empty).
func addROAFamily(b *cryptobyte.Builder, afi []byte, ps []x509rpki.ROAPrefix) {
	if len(ps) == 0 {
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1OctetString(afi)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, p := range ps {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					addBitString(b, p.Prefix.Addr().AsSlice(), p.Prefix.Bits())
					if p.MaxLength != p.Prefix.Bits() {
						b.AddASN1Int64(int64(p.MaxLength))
					}
				})
			}
		})
	})
}
