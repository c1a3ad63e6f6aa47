package x509rpki

// Public keys and signatures of the RPKI algorithm suite (RFC 7935) and of
// BGPsec router keys (RFC 8208).

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"math/bits"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Key sizes of RFC 7935 §3.
const (
	rsaModulusBits = 2048
	rsaExponent    = 65537
	p256PointLen   = 65 // uncompressed point: 0x04 || X || Y (RFC 8208 §3.1)
)

// rsaModulusWords is how many words hold the content octets of a 2048-bit
// modulus, with the leading zero octet of its DER.
const rsaModulusWords = ((rsaModulusBits/8+1)*8 + bits.UintSize - 1) / bits.UintSize

// rsaKey is an RSA public key with its modulus and the modulus's words,
// so that one allocation holds all three.
type rsaKey struct {
	pub   rsa.PublicKey
	n     big.Int
	words [rsaModulusWords]big.Word
}

// parseSPKI reads a SubjectPublicKeyInfo element and returns the key and
// the subjectPublicKey bits (what the SKI hashes, RFC 6487 §4.8.2). It
// accepts an RSA key with a 2048-bit modulus and exponent 65537 (RFC 7935
// §3) or an ECDSA P-256 key (RFC 8208 §3.1, router certificates only; the
// caller checks which kind is allowed).
func parseSPKI(spki cryptobyte.String) (crypto.PublicKey, []byte, error) {
	body, err := readSequence(&spki)
	if err != nil || !spki.Empty() {
		return nil, nil, errors.New("malformed SubjectPublicKeyInfo")
	}
	var alg cryptobyte.String
	if !body.ReadASN1(&alg, cbasn1.SEQUENCE) {
		return nil, nil, errors.New("malformed SubjectPublicKeyInfo algorithm")
	}
	oid, err := readOID(&alg)
	if err != nil {
		return nil, nil, err
	}
	keyBits, err := readOctetAlignedBitString(&body)
	if err != nil || !body.Empty() {
		return nil, nil, errors.New("malformed subjectPublicKey")
	}
	switch {
	case oid.Equal(derRSAEncryption):
		var null cryptobyte.String
		if !alg.ReadASN1(&null, cbasn1.NULL) || len(null) != 0 || !alg.Empty() {
			return nil, nil, errors.New("rsaEncryption parameters are not NULL (RFC 3279 §2.3.1)")
		}
		pub, err := parseRSAKey(keyBits)
		return pub, keyBits, err
	case oid.Equal(derECPublicKey):
		curve, err := readOID(&alg)
		if err != nil || !alg.Empty() || !curve.Equal(derNamedCurveP256) {
			return nil, nil, errors.New("EC key is not on the named curve P-256 (RFC 8208 §3.1)")
		}
		pub, err := parseP256Key(keyBits)
		return pub, keyBits, err
	}
	return nil, nil, errors.New("public key algorithm " + oid.String() + " not allowed (RFC 7935 §3)")
}

// parseRSAKey parses an RSAPublicKey (RFC 8017 §A.1.1) and checks the
// RFC 7935 §3 size and exponent.
func parseRSAKey(b []byte) (*rsa.PublicKey, error) {
	s := cryptobyte.String(b)
	body, err := readSequence(&s)
	if err != nil || !s.Empty() {
		return nil, errors.New("malformed RSAPublicKey")
	}
	n, err := readIntegerBytes(&body)
	if err != nil || n[0]&0x80 != 0 {
		return nil, errors.New("malformed RSA modulus")
	}
	e, err := readSmallInt(&body)
	if err != nil || !body.Empty() {
		return nil, errors.New("malformed RSA exponent")
	}
	k := new(rsaKey)
	mod := setBytesIn(&k.n, k.words[:], n)
	if mod.BitLen() != rsaModulusBits {
		return nil, errors.New("RSA modulus is not 2048 bits (RFC 7935 §3)")
	}
	if e != rsaExponent {
		return nil, errors.New("RSA exponent is not 65537 (RFC 7935 §3)")
	}
	k.pub = rsa.PublicKey{N: mod, E: int(e)}
	return &k.pub, nil
}

// parseP256Key parses an uncompressed P-256 point, checking that it lies on
// the curve.
func parseP256Key(b []byte) (*ecdsa.PublicKey, error) {
	if len(b) != p256PointLen || b[0] != 4 {
		return nil, errors.New("P-256 key is not an uncompressed point (RFC 8208 §3.1)")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
	if err != nil {
		return nil, errors.New("P-256 key is not a point on the curve")
	}
	return pub, nil
}

// verifySignature checks sig over msg with pub: RSASSA-PKCS1-v1_5 with
// SHA-256 for RSA keys (RFC 7935 §2), ECDSA with SHA-256 for P-256 keys
// (RFC 8208 §3.2, signature as DER Ecdsa-Sig-Value). It is shared by the
// certificate, CRL and CMS code.
func verifySignature(pub crypto.PublicKey, msg, sig []byte) error {
	h := sha256.Sum256(msg)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return verifyRSASHA256(k, &h, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, h[:], sig) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return errors.New("unsupported public key type")
}
