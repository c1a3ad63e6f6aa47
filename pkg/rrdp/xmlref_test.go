package rrdp

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The encoding/xml snapshot parser the scanner replaced, kept as the oracle
// of FuzzParseSnapshotDiff: for a snapshot encoding/xml reads, both parsers
// must return the same objects.

// refSnapshot parses a snapshot with encoding/xml and the rules of
// RFC 8182 §3.5.2 and returns copies of its objects.
func refSnapshot(b []byte) ([]Publish, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "us-ascii", "ascii", "utf8":
			return r, nil
		}
		return nil, fmt.Errorf("%w: encoding %q", ErrForbidden, label)
	}
	x := &refReader{d: d}
	root, err := x.element()
	if err != nil || root == nil {
		return nil, fmt.Errorf("no root: %v", err)
	}
	if err := x.header(root); err != nil {
		return nil, err
	}
	var objs []Publish
	for {
		se, err := x.element()
		if err != nil {
			return nil, err
		}
		if se == nil {
			break
		}
		p, err := x.publish(se)
		if err != nil {
			return nil, err
		}
		objs = append(objs, p)
	}
	return objs, x.end()
}

// refReader is the token level of the oracle.
type refReader struct {
	d       *xml.Decoder
	started bool
}

// next returns the next start element, end element or text, skipping
// comments and the XML declaration.
func (x *refReader) next() (xml.Token, error) {
	for {
		tok, err := x.d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target != "xml" || x.started {
				return nil, fmt.Errorf("%w: <?%s?>", ErrForbidden, t.Target)
			}
		case xml.Directive:
			return nil, fmt.Errorf("%w: directive", ErrForbidden)
		case xml.Comment:
		case xml.StartElement:
			x.started = true
			if t.Name.Space != Namespace {
				return nil, fmt.Errorf("%w: namespace", ErrMalformed)
			}
			return tok, nil
		case xml.EndElement:
			return tok, nil
		case xml.CharData:
			x.started = true
			return tok, nil
		}
	}
}

// element returns the next start element, or nil at an end element.
func (x *refReader) element() (*xml.StartElement, error) {
	for {
		t, err := x.next()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return &t, nil
		case xml.EndElement:
			return nil, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, errors.New("text between elements")
			}
		}
	}
}

// end checks that nothing but white space and comments follows the root.
func (x *refReader) end() error {
	for {
		t, err := x.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.Comment:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return errors.New("trailing text")
			}
		default:
			return errors.New("trailing token")
		}
	}
}

// text gathers the text of the current element up to its end tag.
func (x *refReader) text() ([]byte, error) {
	var buf []byte
	for {
		t, err := x.next()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			buf = append(buf, t...)
		case xml.EndElement:
			return buf, nil
		default:
			return nil, errors.New("child element")
		}
	}
}

// attrs returns the unprefixed attributes of se, refusing those not in
// allowed and repeated ones; namespace declarations are skipped.
func (x *refReader) attrs(se *xml.StartElement, allowed ...string) (map[string]string, error) {
	m := map[string]string{}
	for _, at := range se.Attr {
		if at.Name.Space == "xmlns" || (at.Name.Space == "" && at.Name.Local == "xmlns") {
			continue
		}
		if _, dup := m[at.Name.Local]; dup || at.Name.Space != "" || !slices.Contains(allowed, at.Name.Local) {
			return nil, fmt.Errorf("attribute %q", at.Name.Local)
		}
		m[at.Name.Local] = at.Value
	}
	return m, nil
}

// header checks the root element of a snapshot.
func (x *refReader) header(se *xml.StartElement) error {
	a, err := x.attrs(se, "version", "session_id", "serial")
	if err != nil {
		return err
	}
	if _, err := parseSerial(a["serial"]); err != nil || se.Name.Local != "snapshot" || a["version"] != "1" || !validUUID(a["session_id"]) {
		return errors.New("header")
	}
	return nil
}

// publish reads one publish element.
func (x *refReader) publish(se *xml.StartElement) (Publish, error) {
	a, err := x.attrs(se, "uri")
	if err != nil || se.Name.Local != "publish" || CheckObjectURI(a["uri"]) != nil {
		return Publish{}, errors.New("publish")
	}
	text, err := x.text()
	if err != nil {
		return Publish{}, err
	}
	text = bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, text)
	data, err := base64.StdEncoding.Strict().DecodeString(string(text))
	if err != nil || len(data) == 0 || len(data) > MaxObjectSize {
		return Publish{}, errors.New("content")
	}
	return Publish{URI: a["uri"], Data: data}, nil
}
