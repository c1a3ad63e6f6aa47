package x509rpki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CertKind tells what a resource certificate is used for.
type CertKind int

// Certificate kinds (RFC 6487 §4, RFC 8209).
const (
	KindTA     CertKind = iota + 1 // self-signed trust anchor certificate
	KindCA                         // CA certificate
	KindEE                         // EE certificate of a signed object
	KindRouter                     // BGPsec router certificate (RFC 8209)
)

// String returns "ta", "ca", "ee" or "router".
func (k CertKind) String() string {
	switch k {
	case KindTA:
		return "ta"
	case KindCA:
		return "ca"
	case KindEE:
		return "ee"
	case KindRouter:
		return "router"
	}
	return "unknown"
}

// Cert is a resource certificate (RFC 6487) with its RFC 3779 resources.
//
// The byte slices alias the DER passed to ParseCert, which must therefore
// not be modified afterwards.
type Cert struct {
	Raw        []byte // the whole DER
	RawTBS     []byte // TBSCertificate, what the signature covers
	RawSPKI    []byte // SubjectPublicKeyInfo, as matched against a TAL
	RawIssuer  []byte
	RawSubject []byte

	Kind         CertKind
	SerialNumber *big.Int
	Issuer       string // printable form of the issuer name
	Subject      string
	NotBefore    time.Time
	NotAfter     time.Time

	PublicKey crypto.PublicKey // *rsa.PublicKey, or *ecdsa.PublicKey for router certs
	SKI       []byte
	AKI       []byte // nil on a self-signed TA certificate

	CRLDP string // rsync URI of the issuer's CRL; empty on a TA
	AIA   string // rsync URI of the issuer's certificate; empty on a TA

	// Subject Information Access (RFC 6487 §4.8.8, RFC 8182 §3.2).
	CARepository string // CA: rsync URI of the publication point directory
	Manifest     string // CA: rsync URI of the manifest
	Notify       string // CA: https URI of the RRDP notification file, optional
	SignedObject string // EE: rsync URI of the signed object

	// Reconsidered is set when the certificate uses the RFC 8360 policy and
	// resource extensions.
	Reconsidered bool
	Resources    Resources

	Signature []byte
}

// ParseCert parses a resource certificate and checks the RFC 6487 profile
// (and RFC 8209 for BGPsec router certificates). It does no signature,
// resource or time check: see Validate.
func ParseCert(der []byte) (*Cert, error) {
	return parseCert(der, false)
}

// parseEECertNoSIA parses the EE certificate of a signed object that is
// not published in a repository, such as an RSC, whose EE certificate has
// no SIA (RFC 9323 §4): an EE without SIA is accepted and one with SIA is
// refused. For every other certificate it behaves as ParseCert.
func parseEECertNoSIA(der []byte) (*Cert, error) {
	return parseCert(der, true)
}

// parseCert is ParseCert with the SIA rule for EE certificates chosen by
// noSIA.
func parseCert(der []byte, noSIA bool) (*Cert, error) {
	if len(der) == 0 || len(der) > MaxObjectSize {
		return nil, newError("cert", ErrMalformed, "", "size %d outside 1..MaxObjectSize", len(der))
	}
	input := cryptobyte.String(der)
	var whole, body, tbs cryptobyte.String
	if !input.ReadASN1Element(&whole, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, newError("cert", ErrMalformed, "RFC 5280 §4.1", "not a single DER SEQUENCE (or trailing data)")
	}
	c := &Cert{Raw: der}
	whole.ReadASN1(&body, cbasn1.SEQUENCE)
	if !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, newError("cert", ErrMalformed, "RFC 5280 §4.1", "malformed tbsCertificate")
	}
	c.RawTBS = tbs
	outerAlg, err := readSignatureAlgorithm(&body)
	if err != nil {
		return nil, derError("cert", ErrProfile, "RFC 7935 §2", "signatureAlgorithm", err)
	}
	if c.Signature, err = readOctetAlignedBitString(&body); err != nil || !body.Empty() {
		return nil, derError("cert", ErrMalformed, "RFC 5280 §4.1.1.3", "signatureValue", orTrailing(err))
	}
	innerAlg, err := c.parseTBS(tbs, noSIA)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(innerAlg, outerAlg) {
		return nil, newError("cert", ErrProfile, "RFC 5280 §4.1.1.2", "signatureAlgorithm differs from tbsCertificate signature")
	}
	return c, nil
}

