package ca

import (
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Small DER writers shared by the builders. Everything is written with
// cryptobyte's Builder: no reflection, one pass, and the Builder's error
// (for example a UTCTime out of range) surfaces from Bytes.

// addAlgorithm writes an AlgorithmIdentifier. RFC 4055 §5 and RFC 7935 §2
// want NULL parameters for the RSA algorithms, absent parameters for SHA-256
// in CMS digestAlgorithms (RFC 5754 §2) and for ECDSA (RFC 5758 §3.2).
func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, nullParams bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if nullParams {
			b.AddASN1NULL()
		}
	})
}

// addTime writes a certificate or CRL time: UTCTime through 2049, then
// GeneralizedTime (RFC 5280 §4.1.2.5), in UTC with whole seconds.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if t.Year() >= 1950 && t.Year() < 2050 {
		b.AddASN1UTCTime(t)
		return
	}
	b.AddASN1GeneralizedTime(t)
}

// addGeneralizedTime writes a GeneralizedTime in UTC with whole seconds, as
// RFC 9286 §4.2 wants for thisUpdate and nextUpdate of a manifest.
func addGeneralizedTime(b *cryptobyte.Builder, t time.Time) {
	b.AddASN1GeneralizedTime(t.UTC().Truncate(time.Second))
}

// addName writes a Name of one RDN holding a PrintableString commonName and,
// when serial is not empty, a serialNumber (RFC 6487 §4.4, §4.5).
func addName(b *cryptobyte.Builder, cn, serial string) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			addAttribute(b, oidCommonName, cn)
			if serial != "" {
				addAttribute(b, oidSerialNumber, serial)
			}
		})
	})
}

// addAttribute writes one AttributeTypeAndValue with a PrintableString.
func addAttribute(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, v string) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.PrintableString, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
	})
}

// checkName checks that s can be a PrintableString common name
// (X.680 §41.4; RFC 6487 §4.4).
func checkName(field, s string) error {
	if s == "" || len(s) > MaxNameLength {
		return fmt.Errorf("ca: RFC 6487 §4.4: %s: name length %d outside 1..%d", field, len(s), MaxNameLength)
	}
	for i := 0; i < len(s); i++ {
		if !isPrintable(s[i]) {
			return fmt.Errorf("ca: RFC 6487 §4.4: %s: byte 0x%02x not allowed in a PrintableString", field, s[i])
		}
	}
	return nil
}

// isPrintable reports whether c belongs to the PrintableString alphabet.
func isPrintable(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case ' ', '\'', '(', ')', '+', ',', '-', '.', '/', ':', '=', '?':
		return true
	}
	return false
}

// checkSerial checks a certificate or CRL serial or number: positive and
// at most 20 octets (RFC 5280 §4.1.2.2, RFC 6487 §4.2, §5).
func checkSerial(field string, n *big.Int) error {
	if n == nil || n.Sign() <= 0 {
		return fmt.Errorf("ca: RFC 5280 §4.1.2.2: %s must be a positive integer", field)
	}
	if (n.BitLen()+8)/8 > maxSerialBytes {
		return fmt.Errorf("ca: RFC 5280 §4.1.2.2: %s longer than %d octets", field, maxSerialBytes)
	}
	return nil
}

// addBitString writes a BIT STRING of the first nbits bits of data, with
// the unused trailing bits cleared as DER requires (X.690 §11.2.1).
func addBitString(b *cryptobyte.Builder, data []byte, nbits int) {
	n := (nbits + 7) / 8
	unused := n*8 - nbits
	b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
		b.AddUint8(uint8(unused))
		if n == 0 {
			return
		}
		b.AddBytes(data[:n-1])
		b.AddUint8(data[n-1] & (0xff << unused))
	})
}

// addExtension writes one Extension (RFC 5280 §4.1) whose value is built
// by f; critical is written only when true (DER omits DEFAULT FALSE).
func addExtension(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, critical bool, f cryptobyte.BuilderContinuation) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if critical {
			b.AddASN1Boolean(true)
		}
		b.AddASN1(cbasn1.OCTET_STRING, f)
	})
}

// signed wraps a TBS structure with its algorithm and signature, the shape
// shared by Certificate and CertificateList (RFC 5280 §4.1, §5.1).
func signed(tbs []byte, alg asn1.ObjectIdentifier, sig []byte) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		addAlgorithm(b, alg, true)
		b.AddASN1BitString(sig)
	})
	return b.Bytes()
}
