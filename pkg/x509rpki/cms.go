package x509rpki

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignedObject is an RPKI CMS signed object (RFC 6488): SignedData with one
// embedded EE certificate and one SignerInfo.
type SignedObject struct {
	Raw           []byte
	ContentType   asn1.ObjectIdentifier // eContentType
	Content       []byte                // eContent, the DER of the payload
	EE            *Cert
	SigningTime   time.Time // zero when the optional attribute is absent
	RawSigned     []byte    // signed attributes as DER SET, what the signature covers
	Signature     []byte
	MessageDigest []byte

	// RawEE is the DER of the embedded EE certificate (RFC 6488 §2.1.4).
	RawEE []byte
	// SID is the SignerInfo's subjectKeyIdentifier (RFC 6488 §2.1.6.2).
	SID []byte
	// SignatureAlgorithm is rsaEncryption or sha256WithRSAEncryption
	// (RFC 7935 §2); both mean PKCS #1 v1.5 over SHA-256 here.
	SignatureAlgorithm asn1.ObjectIdentifier
	// BinarySigningTime is the RFC 6019 attribute, zero when absent.
	BinarySigningTime time.Time

	// arcs backs ContentType and SignatureAlgorithm, so that filling them
	// takes no allocation of its own.
	arcs [contentTypeArcs + sigAlgArcs]int
}

// Room in SignedObject.arcs: every RPKI content type has 9 arcs and both
// signature algorithms 7. A longer OID is still decoded, into a new slice.
const (
	contentTypeArcs = 10
	sigAlgArcs      = 7
)

// cmsErr builds a CMS error; section names the RFC 6488 (or RFC 5652) rule.
func cmsErr(class error, section, format string, args ...any) error {
	return newError("cms", class, section, format, args...)
}

// ParseSignedObject parses an RPKI signed object and checks the RFC 6488
// profile strictly, in the reading of rpki-client's cms.c: ContentInfo of
// type signedData, SignedData version 3, exactly one digest algorithm
// (SHA-256), an eContent of type want, exactly one certificate (an EE
// certificate), no CRLs, exactly one SignerInfo (version 3, identified by
// the EE's subjectKeyIdentifier) with the content-type and message-digest
// signed attributes and optionally signing-time and binary-signing-time,
// and no unsigned attributes. The message digest is checked here because it
// needs no issuer; the signature is checked by Verify.
func ParseSignedObject(der []byte, want asn1.ObjectIdentifier) (*SignedObject, error) {
	return parseSignedObject(der, want, ParseCert)
}

// parseSignedObject is ParseSignedObject with the EE certificate parser
// given: RSCs, which are not published, use parseEECertNoSIA.
func parseSignedObject(der []byte, want asn1.ObjectIdentifier, parseEE func([]byte) (*Cert, error)) (*SignedObject, error) {
	so, err := parseCMS(der, want)
	if err != nil {
		return nil, err
	}
	ee, err := parseEE(so.RawEE)
	if err != nil {
		return nil, err
	}
	if ee.Kind != KindEE {
		return nil, cmsErr(ErrProfile, "RFC 6488 §2.1.4", "embedded certificate is not an EE certificate")
	}
	// RFC 6488 §2.1.6.2: the sid is the subjectKeyIdentifier of the EE.
	if !bytes.Equal(so.SID, ee.SKI) {
		return nil, cmsErr(ErrProfile, "RFC 6488 §2.1.6.2", "SignerInfo sid does not match the EE certificate's SKI")
	}
	so.EE = ee
	return so, nil
}

// parseCMS parses and checks everything of a signed object except the EE
// certificate itself, which is returned raw in RawEE. Splitting the two lets
// the CMS layer be tested and fuzzed on its own.
func parseCMS(der []byte, want asn1.ObjectIdentifier) (*SignedObject, error) {
	if len(der) == 0 {
		return nil, cmsErr(ErrMalformed, "", "empty input")
	}
	if len(der) > MaxObjectSize {
		return nil, cmsErr(ErrMalformed, "", "object of %d bytes exceeds limit of %d", len(der), MaxObjectSize)
	}
	so := &SignedObject{Raw: der}
	sd, err := cmsContentInfo(der)
	if err != nil {
		return nil, err
	}
	if err := cmsSignedData(sd, so); err != nil {
		return nil, err
	}
	if !so.ContentType.Equal(want) {
		return nil, cmsErr(ErrProfile, "RFC 6488 §2.1.3.1", "eContentType is %v, want %v", so.ContentType, want)
	}
	return so, nil
}

