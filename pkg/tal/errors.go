package tal

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every error Parse returns, so callers can tell a
// bad TAL from an I/O error with errors.Is.
var ErrInvalid = errors.New("invalid TAL")

// Error is a TAL syntax error naming the RFC section, the line (1-based; 0
// when the error is not about one line) and the reason.
type Error struct {
	Section string // "RFC 8630 §2.2"
	Line    int
	Msg     string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("tal: %s: line %d: %s", e.Section, e.Line, e.Msg)
	}
	return fmt.Sprintf("tal: %s: %s", e.Section, e.Msg)
}

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// syntaxError builds an *Error for RFC 8630 §2.2, the TAL format section.
func syntaxError(line int, format string, args ...any) error {
	return &Error{Section: "RFC 8630 §2.2", Line: line, Msg: fmt.Sprintf(format, args...)}
}
