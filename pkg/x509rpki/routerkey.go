package x509rpki

import "time"

// RouterCert is a BGPsec router certificate (RFC 8209): an EE certificate
// with an ECDSA P-256 key, the BGPsec router EKU and AS resources only.
type RouterCert struct {
	Cert *Cert
	ASNs []uint32 // every AS number in the certificate's AS resources
}

// ParseRouterCert parses a BGPsec router certificate (RFC 8209 §3.1): a
// resource certificate of KindRouter, whose AS ranges are expanded into
// ASNs, at most MaxRouterASNs of them (each becomes one router key).
func ParseRouterCert(der []byte) (*RouterCert, error) {
	c, err := ParseCert(der)
	if err != nil {
		return nil, err
	}
	if c.Kind != KindRouter {
		return nil, newError("routercert", ErrProfile, "RFC 8209 §3.1.3.2", "%s certificate without the BGPsec router EKU", c.Kind)
	}
	asns, err := expandASNs(c.Resources.AS.Ranges)
	if err != nil {
		return nil, err
	}
	return &RouterCert{Cert: c, ASNs: asns}, nil
}

// expandASNs lists every AS number of canonical ranges, refusing more than
// MaxRouterASNs.
func expandASNs(ranges []ASRange) ([]uint32, error) {
	n := uint64(0)
	for _, r := range ranges {
		n += uint64(r.Max-r.Min) + 1
	}
	if n > MaxRouterASNs {
		return nil, newError("routercert", ErrProfile, "RFC 8209 §3.1.3.5", "%d AS numbers, more than MaxRouterASNs (%d)", n, MaxRouterASNs)
	}
	out := make([]uint32, 0, n)
	for _, r := range ranges {
		for a := uint64(r.Min); a <= uint64(r.Max); a++ {
			out = append(out, uint32(a))
		}
	}
	return out, nil
}

// Validate checks the router certificate against its issuing CA at time
// now, as Cert.Validate does (signature, names, validity, AS resources
// covered by the issuer's resolved resources).
func (r *RouterCert) Validate(issuer *Cert, now time.Time) error {
	return r.Cert.Validate(issuer, now)
}
