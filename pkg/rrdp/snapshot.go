package rrdp

import (
	"encoding/base64"
	"fmt"
	"hash"
	"io"
)

// Publish is one object of a snapshot. Data is only valid during the
// callback that receives it: the parser reuses its buffer.
type Publish struct {
	// URI is the object's rsync URI.
	URI string
	// Data is the object's content.
	Data []byte
}

// ParseSnapshot streams a snapshot file (RFC 8182 §3.5.2) from r with the
// default limits, calling fn for each object in file order. If want has a
// session, the file's session and serial must equal it (RFC 8182 §3.4.3).
func ParseSnapshot(r io.Reader, want Header, fn func(Publish) error) error {
	return parseSnapshot(r, "snapshot", want, DefaultLimits(), nil, fn)
}

// parseSnapshot is ParseSnapshot with explicit limits and an input hash.
func parseSnapshot(r io.Reader, file string, want Header, lim Limits, h hash.Hash, fn func(Publish) error) error {
	x := newXMLReader(r, file, lim.Snapshot, lim.Object, h)
	if err := x.root("snapshot", want); err != nil {
		return err
	}
	return x.children(func() error {
		c, err := x.publish(lim.Object, false)
		if err != nil {
			return err
		}
		return fn(Publish{URI: c.URI, Data: c.Data})
	})
}

// checkHeader compares a file's session and serial with the notification's.
func checkHeader(file string, want, got Header) error {
	if want.SessionID == "" {
		return nil
	}
	if got.SessionID != want.SessionID {
		return fileError(ErrSession, file, "RFC 8182 §3.4.3: session_id %s, notification says %s", got.SessionID, want.SessionID)
	}
	if got.Serial != want.Serial {
		return fileError(ErrSession, file, "RFC 8182 §3.4.3: serial %d, notification says %d", got.Serial, want.Serial)
	}
	return nil
}

// publish reads one <publish> element: its uri, optional hash (only allowed
// in deltas, RFC 8182 §3.5.2.3 vs §3.5.3.3) and base64 content, which it
// decodes into the reader's reused buffer.
func (x *xmlReader) publish(max int, delta bool) (Change, error) {
	if string(x.local()) != "publish" {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.2.3: unexpected element <%.64s>", x.local())
	}
	allowed := publishAttrs
	if delta {
		allowed = deltaPublishAttrs
	}
	a, err := x.checkAttrs(allowed)
	if err != nil {
		return Change{}, err
	}
	c := Change{URI: string(a.get("uri"))}
	if err := CheckObjectURI(c.URI); err != nil {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.2.3: publish: %v", err)
	}
	if a.has("hash") {
		h, err := parseHash(a.get("hash"))
		if err != nil {
			return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.3.3: publish %s: %v", c.URI, err)
		}
		c.Hash = &h
	}
	if x.text, err = x.content(x.text, base64.StdEncoding.EncodedLen(max)); err != nil {
		return Change{}, err
	}
	if x.data, err = decodeBase64(x.data, x.text, max); err != nil {
		return Change{}, fmt.Errorf("rrdp: %s: RFC 8182 §3.5.2.3: publish %s: %w", x.file, c.URI, err)
	}
	if len(x.data) == 0 {
		return Change{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.2.3: publish %s has no content", c.URI)
	}
	c.Data = x.data
	return c, nil
}

// root reads the root element of a snapshot or delta file and checks its
// header against want (RFC 8182 §3.4.2, §3.4.3).
func (x *xmlReader) root(name string, want Header) error {
	if err := x.openRoot(); err != nil {
		return err
	}
	got, err := x.header(name)
	if err != nil {
		return err
	}
	return checkHeader(x.file, want, got)
}
