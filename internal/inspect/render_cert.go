package inspect

import (
	"math/big"
	"net/netip"
	"strings"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// certView renders a resource certificate (RFC 6487) with its RFC 3779
// resources.
func certView(c *x509rpki.Cert) *CertView {
	return &CertView{
		SKI:          colonHex(c.SKI),
		AKI:          colonHex(c.AKI),
		CertSerial:   bnHex(c.SerialNumber),
		Issuer:       c.Issuer,
		Subject:      c.Subject,
		NotBefore:    timeString(c.NotBefore),
		NotAfter:     timeString(c.NotAfter),
		AIA:          c.AIA,
		CRLDP:        c.CRLDP,
		SIA:          c.SignedObject,
		Manifest:     c.Manifest,
		CARepository: c.CARepository,
		NotifyURL:    c.Notify,
		Reconsidered: c.Reconsidered,
		Resources:    resourceViews(&c.Resources),
	}
}

// certType names a certificate the way rpki-client -j does: "ca_cert" for
// CA and trust anchor certificates, "router_key" for BGPsec router
// certificates.
func certType(c *x509rpki.Cert) string {
	switch c.Kind {
	case x509rpki.KindTA, x509rpki.KindCA:
		return "ca_cert"
	case x509rpki.KindRouter:
		return "router_key"
	case x509rpki.KindEE:
		return "ee_cert"
	}
	return "cert"
}

// resourceViews lists AS resources first, then IPv4, then IPv6, as
// rpki-client's subordinate_resources does.
func resourceViews(r *x509rpki.Resources) []ResourceView {
	n := len(r.AS.Ranges) + len(r.IPv4.Ranges) + len(r.IPv6.Ranges) + 3
	out := make([]ResourceView, 0, n)
	out = appendAS(out, &r.AS)
	out = appendIP(out, &r.IPv4, "ipv4")
	out = appendIP(out, &r.IPv6, "ipv6")
	return out
}

func appendAS(out []ResourceView, as *x509rpki.ASResources) []ResourceView {
	if as.Inherit {
		return append(out, ResourceView{Inherit: "as"})
	}
	for _, rg := range as.Ranges {
		if rg.Min == rg.Max {
			id := rg.Min
			out = append(out, ResourceView{ASID: &id})
			continue
		}
		out = append(out, ResourceView{ASRange: &RangeView{Min: rg.Min, Max: rg.Max}})
	}
	return out
}

func appendIP(out []ResourceView, ip *x509rpki.IPResources, family string) []ResourceView {
	if ip.Inherit {
		return append(out, ResourceView{Inherit: family})
	}
	for _, rg := range ip.Ranges {
		if p, ok := rangePrefix(rg.Min, rg.Max); ok {
			out = append(out, ResourceView{Prefix: p.String()})
			continue
		}
		out = append(out, ResourceView{IPRange: &RangeView{Min: rg.Min.String(), Max: rg.Max.String()}})
	}
	return out
}

// rangePrefix returns the prefix that covers exactly [lo, hi], if any:
// lo and hi must agree on a common prefix, after which lo has only zero
// bits and hi only one bits (RFC 3779 §2.1.2 encodes such ranges as
// prefixes).
func rangePrefix(lo, hi netip.Addr) (netip.Prefix, bool) {
	if !lo.IsValid() || !hi.IsValid() || lo.BitLen() != hi.BitLen() || hi.Less(lo) {
		return netip.Prefix{}, false
	}
	a, b := lo.As16(), hi.As16()
	skip := 128 - lo.BitLen() // IPv4 sits in the last 32 bits of As16
	common := 0
	for common < 128 && bitAt(&a, common) == bitAt(&b, common) {
		common++
	}
	for i := common; i < 128; i++ {
		if bitAt(&a, i) != 0 || bitAt(&b, i) != 1 {
			return netip.Prefix{}, false
		}
	}
	return netip.PrefixFrom(lo, common-skip), true
}

// bitAt returns bit i (0 = most significant) of a.
func bitAt(a *[16]byte, i int) byte {
	return a[i/8] >> (7 - i%8) & 1
}

// colonHex prints a key identifier as rpki-client does: upper-case hex
// octets separated by colons.
func colonHex(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	const digits = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(len(b) * 3)
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&0x0f])
	}
	return sb.String()
}

// bnHex prints a serial or a manifest/CRL number as OpenSSL's BN_bn2hex
// does, which is what rpki-client prints: upper case, an even number of
// digits, "0" for zero.
func bnHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	if n.Sign() == 0 {
		return "0"
	}
	s := strings.ToUpper(new(big.Int).Abs(n).Text(16))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	if n.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// timeString prints t in RFC 3339, UTC; the zero time prints as "".
func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