// cmsContentInfo reads the outer ContentInfo (RFC 5652 §3, RFC 6488 §2)
// and returns the SignedData SEQUENCE contents.
func cmsContentInfo(der []byte) (cryptobyte.String, error) {
	input := cryptobyte.String(der)
	var ci, sd cryptobyte.String
	if !input.ReadASN1(&ci, cbasn1.SEQUENCE) {
		return nil, cmsErr(ErrMalformed, "RFC 6488 §2", "ContentInfo: not a DER SEQUENCE")
	}
	if !input.Empty() {
		return nil, cmsErr(ErrMalformed, "RFC 6488 §2", "%d bytes of trailing data after ContentInfo", len(input))
	}
	oid, err := readOID(&ci)
	if err != nil {
		return nil, cmsErr(ErrMalformed, "RFC 6488 §2", "ContentInfo: bad contentType")
	}
	if !oid.Equal(derSignedData) {
		return nil, cmsErr(ErrProfile, "RFC 6488 §2.1", "contentType is %v, want signedData", oid)
	}
	var explicit cryptobyte.String
	if !ci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, cmsErr(ErrMalformed, "RFC 6488 §2", "ContentInfo: bad [0] content")
	}
	if !explicit.ReadASN1(&sd, cbasn1.SEQUENCE) || !explicit.Empty() {
		return nil, cmsErr(ErrMalformed, "RFC 6488 §2.1", "SignedData: not a DER SEQUENCE")
	}
	return sd, nil
}

// cmsSignedData reads SignedData (RFC 6488 §2.1) into so.
func cmsSignedData(sd cryptobyte.String, so *SignedObject) error {
	var version int64
	if !sd.ReadASN1Integer(&version) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.1", "SignedData: bad version")
	}
	if version != 3 {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.1", "SignedData version is %d, want 3", version)
	}
	if err := cmsDigestAlgorithms(&sd); err != nil {
		return err
	}
	if err := cmsEncapContentInfo(&sd, so); err != nil {
		return err
	}
	if err := cmsCertificates(&sd, so); err != nil {
		return err
	}
	// RFC 6488 §2.1.5: the crls field MUST be omitted.
	if sd.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.5", "crls field present")
	}
	var infos, info cryptobyte.String
	if !sd.ReadASN1(&infos, cbasn1.SET) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6", "signerInfos: not a DER SET")
	}
	if !sd.Empty() {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1", "trailing data in SignedData")
	}
	if !infos.ReadASN1(&info, cbasn1.SEQUENCE) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6", "signerInfos: no SignerInfo")
	}
	if !infos.Empty() {
		return cmsErr(ErrProfile, "RFC 6488 §2.1", "more than one SignerInfo")
	}
	return cmsSignerInfo(info, so)
}

// cmsDigestAlgorithms checks the digestAlgorithms SET: exactly one
// algorithm, SHA-256 (RFC 6488 §2.1.2, RFC 7935 §2).
func cmsDigestAlgorithms(sd *cryptobyte.String) error {
	var set cryptobyte.String
	if !sd.ReadASN1(&set, cbasn1.SET) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.2", "digestAlgorithms: not a DER SET")
	}
	oid, err := cmsAlgorithm(&set, "digestAlgorithms")
	if err != nil {
		return err
	}
	if !set.Empty() {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.2", "digestAlgorithms: more than one algorithm")
	}
	if !oid.Equal(derSHA256) {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.2", "digestAlgorithms: %v, want SHA-256", oid)
	}
	return nil
}

