package ca

// Fault is a set of deliberate defects a builder writes into an object, for
// the lab's broken-repository presets and the validators' negative tests.
// Defects that are only a matter of values (an expired validity, a ROA
// prefix outside its EE certificate, an over-claiming CA, a stale
// manifest) need no Fault: set the template fields to those values, since
// the builders never check semantics, only that the DER can be written.
type Fault uint32

// The defects. Each names what a validator must then reject.
const (
	// FaultBadSignature flips one bit of the signature value: of the
	// certificate or CRL, or of the SignerInfo in a signed object
	// (RFC 6488 §3 item 1 fails).
	FaultBadSignature Fault = 1 << iota
	// FaultBadDigest writes a message-digest attribute that is not the
	// SHA-256 of the eContent, signed correctly (RFC 5652 §11.2, RFC 6488
	// §2.1.6.4.2).
	FaultBadDigest
	// FaultContentTypeMismatch writes a content-type attribute that
	// differs from the eContentType (RFC 6488 §2.1.6.4.1).
	FaultContentTypeMismatch
	// FaultTrailingData appends one zero byte after the outermost DER
	// (the "trailing garbage" rpki-client rejects).
	FaultTrailingData
)

// Has reports whether f includes every defect of g.
func (f Fault) Has(g Fault) bool { return f&g == g }

// corruptSignature flips the lowest bit of sig when f asks for it.
func (f Fault) corruptSignature(sig []byte) []byte {
	if f.Has(FaultBadSignature) && len(sig) > 0 {
		sig[len(sig)-1] ^= 1
	}
	return sig
}

// finish appends trailing data when f asks for it.
func (f Fault) finish(der []byte) []byte {
	if f.Has(FaultTrailingData) {
		return append(der, 0)
	}
	return der
}