// parseTBS reads the TBSCertificate and returns its signature
// AlgorithmIdentifier element for comparison with the outer one.
func (c *Cert) parseTBS(elem cryptobyte.String, noSIA bool) ([]byte, error) {
	var tbs cryptobyte.String
	elem.ReadASN1(&tbs, cbasn1.SEQUENCE)
	if err := readCertVersion(&tbs); err != nil {
		return nil, err
	}
	var err error
	if c.SerialNumber, err = readSerial(&tbs, 20, false); err != nil {
		return nil, derError("cert", ErrProfile, "RFC 6487 §4.2", "serialNumber", err)
	}
	alg, err := readSignatureAlgorithm(&tbs)
	if err != nil {
		return nil, derError("cert", ErrProfile, "RFC 7935 §2", "signature", err)
	}
	if c.RawIssuer, c.Issuer, err = readName(&tbs); err != nil {
		return nil, derError("cert", ErrProfile, "RFC 6487 §4.4", "issuer", err)
	}
	if err := c.readValidity(&tbs); err != nil {
		return nil, err
	}
	if c.RawSubject, c.Subject, err = readName(&tbs); err != nil {
		return nil, derError("cert", ErrProfile, "RFC 6487 §4.5", "subject", err)
	}
	var spki cryptobyte.String
	if !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return nil, newError("cert", ErrMalformed, "RFC 6487 §4.7", "malformed subjectPublicKeyInfo")
	}
	c.RawSPKI = spki
	pub, spkBits, err := parseSPKI(spki)
	if err != nil {
		return nil, derError("cert", ErrProfile, "RFC 7935 §3", "subjectPublicKeyInfo", err)
	}
	c.PublicKey = pub
	if hasUniqueID(tbs) {
		return nil, newError("cert", ErrProfile, "RFC 6487 §4", "issuerUniqueID or subjectUniqueID present")
	}
	var x certExts
	if err := parseCertExtensions(&tbs, spkBits, &x); err != nil {
		return nil, err
	}
	if !tbs.Empty() {
		return nil, newError("cert", ErrMalformed, "RFC 5280 §4.1", "trailing data in tbsCertificate")
	}
	return alg, c.applyExtensions(&x, noSIA)
}

// readCertVersion reads the [0] EXPLICIT version, which must be v3 (value
// 2, RFC 6487 §4.1); an absent version means v1.
func readCertVersion(s *cryptobyte.String) error {
	var v cryptobyte.String
	if !s.ReadASN1(&v, tagExplicit0) {
		return newError("cert", ErrProfile, "RFC 6487 §4.1", "version missing (v1)")
	}
	n, err := readSmallInt(&v)
	if err != nil || !v.Empty() {
		return newError("cert", ErrMalformed, "RFC 6487 §4.1", "malformed version")
	}
	if n != 2 {
		return newError("cert", ErrProfile, "RFC 6487 §4.1", "version %d is not v3", n+1)
	}
	return nil
}

// readValidity reads notBefore and notAfter (RFC 6487 §4.6, RFC 5280
// §4.1.2.5). Whether now lies inside is Validate's business.
func (c *Cert) readValidity(s *cryptobyte.String) error {
	v, err := readSequence(s)
	if err != nil {
		return newError("cert", ErrMalformed, "RFC 5280 §4.1.2.5", "malformed validity")
	}
	if c.NotBefore, err = readTime(&v); err != nil {
		return derError("cert", ErrProfile, "RFC 5280 §4.1.2.5", "notBefore", err)
	}
	if c.NotAfter, err = readTime(&v); err != nil || !v.Empty() {
		return derError("cert", ErrProfile, "RFC 5280 §4.1.2.5", "notAfter", orTrailing(err))
	}
	return nil
}

// hasUniqueID reports whether the next field is issuerUniqueID [1] or
// subjectUniqueID [2], in primitive or constructed form.
func hasUniqueID(s cryptobyte.String) bool {
	for _, t := range []cbasn1.Tag{tagImplicit1, tagImplicit2, tagExplicit1, cbasn1.Tag(2).Constructed().ContextSpecific()} {
		if s.PeekASN1Tag(t) {
			return true
		}
	}
	return false
}

