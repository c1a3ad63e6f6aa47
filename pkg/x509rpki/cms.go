package x509rpki

import (
	"encoding/asn1"
	"time"
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
}
