package x509rpki

import "encoding/asn1"

// Object identifiers used by the RPKI profiles.
var (
	// Algorithms (RFC 7935, RFC 8608).
	oidSHA256           = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidRSAEncryption    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA256WithRSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECPublicKey      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidNamedCurveP256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidECDSAWithSHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidCRLNumber        = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidCRLDistribution  = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidCertPolicies     = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidAuthorityInfo    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
	oidIPAddrBlocks     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 7}
	oidASIdentifiers    = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 8}
	oidSubjectInfo      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 11}
	// RFC 8360 "validation reconsidered" variants of the resource extensions.
	oidIPAddrBlocksV2  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 28}
	oidASIdentifiersV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 29}

	// Access methods (RFC 6487 §4.8.7, §4.8.8, RFC 8182 §3.2).
	oidCAIssuers        = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 2}
	oidCARepository     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 5}
	oidRPKIManifest     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 10}
	oidSignedObject     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 11}
	oidRPKINotify       = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 13}
	oidCertPolicyRPKI   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 14, 2}
	oidCertPolicyRPKIV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 14, 3}
	oidKPBGPsecRouter   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 30}

	// CMS (RFC 5652, RFC 6488).
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidBinarySigningTime = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 46}

	// eContent types (RFC 6488 §4 and the profiles of each object).
	oidCTManifest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 26}
	oidCTROA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 24}
	oidCTGBR      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 35}
	oidCTRSC      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 48}
	oidCTASPA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 49}
	oidCTTAK      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 50}
	oidCTSPL      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 51}
)

// Object identifiers added for certificate and CRL parsing (cert.go, crl.go,
// der.go).
var (
	// Name attributes allowed by RFC 6487 §4.4/§4.5.
	oidAttrCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidAttrSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	// Policy qualifier id-qt-cps (RFC 5280 §4.2.1.4, RFC 7318 §2).
	oidQualifierCPS = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 2, 1}
	// id-ce arc: every standard X.509 extension lives under it (RFC 5280
	// §4.2.1); those the RPKI profile does not list are refused.
	oidIDCE = asn1.ObjectIdentifier{2, 5, 29}
)
