package rrdp

import (
	"errors"
	"fmt"
)

// Error classes. Every error the package returns wraps one of them, so the
// scheduler and the metrics can label failures with errors.Is.
var (
	// ErrMalformed marks a file that breaks the RFC 8182 §3.5 schema.
	ErrMalformed = errors.New("malformed RRDP file")
	// ErrForbidden marks XML features refused for safety: DOCTYPE, entity
	// declarations, processing instructions, foreign encodings.
	ErrForbidden = errors.New("forbidden XML construct")
	// ErrTooLarge marks a file or object beyond a limit of limits.go.
	ErrTooLarge = errors.New("size limit exceeded")
	// ErrHash marks a file whose SHA-256 differs from the notification's, or
	// a withdraw/replace whose hash does not match the held object.
	ErrHash = errors.New("hash mismatch")
	// ErrOrigin marks a URI that breaks the same-origin policy (RFC 9674).
	ErrOrigin = errors.New("same-origin violation")
	// ErrSession marks a file whose session_id or serial differs from the one
	// the notification announced (RFC 8182 §3.4.2, §3.4.3).
	ErrSession = errors.New("session or serial mismatch")
	// ErrHTTP marks a transport failure: status, timeout, TLS, connection.
	ErrHTTP = errors.New("HTTP fetch failed")
	// ErrTimeout marks a read that made no progress within the idle timeout.
	ErrTimeout = errors.New("idle timeout")
)

// fileError names the file, the class and the RFC section of a failure.
func fileError(class error, file, format string, args ...any) error {
	return fmt.Errorf("rrdp: %s: %w: %s", file, class, fmt.Sprintf(format, args...))
}
