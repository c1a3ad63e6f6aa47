package slurm

import (
	"net/netip"

	"github.com/openrpki/validator/pkg/payload"
)

// File is one parsed SLURM file (RFC 8416 §3.2). Entries keep the order
// of the file, so that index i of a slice is element i of the JSON array.
type File struct {
	// Name is the file name given to Load ("" after Parse); errors and
	// overlap reports use it.
	Name string
	// Version is slurmVersion: 1 (RFC 8416) or 2 (ASPA draft).
	Version int

	PrefixFilters    []PrefixFilter
	BGPsecFilters    []BGPsecFilter
	ASPAFilters      []ASPAFilter
	PrefixAssertions []PrefixAssertion
	BGPsecAssertions []BGPsecAssertion
	ASPAAssertions   []ASPAAssertion
}

// PrefixFilter removes VRPs (RFC 8416 §3.3.1). At least one of Prefix and
// ASN is set. A VRP matches if its prefix is equal to or more specific than
// Prefix (when set) and its ASN equals ASN (when set).
type PrefixFilter struct {
	// Prefix is the zero netip.Prefix when the filter has no prefix.
	Prefix  netip.Prefix
	ASN     uint32
	HasASN  bool
	Comment string
}

// BGPsecFilter removes router keys (RFC 8416 §3.3.2). At least one of ASN
// and SKI is set; a key matches if every member that is set equals.
type BGPsecFilter struct {
	ASN     uint32
	HasASN  bool
	SKI     [20]byte
	HasSKI  bool
	Comment string
}

// ASPAFilter removes the ASPA records of one customer AS
// (draft-ietf-sidrops-aspa-slurm-03 §3.1).
type ASPAFilter struct {
	Customer uint32
	Comment  string
}

// PrefixAssertion adds a VRP (RFC 8416 §3.4.1). VRP.MaxLen is the
// maxPrefixLength, or the prefix length when the member is absent.
type PrefixAssertion struct {
	VRP     payload.VRP
	Comment string
}

// BGPsecAssertion adds a router key (RFC 8416 §3.4.2). Key.SPKI is the
// decoded routerPublicKey, a DER SubjectPublicKeyInfo.
type BGPsecAssertion struct {
	Key     payload.RouterKey
	Comment string
}

// ASPAAssertion adds an ASPA record (draft-ietf-sidrops-aspa-slurm-03
// §3.2). ASPA.Providers is sorted, unique and excludes the customer.
type ASPAAssertion struct {
	ASPA    payload.ASPA
	Comment string
}

// entries counts the filters and assertions of f.
func (f *File) entries() int {
	return len(f.PrefixFilters) + len(f.BGPsecFilters) + len(f.ASPAFilters) +
		len(f.PrefixAssertions) + len(f.BGPsecAssertions) + len(f.ASPAAssertions)
}
