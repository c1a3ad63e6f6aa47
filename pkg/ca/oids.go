package ca

import "encoding/asn1"

// Object identifiers written by the builders. pkg/x509rpki keeps its own
// unexported copy; the two lists are checked against each other only
// through the round-trip tests, which is the point: a typo on either side
// fails them.
var (
	// Algorithms (RFC 7935 §2, RFC 8608 §3).
	oidSHA256          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSAEncryption   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}

	// Names (RFC 6487 §4.4).
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}

	// Certificate and CRL extensions (RFC 5280 §4.2, RFC 6487 §4.8, §5).
	oidSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidCRLNumber        = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidCRLDistribution  = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidCertPolicies     = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidAuthorityInfo    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidSubjectInfo      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 11}
	oidIPAddrBlocks     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 7}
	oidASIdentifiers    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 8}
	oidIPAddrBlocksV2   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 28} // RFC 8360 §4.1
	oidASIdentifiersV2  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 29} // RFC 8360 §4.2

	// Access methods (RFC 6487 §4.8.7, §4.8.8; RFC 8182 §3.2).
	oidCAIssuers    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
	oidCARepository = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 5}
	oidRPKIManifest = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 10}
	oidSignedObject = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 11}
	oidRPKINotify   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 13}

	// Policies and key purposes (RFC 6484 §1.2, RFC 8360 §4, RFC 8209 §3.1.3.2).
	oidPolicyRPKI     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 14, 2}
	oidPolicyRPKIV2   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 14, 3}
	oidKPBGPsecRouter = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 30}

	// CMS (RFC 5652 §5, §11; RFC 6488 §2.1).
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

// eContent types of the signed objects (RFC 6488 §4 and each profile).
var (
	// OIDContentROA is id-ct-routeOriginAuthz (RFC 9582 §3).
	OIDContentROA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 24}
	// OIDContentManifest is id-ct-rpkiManifest (RFC 9286 §4.1).
	OIDContentManifest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 26}
	// OIDContentASPA is id-ct-ASPA (draft-ietf-sidrops-aspa-profile §2).
	OIDContentASPA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 49}
)
