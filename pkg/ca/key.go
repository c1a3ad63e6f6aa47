package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PublicKey is the subject key of a certificate as the builders need it:
// its DER SubjectPublicKeyInfo and its key identifier. *Key and *ECKey
// implement it.
type PublicKey interface {
	// SPKI returns the DER SubjectPublicKeyInfo.
	SPKI() []byte
	// SKI returns the key identifier (RFC 6487 §4.8.2).
	SKI() []byte
}

// Key is an RSA-2048 key pair of a CA or an EE certificate (RFC 7935 §3)
// with its DER SubjectPublicKeyInfo and key identifier computed once.
type Key struct {
	Private *rsa.PrivateKey
	spki    []byte
	ski     []byte
}

// NewKey generates a fresh RSA-2048 key. Since Go 1.26 crypto/rsa always
// draws from the system's secure source and ignores r unless
// GODEBUG=cryptocustomrand=1; use DeterministicKey for reproducible keys.
func NewKey(r io.Reader) (*Key, error) {
	if r == nil {
		r = rand.Reader
	}
	priv, err := rsa.GenerateKey(r, rsaKeyBits)
	if err != nil {
		return nil, fmt.Errorf("ca: key: %w", err)
	}
	return KeyFromRSA(priv)
}

// KeyFromRSA wraps an existing RSA private key; it must be 2048 bits with
// exponent 65537 (RFC 7935 §3).
func KeyFromRSA(priv *rsa.PrivateKey) (*Key, error) {
	if priv.N.BitLen() != rsaKeyBits || priv.E != rsaExponent {
		return nil, fmt.Errorf("ca: key: RFC 7935 §3: want RSA-%d with e=%d, have %d bits, e=%d",
			rsaKeyBits, rsaExponent, priv.N.BitLen(), priv.E)
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("ca: key: %w", err)
	}
	ski, err := skiFromSPKI(spki)
	if err != nil {
		return nil, err
	}
	return &Key{Private: priv, spki: spki, ski: ski}, nil
}

// SPKI returns the DER SubjectPublicKeyInfo.
func (k *Key) SPKI() []byte { return k.spki }

// SKI returns the SHA-1 of the subjectPublicKey bits (RFC 6487 §4.8.2).
func (k *Key) SKI() []byte { return k.ski }

// Public returns the *rsa.PublicKey.
func (k *Key) Public() crypto.PublicKey { return &k.Private.PublicKey }

// Name returns the conventional subject common name: the SKI in upper-case
// hex, as most CAs write it (RFC 6487 §4.5 leaves the name to the CA).
func (k *Key) Name() string { return hexName(k.ski) }

// sign returns the RSASSA-PKCS1-v1_5 SHA-256 signature of msg
// (RFC 7935 §2). crypto/rsa signs deterministically.
func (k *Key) sign(msg []byte) ([]byte, error) {
	digest := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, k.Private, crypto.SHA256, digest[:])
	if err != nil {
		return nil, fmt.Errorf("ca: sign: %w", err)
	}
	return sig, nil
}

// ECKey is an ECDSA P-256 key pair of a BGPsec router certificate
// (RFC 8608 §3.1).
type ECKey struct {
	Private *ecdsa.PrivateKey
	spki    []byte
	ski     []byte
}

// NewECKey generates a fresh P-256 key (r is ignored by Go 1.26, as for
// NewKey).
func NewECKey(r io.Reader) (*ECKey, error) {
	if r == nil {
		r = rand.Reader
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), r)
	if err != nil {
		return nil, fmt.Errorf("ca: ec key: %w", err)
	}
	return ECKeyFromECDSA(priv)
}

// ECKeyFromECDSA wraps an existing P-256 private key.
func ECKeyFromECDSA(priv *ecdsa.PrivateKey) (*ECKey, error) {
	if priv.Curve != elliptic.P256() {
		return nil, errors.New("ca: ec key: RFC 8608 §3.1: want a P-256 key")
	}
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("ca: ec key: %w", err)
	}
	ski, err := skiFromSPKI(spki)
	if err != nil {
		return nil, err
	}
	return &ECKey{Private: priv, spki: spki, ski: ski}, nil
}

// SPKI returns the DER SubjectPublicKeyInfo.
func (k *ECKey) SPKI() []byte { return k.spki }

// SKI returns the SHA-1 of the subjectPublicKey bits (RFC 8209 §3.1.1,
// RFC 6487 §4.8.2).
func (k *ECKey) SKI() []byte { return k.ski }

// Public returns the *ecdsa.PublicKey.
func (k *ECKey) Public() crypto.PublicKey { return &k.Private.PublicKey }

// skiFromSPKI computes the key identifier: SHA-1 over the value of the
// subjectPublicKey BIT STRING, without tag, length and unused-bits byte
// (RFC 6487 §4.8.2, method 1 of RFC 5280 §4.2.1.2).
func skiFromSPKI(spki []byte) ([]byte, error) {
	in := cryptobyte.String(spki)
	var seq, bits cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) ||
		!seq.ReadASN1(&bits, cbasn1.BIT_STRING) || len(bits) < 1 {
		return nil, errors.New("ca: key: malformed SubjectPublicKeyInfo")
	}
	sum := sha1.Sum(bits[1:])
	return sum[:], nil
}

// hexName formats a key identifier as an upper-case hex common name.
func hexName(ski []byte) string { return strings.ToUpper(hex.EncodeToString(ski)) }