// applyExtensions sets the kind and the extension fields, and checks which
// extensions the kind requires or forbids (noSIA: see parseEECertNoSIA).
func (c *Cert) applyExtensions(x *certExts, noSIA bool) error {
	if !x.hasSKI {
		return newError("cert", ErrProfile, secSKI, "SKI missing")
	}
	c.SKI, c.AKI = x.ski, x.aki
	if err := c.setKind(x); err != nil {
		return err
	}
	if err := c.checkKeyUsage(x); err != nil {
		return err
	}
	if err := c.checkLocations(x, noSIA); err != nil {
		return err
	}
	if !x.hasPolicy {
		return newError("cert", ErrProfile, secPolicy, "certificate policies missing")
	}
	v2, err := x.checkResourceVersions()
	if err != nil {
		return err
	}
	c.Reconsidered, c.Resources = v2, x.res
	if err := c.checkKindResources(); err != nil {
		return err
	}
	c.setLocations(x)
	return nil
}

// setLocations sets the URIs that c keeps for its kind: CRL distribution
// point and AIA, and the SIA of a CA or an EE (RFC 6487 §4.8.6-§4.8.8; an
// EE's rpkiNotify is dropped). They are cut from one string, so that one
// allocation serves them all.
func (c *Cert) setLocations(x *certExts) {
	u := x.sia
	var repo, mft, notify, obj []byte
	switch c.Kind {
	case KindTA, KindCA:
		repo, mft, notify = u.caRepository, u.manifest, u.notify
	case KindEE:
		obj = u.signedObject
	}
	src := [...][]byte{x.crldp, x.aia, repo, mft, notify, obj}
	dst := [...]*string{&c.CRLDP, &c.AIA, &c.CARepository, &c.Manifest, &c.Notify, &c.SignedObject}
	n := 0
	for _, uri := range src {
		n += len(uri)
	}
	var b strings.Builder
	b.Grow(n)
	for _, uri := range src {
		b.Write(uri)
	}
	all := b.String()
	for i, uri := range src {
		*dst[i], all = all[:len(uri)], all[len(uri):]
	}
}

// setKind works out the kind (as rpki-client x509_get_purpose): cA set
// makes a TA when self-issued with no AKI or AKI == SKI, else a CA; without
// cA, the BGPsec router EKU makes a router certificate, else an EE.
func (c *Cert) setKind(x *certExts) error {
	selfIssued := bytes.Equal(c.RawIssuer, c.RawSubject)
	akiIsSKI := x.hasAKI && bytes.Equal(x.aki, x.ski)
	switch {
	case x.hasBC && selfIssued && (!x.hasAKI || akiIsSKI):
		c.Kind = KindTA
	case x.hasBC && selfIssued:
		return newError("cert", ErrProfile, secAKI, "self-issued certificate with AKI different from SKI")
	case !x.hasAKI:
		return newError("cert", ErrProfile, secAKI, "AKI missing on a certificate that is not a trust anchor")
	case akiIsSKI:
		return newError("cert", ErrProfile, secAKI, "AKI equals SKI on a certificate that is not a trust anchor")
	case x.hasBC:
		c.Kind = KindCA
	case x.hasEKU && !x.bgpsecRouter:
		return newError("cert", ErrProfile, secEKU, "extended key usage not allowed outside BGPsec router certificates")
	case x.hasEKU:
		c.Kind = KindRouter
	default:
		c.Kind = KindEE
	}
	if x.hasEKU && c.Kind != KindRouter {
		return newError("cert", ErrProfile, secEKU, "extended key usage not allowed in a CA certificate")
	}
	if _, isEC := c.PublicKey.(*ecdsa.PublicKey); isEC != (c.Kind == KindRouter) {
		return newError("cert", ErrProfile, "RFC 7935 §3", "%s certificate with the wrong key algorithm", c.Kind)
	}
	return nil
}

// DER encodings of the only key usages allowed (RFC 6487 §4.8.4): a CA has
// keyCertSign and cRLSign (bits 5, 6), an EE or router digitalSignature
// (bit 0).
var (
	kuCA = []byte{0x06}
	kuEE = []byte{0x80}
)

