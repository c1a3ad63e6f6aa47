package x509rpki

import (
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ASPA is an Autonomous System Provider Authorization
// (draft-ietf-sidrops-aspa-profile, version 1 of the eContent).
//
// The eContent, in the profile's EXPLICIT TAGS module (drafts 15 and
// later, unchanged since):
//
//	ASProviderAttestation ::= SEQUENCE {
//	  version [0] INTEGER (1),      -- no DEFAULT: always encoded
//	  customerASID ASID,
//	  providers ProviderASSet }
//	ProviderASSet ::= SEQUENCE (SIZE(1..MAX)) OF ASID
//
// The older draft-13 form (providers with an afiLimit, version 0) is
// rejected, as rpki-commons' BAD-profile-13 samples expect.
type ASPA struct {
	Signed    *SignedObject
	Customer  uint32
	Providers []uint32 // sorted ascending, unique, without Customer
}

// aspaSection is the section of draft-ietf-sidrops-aspa-profile that
// defines the eContent.
const aspaSection = "draft-ietf-sidrops-aspa-profile §3"

// aspaErr builds an ASPA error.
func aspaErr(class error, format string, args ...any) error {
	return newError("aspa", class, aspaSection, format, args...)
}

// ParseASPA parses an ASPA and checks its profile, including the RFC 6488
// envelope and the resource extensions of its EE certificate.
func ParseASPA(der []byte) (*ASPA, error) {
	so, err := ParseSignedObject(der, oidCTASPA)
	if err != nil {
		return nil, err
	}
	a, err := parseASPAContent(so.Content)
	if err != nil {
		return nil, err
	}
	a.Signed = so
	if err := asOnlyEE(so.EE, "aspa", "draft-ietf-sidrops-aspa-profile §4"); err != nil {
		return nil, err
	}
	return a, nil
}

// asOnlyEE applies the EE rules of the AS-keyed objects (ASPA draft §4,
// SPL draft §4): AS resources present and not inherit, no IP resources.
func asOnlyEE(ee *Cert, object, section string) error {
	r := ee.Resources
	if r.IPv4.Present || r.IPv6.Present {
		return newError(object, ErrProfile, section, "EE certificate has IP resources")
	}
	if !r.AS.Present {
		return newError(object, ErrProfile, section, "EE certificate has no AS resources")
	}
	if r.AS.Inherit {
		return newError(object, ErrProfile, section, "EE certificate AS resources use inherit")
	}
	return nil
}

// parseASPAContent parses the ASProviderAttestation eContent.
func parseASPAContent(b []byte) (*ASPA, error) {
	input := cryptobyte.String(b)
	var seq, providers cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, aspaErr(ErrMalformed, "ASProviderAttestation: not a DER SEQUENCE")
	}
	if !input.Empty() {
		return nil, aspaErr(ErrMalformed, "%d bytes of trailing data in eContent", len(input))
	}
	if err := sigobjVersion(&seq, 1, "aspa", "draft-ietf-sidrops-aspa-profile §3.1"); err != nil {
		return nil, err
	}
	a := &ASPA{}
	var err error
	if a.Customer, err = sigobjASID(&seq, "aspa", "draft-ietf-sidrops-aspa-profile §3.2", "customerASID"); err != nil {
		return nil, err
	}
	if !seq.ReadASN1(&providers, cbasn1.SEQUENCE) || !seq.Empty() {
		return nil, aspaErr(ErrMalformed, "providers: bad encoding or trailing data")
	}
	if err := a.parseProviders(providers); err != nil {
		return nil, err
	}
	return a, nil
}

// parseProviders reads ProviderASSet (draft §3.3): at least one, strictly
// ascending (which also excludes duplicates), without the customer.
func (a *ASPA) parseProviders(providers cryptobyte.String) error {
	a.Providers = make([]uint32, 0, min(countElements(providers, MaxASPAProviders), MaxASPAProviders))
	for !providers.Empty() {
		if len(a.Providers) >= MaxASPAProviders {
			return aspaErr(ErrMalformed, "more than %d providers", MaxASPAProviders)
		}
		p, err := sigobjASID(&providers, "aspa", "draft-ietf-sidrops-aspa-profile §3.3", "provider")
		if err != nil {
			return err
		}
		if p == a.Customer {
			return aspaErr(ErrProfile, "customer AS%d listed as its own provider", p)
		}
		if n := len(a.Providers); n > 0 && a.Providers[n-1] >= p {
			if a.Providers[n-1] == p {
				return aspaErr(ErrProfile, "provider AS%d listed twice", p)
			}
			return aspaErr(ErrProfile, "providers not in ascending order")
		}
		a.Providers = append(a.Providers, p)
	}
	if len(a.Providers) == 0 {
		return aspaErr(ErrProfile, "empty provider set")
	}
	return nil
}

// Validate checks the ASPA against its issuer at time now: the CMS
// signature, the EE certificate, and that the customer AS lies inside the
// EE's AS resources (draft §4), ErrResources otherwise.
func (a *ASPA) Validate(issuer *Cert, now time.Time) error {
	if err := a.Signed.validateSigned("aspa", issuer, now); err != nil {
		return err
	}
	if !a.Signed.EE.Resources.ContainsAS(a.Customer) {
		return newError("aspa", ErrResources, "draft-ietf-sidrops-aspa-profile §4", "customer AS%d not covered by the EE certificate", a.Customer)
	}
	return nil
}
