package ca

import (
	"errors"
	"fmt"
	"slices"

	"github.com/openrpki/validator/pkg/x509rpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// aspaVersion is the eContent version the current profile requires, written
// explicitly although the ASN.1 says DEFAULT v0
// (draft-ietf-sidrops-aspa-profile-16 §3.1, the revision IANA's RPKI
// Signed Objects registry cites: "MUST be 1"; the draft-15 sample
// GOOD-profile-15-*.asa in the shared corpus has it so too).
const aspaVersion = 1

// EncodeASPA returns the DER ASProviderAttestation eContent of the current
// draft-ietf-sidrops-aspa-profile (§3): version [0] 1, customerASID, and
// providers sorted ascending without duplicates (§3.3). There is no AFI
// any more; rpki-client 8.2 still reads the older draft-13 encoding with
// one, so it rejects these objects. A provider equal to the customer is
// written as given (the profile forbids it; the lab may want it).
func EncodeASPA(customer uint32, providers []uint32) ([]byte, error) {
	if len(providers) == 0 {
		return nil, errors.New("ca: aspa: draft-ietf-sidrops-aspa-profile §3.3: at least one provider is required")
	}
	if len(providers) > x509rpki.MaxASPAProviders {
		return nil, fmt.Errorf("ca: aspa: more than %d providers", x509rpki.MaxASPAProviders)
	}
	ps := slices.Clone(providers)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1Int64(aspaVersion)
		})
		b.AddASN1Uint64(uint64(customer))
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, p := range ps {
				b.AddASN1Uint64(uint64(p))
			}
		})
	})
	return b.Bytes()
}
