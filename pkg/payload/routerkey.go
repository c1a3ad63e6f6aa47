package payload

import (
	"bytes"
	"cmp"
	"fmt"
)

// RouterKey is a validated BGPsec router key (RFC 8209 §3; RFC 8210 §5.10):
// the Subject Key Identifier of the router certificate, the AS it speaks
// for, and its SubjectPublicKeyInfo in DER.
type RouterKey struct {
	// SKI is the 20-byte Subject Key Identifier (RFC 6487 §4.8.2).
	SKI [20]byte
	// ASN is the AS number from the certificate's AS resources.
	ASN uint32
	// SPKI is the DER SubjectPublicKeyInfo, shared read-only.
	SPKI []byte
}

// String formats the key as "AS64496 SKI=5d42...".
func (k RouterKey) String() string {
	return fmt.Sprintf("AS%d SKI=%x", k.ASN, k.SKI)
}

// CompareRouterKey orders router keys by SKI, ASN, then SPKI bytes.
func CompareRouterKey(a, b RouterKey) int {
	if c := bytes.Compare(a.SKI[:], b.SKI[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ASN, b.ASN); c != 0 {
		return c
	}
	return bytes.Compare(a.SPKI, b.SPKI)
}
