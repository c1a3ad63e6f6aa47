package ca

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CertTemplate holds what differs between resource certificates
// (RFC 6487 §4). Empty URI fields are not written, so a template can also
// describe a deliberately incomplete certificate; the convenience builders
// (NewTA, NewCA, NewROA...) fill every field a valid object needs.
type CertTemplate struct {
	Kind   x509rpki.CertKind
	Serial *big.Int // positive, unique per issuer (RFC 6487 §4.2)
	// Subject is the subject commonName; empty means the subject key's SKI
	// in upper-case hex (RFC 6487 §4.5 leaves the choice to the CA).
	Subject string
	// SubjectSerial is an optional serialNumber attribute of the subject
	// (RFC 6487 §4.5; RFC 8209 §3.1.1 uses it in router certificates).
	SubjectSerial string
	// Issuer is the issuer commonName: it must equal the Subject of the
	// issuer's own certificate. Empty means the issuer key's SKI in hex,
	// which matches the default Subject. Ignored for a TA (self-issued).
	Issuer              string
	NotBefore, NotAfter time.Time
	// Resources are written as given (after Canonical); absent families
	// are left out. RFC 8209 router certificates carry AS numbers only.
	Resources x509rpki.Resources

	CRLDP string // rsync URI of the issuer's CRL (RFC 6487 §4.8.6); not on a TA
	AIA   string // rsync URI of the issuer's certificate (§4.8.7); not on a TA

	CARepository string // SIA caRepository (RFC 6487 §4.8.8.1)
	Manifest     string // SIA rpkiManifest (RFC 6487 §4.8.8.1)
	Notify       string // SIA rpkiNotify (RFC 8182 §3.2), optional
	SignedObject string // SIA signedObject of an EE certificate (§4.8.8.2)

	// Reconsidered selects the RFC 8360 policy and resource extension
	// OIDs ("validation reconsidered").
	Reconsidered bool
	Fault        Fault
}

// IssueCert builds the certificate of subject described by t and signs it
// with issuer, returning its DER. A TA certificate is self-signed: subject
// must then be issuer's key.
func IssueCert(t *CertTemplate, subject PublicKey, issuer *Key) ([]byte, error) {
	if err := t.check(subject, issuer); err != nil {
		return nil, err
	}
	res := Canonical(t.Resources)
	subjectName, issuerName := t.names(subject, issuer)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1Int64(2) // v3 (RFC 6487 §4.1)
		})
		b.AddASN1BigInt(t.Serial)
		addAlgorithm(b, oidSHA256WithRSA, true)
		addName(b, issuerName, "")
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			addTime(b, t.NotBefore)
			addTime(b, t.NotAfter)
		})
		addName(b, subjectName, t.SubjectSerial)
		b.AddBytes(subject.SPKI())
		b.AddASN1(cbasn1.Tag(3).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				t.addExtensions(b, subject, issuer, &res)
			})
		})
	})
	tbs, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ca: cert: %w", err)
	}
	return signTBS(tbs, issuer, t.Fault)
}

// signTBS signs a TBSCertificate or TBSCertList with sha256WithRSAEncryption
// (RFC 7935 §2) and wraps it, applying the signature and trailing-data
// faults.
func signTBS(tbs []byte, issuer *Key, f Fault) ([]byte, error) {
	sig, err := issuer.sign(tbs)
	if err != nil {
		return nil, err
	}
	der, err := signed(tbs, oidSHA256WithRSA, f.corruptSignature(sig))
	if err != nil {
		return nil, fmt.Errorf("ca: %w", err)
	}
	return f.finish(der), nil
}

// check validates what would make the DER unwritable or the certificate
// meaningless; semantic errors are the lab's business.
func (t *CertTemplate) check(subject PublicKey, issuer *Key) error {
	if t.Kind < x509rpki.KindTA || t.Kind > x509rpki.KindRouter {
		return fmt.Errorf("ca: cert: unknown kind %d", t.Kind)
	}
	if subject == nil || issuer == nil {
		return errors.New("ca: cert: nil subject or issuer key")
	}
	if t.Kind == x509rpki.KindTA && !bytes.Equal(subject.SKI(), issuer.SKI()) {
		return errors.New("ca: cert: RFC 6487 §4: a TA certificate is self-signed: subject key must be the issuer key")
	}
	if err := checkSerial("serial", t.Serial); err != nil {
		return err
	}
	subjectName, issuerName := t.names(subject, issuer)
	if err := checkName("subject", subjectName); err != nil {
		return err
	}
	if err := checkName("issuer", issuerName); err != nil {
		return err
	}
	return checkResources(&t.Resources)
}

