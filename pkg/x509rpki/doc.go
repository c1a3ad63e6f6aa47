// Package x509rpki reads RPKI objects exactly as the RFCs define them.
//
// One file per object type: resource certificates (cert.go, resources.go;
// RFC 6487 and RFC 3779), CRLs (crl.go), CMS signed objects (cms.go; RFC
// 6488), manifests (mft.go; RFC 9286), ROAs (roa.go; RFC 9582), ASPAs
// (aspa.go; draft-ietf-sidrops-aspa-profile), BGPsec router certificates
// (routerkey.go; RFC 8209) and the objects that are only recognised (other.go:
// GBR, RSC, TAK, SPL).
//
// Each type has Parse<Type>(der []byte), which checks syntax and profile only:
// no I/O, no clock. A separate Validate method checks signatures, resources and
// time against an issuer and a time given as arguments.
//
// DER is read with golang.org/x/crypto/cryptobyte in the style of
// crypto/x509's parser: every read is checked, trailing data is rejected at
// every level, duplicates are rejected and raw bytes are kept for signature
// checks. Errors carry a class (ErrMalformed, ErrProfile, ErrSignature,
// ErrResources, ErrStale) and name the object, field and RFC section.
//
// May import: the standard library and golang.org/x/crypto/cryptobyte only.
package x509rpki