// cmsAlgorithm reads an AlgorithmIdentifier whose parameters are absent or
// NULL (RFC 7935 §2 allows both for SHA-256 and the RSA OIDs) and returns
// its OID.
func cmsAlgorithm(s *cryptobyte.String, field string) (derOID, error) {
	var alg cryptobyte.String
	if !s.ReadASN1(&alg, cbasn1.SEQUENCE) {
		return nil, cmsErr(ErrMalformed, "RFC 5652 §10.1", "%s: bad AlgorithmIdentifier", field)
	}
	oid, err := readOID(&alg)
	if err != nil {
		return nil, cmsErr(ErrMalformed, "RFC 5652 §10.1", "%s: bad AlgorithmIdentifier", field)
	}
	if alg.Empty() {
		return oid, nil
	}
	var null cryptobyte.String
	if !alg.ReadASN1(&null, cbasn1.NULL) || !null.Empty() || !alg.Empty() {
		return nil, cmsErr(ErrMalformed, "RFC 7935 §2", "%s: parameters must be absent or NULL", field)
	}
	return oid, nil
}

// cmsEncapContentInfo reads encapContentInfo: eContentType and a present
// eContent (RFC 6488 §2.1.3).
func cmsEncapContentInfo(sd *cryptobyte.String, so *SignedObject) error {
	var eci, explicit, content cryptobyte.String
	if !sd.ReadASN1(&eci, cbasn1.SEQUENCE) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.3", "encapContentInfo: not a DER SEQUENCE")
	}
	ct, err := readOID(&eci)
	if err != nil {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.3.1", "encapContentInfo: bad eContentType")
	}
	so.ContentType = ct.appendArcs(so.arcs[:0:contentTypeArcs])
	if eci.Empty() {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.3.2", "eContent absent")
	}
	if !eci.ReadASN1(&explicit, cbasn1.Tag(0).Constructed().ContextSpecific()) || !eci.Empty() {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.3.2", "encapContentInfo: bad eContent")
	}
	// A constructed OCTET STRING is BER only; ReadASN1 with the primitive tag
	// rejects it.
	if !explicit.ReadASN1(&content, cbasn1.OCTET_STRING) || !explicit.Empty() {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.3.2", "eContent: not a DER OCTET STRING")
	}
	so.Content = content
	return nil
}

// cmsCertificates reads the certificates field: present, exactly one
// certificate (RFC 6488 §2.1.4).
func cmsCertificates(sd *cryptobyte.String, so *SignedObject) error {
	var certs, cert cryptobyte.String
	var present bool
	if !sd.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.4", "certificates: bad encoding")
	}
	if !present {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.4", "certificates field absent")
	}
	if !certs.ReadASN1Element(&cert, cbasn1.SEQUENCE) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.4", "certificates: no X.509 certificate")
	}
	if !certs.Empty() {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.4", "more than one certificate")
	}
	so.RawEE = cert
	return nil
}

// cmsSignerInfo reads the one SignerInfo (RFC 6488 §2.1.6).
func cmsSignerInfo(info cryptobyte.String, so *SignedObject) error {
	var version int64
	if !info.ReadASN1Integer(&version) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6.1", "SignerInfo: bad version")
	}
	if version != 3 {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.1", "SignerInfo version is %d, want 3", version)
	}
	var sid cryptobyte.String
	if !info.ReadASN1(&sid, cbasn1.Tag(0).ContextSpecific()) || len(sid) == 0 {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.2", "sid is not a subjectKeyIdentifier")
	}
	so.SID = sid
	oid, err := cmsAlgorithm(&info, "SignerInfo digestAlgorithm")
	if err != nil {
		return err
	}
	if !oid.Equal(derSHA256) {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.3", "digestAlgorithm %v, want SHA-256", oid)
	}
	if err := cmsReadSignedAttrs(&info, so); err != nil {
		return err
	}
	return cmsSignerInfoTail(info, so)
}

