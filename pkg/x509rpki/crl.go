package x509rpki

import (
	"math/big"
	"time"
)

// RevokedCert is one entry of a CRL.
type RevokedCert struct {
	Serial *big.Int
	Time   time.Time
}

// CRL is a certificate revocation list (RFC 6487 §5).
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
}

// ParseCRL parses a CRL and checks the RFC 6487 §5 profile.
func ParseCRL(der []byte) (*CRL, error) {
	return nil, newError("crl", ErrMalformed, "", "not implemented")
}
