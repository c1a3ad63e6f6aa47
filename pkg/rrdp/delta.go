package rrdp

import (
	"encoding/xml"
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
	if err := x.root(file, "delta", want); err != nil {
		return err
	}
	var text, data []byte
	for {
		se, err := x.element()
		if err != nil {
			return err
		}
		if se == nil {
			break
		}
		var c Change
		c, text, data, err = x.change(se, text, data, lim.Object)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return x.end()
}

// change reads one publish or withdraw element of a delta.
func (x *xmlReader) change(se *xml.StartElement, text, data []byte, max int) (Change, []byte, []byte, error) {
	if se.Name.Local == "withdraw" {
		c, err := x.withdraw(se)
		return c, text, data, err
	}
	uri, text, data, err := x.publish(se, text, data, max, true)
	if err != nil {
		return Change{}, text, data, err
	}
	c := Change{URI: uri, Data: data}
	if hs, ok := attr(se, "hash"); ok {
		h, err := parseHash(hs)
		if err != nil {
			return Change{}, text, data, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.3.3: publish %s: %v", uri, err)
		}
		c.Hash = &h
	}
	return c, text, data, nil
}

// withdraw reads a withdraw element: uri and hash, both required, and no
// content (RFC 8182 §3.5.3.3).
func (x *xmlReader) withdraw(se *xml.StartElement) (Change, error) {
	a, err := x.attrs(se, "uri", "hash")
	if err != nil {
		return Change{}, err
	}
	if err := CheckObjectURI(a.get("uri")); err != nil {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.3.3: withdraw: %v", err)
	}
	h, err := parseHash(a.get("hash"))
	if err != nil {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.3.3: withdraw %s: %v", a.get("uri"), err)
	}
	if _, err := x.text(nil, 0); err != nil {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.3.3: withdraw %s must be empty", a.get("uri"))
	}
	return Change{URI: a.get("uri"), Hash: &h, Withdraw: true}, nil
}

// attr returns the value of an attribute without namespace.
func attr(se *xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}
