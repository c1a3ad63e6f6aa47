package ca

import (
	"fmt"
	"math/big"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRLTemplate holds the fields of a CRL (RFC 6487 §5).
type CRLTemplate struct {
	// Issuer is the issuer commonName; empty means the issuer key's SKI in
	// hex, the default Subject of CertTemplate.
	Issuer     string
	Number     *big.Int // cRLNumber, positive (RFC 5280 §5.2.3)
	ThisUpdate time.Time
	NextUpdate time.Time
	Revoked    []x509rpki.RevokedCert // written in this order
	Fault      Fault
}

// IssueCRL builds and signs a version 2 CRL with the two extensions RFC 6487
// §5 allows, authorityKeyIdentifier and cRLNumber, and no entry extensions.
func IssueCRL(t *CRLTemplate, issuer *Key) ([]byte, error) {
	name := t.Issuer
	if name == "" {
		name = issuer.Name()
	}
	if err := checkName("issuer", name); err != nil {
		return nil, err
	}
	if err := checkSerial("crl number", t.Number); err != nil {
		return nil, err
	}
	for i, r := range t.Revoked {
		if err := checkSerial(fmt.Sprintf("revoked serial %d", i), r.Serial); err != nil {
			return nil, err
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1) // v2 (RFC 5280 §5.1.2.1)
		addAlgorithm(b, oidSHA256WithRSA, true)
		addName(b, name, "")
		addTime(b, t.ThisUpdate)
		addTime(b, t.NextUpdate)
		t.addRevoked(b)
		t.addExtensions(b, issuer)
	})
	tbs, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ca: crl: %w", err)
	}
	return signTBS(tbs, issuer, t.Fault)
}

// addRevoked writes revokedCertificates, which DER leaves out when empty
// (RFC 5280 §5.1.2.6).
func (t *CRLTemplate) addRevoked(b *cryptobyte.Builder) {
	if len(t.Revoked) == 0 {
		return
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, r := range t.Revoked {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1BigInt(r.Serial)
				addTime(b, r.Time)
			})
		}
	})
}

// addExtensions writes crlExtensions [0]: AKI and cRLNumber, non-critical
// (RFC 6487 §5, RFC 5280 §5.2.1, §5.2.3).
func (t *CRLTemplate) addExtensions(b *cryptobyte.Builder, issuer *Key) {
	b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addExtension(b, oidAuthorityKeyID, false, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(issuer.SKI()) })
				})
			})
			addExtension(b, oidCRLNumber, false, func(b *cryptobyte.Builder) { b.AddASN1BigInt(t.Number) })
		})
	})
}
