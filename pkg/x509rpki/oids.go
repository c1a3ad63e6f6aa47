package x509rpki

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"

	"golang.org/x/crypto/cryptobyte"
)

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

// derOID is an OBJECT IDENTIFIER in DER form: its content octets (X.690
// §8.19), without tag and length. The parsers compare OIDs in this form,
// which takes neither decoding nor allocation; read from an object it
// aliases the DER. Only error messages and the exported fields that are
// typed asn1.ObjectIdentifier decode it (String, appendArcs).
type derOID []byte

// DER forms of the OIDs above that the parsers compare against, computed
// once from the asn1.ObjectIdentifier values.
var (
	derSHA256            = derOf(oidSHA256)
	derRSAEncryption     = derOf(oidRSAEncryption)
	derSHA256WithRSA     = derOf(oidSHA256WithRSA)
	derECPublicKey       = derOf(oidECPublicKey)
	derNamedCurveP256    = derOf(oidNamedCurveP256)
	derSubjectKeyID      = derOf(oidSubjectKeyID)
	derKeyUsage          = derOf(oidKeyUsage)
	derBasicConstraints  = derOf(oidBasicConstraints)
	derCRLNumber         = derOf(oidCRLNumber)
	derCRLDistribution   = derOf(oidCRLDistribution)
	derCertPolicies      = derOf(oidCertPolicies)
	derAuthorityKeyID    = derOf(oidAuthorityKeyID)
	derExtKeyUsage       = derOf(oidExtKeyUsage)
	derAuthorityInfo     = derOf(oidAuthorityInfo)
	derIPAddrBlocks      = derOf(oidIPAddrBlocks)
	derASIdentifiers     = derOf(oidASIdentifiers)
	derSubjectInfo       = derOf(oidSubjectInfo)
	derIPAddrBlocksV2    = derOf(oidIPAddrBlocksV2)
	derASIdentifiersV2   = derOf(oidASIdentifiersV2)
	derCAIssuers         = derOf(oidCAIssuers)
	derCARepository      = derOf(oidCARepository)
	derRPKIManifest      = derOf(oidRPKIManifest)
	derSignedObject      = derOf(oidSignedObject)
	derRPKINotify        = derOf(oidRPKINotify)
	derCertPolicyRPKI    = derOf(oidCertPolicyRPKI)
	derCertPolicyRPKIV2  = derOf(oidCertPolicyRPKIV2)
	derKPBGPsecRouter    = derOf(oidKPBGPsecRouter)
	derSignedData        = derOf(oidSignedData)
	derContentType       = derOf(oidContentType)
	derMessageDigest     = derOf(oidMessageDigest)
	derSigningTime       = derOf(oidSigningTime)
	derBinarySigningTime = derOf(oidBinarySigningTime)
	derAttrCommonName    = derOf(oidAttrCommonName)
	derAttrSerialNumber  = derOf(oidAttrSerialNumber)
	derQualifierCPS      = derOf(oidQualifierCPS)
	derIDCE              = derOf(oidIDCE)
)

// derOf encodes oid; it panics on an OID that has no encoding, which can
// only be a mistake in the table above.
func derOf(oid asn1.ObjectIdentifier) derOID {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(oid)
	s := cryptobyte.String(b.BytesOrPanic())
	d, err := readOID(&s)
	if err != nil || !s.Empty() {
		panic("x509rpki: cannot encode OID " + oid.String())
	}
	return d
}

// validOIDContent reports whether b is the content of a well-formed OBJECT
// IDENTIFIER, refusing exactly what cryptobyte's ReadASN1ObjectIdentifier
// refuses: no octets, a subidentifier that starts with 0x80 (not minimal,
// X.690 §8.19.2), one of more than five octets or 2^31 and above, or a
// last subidentifier cut short.
func validOIDContent(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	n, v := 0, 0 // octets and value of the current subidentifier
	for _, c := range b {
		if n == 5 || v >= 1<<(31-7) || n == 0 && c == 0x80 {
			return false
		}
		v = v<<7 | int(c&0x7f)
		n++
		if c&0x80 == 0 {
			n, v = 0, 0
		}
	}
	return n == 0
}

// Equal reports whether o and p are the same OID.
func (o derOID) Equal(p derOID) bool { return bytes.Equal(o, p) }

// under reports whether o lies strictly below the arc p. Comparing octets
// is enough: p ends with a whole subidentifier and DER is unique.
func (o derOID) under(p derOID) bool { return len(o) > len(p) && bytes.HasPrefix(o, p) }

// appendArcs appends the arcs of o, which must be well-formed, to dst and
// returns the result. The first subidentifier packs two arcs (X.690
// §8.19.4), split as cryptobyte does.
func (o derOID) appendArcs(dst asn1.ObjectIdentifier) asn1.ObjectIdentifier {
	first, v := true, 0
	for _, c := range o {
		v = v<<7 | int(c&0x7f)
		if c&0x80 != 0 {
			continue
		}
		switch {
		case !first:
			dst = append(dst, v)
		case v < 80:
			dst = append(dst, v/40, v%40)
		default:
			dst = append(dst, 2, v-80)
		}
		first, v = false, 0
	}
	return dst
}

// String returns the dotted form, as asn1.ObjectIdentifier does.
func (o derOID) String() string {
	if !validOIDContent(o) {
		return "malformed-oid:" + hex.EncodeToString(o)
	}
	return o.appendArcs(nil).String()
}