// cmsSignerInfoTail reads signatureAlgorithm and signature and checks that
// nothing (in particular no unsignedAttrs) follows.
func cmsSignerInfoTail(info cryptobyte.String, so *SignedObject) error {
	oid, err := cmsAlgorithm(&info, "SignerInfo signatureAlgorithm")
	if err != nil {
		return err
	}
	// RFC 7935 §2 (amending RFC 6485): rsaEncryption or
	// sha256WithRSAEncryption. RFC 8208 concerns BGPsec router keys only.
	if !oid.Equal(derRSAEncryption) && !oid.Equal(derSHA256WithRSA) {
		return cmsErr(ErrProfile, "RFC 7935 §2", "signatureAlgorithm %v not allowed", oid)
	}
	so.SignatureAlgorithm = oid.appendArcs(so.arcs[contentTypeArcs:contentTypeArcs:len(so.arcs)])
	var sig cryptobyte.String
	if !info.ReadASN1(&sig, cbasn1.OCTET_STRING) || len(sig) == 0 {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6.6", "bad signature")
	}
	so.Signature = sig
	if info.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.7", "unsignedAttrs present")
	}
	if !info.Empty() {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6", "trailing data in SignerInfo")
	}
	return nil
}

// cmsReadSignedAttrs reads signedAttrs, keeps them re-tagged as a SET for
// the signature (RFC 5652 §5.4), and checks the attributes against the
// eContent.
func cmsReadSignedAttrs(info *cryptobyte.String, so *SignedObject) error {
	var elem cryptobyte.String
	tag := cbasn1.Tag(0).Constructed().ContextSpecific()
	if !info.PeekASN1Tag(tag) {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.4", "signedAttrs absent")
	}
	if !info.ReadASN1Element(&elem, tag) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6.4", "signedAttrs: bad encoding")
	}
	// RFC 5652 §5.4: the signature covers the DER of the SET OF, that is the
	// same bytes with the EXPLICIT SET tag instead of [0] IMPLICIT.
	raw := make([]byte, len(elem))
	copy(raw, elem)
	raw[0] = byte(cbasn1.SET)
	so.RawSigned = raw
	attrs := cryptobyte.String(raw)
	var body cryptobyte.String
	if !attrs.ReadASN1(&body, cbasn1.SET) {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6.4", "signedAttrs: bad encoding")
	}
	sa, err := cmsAttributes(body)
	if err != nil {
		return err
	}
	return sa.apply(so)
}

// cmsSignedAttrs collects the signed attributes that RFC 6488 §2.1.6.4
// allows.
type cmsSignedAttrs struct {
	contentType     derOID
	digest          []byte
	signingTime     time.Time
	binaryTime      time.Time
	seenSigningTime bool
	seenBinaryTime  bool
}

// cmsAttributes reads each Attribute: each type at most once, exactly one
// value, only the four types RFC 6488 §2.1.6.4 permits.
func cmsAttributes(body cryptobyte.String) (cmsSignedAttrs, error) {
	var sa cmsSignedAttrs
	for !body.Empty() {
		var value cryptobyte.String
		var vtag cbasn1.Tag
		typ, values, ok := cmsReadAttribute(&body)
		if !ok {
			return sa, cmsErr(ErrMalformed, "RFC 5652 §5.3", "bad signed attribute")
		}
		if !values.ReadAnyASN1Element(&value, &vtag) {
			return sa, cmsErr(ErrMalformed, "RFC 6488 §2.1.6.4", "attribute %v has no value", typ)
		}
		if !values.Empty() {
			return sa, cmsErr(ErrProfile, "RFC 6488 §2.1.6.4", "attribute %v has more than one value", typ)
		}
		if err := sa.add(typ, value); err != nil {
			return sa, err
		}
	}
	if sa.contentType == nil {
		return sa, cmsErr(ErrProfile, "RFC 6488 §2.1.6.4.1", "content-type attribute missing")
	}
	if sa.digest == nil {
		return sa, cmsErr(ErrProfile, "RFC 6488 §2.1.6.4.2", "message-digest attribute missing")
	}
	return sa, nil
}

