package x509rpki

import (
	"errors"
	"fmt"
)

// Error classes. Every error returned by this package wraps exactly one of
// them, so callers can count rejections by class with errors.Is.
var (
	// ErrMalformed: the bytes are not valid DER for the expected structure.
	ErrMalformed = errors.New("malformed")
	// ErrProfile: well-formed, but against the RPKI profile of the type.
	ErrProfile = errors.New("profile violation")
	// ErrSignature: a signature or hash does not verify.
	ErrSignature = errors.New("signature check failed")
	// ErrResources: resources are not covered by the issuer's.
	ErrResources = errors.New("resources not covered")
	// ErrStale: not yet valid, expired, or past its next update.
	ErrStale = errors.New("not valid at this time")
	// ErrRevoked: the certificate is listed on its issuer's CRL.
	ErrRevoked = errors.New("revoked")
)

// Error is an object error that names the object type, the RFC section that
// the object violates, and the reason.
type Error struct {
	Object  string // "cert", "crl", "cms", "mft", "roa", "aspa", ...
	Section string // "RFC 9582 §4.3.1"; may be empty
	Class   error  // one of the Err* classes above
	Msg     string
}

func (e *Error) Error() string {
	if e.Section == "" {
		return fmt.Sprintf("x509rpki: %s: %s", e.Object, e.Msg)
	}
	return fmt.Sprintf("x509rpki: %s: %s: %s", e.Object, e.Section, e.Msg)
}

// Unwrap returns the error class.
func (e *Error) Unwrap() error { return e.Class }

// newError builds an *Error with a formatted message.
func newError(object string, class error, section, format string, args ...any) error {
	return &Error{Object: object, Section: section, Class: class, Msg: fmt.Sprintf(format, args...)}
}

// Class returns the class of err (one of the Err* values), or nil when err
// carries none of them.
func Class(err error) error {
	for _, c := range []error{ErrMalformed, ErrProfile, ErrSignature, ErrResources, ErrStale, ErrRevoked} {
		if errors.Is(err, c) {
			return c
		}
	}
	return nil
}
