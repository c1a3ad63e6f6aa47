package slurm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"fmt"
	"net/netip"

	"github.com/openrpki/validator/pkg/payload"
)

// parsePrefix reads a "prefix" member: an IPv4 or IPv6 prefix in the
// RFC 4632 / RFC 5952 text form with no host bits set. RFC 8416 does not
// spell out the host-bit rule; like rpki-client for ROA prefixes we reject
// "10.0.0.1/8" rather than guess whether 10.0.0.0/8 or 10.0.0.1/32 was
// meant. netip also rejects zones and IPv4 octets with leading zeros.
func parsePrefix(v *value, path, section string) (netip.Prefix, error) {
	s, err := asString(v, path, section)
	if err != nil {
		return netip.Prefix{}, err
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errorf(path, section, "invalid prefix %q: %v", s, err)
	}
	if p.Masked() != p {
		return netip.Prefix{}, errorf(path, section, "prefix %q has host bits set", s)
	}
	return p, nil
}

// parsePrefixFilter reads one prefixFilters entry (RFC 8416 §3.3.1):
// optional prefix, optional asn, optional comment, and at least one of
// prefix and asn.
func parsePrefixFilter(o *object) (PrefixFilter, error) {
	var pf PrefixFilter
	var err error
	if v := o.get("prefix"); v != nil {
		if pf.Prefix, err = parsePrefix(v, o.path+".prefix", o.section); err != nil {
			return pf, err
		}
	}
	if v := o.get("asn"); v != nil {
		if pf.ASN, err = asASN(v, o.path+".asn", o.section); err != nil {
			return pf, err
		}
		pf.HasASN = true
	}
	if !pf.Prefix.IsValid() && !pf.HasASN {
		return pf, errorf(o.path, o.section, "a prefix filter needs a prefix, an asn or both")
	}
	pf.Comment, err = optComment(o)
	return pf, err
}

// parseBGPsecFilter reads one bgpsecFilters entry (RFC 8416 §3.3.2):
// optional asn, optional SKI, optional comment, and at least one of asn
// and SKI.
func parseBGPsecFilter(o *object) (BGPsecFilter, error) {
	var bf BGPsecFilter
	var err error
	if v := o.get("asn"); v != nil {
		if bf.ASN, err = asASN(v, o.path+".asn", o.section); err != nil {
			return bf, err
		}
		bf.HasASN = true
	}
	if v := o.get("SKI"); v != nil {
		if bf.SKI, err = decodeSKI(v, o.path+".SKI", o.section); err != nil {
			return bf, err
		}
		bf.HasSKI = true
	}
	if !bf.HasASN && !bf.HasSKI {
		return bf, errorf(o.path, o.section, "a BGPsec filter needs an asn, an SKI or both")
	}
	bf.Comment, err = optComment(o)
	return bf, err
}

// parseASPAFilter reads one aspaFilters entry (draft §3.1): customerAsn
// and an optional comment.
func parseASPAFilter(o *object) (ASPAFilter, error) {
	var af ASPAFilter
	v, err := o.need("customerAsn")
	if err != nil {
		return af, err
	}
	if af.Customer, err = asASN(v, o.path+".customerAsn", o.section); err != nil {
		return af, err
	}
	af.Comment, err = optComment(o)
	return af, err
}

// parsePrefixAssertion reads one prefixAssertions entry (RFC 8416 §3.4.1):
// prefix and asn required; maxPrefixLength, when present, at least the
// prefix length and at most 32 (IPv4) or 128 (IPv6).
func parsePrefixAssertion(o *object) (PrefixAssertion, error) {
	var pa PrefixAssertion
	pv, err := o.need("prefix")
	if err != nil {
		return pa, err
	}
	p, err := parsePrefix(pv, o.path+".prefix", o.section)
	if err != nil {
		return pa, err
	}
	av, err := o.need("asn")
	if err != nil {
		return pa, err
	}
	asn, err := asASN(av, o.path+".asn", o.section)
	if err != nil {
		return pa, err
	}
	maxLen := p.Bits()
	if v := o.get("maxPrefixLength"); v != nil {
		path := o.path + ".maxPrefixLength"
		if maxLen, err = asSmallInt(v, path, o.section, p.Addr().BitLen()); err != nil {
			return pa, err
		}
		if maxLen < p.Bits() {
			return pa, errorf(path, o.section, "maxPrefixLength %d is shorter than the prefix length %d", maxLen, p.Bits())
		}
	}
	if pa.VRP, err = payload.NewVRP(p, uint8(maxLen), asn); err != nil {
		return pa, errorf(o.path, o.section, "%v", err)
	}
	pa.Comment, err = optComment(o)
	return pa, err
}

