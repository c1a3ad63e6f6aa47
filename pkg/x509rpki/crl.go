package x509rpki

import (
	"bytes"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RevokedCert is one entry of a CRL.
type RevokedCert struct {
	Serial *big.Int
	Time   time.Time
}

// CRL is a certificate revocation list (RFC 6487 §5).
//
// The byte slices alias the DER passed to ParseCRL.
type CRL struct {
	Raw        []byte
	RawTBS     []byte
	RawIssuer  []byte
	Issuer     string
	ThisUpdate time.Time
	NextUpdate time.Time
	Number     *big.Int
	AKI        []byte
	Revoked    []RevokedCert // in the order listed
	Signature  []byte

	// revoked indexes Revoked by serial, big-endian and left-padded to the
	// 20 octets serials are limited to (RFC 5280 §4.1.2.2), so that a lookup
	// allocates nothing.
	revoked map[serialKey]struct{}
}

// serialKey is a serial number as a fixed-size map key.
type serialKey [20]byte

// secCRL is the section of the RPKI CRL profile.
const secCRL = "RFC 6487 §5"

// ParseCRL parses a CRL and checks the RFC 6487 §5 profile: v2,
// sha256WithRSAEncryption, issuer name as RFC 6487 §4.4, nextUpdate after
// thisUpdate, positive serials without entry extensions, and exactly the
// AKI and CRL number extensions, both non-critical. RFC 5280 does not
// require entries to be sorted or unique, so neither is checked.
func ParseCRL(der []byte) (*CRL, error) {
	if len(der) == 0 || len(der) > MaxObjectSize {
		return nil, newError("crl", ErrMalformed, "", "size %d outside 1..MaxObjectSize", len(der))
	}
	input := cryptobyte.String(der)
	var whole, body, tbs cryptobyte.String
	if !input.ReadASN1Element(&whole, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, newError("crl", ErrMalformed, "RFC 5280 §5.1", "not a single DER SEQUENCE (or trailing data)")
	}
	c := &CRL{Raw: der}
	whole.ReadASN1(&body, cbasn1.SEQUENCE)
	if !body.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, newError("crl", ErrMalformed, "RFC 5280 §5.1", "malformed tbsCertList")
	}
	c.RawTBS = tbs
	outerAlg, err := readSignatureAlgorithm(&body)
	if err != nil {
		return nil, derError("crl", ErrProfile, "RFC 7935 §2", "signatureAlgorithm", err)
	}
	if c.Signature, err = readOctetAlignedBitString(&body); err != nil || !body.Empty() {
		return nil, derError("crl", ErrMalformed, "RFC 5280 §5.1.1.3", "signatureValue", orTrailing(err))
	}
	innerAlg, err := c.parseTBS(tbs)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(innerAlg, outerAlg) {
		return nil, newError("crl", ErrProfile, "RFC 5280 §5.1.1.2", "signatureAlgorithm differs from tbsCertList signature")
	}
	return c, nil
}

// parseTBS reads the TBSCertList and returns its signature
// AlgorithmIdentifier element.
func (c *CRL) parseTBS(elem cryptobyte.String) ([]byte, error) {
	var tbs cryptobyte.String
	elem.ReadASN1(&tbs, cbasn1.SEQUENCE)
	if !tbs.PeekASN1Tag(cbasn1.INTEGER) {
		return nil, newError("crl", ErrProfile, secCRL, "version missing (v1)")
	}
	if v, err := readSmallInt(&tbs); err != nil || v != 1 {
		return nil, newError("crl", ErrProfile, secCRL, "version is not v2")
	}
	alg, err := readSignatureAlgorithm(&tbs)
	if err != nil {
		return nil, derError("crl", ErrProfile, "RFC 7935 §2", "signature", err)
	}
	if c.RawIssuer, c.Issuer, err = readName(&tbs); err != nil {
		return nil, derError("crl", ErrProfile, "RFC 6487 §4.4", "issuer", err)
	}
	if err := c.readUpdates(&tbs); err != nil {
		return nil, err
	}
	if err := c.readEntries(&tbs); err != nil {
		return nil, err
	}
	if err := c.readExtensions(&tbs); err != nil {
		return nil, err
	}
	if !tbs.Empty() {
		return nil, newError("crl", ErrMalformed, "RFC 5280 §5.1", "trailing data in tbsCertList")
	}
	return alg, nil
}

// readUpdates reads thisUpdate and the nextUpdate that RFC 6487 §5
// requires, which must come later.
func (c *CRL) readUpdates(s *cryptobyte.String) error {
	var err error
	if c.ThisUpdate, err = readTime(s); err != nil {
		return derError("crl", ErrProfile, "RFC 5280 §5.1.2.4", "thisUpdate", err)
	}
	if c.NextUpdate, err = readTime(s); err != nil {
		return derError("crl", ErrProfile, "RFC 5280 §5.1.2.5", "nextUpdate", err)
	}
	if !c.ThisUpdate.Before(c.NextUpdate) {
		return newError("crl", ErrProfile, "RFC 5280 §5.1.2.5", "nextUpdate %s not after thisUpdate %s",
			c.NextUpdate.Format(time.RFC3339), c.ThisUpdate.Format(time.RFC3339))
	}
	return nil
}