// checkKeyUsage checks the key usage bits for the kind.
func (c *Cert) checkKeyUsage(x *certExts) error {
	if !x.hasKU {
		return newError("cert", ErrProfile, secKU, "key usage missing")
	}
	want, n := kuEE, 1
	if c.Kind == KindTA || c.Kind == KindCA {
		want, n = kuCA, 7
	}
	if x.keyUsage.BitLength != n || !bytes.Equal(x.keyUsage.Bytes, want) {
		return newError("cert", ErrProfile, secKU, "key usage not allowed for a %s certificate", c.Kind)
	}
	return nil
}

// checkLocations checks CRLDP, AIA and SIA for the kind (RFC 6487 §4.8.6-
// §4.8.8, RFC 8209 §3.1.3.3).
func (c *Cert) checkLocations(x *certExts, noSIA bool) error {
	if c.Kind == KindTA {
		if x.hasCRLDP || x.hasAIA {
			return newError("cert", ErrProfile, secCRLDP, "trust anchor with CRL distribution point or AIA")
		}
	} else {
		if !x.hasCRLDP {
			return newError("cert", ErrProfile, secCRLDP, "CRL distribution point missing")
		}
		if !x.hasAIA {
			return newError("cert", ErrProfile, secAIA, "AIA missing")
		}
	}
	switch c.Kind {
	case KindTA, KindCA:
		return c.checkCASIA(x)
	case KindEE:
		return c.checkEESIA(x, noSIA)
	}
	if x.hasSIA {
		return newError("cert", ErrProfile, "RFC 8209 §3.1.3.3", "SIA not allowed in a router certificate")
	}
	return nil
}

// checkCASIA requires rsync caRepository and rpkiManifest URIs, the manifest
// inside the repository (RFC 6487 §4.8.8.1), and allows rpkiNotify.
func (c *Cert) checkCASIA(x *certExts) error {
	u := x.sia
	if !x.hasSIA || u.caRepository == nil || u.manifest == nil {
		return newError("cert", ErrProfile, "RFC 6487 §4.8.8.1", "SIA without rsync caRepository and rpkiManifest")
	}
	if u.signedObject != nil {
		return newError("cert", ErrProfile, "RFC 6487 §4.8.8.1", "SIA signedObject in a CA certificate")
	}
	if !manifestUnder(u.caRepository, u.manifest) {
		return newError("cert", ErrProfile, "RFC 6487 §4.8.8.1", "rpkiManifest %q is not a .mft inside caRepository %q", u.manifest, u.caRepository)
	}
	return nil
}

// checkEESIA requires an rsync signedObject URI and no CA access methods
// (RFC 6487 §4.8.8.2). rpkiNotify is tolerated and dropped, as rpki-client
// does (it exists in the wild; RFC 6487 erratum 7239).
func (c *Cert) checkEESIA(x *certExts, noSIA bool) error {
	u := x.sia
	if noSIA {
		if x.hasSIA {
			return newError("cert", ErrProfile, "RFC 9323 §4", "SIA not allowed in this EE certificate")
		}
		return nil
	}
	if !x.hasSIA || u.signedObject == nil {
		return newError("cert", ErrProfile, "RFC 6487 §4.8.8.2", "SIA without rsync signedObject")
	}
	if u.caRepository != nil || u.manifest != nil || u.other || u.caMethods {
		return newError("cert", ErrProfile, "RFC 6487 §4.8.8.2", "SIA access method other than signedObject in an EE certificate")
	}
	return nil
}

// checkKindResources checks the resource rules that depend on the kind: a
// router certificate has explicit AS resources and no IP resources (RFC
// 8209 §3.1.3.4, §3.1.3.5); a TA inherits nothing (RFC 8630 §2.3).
func (c *Cert) checkKindResources() error {
	r := c.Resources
	switch c.Kind {
	case KindRouter:
		if r.IPv4.Present || r.IPv6.Present {
			return newError("cert", ErrProfile, "RFC 8209 §3.1.3.4", "IP resources in a router certificate")
		}
		if !r.AS.Present || r.AS.Inherit {
			return newError("cert", ErrProfile, "RFC 8209 §3.1.3.5", "router certificate without explicit AS resources")
		}
	case KindTA:
		if r.HasInherit() {
			return newError("cert", ErrProfile, "RFC 8630 §2.3", "trust anchor with inherited resources")
		}
	}
	return nil
}