// parseBGPsecAssertion reads one bgpsecAssertions entry (RFC 8416 §3.4.2):
// asn, SKI and routerPublicKey required, comment optional.
func parseBGPsecAssertion(o *object) (BGPsecAssertion, error) {
	var ba BGPsecAssertion
	av, err := o.need("asn")
	if err != nil {
		return ba, err
	}
	if ba.Key.ASN, err = asASN(av, o.path+".asn", o.section); err != nil {
		return ba, err
	}
	sv, err := o.need("SKI")
	if err != nil {
		return ba, err
	}
	if ba.Key.SKI, err = decodeSKI(sv, o.path+".SKI", o.section); err != nil {
		return ba, err
	}
	kv, err := o.need("routerPublicKey")
	if err != nil {
		return ba, err
	}
	if ba.Key.SPKI, err = parseRouterKey(kv, o.path+".routerPublicKey", o.section); err != nil {
		return ba, err
	}
	ba.Comment, err = optComment(o)
	return ba, err
}

// parseRouterKey decodes routerPublicKey: base64url of a DER
// SubjectPublicKeyInfo. RFC 8416 only says "public key"; the key goes to
// routers in an RTR Router Key PDU (RFC 8210 §5.10) as a BGPsec key, and
// RFC 8208 §3.1 allows only ECDSA P-256 there, so anything else would be
// useless or harmful on the wire. The DER must re-encode identically.
func parseRouterKey(v *value, path, section string) ([]byte, error) {
	s, err := asString(v, path, section)
	if err != nil {
		return nil, err
	}
	b, err := decodeBase64URL(s, path, section)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 || len(b) > MaxRouterKeyBytes {
		return nil, errorf(path, section, "routerPublicKey is %d bytes, want 1..%d", len(b), MaxRouterKeyBytes)
	}
	pub, err := x509.ParsePKIXPublicKey(b)
	if err != nil {
		return nil, errorf(path, section, "routerPublicKey is not a SubjectPublicKeyInfo: %v", err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errorf(path, section, "routerPublicKey is %T, want an ECDSA P-256 key (RFC 8208 §3.1)", pub)
	}
	if der, err := x509.MarshalPKIXPublicKey(pub); err != nil || !bytes.Equal(der, b) {
		return nil, errorf(path, section, "routerPublicKey is not in canonical DER")
	}
	return b, nil
}

// parseASPAAssertion reads one aspaAssertions entry (draft §3.2):
// customerAsn and providerAsns required, comment optional. providerAsns
// MUST be in ascending order, unique and exclude customerAsn (draft §3.2);
// it must not be empty, as the ASPA profile's providers are SIZE(1..MAX),
// and the draft refers to "the formal ASN.1 definition".
func parseASPAAssertion(o *object) (ASPAAssertion, error) {
	var aa ASPAAssertion
	cv, err := o.need("customerAsn")
	if err != nil {
		return aa, err
	}
	if aa.ASPA.Customer, err = asASN(cv, o.path+".customerAsn", o.section); err != nil {
		return aa, err
	}
	pv, err := o.need("providerAsns")
	if err != nil {
		return aa, err
	}
	if aa.ASPA.Providers, err = parseProviders(pv, o.path+".providerAsns", o.section, aa.ASPA.Customer); err != nil {
		return aa, err
	}
	aa.Comment, err = optComment(o)
	return aa, err
}

// parseProviders reads providerAsns for customer.
func parseProviders(v *value, path, section string, customer uint32) ([]uint32, error) {
	arr, err := asArray(v, path, section)
	if err != nil {
		return nil, err
	}
	if len(arr) == 0 || len(arr) > MaxProviders {
		return nil, errorf(path, section, "%d providers, want 1..%d", len(arr), MaxProviders)
	}
	provs := make([]uint32, 0, len(arr))
	for i, e := range arr {
		ep := entryPath(path, i)
		asn, err := asASN(e, ep, section)
		if err != nil {
			return nil, err
		}
		if asn == customer {
			return nil, errorf(ep, section, "provider AS%d is the customer", asn)
		}
		if i > 0 && asn <= provs[i-1] {
			return nil, errorf(ep, section, "%s", orderProblem(asn, provs[i-1]))
		}
		provs = append(provs, asn)
	}
	return provs, nil
}

func orderProblem(asn, prev uint32) string {
	if asn == prev {
		return fmt.Sprintf("provider AS%d appears twice", asn)
	}
	return fmt.Sprintf("provider AS%d after AS%d: providers must be in ascending order", asn, prev)
}
