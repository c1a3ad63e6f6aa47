package rrdp

import (
	"encoding/xml"
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
	if err := x.root(file, "snapshot", want); err != nil {
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
		var uri string
		uri, text, data, err = x.publish(se, text, data, lim.Object, false)
		if err != nil {
			return err
		}
		if err := fn(Publish{URI: uri, Data: data}); err != nil {
			return err
		}
	}
	return x.end()
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
// in deltas, RFC 8182 §3.5.2.3 vs §3.5.3.3) and base64 content.
func (x *xmlReader) publish(se *xml.StartElement, text, data []byte, max int, delta bool) (string, []byte, []byte, error) {
	if se.Name.Local != "publish" {
		return "", text, data, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.2.3: unexpected element <%s>", se.Name.Local)
	}
	allowed := []string{"uri"}
	if delta {
		allowed = append(allowed, "hash")
	}
	a, err := x.attrs(se, allowed...)
	if err != nil {
		return "", text, data, err
	}
	uri := a.get("uri")
	if err := CheckObjectURI(uri); err != nil {
		return "", text, data, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.2.3: publish: %v", err)
	}
	text, err = x.text(text, max*3/2+tokenSlack)
	if err != nil {
		return "", text, data, err
	}
	data, err = decodeBase64(data, text, max)
	if err != nil {
		return "", text, data, fmt.Errorf("rrdp: %s: RFC 8182 §3.5.2.3: publish %s: %w", x.file, uri, err)
	}
	if len(data) == 0 {
		return "", text, data, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.2.3: publish %s has no content", uri)
	}
	return uri, text, data, nil
}

// root reads the root element of a snapshot or delta file and checks its
// header against want (RFC 8182 §3.4.2, §3.4.3).
func (x *xmlReader) root(file, name string, want Header) error {
	root, err := x.element()
	if err != nil {
		return err
	}
	if root == nil {
		return fileError(ErrMalformed, file, "no root element")
	}
	got, _, err := x.header(root, name)
	if err != nil {
		return err
	}
	return checkHeader(file, want, got)
}
