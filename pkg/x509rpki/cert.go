package x509rpki

import (
	"crypto"
	"math/big"
	"time"
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

// Cert is a resource certificate (RFC 6487) with its RFC 3779 resources.
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

// ParseCert parses a resource certificate and checks the RFC 6487 profile.
func ParseCert(der []byte) (*Cert, error) {
	return nil, newError("cert", ErrMalformed, "", "not implemented")
}
