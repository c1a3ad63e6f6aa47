package slurm

import (
	"errors"
	"fmt"
)

// Section names cited in errors.
const (
	secJSON          = "RFC 8416 §3.1"
	secFile          = "RFC 8416 §3.2"
	secFilters       = "RFC 8416 §3.3"
	secPrefixFilter  = "RFC 8416 §3.3.1"
	secBGPsecFilter  = "RFC 8416 §3.3.2"
	secAssertions    = "RFC 8416 §3.4"
	secPrefixAssert  = "RFC 8416 §3.4.1"
	secBGPsecAssert  = "RFC 8416 §3.4.2"
	secOverlap       = "RFC 8416 §4.2"
	secASPAFile      = "draft-ietf-sidrops-aspa-slurm-03 §2"
	secASPAFilter    = "draft-ietf-sidrops-aspa-slurm-03 §3.1"
	secASPAAssertion = "draft-ietf-sidrops-aspa-slurm-03 §3.2"
)

// ErrOverlap is wrapped by errors that reject a set of files because two of
// them overlap (RFC 8416 §4.2).
var ErrOverlap = errors.New("slurm files overlap")

// ErrTooLarge is wrapped by errors about input beyond a limit in limits.go.
var ErrTooLarge = errors.New("input exceeds limit")

// Error is a problem with a SLURM file: which file, which member (as a JSON
// path such as $.locallyAddedAssertions.prefixAssertions[1].maxPrefixLength),
// what is wrong and which section of which document says so.
type Error struct {
	// File is the file name given to Load, or "" for Parse.
	File string
	// Path is the JSON path of the offending member ("$" for the root).
	Path string
	// Section cites the rule, e.g. "RFC 8416 §3.4.1".
	Section string
	// Msg says what is wrong.
	Msg string
	// Err is an underlying cause (ErrOverlap, ErrTooLarge, a syntax
	// error), if any.
	Err error
}

// Error formats the problem as "slurm: FILE: PATH: MSG (SECTION)".
func (e *Error) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	s := fmt.Sprintf("slurm: %s: %s: %s", file, e.Path, e.Msg)
	if e.Section != "" {
		s += " (" + e.Section + ")"
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// errorf builds an *Error for path under section.
func errorf(path, section, format string, args ...any) *Error {
	return &Error{Path: path, Section: section, Msg: fmt.Sprintf(format, args...)}
}
