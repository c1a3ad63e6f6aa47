package ca

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SignedObjectTemplate holds the fields of an RPKI signed object (RFC 6488)
// besides its EE certificate and key.
type SignedObjectTemplate struct {
	ContentType asn1.ObjectIdentifier // eContentType, e.g. OIDContentROA
	Content     []byte                // eContent: the DER of the payload
	// SigningTime is written as the signing-time attribute; zero leaves
	// the optional attribute out (RFC 6488 §2.1.6.4.3).
	SigningTime time.Time
	Fault       Fault
}

// SignObject wraps t.Content in a CMS SignedData signed by ee, whose
// certificate (eeCert, DER) is embedded, following RFC 6488 §2.1: version
// 3, SHA-256, one certificate, no CRLs, one SignerInfo of version 3 whose
// sid is the EE certificate's SKI, and signed attributes content-type,
// message-digest and (optionally) signing-time.
func SignObject(t *SignedObjectTemplate, ee *Key, eeCert []byte) ([]byte, error) {
	if len(t.ContentType) == 0 || len(eeCert) == 0 || ee == nil {
		return nil, errors.New("ca: cms: RFC 6488 §2.1: content type, EE key and EE certificate are required")
	}
	attrs, err := t.signedAttributes()
	if err != nil {
		return nil, err
	}
	sig, err := ee.sign(attrs)
	if err != nil {
		return nil, err
	}
	sig = t.Fault.corruptSignature(sig)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			t.addSignedData(b, ee, eeCert, attrs, sig)
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ca: cms: %w", err)
	}
	return t.Fault.finish(der), nil
}

// addSignedData writes the SignedData (RFC 6488 §2.1.1 to §2.1.6).
func (t *SignedObjectTemplate) addSignedData(b *cryptobyte.Builder, ee *Key, eeCert, attrs, sig []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgorithm(b, oidSHA256, false) })
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(t.ContentType)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(t.Content)
			})
		})
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(eeCert) })
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addSignerInfo(b, ee, attrs, sig) })
	})
}

// addSignerInfo writes the one SignerInfo (RFC 6488 §2.1.6). The signed
// attributes are the DER SET that was signed with its tag changed to
// [0] IMPLICIT (RFC 5652 §5.4). The signature algorithm is rsaEncryption,
// as RFC 6488 §2.1.6.5 wrote it and RFC 7935 §2 still allows.
func addSignerInfo(b *cryptobyte.Builder, ee *Key, attrs, sig []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(3)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(ee.SKI()) })
		addAlgorithm(b, oidSHA256, false)
		b.AddUint8(0xa0)
		b.AddBytes(attrs[1:])
		addAlgorithm(b, oidRSAEncryption, true)
		b.AddASN1OctetString(sig)
	})
}

// signedAttributes returns the signed attributes as the DER SET OF that the
// signature covers (RFC 5652 §5.4). DER sorts SET OF members by their
// encodings (X.690 §11.6).
func (t *SignedObjectTemplate) signedAttributes() ([]byte, error) {
	digest := sha256.Sum256(t.Content)
	if t.Fault.Has(FaultBadDigest) {
		digest[0] ^= 0xff
	}
	ct := t.ContentType
	if t.Fault.Has(FaultContentTypeMismatch) {
		ct = otherContentType(ct)
	}
	list := [][]byte{
		attribute(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(ct) }),
		attribute(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(digest[:]) }),
	}
	if !t.SigningTime.IsZero() {
		list = append(list, attribute(oidSigningTime, func(b *cryptobyte.Builder) { addTime(b, t.SigningTime) }))
	}
	for _, a := range list {
		if a == nil {
			return nil, errors.New("ca: cms: signed attributes: encoding failed")
		}
	}
	slices.SortFunc(list, bytes.Compare)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range list {
			b.AddBytes(a)
		}
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("ca: cms: signed attributes: %w", err)
	}
	return out, nil
}

// attribute encodes one Attribute with a single value (RFC 5652 §5.3); nil
// when the value cannot be encoded.
func attribute(oid asn1.ObjectIdentifier, value cryptobyte.BuilderContinuation) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, value)
	})
	out, err := b.Bytes()
	if err != nil {
		return nil
	}
	return out
}

// otherContentType returns an eContent type different from ct, for
// FaultContentTypeMismatch.
func otherContentType(ct asn1.ObjectIdentifier) asn1.ObjectIdentifier {
	if ct.Equal(OIDContentManifest) {
		return OIDContentROA
	}
	return OIDContentManifest
}