// readEntries reads revokedCertificates; entries carry no extensions (RFC
// 6487 §5, as rpki-client). RFC 5280 §5.1.2.6 says an empty list MUST be
// absent, but real LACNIC and Krill CRLs encode an empty SEQUENCE and
// rpki-client accepts it, so an empty list is read as no entries.
func (c *CRL) readEntries(s *cryptobyte.String) error {
	if !s.PeekASN1Tag(cbasn1.SEQUENCE) {
		c.revoked = map[serialKey]struct{}{}
		return nil
	}
	list, _ := readSequence(s)
	n := countElements(list, MaxCRLEntries)
	if n > MaxCRLEntries {
		return newError("crl", ErrMalformed, secCRL, "more than MaxCRLEntries (%d) entries", MaxCRLEntries)
	}
	c.Revoked = make([]RevokedCert, 0, n)
	c.revoked = make(map[serialKey]struct{}, n)
	var serials serialSlab
	for !list.Empty() {
		e, err := readCRLEntry(&list, serials.next(n-len(c.Revoked)))
		if err != nil {
			return err
		}
		c.Revoked = append(c.Revoked, e)
		c.revoked[keyOf(e.Serial)] = struct{}{}
	}
	return nil
}

// readCRLEntry reads one revoked certificate entry, its serial into z.
func readCRLEntry(s *cryptobyte.String, z *bigSerial) (RevokedCert, error) {
	var e RevokedCert
	entry, err := readSequence(s)
	if err != nil {
		return e, newError("crl", ErrMalformed, "RFC 5280 §5.1", "malformed revokedCertificates entry")
	}
	if e.Serial, err = readSerialInto(&entry, z, 20, false); err != nil {
		return e, derError("crl", ErrProfile, "RFC 5280 §5.1.2.6", "userCertificate", err)
	}
	if e.Time, err = readTime(&entry); err != nil {
		return e, derError("crl", ErrProfile, "RFC 5280 §5.1.2.6", "revocationDate", err)
	}
	if !entry.Empty() {
		return e, newError("crl", ErrProfile, secCRL, "CRL entry extensions not allowed")
	}
	return e, nil
}

// readExtensions reads crlExtensions: exactly AKI and CRL number, both
// non-critical (RFC 6487 §5).
func (c *CRL) readExtensions(s *cryptobyte.String) error {
	var wrapped cryptobyte.String
	if !s.ReadASN1(&wrapped, tagExplicit0) {
		return newError("crl", ErrProfile, secCRL, "crlExtensions missing")
	}
	var buf [inlineExtensions]extension
	list, err := readExtensions(&wrapped, buf[:0])
	if err != nil || !wrapped.Empty() {
		return derError("crl", ErrMalformed, "RFC 5280 §5.1.2.7", "crlExtensions", orTrailing(err))
	}
	for _, e := range list {
		if err := c.readExtension(e); err != nil {
			return err
		}
	}
	if c.AKI == nil {
		return newError("crl", ErrProfile, secCRL, "AKI missing")
	}
	if c.Number == nil {
		return newError("crl", ErrProfile, secCRL, "CRL number missing")
	}
	return nil
}

// readExtension reads one CRL extension.
func (c *CRL) readExtension(e extension) error {
	if e.Critical {
		return newError("crl", ErrProfile, secCRL, "extension %s must not be critical", e.ID)
	}
	switch {
	case e.ID.Equal(derAuthorityKeyID):
		aki, err := readAKI("crl", e.Value)
		c.AKI = aki
		return err
	case e.ID.Equal(derCRLNumber):
		v := e.Value
		n, err := readSerial(&v, 20, true)
		if err != nil || !v.Empty() {
			return derError("crl", ErrProfile, "RFC 5280 §5.2.3", "CRL number", orTrailing(err))
		}
		c.Number = n
		return nil
	}
	return newError("crl", ErrProfile, secCRL, "extension %s not allowed", e.ID)
}

// keyOf returns the map key of a serial that fits in 20 octets.
func keyOf(n *big.Int) serialKey {
	var k serialKey
	n.FillBytes(k[:])
	return k
}

// IsRevoked reports whether the CRL lists serial. It allocates nothing and
// is safe for concurrent use.
func (c *CRL) IsRevoked(serial *big.Int) bool {
	if serial == nil || serial.Sign() <= 0 || serial.BitLen() > 8*len(serialKey{}) {
		return false
	}
	_, ok := c.revoked[keyOf(serial)]
	return ok
}

// Validate checks the CRL against its issuer at time now: the issuer's
// subject and SKI match the CRL's issuer and AKI, the issuer's key verifies
// the signature, and now lies between thisUpdate and nextUpdate (RFC 6487
// §5; RFC 9286 §6.4 treats a CRL past nextUpdate as stale).
func (c *CRL) Validate(issuer *Cert, now time.Time) error {
	if err := checkIssuer("crl", c.RawIssuer, c.AKI, false, issuer); err != nil {
		return err
	}
	if err := verifySignature(issuer.PublicKey, c.RawTBS, c.Signature); err != nil {
		return newError("crl", ErrSignature, secCRL, "signature: %v", err)
	}
	if now.Before(c.ThisUpdate) {
		return newError("crl", ErrStale, secCRL, "thisUpdate %s is in the future", c.ThisUpdate.Format(time.RFC3339))
	}
	if now.After(c.NextUpdate) {
		return newError("crl", ErrStale, secCRL, "past nextUpdate %s", c.NextUpdate.Format(time.RFC3339))
	}
	return nil
}
