// Package ca builds and signs RPKI objects: the write side of the project,
// used by tests across the tree and by the lab repository generator.
//
// Low level, one file per object type, each writing DER directly with
// golang.org/x/crypto/cryptobyte (no reflection):
//
//   - IssueCert (cert.go): TA, CA, EE and BGPsec router certificates
//     (RFC 6487 §4, RFC 8209 §3.1) from a CertTemplate, with RFC 3779
//     resources (resources.go) or their RFC 8360 variants.
//   - IssueCRL (crl.go): CRLs (RFC 6487 §5) from a CRLTemplate.
//   - SignObject (cms.go): CMS SignedData per RFC 6488 §2.1 around any
//     eContent.
//   - EncodeROA (roa.go, RFC 9582), EncodeManifest (mft.go, RFC 9286) and
//     EncodeASPA (aspa.go, current draft-ietf-sidrops-aspa-profile): the
//     eContents.
//
// High level (ca.go, objects.go): a CA value holds a key, its certificate
// and its publication URIs; NewTA and (*CA).NewCA build a hierarchy, and
// NewROA, NewASPA, NewManifest, NewCRL and NewRouterCert make each object
// with its EE certificate in one call. (*CA).TAL returns a pkg/tal TAL.
//
// Keys (key.go, pool.go): Key is RSA-2048 with its SKI (RFC 6487 §4.8.2),
// ECKey is P-256 for router certificates. DeterministicKey derives a key
// from a seed; KeyPool pre-generates EE keys, since RSA key generation
// costs about 100 times a signature. Signing is deterministic (PKCS #1
// v1.5), so given the same keys and inputs the output is byte-identical.
//
// Faults (fault.go): a Fault set on a template or ObjectParams writes a
// deliberate defect (bad signature, wrong message digest, content-type
// mismatch, trailing data). Semantic defects (expired, over-claiming,
// prefix outside the EE certificate, stale manifest) need no Fault: the
// builders write whatever values they are given and never check
// containment or time.
//
// May import: the standard library, golang.org/x/crypto/cryptobyte,
// pkg/x509rpki (types only, for a shared vocabulary) and pkg/tal.
package ca
