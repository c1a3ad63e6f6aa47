package x509rpki

// Extensions of a resource certificate (RFC 6487 §4.8, RFC 8209 §3.1.3,
// RFC 8360). Parsing collects every extension into certExts; cert.go then
// checks presence and absence for the kind of certificate.

import (
	"bytes"
	"crypto/sha1"
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// certExts holds the extensions of one certificate after parsing.
type certExts struct {
	ski, aki               []byte
	hasSKI, hasAKI         bool
	keyUsage               asn1.BitString
	hasKU                  bool
	hasBC                  bool   // basicConstraints with cA TRUE (checked on read)
	crldp, aia             []byte // URIs, aliasing the DER until Cert.setLocations
	hasCRLDP, hasAIA       bool
	hasSIA                 bool
	sia                    siaURIs
	policy                 derOID
	hasPolicy              bool
	hasEKU, bgpsecRouter   bool
	ipV1, ipV2, asV1, asV2 bool
	res                    Resources
}

// siaURIs are the access locations kept from a Subject Information Access
// extension: the first rsync URI of each method (RFC 6487 §4.8.8, as
// rpki-client cert_ca_sia), and the rpkiNotify https URI (RFC 8182 §3.2).
type siaURIs struct {
	caRepository, manifest, notify, signedObject []byte
	other                                        bool // a method other than these four
	caMethods                                    bool // caRepository or rpkiManifest seen, whatever the scheme
	nonRsync                                     bool // a caRepository/rpkiManifest/signedObject URI that is not rsync
}

// Sections cited by extension errors.
const (
	secSKI    = "RFC 6487 §4.8.2"
	secAKI    = "RFC 6487 §4.8.3"
	secKU     = "RFC 6487 §4.8.4"
	secBC     = "RFC 6487 §4.8.1"
	secEKU    = "RFC 6487 §4.8.5"
	secCRLDP  = "RFC 6487 §4.8.6"
	secAIA    = "RFC 6487 §4.8.7"
	secSIA    = "RFC 6487 §4.8.8"
	secPolicy = "RFC 6487 §4.8.9"
	secExts   = "RFC 6487 §4.8"
)

// parseCertExtensions reads the [3] Extensions of a TBSCertificate into x.
// spkBits is the subjectPublicKey, against which the SKI is checked.
func parseCertExtensions(s *cryptobyte.String, spkBits []byte, x *certExts) error {
	var wrapped cryptobyte.String
	if !s.ReadASN1(&wrapped, tagExplicit3) {
		return newError("cert", ErrProfile, "RFC 6487 §4", "extensions missing")
	}
	var buf [inlineExtensions]extension
	list, err := readExtensions(&wrapped, buf[:0])
	if err != nil || !wrapped.Empty() {
		return derError("cert", ErrMalformed, "RFC 5280 §4.1.2.9", "extensions", err)
	}
	for _, e := range list {
		if err := x.parse(e); err != nil {
			return err
		}
	}
	if x.hasSKI {
		sum := sha1.Sum(spkBits)
		if string(sum[:]) != string(x.ski) {
			return newError("cert", ErrProfile, secSKI, "SKI is not the SHA-1 hash of the subject public key")
		}
	}
	return nil
}

// extKind names an extension of the profile for certExts.parseValue.
type extKind uint8

// Extensions of the profile, in the order of certExtTable.
const (
	extSKI extKind = iota
	extAKI
	extKeyUsage
	extBasicConstraints
	extEKU
	extCRLDP
	extAIA
	extSIA
	extPolicies
	extIPv1
	extIPv2
	extASv1
	extASv2
)

// certExtTable lists the extensions of the profile with whether each must
// be critical (RFC 6487 §4.8.1-§4.8.11, RFC 8360 §4).
var certExtTable = []struct {
	oid      derOID
	critical bool
	section  string
	kind     extKind
}{
	{derSubjectKeyID, false, secSKI, extSKI},
	{derAuthorityKeyID, false, secAKI, extAKI},
	{derKeyUsage, true, secKU, extKeyUsage},
	{derBasicConstraints, true, secBC, extBasicConstraints},
	{derExtKeyUsage, false, secEKU, extEKU},
	{derCRLDistribution, false, secCRLDP, extCRLDP},
	{derAuthorityInfo, false, secAIA, extAIA},
	{derSubjectInfo, false, secSIA, extSIA},
	{derCertPolicies, true, secPolicy, extPolicies},
	{derIPAddrBlocks, true, secIPExt, extIPv1},
	{derIPAddrBlocksV2, true, "RFC 8360 §4", extIPv2},
	{derASIdentifiers, true, secASExt, extASv1},
	{derASIdentifiersV2, true, "RFC 8360 §4", extASv2},
}

// parse dispatches one extension. Standard X.509 extensions (the id-ce arc)
// outside the profile are refused: RFC 6487 §4.8 lists the extensions of a
// resource certificate and BBN badCertUnkExtension (policy mappings) must
// fail. Other unknown extensions are ignored when non-critical and refused
// when critical (RFC 5280 §4.2, RFC 6487 §4.8), as rpki-client cert.c does.
func (x *certExts) parse(e extension) error {
	for _, t := range certExtTable {
		if !t.oid.Equal(e.ID) {
			continue
		}
		if e.Critical != t.critical {
			return newError("cert", ErrProfile, t.section, "extension %s: critical must be %v", e.ID, t.critical)
		}
		return x.parseValue(t.kind, e.Value)
	}
	if e.ID.under(derIDCE) {
		return newError("cert", ErrProfile, secExts, "extension %s not allowed in a resource certificate", e.ID)
	}
	if e.Critical {
		return newError("cert", ErrProfile, "RFC 5280 §4.2", "unknown critical extension %s", e.ID)
	}
	return nil
}

// parseValue parses the value of an extension of the profile; the
// resource extensions come in v1 (RFC 3779) and v2 (RFC 8360). A switch,
// rather than functions in certExtTable, lets the compiler see that x does
// not escape, so the caller keeps it on its stack.
func (x *certExts) parseValue(k extKind, v cryptobyte.String) error {
	switch k {
	case extSKI:
		return x.parseSKI(v)
	case extAKI:
		return x.parseAKI(v)
	case extKeyUsage:
		return x.parseKeyUsage(v)
	case extBasicConstraints:
		return x.parseBasicConstraints(v)
	case extEKU:
		return x.parseEKU(v)
	case extCRLDP:
		return x.parseCRLDP(v)
	case extAIA:
		return x.parseAIA(v)
	case extSIA:
		return x.parseSIA(v)
	case extPolicies:
		return x.parsePolicies(v)
	case extIPv1:
		x.ipV1 = true
		return parseIPAddrBlocks(v, &x.res)
	case extIPv2:
		x.ipV2 = true
		return parseIPAddrBlocks(v, &x.res)
	case extASv1:
		x.asV1 = true
		return parseASIdentifiers(v, &x.res)
	case extASv2:
		x.asV2 = true
		return parseASIdentifiers(v, &x.res)
	}
	panic("x509rpki: extension kind missing from parseValue")
}

// parseSKI reads SubjectKeyIdentifier (RFC 6487 §4.8.2).
func (x *certExts) parseSKI(v cryptobyte.String) error {
	id, err := readKeyIdentifier(&v)
	if err != nil || !v.Empty() {
		return derError("cert", ErrProfile, secSKI, "SKI", orTrailing(err))
	}
	x.ski, x.hasSKI = id, true
	return nil
}

// parseAKI reads AuthorityKeyIdentifier (RFC 6487 §4.8.3).
func (x *certExts) parseAKI(v cryptobyte.String) error {
	id, err := readAKI("cert", v)
	x.aki, x.hasAKI = id, err == nil
	return err
}

// readAKI reads the value of an AuthorityKeyIdentifier extension of a
// certificate or CRL: keyIdentifier only, neither authorityCertIssuer nor
// authorityCertSerialNumber, 20 bytes (RFC 6487 §4.8.3, §5). It aliases v.
func readAKI(object string, v cryptobyte.String) ([]byte, error) {
	seq, err := readSequence(&v)
	if err != nil || !v.Empty() {
		return nil, newError(object, ErrMalformed, secAKI, "malformed AKI")
	}
	var id cryptobyte.String
	if !seq.ReadASN1(&id, tagImplicit0) {
		return nil, newError(object, ErrProfile, secAKI, "AKI keyIdentifier missing")
	}
	if !seq.Empty() {
		return nil, newError(object, ErrProfile, secAKI, "AKI has authorityCertIssuer or authorityCertSerialNumber")
	}
	if len(id) != 20 {
		return nil, newError(object, ErrProfile, secAKI, "AKI is not a 20-byte SHA-1 hash (%d bytes)", len(id))
	}
	return id, nil
}

// parseKeyUsage reads KeyUsage; the allowed bits depend on the kind and are
// checked in cert.go (RFC 6487 §4.8.4).
func (x *certExts) parseKeyUsage(v cryptobyte.String) error {
	bs, err := readNamedBits(&v)
	if err != nil || !v.Empty() {
		return derError("cert", ErrMalformed, secKU, "key usage", orTrailing(err))
	}
	x.keyUsage, x.hasKU = bs, true
	return nil
}

// parseBasicConstraints reads BasicConstraints: cA TRUE and no
// pathLenConstraint (RFC 6487 §4.8.1). An EE certificate must not carry the
// extension at all, so cA FALSE (an empty SEQUENCE in DER) is refused here.
func (x *certExts) parseBasicConstraints(v cryptobyte.String) error {
	seq, err := readSequence(&v)
	if err != nil || !v.Empty() {
		return newError("cert", ErrMalformed, secBC, "malformed basic constraints")
	}
	var ca bool
	if !seq.PeekASN1Tag(cbasn1.BOOLEAN) || !seq.ReadASN1Boolean(&ca) || !ca {
		return newError("cert", ErrProfile, secBC, "basic constraints without cA TRUE")
	}
	if !seq.Empty() {
		return newError("cert", ErrProfile, secBC, "pathLenConstraint must be absent")
	}
	x.hasBC = true
	return nil
}

// parseEKU reads ExtendedKeyUsage; it is only allowed on router
// certificates, which must list id-kp-bgpsec-router (RFC 8209 §3.1.3.2;
// other purposes may appear and are ignored).
func (x *certExts) parseEKU(v cryptobyte.String) error {
	seq, err := readSequence(&v)
	if err != nil || !v.Empty() || seq.Empty() {
		return newError("cert", ErrMalformed, secEKU, "malformed extended key usage")
	}
	for !seq.Empty() {
		oid, err := readOID(&seq)
		if err != nil {
			return newError("cert", ErrMalformed, secEKU, "malformed KeyPurposeId")
		}
		if oid.Equal(derKPBGPsecRouter) {
			x.bgpsecRouter = true
		}
	}
	x.hasEKU = true
	return nil
}

// parseCRLDP reads CRLDistributionPoints: exactly one DistributionPoint
// with a fullName, no reasons, no cRLIssuer, every name a URI and one of
// them rsync (RFC 6487 §4.8.6; one element as rpki-client x509_get_crl).
func (x *certExts) parseCRLDP(v cryptobyte.String) error {
	dps, err := readSequence(&v)
	if err != nil || !v.Empty() {
		return newError("cert", ErrMalformed, secCRLDP, "malformed CRL distribution points")
	}
	dp, err := readSequence(&dps)
	if err != nil || !dps.Empty() {
		return newError("cert", ErrProfile, secCRLDP, "want exactly one DistributionPoint")
	}
	var name, full cryptobyte.String
	if !dp.ReadASN1(&name, tagExplicit0) || !dp.Empty() {
		return newError("cert", ErrProfile, secCRLDP, "DistributionPoint must hold only a distributionPoint name (no reasons, no cRLIssuer)")
	}
	if !name.ReadASN1(&full, tagExplicit0) || !name.Empty() {
		return newError("cert", ErrProfile, secCRLDP, "DistributionPointName must be a fullName")
	}
	uri, err := readGeneralNameURIs(full)
	if err != nil {
		return derError("cert", ErrProfile, secCRLDP, "CRL distribution point", err)
	}
	if x.crldp = uri; x.crldp == nil {
		return newError("cert", ErrProfile, secCRLDP, "no rsync URI in CRL distribution point")
	}
	x.hasCRLDP = true
	return nil
}

// parseAIA reads AuthorityInfoAccess: exactly one AccessDescription, with
// method id-ad-caIssuers and an rsync URI (RFC 6487 §4.8.7; one element as
// rpki-client x509_get_aia).
func (x *certExts) parseAIA(v cryptobyte.String) error {
	ads, err := readSequence(&v)
	if err != nil || !v.Empty() {
		return newError("cert", ErrMalformed, secAIA, "malformed AIA")
	}
	method, uri, err := readAccessDescription(&ads)
	if err != nil {
		return derError("cert", ErrProfile, secAIA, "AIA", err)
	}
	if !ads.Empty() {
		return newError("cert", ErrProfile, secAIA, "AIA: want exactly one AccessDescription")
	}
	if !method.Equal(derCAIssuers) {
		return newError("cert", ErrProfile, secAIA, "AIA: access method %s is not caIssuers", method)
	}
	if !hasScheme(uri, "rsync") {
		return newError("cert", ErrProfile, secAIA, "AIA: caIssuers is not an rsync URI")
	}
	x.aia, x.hasAIA = uri, true
	return nil
}

// parseSIA reads SubjectInfoAccess. Which methods are required depends on
// the kind and is checked in cert.go.
func (x *certExts) parseSIA(v cryptobyte.String) error {
	ads, err := readSequence(&v)
	if err != nil || !v.Empty() || ads.Empty() {
		return newError("cert", ErrMalformed, secSIA, "malformed SIA")
	}
	for !ads.Empty() {
		method, uri, err := readAccessDescription(&ads)
		if err != nil {
			return derError("cert", ErrProfile, secSIA, "SIA", err)
		}
		if err := x.sia.add(method, uri); err != nil {
			return err
		}
	}
	x.hasSIA = true
	return nil
}

// add records one SIA access description.
func (u *siaURIs) add(method derOID, uri []byte) error {
	var slot *[]byte
	switch {
	case method.Equal(derCARepository):
		slot, u.caMethods = &u.caRepository, true
	case method.Equal(derRPKIManifest):
		slot, u.caMethods = &u.manifest, true
	case method.Equal(derSignedObject):
		slot = &u.signedObject
	case method.Equal(derRPKINotify):
		// RFC 8182 §3.2: one https URI.
		if !hasScheme(uri, "https") {
			return newError("cert", ErrProfile, "RFC 8182 §3.2", "SIA: rpkiNotify is not an https URI")
		}
		if u.notify != nil {
			return newError("cert", ErrProfile, "RFC 8182 §3.2", "SIA: more than one rpkiNotify")
		}
		u.notify = uri
		return nil
	default:
		u.other = true
		return nil
	}
	// RFC 6487 §4.8.8: other schemes may accompany the rsync URI; keep
	// the first rsync one and ignore the rest.
	if !hasScheme(uri, "rsync") {
		u.nonRsync = true
	} else if *slot == nil {
		*slot = uri
	}
	return nil
}

// readAccessDescription reads one AccessDescription whose accessLocation
// must be a URI (rpki-client x509_location).
func readAccessDescription(s *cryptobyte.String) (derOID, []byte, error) {
	ad, err := readSequence(s)
	if err != nil {
		return nil, nil, err
	}
	method, err := readOID(&ad)
	if err != nil {
		return nil, nil, err
	}
	if !ad.PeekASN1Tag(tagURI) {
		return nil, nil, errMsg("accessLocation is not a URI")
	}
	var u cryptobyte.String
	ad.ReadASN1(&u, tagURI)
	if !ad.Empty() {
		return nil, nil, errMsg("trailing data in AccessDescription")
	}
	return method, u, checkURI(u)
}

// parsePolicies reads CertificatePolicies: exactly one policy, the RPKI
// policy of RFC 6484 or RFC 8360, with at most one qualifier, a CPS URI
// (RFC 6487 §4.8.9, RFC 7318 §2).
func (x *certExts) parsePolicies(v cryptobyte.String) error {
	pols, err := readSequence(&v)
	if err != nil || !v.Empty() {
		return newError("cert", ErrMalformed, secPolicy, "malformed certificate policies")
	}
	pi, err := readSequence(&pols)
	if err != nil || !pols.Empty() {
		return newError("cert", ErrProfile, secPolicy, "want exactly one policy")
	}
	oid, err := readOID(&pi)
	if err != nil {
		return newError("cert", ErrMalformed, secPolicy, "malformed policy identifier")
	}
	if !oid.Equal(derCertPolicyRPKI) && !oid.Equal(derCertPolicyRPKIV2) {
		return newError("cert", ErrProfile, secPolicy, "policy %s is not the RPKI policy", oid)
	}
	if !pi.Empty() {
		if err := readCPSQualifier(pi); err != nil {
			return err
		}
	}
	x.policy, x.hasPolicy = oid, true
	return nil
}

// readCPSQualifier reads policyQualifiers: exactly one, id-qt-cps with an
// IA5String (RFC 7318 §2).
func readCPSQualifier(s cryptobyte.String) error {
	quals, err := readSequence(&s)
	if err != nil || !s.Empty() {
		return newError("cert", ErrMalformed, "RFC 7318 §2", "malformed policy qualifiers")
	}
	q, err := readSequence(&quals)
	if err != nil || !quals.Empty() {
		return newError("cert", ErrProfile, "RFC 7318 §2", "want exactly one policy qualifier")
	}
	id, err := readOID(&q)
	if err != nil || !id.Equal(derQualifierCPS) {
		return newError("cert", ErrProfile, "RFC 7318 §2", "policy qualifier is not a CPS pointer")
	}
	var cps cryptobyte.String
	if !q.ReadASN1(&cps, cbasn1.IA5String) || !q.Empty() {
		return newError("cert", ErrMalformed, "RFC 7318 §2", "CPS qualifier is not an IA5String")
	}
	return nil
}

// checkResourceVersions checks RFC 8360 §4: the v1 and v2 forms of the
// resource extensions are not mixed, each family is present once, at least
// one resource extension is present (RFC 6487 §4.8.10), and the policy
// matches the extension version. It reports whether v2 is used.
func (x *certExts) checkResourceVersions() (bool, error) {
	v1, v2 := x.ipV1 || x.asV1, x.ipV2 || x.asV2
	switch {
	case v1 && v2:
		return false, newError("cert", ErrProfile, "RFC 8360 §4", "mixes RFC 3779 and RFC 8360 resource extensions")
	case !v1 && !v2:
		return false, newError("cert", ErrProfile, secIPExt, "neither IP nor AS resources")
	case v2 && x.hasPolicy && !x.policy.Equal(derCertPolicyRPKIV2):
		return false, newError("cert", ErrProfile, "RFC 8360 §4", "RFC 8360 resource extensions under the RFC 6484 policy")
	case v1 && x.hasPolicy && !x.policy.Equal(derCertPolicyRPKI):
		return false, newError("cert", ErrProfile, "RFC 8360 §4", "RFC 3779 resource extensions under the RFC 8360 policy")
	}
	return v2, nil
}

// manifestUnder reports whether the manifest URI lies inside the
// caRepository directory and names a .mft file (rpki-client cert_ca_sia:
// "conflicting URIs for caRepository and rpkiManifest", "not an MFT file").
func manifestUnder(repo, mft []byte) bool {
	rest, ok := bytes.CutPrefix(mft, repo)
	if ok && !bytes.HasSuffix(repo, []byte("/")) {
		rest, ok = bytes.CutPrefix(rest, []byte("/"))
	}
	return ok && len(rest) > len(".mft") && bytes.HasSuffix(rest, []byte(".mft"))
}

// errMsg is a plain error for helpers whose callers add the context.
type errMsg string

func (e errMsg) Error() string { return string(e) }

// orTrailing returns err, or a trailing-data error when err is nil (the
// helper succeeded but bytes were left over).
func orTrailing(err error) error {
	if err != nil {
		return err
	}
	return errMsg("trailing data")
}
