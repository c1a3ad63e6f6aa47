package ca

// Fixed parameters of the RPKI algorithm profile and bounds of the
// builders.
const (
	// rsaKeyBits is the RSA modulus size (RFC 7935 §3).
	rsaKeyBits = 2048
	// rsaExponent is the RSA public exponent (RFC 7935 §3).
	rsaExponent = 65537
	// MaxPoolKeys bounds a KeyPool; each RSA-2048 key costs about 100 ms
	// to make and 1.2 KB of memory.
	MaxPoolKeys = 1 << 16
	// maxSerialBytes bounds a serial number (RFC 5280 §4.1.2.2: at most
	// 20 octets).
	maxSerialBytes = 20
	// MaxNameLength bounds a subject or issuer common name; RPKI names are
	// 40-character hex SKIs in practice.
	MaxNameLength = 64
)
