package payload

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"net/netip"
)

// VRP is a Validated ROA Payload (RFC 6811 §2; RFC 9582 §4): a prefix, the
// maximum length of announcements it covers, and the origin AS.
//
// It is a fixed-size value of 24 bytes with no pointers: netip.Prefix is not
// used for storage because it carries a zone handle (a pointer), and
// snapshots of a million VRPs should not give the garbage collector a
// million pointers to scan. Use NewVRP to build one and Prefix to read it.
type VRP struct {
	// Addr holds the prefix bits: IPv4 in Addr[0:4], IPv6 in all 16
	// bytes. Host bits are zero.
	Addr [16]byte
	// ASN is the origin AS; 0 is valid and means "never originate"
	// (RFC 6483 §4).
	ASN uint32
	// Bits is the prefix length.
	Bits uint8
	// MaxLen is the ROA maxLength, Bits <= MaxLen <= 32 or 128.
	MaxLen uint8
	// V6 is true for IPv6 prefixes.
	V6 bool
}

// NewVRP checks and builds a VRP. A MaxLen of 0 means "equal to the prefix
// length" (RFC 9582 §4.3.2: maxLength absent). Host bits must be zero, as
// rpki-client requires of ROA prefixes.
func NewVRP(p netip.Prefix, maxLen uint8, asn uint32) (VRP, error) {
	if !p.IsValid() {
		return VRP{}, fmt.Errorf("payload: vrp: invalid prefix %v", p)
	}
	if p.Addr().Zone() != "" {
		return VRP{}, fmt.Errorf("payload: vrp: prefix %v has a zone", p)
	}
	if p.Masked() != p {
		return VRP{}, fmt.Errorf("payload: vrp: prefix %v has host bits set (RFC 9582 §4.3.2)", p)
	}
	if maxLen == 0 {
		maxLen = uint8(p.Bits())
	}
	if int(maxLen) < p.Bits() || int(maxLen) > p.Addr().BitLen() {
		return VRP{}, fmt.Errorf("payload: vrp: %v: maxLength %d out of range (RFC 9582 §4.3.2)", p, maxLen)
	}
	v := VRP{ASN: asn, Bits: uint8(p.Bits()), MaxLen: maxLen, V6: p.Addr().Is6()}
	if v.V6 {
		v.Addr = p.Addr().As16()
	} else {
		a4 := p.Addr().As4()
		copy(v.Addr[:4], a4[:])
	}
	return v, nil
}

// Prefix returns the VRP's prefix.
func (v VRP) Prefix() netip.Prefix {
	if v.V6 {
		return netip.PrefixFrom(netip.AddrFrom16(v.Addr), int(v.Bits))
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte(v.Addr[:4])), int(v.Bits))
}

// String formats the VRP as "192.0.2.0/24-24 AS65000".
func (v VRP) String() string {
	return fmt.Sprintf("%v-%d AS%d", v.Prefix(), v.MaxLen, v.ASN)
}

// CompareVRP orders VRPs: IPv4 before IPv6, then by address, prefix
// length, maxLength and ASN. It is the order of Snapshot.VRPs.
func CompareVRP(a, b VRP) int {
	if a.V6 != b.V6 {
		if a.V6 {
			return 1
		}
		return -1
	}
	if c := cmp.Compare(binary.BigEndian.Uint64(a.Addr[:8]), binary.BigEndian.Uint64(b.Addr[:8])); c != 0 {
		return c
	}
	if c := cmp.Compare(binary.BigEndian.Uint64(a.Addr[8:]), binary.BigEndian.Uint64(b.Addr[8:])); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Bits, b.Bits); c != 0 {
		return c
	}
	if c := cmp.Compare(a.MaxLen, b.MaxLen); c != 0 {
		return c
	}
	return cmp.Compare(a.ASN, b.ASN)
}
