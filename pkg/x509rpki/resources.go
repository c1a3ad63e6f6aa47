package x509rpki

import "net/netip"

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
type Resources struct {
	IPv4, IPv6 IPResources
	AS         ASResources
}

// TODO(cert helper): parsing of the extensions, canonical-form checks,
// containment (Covers) and inherit resolution.
