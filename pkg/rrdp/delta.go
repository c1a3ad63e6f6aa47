package rrdp

import (
	"hash"
	"io"
)

// Change is one element of a delta file: a publish, which replaces the
// object whose SHA-256 is Hash when Hash is set and otherwise adds a new
// object, or a withdraw of the object whose SHA-256 is Hash. Data is only
// valid during the callback that receives it.
type Change struct {
	// URI is the object's rsync URI.
	URI string
	// Data is the new content of a publish; nil for a withdraw.
	Data []byte
	// Hash is the SHA-256 of the object replaced or withdrawn.
	Hash *[32]byte
	// Withdraw is set for a withdraw element.
	Withdraw bool
}

// ParseDelta streams a delta file (RFC 8182 §3.5.3) from r with the default
// limits, calling fn for each change in file order. If want has a session,
// the file's session and serial must equal it (RFC 8182 §3.4.2).
func ParseDelta(r io.Reader, want Header, fn func(Change) error) error {
	return parseDelta(r, "delta", want, DefaultLimits(), nil, fn)
}

// parseDelta is ParseDelta with explicit limits and an input hash.
func parseDelta(r io.Reader, file string, want Header, lim Limits, h hash.Hash, fn func(Change) error) error {
	x := newXMLReader(r, file, lim.Delta, lim.Object, h)
	if err := x.root("delta", want); err != nil {
		return err
	}
	return x.children(func() error {
		c, err := x.change(lim.Object)
		if err != nil {
			return err
		}
		return fn(c)
	})
}

// change reads one publish or withdraw element of a delta.
func (x *xmlReader) change(max int) (Change, error) {
	if string(x.local()) == "withdraw" {
		return x.withdraw()
	}
	return x.publish(max, true)
}

// withdraw reads a withdraw element: uri and hash, both required, and no
// content (RFC 8182 §3.5.3.3).
func (x *xmlReader) withdraw() (Change, error) {
	a, err := x.checkAttrs(refAttrs)
	if err != nil {
		return Change{}, err
	}
	uri := string(a.get("uri"))
	if err := CheckObjectURI(uri); err != nil {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.3.3: withdraw: %v", err)
	}
	h, err := parseHash(a.get("hash"))
	if err != nil {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.3.3: withdraw %s: %v", uri, err)
	}
	if err := x.noContent("§3.5.3.3", "withdraw "+uri); err != nil {
		return Change{}, err
	}
	return Change{URI: uri, Hash: &h, Withdraw: true}, nil
}
