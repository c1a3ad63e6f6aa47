package x509rpki

// Limits checked inside the parsers, where data enters (as rpki-client's
// extern.h). An object beyond one of them is rejected as ErrMalformed.
const (
	// MaxObjectSize is the largest DER object read (rpki-client MAX_FILE_SIZE).
	MaxObjectSize = 8_000_000
	// MaxIPBlocks bounds the RFC 3779 IP entries in one certificate
	// (rpki-client MAX_IP_SIZE).
	MaxIPBlocks = 200_000
	// MaxASBlocks bounds the RFC 3779 AS entries in one certificate
	// (rpki-client MAX_AS_SIZE).
	MaxASBlocks = 200_000
	// MaxROAPrefixes bounds the prefixes in one ROA.
	MaxROAPrefixes = 20_000
	// MaxManifestEntries bounds the files listed on one manifest
	// (rpki-client MAX_MANIFEST_ENTRIES).
	MaxManifestEntries = 100_000
	// MaxASPAProviders bounds the provider set of one ASPA
	// (rpki-client MAX_ASPA_PROVIDERS).
	MaxASPAProviders = 10_000
	// MaxURILength bounds any URI in a certificate, TAL or manifest
	// (rpki-client MAX_URI_LENGTH).
	MaxURILength = 2048
	// MaxManifestNumberOctets bounds the DER content octets of a
	// manifestNumber (RFC 9286 §4.2.1).
	MaxManifestNumberOctets = 20
	// MaxFileNameLength bounds a file name on a manifest.
	MaxFileNameLength = 255
	// MaxCRLEntries bounds the revoked certificates on one CRL.
	MaxCRLEntries = 1_000_000
	// MaxCertDepth bounds the length of a certificate chain below a trust
	// anchor (rpki-client MAX_CERT_DEPTH).
	MaxCertDepth = 12
)

// Limits added for certificates and router keys (cert.go, routerkey.go).
const (
	// MaxRouterASNs bounds the AS numbers a BGPsec router certificate may
	// name once its ranges are expanded, since each becomes one router key.
	MaxRouterASNs = 10_000
	// MaxCertExtensions bounds the extensions of one certificate or CRL.
	MaxCertExtensions = 64
)
