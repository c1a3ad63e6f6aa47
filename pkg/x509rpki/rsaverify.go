package x509rpki

// RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2) for the
// keys of RFC 7935 §3: 2048-bit modulus, exponent 65537. crypto/rsa rebuilds
// its Montgomery modulus (R² mod N, in constant time) on every call, a third
// of its cost, and caches nothing for public keys; here s·R mod N comes from
// one long division instead (mont.go), so a key costs nothing to set up and
// a CA key and a single-use EE key verify at the same speed.

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// rsaModulusBytes is the length of a signature under a 2048-bit key.
const rsaModulusBytes = rsaModulusBits / 8

// pkcs1SHA256Prefix is what precedes the digest in the encoded message EM of
// RFC 8017 §9.2: 0x00 0x01, 0xff padding, 0x00, then the DER DigestInfo
// header for SHA-256 (RFC 8017 §9.2 note 1).
var pkcs1SHA256Prefix = func() (p [rsaModulusBytes - sha256.Size]byte) {
	digestInfo := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	p[1] = 0x01
	pad := len(p) - len(digestInfo) - 1
	for i := 2; i < pad; i++ {
		p[i] = 0xff
	}
	copy(p[pad+1:], digestInfo)
	return p
}()

// verifyRSASHA256 checks sig against digest, the SHA-256 of the signed
// message. It accepts and refuses exactly what rsa.VerifyPKCS1v15 does; a
// key it has no fast path for (not 2048 bits, exponent not 65537, even
// modulus: parseRSAKey lets none through) goes to crypto/rsa.
func verifyRSASHA256(pub *rsa.PublicKey, digest *[sha256.Size]byte, sig []byte) error {
	var m montModulus
	if !m.setKey(pub) {
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
	}
	// RFC 8017 §8.2.2 step 1: the signature is k octets long.
	if len(sig) != rsaModulusBytes {
		return rsa.ErrVerification
	}
	var s nat
	s.setBytes(sig)
	// RFC 8017 §5.2.2 step 1: the signature representative is below N.
	if s.geq(&m.n) {
		return rsa.ErrVerification
	}
	var em nat
	m.exp65537(&em, &s)
	var got [rsaModulusBytes]byte
	em.fillBytes(&got)
	prefix := len(pkcs1SHA256Prefix)
	if !bytes.Equal(got[:prefix], pkcs1SHA256Prefix[:]) || !bytes.Equal(got[prefix:], digest[:]) {
		return rsa.ErrVerification
	}
	return nil
}

// setKey fills m from pub when it is a key of the fast path: exponent 65537
// and an odd 2048-bit modulus.
func (m *montModulus) setKey(pub *rsa.PublicKey) bool {
	if pub.N == nil || pub.E != rsaExponent || pub.N.BitLen() != rsaModulusBits || pub.N.Bit(0) == 0 {
		return false
	}
	var n nat
	n.setBig(pub.N)
	m.setOdd(&n)
	return true
}

// exp65537 sets z = s^65537 mod N for s < N: into the Montgomery domain,
// sixteen squarings, and a last product by s that leaves the domain.
func (m *montModulus) exp65537(z, s *nat) {
	var a nat
	m.toMont(&a, s)
	for range 16 {
		montSqr(&a, &a, m)
	}
	montMul(z, &a, s, m)
}

// setBig sets x to n, which has at most 2048 bits.
func (x *nat) setBig(n *big.Int) {
	*x = nat{}
	for i, w := range n.Bits() {
		if bits.UintSize == 64 {
			x[i] = uint64(w)
		} else {
			x[i/2] |= uint64(w) << (32 * (i % 2))
		}
	}
}

// setBytes sets x to the big-endian b of exactly 256 bytes.
func (x *nat) setBytes(b []byte) {
	b = b[:rsaModulusBytes]
	for i := range x {
		x[i] = binary.BigEndian.Uint64(b[rsaModulusBytes-8*(i+1):])
	}
}

// fillBytes writes x big-endian into b.
func (x *nat) fillBytes(b *[rsaModulusBytes]byte) {
	for i, w := range x {
		binary.BigEndian.PutUint64(b[rsaModulusBytes-8*(i+1):], w)
	}
}