// cmsReadAttribute reads one Attribute: its type and its SET of values.
func cmsReadAttribute(body *cryptobyte.String) (derOID, cryptobyte.String, bool) {
	var attr, values cryptobyte.String
	if !body.ReadASN1(&attr, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	typ, err := readOID(&attr)
	if err != nil || !attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
		return nil, nil, false
	}
	return typ, values, true
}

// add decodes one attribute value, rejecting duplicates and unknown types.
func (sa *cmsSignedAttrs) add(typ derOID, value cryptobyte.String) error {
	dup := false
	ok := true
	switch {
	case typ.Equal(derContentType):
		dup = sa.contentType != nil
		var err error
		sa.contentType, err = readOID(&value)
		ok = err == nil
	case typ.Equal(derMessageDigest):
		dup = sa.digest != nil
		var d cryptobyte.String
		ok = value.ReadASN1(&d, cbasn1.OCTET_STRING)
		sa.digest = d
	case typ.Equal(derSigningTime):
		// RFC 5652 §11.3: UTCTime up to 2049, GeneralizedTime from 2050,
		// the same rule as certificate times (der.go readTime).
		dup, sa.seenSigningTime = sa.seenSigningTime, true
		var err error
		sa.signingTime, err = readTime(&value)
		ok = err == nil
	case typ.Equal(derBinarySigningTime):
		dup, sa.seenBinaryTime = sa.seenBinaryTime, true
		var secs int64
		ok = value.ReadASN1Integer(&secs) && secs >= 0
		sa.binaryTime = time.Unix(secs, 0).UTC()
	default:
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.4", "signed attribute %v not allowed", typ)
	}
	if dup {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.4", "signed attribute %v appears twice", typ)
	}
	if !ok || !value.Empty() {
		return cmsErr(ErrMalformed, "RFC 6488 §2.1.6.4", "signed attribute %v: bad value", typ)
	}
	return nil
}

// apply checks the attributes against the eContent and stores them.
func (sa *cmsSignedAttrs) apply(so *SignedObject) error {
	var arcs [contentTypeArcs]int // decoded on the stack, for the comparison only
	if !sa.contentType.appendArcs(arcs[:0]).Equal(so.ContentType) {
		return cmsErr(ErrProfile, "RFC 6488 §2.1.6.4.1", "content-type attribute %v differs from eContentType %v", sa.contentType, so.ContentType)
	}
	sum := sha256.Sum256(so.Content)
	if !bytes.Equal(sa.digest, sum[:]) {
		return cmsErr(ErrSignature, "RFC 6488 §2.1.6.4.2", "message-digest does not match the eContent")
	}
	so.MessageDigest = sa.digest
	so.SigningTime = sa.signingTime
	so.BinarySigningTime = sa.binaryTime
	return nil
}

// Verify checks the CMS signature over the signed attributes with the EE
// certificate's key (RFC 6488 §3 item 2). It returns an ErrSignature error
// when the signature does not verify.
func (s *SignedObject) Verify() error {
	if s.EE == nil {
		return cmsErr(ErrSignature, "RFC 6488 §3", "no EE certificate")
	}
	pub, ok := s.EE.PublicKey.(*rsa.PublicKey)
	if !ok {
		return cmsErr(ErrSignature, "RFC 7935 §3", "EE key is not an RSA key")
	}
	sum := sha256.Sum256(s.RawSigned)
	if err := verifyRSASHA256(pub, &sum, s.Signature); err != nil {
		return cmsErr(ErrSignature, "RFC 6488 §3", "signature does not verify: %v", err)
	}
	return nil
}

// validateSigned does the checks common to every signed object's
// Validate: the CMS signature and the EE certificate against its issuer at
// time now (RFC 6488 §3 items 2 and 3). The issuer's resources must be
// resolved (no inherit), as Cert.Validate requires.
func (s *SignedObject) validateSigned(object string, issuer *Cert, now time.Time) error {
	if issuer == nil {
		return newError(object, ErrSignature, "RFC 6488 §3", "no issuer certificate")
	}
	if err := s.Verify(); err != nil {
		return err
	}
	return s.EE.Validate(issuer, now)
}
