package x509rpki

import "net/netip"

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
}