// names returns the subject and issuer common names, with defaults.
func (t *CertTemplate) names(subject PublicKey, issuer *Key) (string, string) {
	s := t.Subject
	if s == "" {
		s = hexName(subject.SKI())
	}
	if t.Kind == x509rpki.KindTA {
		return s, s
	}
	i := t.Issuer
	if i == "" {
		i = issuer.Name()
	}
	return s, i
}

// isCA reports whether the certificate is a CA (TA included).
func (t *CertTemplate) isCA() bool { return t.Kind == x509rpki.KindTA || t.Kind == x509rpki.KindCA }

// addExtensions writes the RFC 6487 §4.8 extensions in a fixed order.
func (t *CertTemplate) addExtensions(b *cryptobyte.Builder, subject PublicKey, issuer *Key, res *x509rpki.Resources) {
	if t.isCA() {
		addExtension(b, oidBasicConstraints, true, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Boolean(true) })
		})
	}
	addExtension(b, oidSubjectKeyID, false, func(b *cryptobyte.Builder) { b.AddASN1OctetString(subject.SKI()) })
	if t.Kind != x509rpki.KindTA {
		addExtension(b, oidAuthorityKeyID, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(issuer.SKI()) })
			})
		})
	}
	t.addKeyUsage(b)
	t.addAccess(b)
	t.addPolicyAndResources(b, res)
}

// addKeyUsage writes keyUsage (RFC 6487 §4.8.4): keyCertSign and cRLSign
// for a CA, digitalSignature for an EE or router certificate, plus the
// BGPsec router key purpose (RFC 8209 §3.1.3.2).
func (t *CertTemplate) addKeyUsage(b *cryptobyte.Builder) {
	addExtension(b, oidKeyUsage, true, func(b *cryptobyte.Builder) {
		if t.isCA() {
			addBitString(b, []byte{0x06}, 7) // bits 5 and 6
		} else {
			addBitString(b, []byte{0x80}, 1) // bit 0
		}
	})
	if t.Kind == x509rpki.KindRouter {
		addExtension(b, oidExtKeyUsage, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidKPBGPsecRouter) })
		})
	}
}

// addAccess writes CRLDP (RFC 6487 §4.8.6), AIA (§4.8.7) and SIA (§4.8.8,
// RFC 8182 §3.2) for the URIs that are set.
func (t *CertTemplate) addAccess(b *cryptobyte.Builder) {
	if t.CRLDP != "" {
		addExtension(b, oidCRLDistribution, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							addURI(b, t.CRLDP)
						})
					})
				})
			})
		})
	}
	if t.AIA != "" {
		addExtension(b, oidAuthorityInfo, false, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { addAccessDescription(b, oidCAIssuers, t.AIA) })
		})
	}
	sia := []struct {
		oid asn1.ObjectIdentifier
		uri string
	}{{oidCARepository, t.CARepository}, {oidRPKIManifest, t.Manifest}, {oidRPKINotify, t.Notify}, {oidSignedObject, t.SignedObject}}
	if t.CARepository == "" && t.Manifest == "" && t.Notify == "" && t.SignedObject == "" {
		return
	}
	addExtension(b, oidSubjectInfo, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, s := range sia {
				if s.uri != "" {
					addAccessDescription(b, s.oid, s.uri)
				}
			}
		})
	})
}

// addAccessDescription writes one AccessDescription (RFC 5280 §4.2.2.1).
func addAccessDescription(b *cryptobyte.Builder, method asn1.ObjectIdentifier, uri string) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(method)
		addURI(b, uri)
	})
}

// addURI writes a GeneralName uniformResourceIdentifier, [6] IMPLICIT
// IA5String (RFC 5280 §4.2.1.6).
func addURI(b *cryptobyte.Builder, uri string) {
	b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(uri)) })
}

// addPolicyAndResources writes certificatePolicies (RFC 6487 §4.8.9) and the
// RFC 3779 resource extensions, all critical, in their RFC 8360 variants
// when the template asks for them.
func (t *CertTemplate) addPolicyAndResources(b *cryptobyte.Builder, res *x509rpki.Resources) {
	policy, ipOID, asOID := oidPolicyRPKI, oidIPAddrBlocks, oidASIdentifiers
	if t.Reconsidered {
		policy, ipOID, asOID = oidPolicyRPKIV2, oidIPAddrBlocksV2, oidASIdentifiersV2
	}
	addExtension(b, oidCertPolicies, true, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(policy) })
		})
	})
	if hasIP(res) {
		addExtension(b, ipOID, true, func(b *cryptobyte.Builder) { addIPAddrBlocks(b, res) })
	}
	if res.AS.Present {
		addExtension(b, asOID, true, func(b *cryptobyte.Builder) { addASIdentifiers(b, &res.AS) })
	}
}