// Validate checks c against its issuer at time now: the issuer is a CA or
// TA whose subject and SKI match c's issuer and AKI, the issuer's key
// verifies c's signature, now lies within c's validity, and c's resources
// are covered by the issuer's.
//
// The caller passes the issuer with its resources already resolved (no
// inherit: see Resources.Resolve), since the issuer's own inherited
// resources come from further up the chain. A trust anchor validates
// against itself: pass c as issuer.
func (c *Cert) Validate(issuer *Cert, now time.Time) error {
	if c.Kind == KindTA && (issuer == nil || !bytes.Equal(issuer.Raw, c.Raw)) {
		return newError("cert", ErrSignature, "RFC 6487 §7", "a trust anchor validates against itself only")
	}
	if err := checkIssuer("cert", c.RawIssuer, c.AKI, c.Kind == KindTA, issuer); err != nil {
		return err
	}
	if err := verifySignature(issuer.PublicKey, c.RawTBS, c.Signature); err != nil {
		return newError("cert", ErrSignature, "RFC 6487 §7", "signature: %v", err)
	}
	if now.Before(c.NotBefore) {
		return newError("cert", ErrStale, "RFC 6487 §4.6", "not valid before %s", c.NotBefore.Format(time.RFC3339))
	}
	if now.After(c.NotAfter) {
		return newError("cert", ErrStale, "RFC 6487 §4.6", "expired at %s", c.NotAfter.Format(time.RFC3339))
	}
	if c.Kind == KindTA {
		return nil
	}
	if d, ok := issuer.Resources.Uncovered(c.Resources); !ok {
		return newError("cert", ErrResources, "RFC 6487 §7.2", "resource not held by the issuer: %s", d)
	}
	return nil
}

// checkIssuer checks that issuer may have signed an object with the given
// issuer name and AKI: it is a CA or TA certificate, its subject equals the
// name and its SKI equals the AKI (RFC 6487 §4.4, §4.8.3). When selfSigned
// is set an absent AKI is accepted. It is shared with CRLs and CMS.
func checkIssuer(object string, rawIssuer, aki []byte, selfSigned bool, issuer *Cert) error {
	if issuer == nil {
		return newError(object, ErrSignature, "", "no issuer certificate")
	}
	if issuer.Kind != KindCA && issuer.Kind != KindTA {
		return newError(object, ErrSignature, "RFC 6487 §4.8.1", "issuer is a %s certificate, not a CA", issuer.Kind)
	}
	if !(selfSigned && aki == nil) && !bytes.Equal(aki, issuer.SKI) {
		return newError(object, ErrSignature, "RFC 6487 §4.8.3", "AKI does not match the issuer's SKI")
	}
	if !bytes.Equal(rawIssuer, issuer.RawSubject) {
		return newError(object, ErrSignature, "RFC 6487 §4.4", "issuer name %q differs from the issuer's subject %q", nameOf(rawIssuer), issuer.Subject)
	}
	return nil
}

// nameOf returns the printable form of a raw Name, or "?" when it does not
// parse.
func nameOf(raw []byte) string {
	s := cryptobyte.String(raw)
	if _, text, err := readName(&s); err == nil {
		return text
	}
	return "?"
}

// CheckRevoked returns an ErrRevoked error when crl, issued by c's issuer,
// lists c's serial number. A trust anchor is never on a CRL.
func (c *Cert) CheckRevoked(crl *CRL) error {
	if c.Kind == KindTA {
		return nil
	}
	if crl == nil || !bytes.Equal(crl.AKI, c.AKI) {
		return newError("cert", ErrProfile, "RFC 6487 §5", "CRL is not from this certificate's issuer")
	}
	if crl.IsRevoked(c.SerialNumber) {
		return newError("cert", ErrRevoked, "RFC 6487 §5", "serial %X revoked", c.SerialNumber)
	}
	return nil
}

// RSAKey returns the RSA public key of a CA, TA or EE certificate, or nil.
func (c *Cert) RSAKey() *rsa.PublicKey {
	k, _ := c.PublicKey.(*rsa.PublicKey)
	return k
}
