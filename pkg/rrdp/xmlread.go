package rrdp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

// Namespace is the XML namespace of every RRDP element (RFC 8182 §3.5).
const Namespace = "http://www.ripe.net/rpki/rrdp"

// tokenSlack is the extra input allowed per token beyond the object limit:
// base64 expansion is 4/3, whitespace and tags need a little more.
const tokenSlack = 64 << 10

// capReader bounds the bytes read for a whole file and for the current token,
// and feeds everything it reads into an optional hash. The per-token bound
// is what keeps encoding/xml, which gathers a text node in memory before it
// returns it, from holding more than one object's worth of input.
type capReader struct {
	r        io.Reader
	file     int64 // bytes still allowed for the file
	tok      int64 // bytes still allowed for the current token
	fileName string
	h        hash.Hash
}

// Read implements io.Reader.
func (c *capReader) Read(p []byte) (int, error) {
	if c.file < 0 {
		return 0, fileError(ErrTooLarge, c.fileName, "file exceeds its size limit")
	}
	if c.tok < 0 {
		return 0, fileError(ErrTooLarge, c.fileName, "element exceeds the object size limit")
	}
	if m := min(c.file, c.tok) + 1; int64(len(p)) > m {
		p = p[:m]
	}
	n, err := c.r.Read(p)
	c.file -= int64(n)
	c.tok -= int64(n)
	if c.h != nil && n > 0 {
		c.h.Write(p[:n])
	}
	return n, err
}

// xmlReader yields the tokens of one RRDP file, refusing what RFC 8182 never
// needs and what XML attacks are made of: DOCTYPE and ENTITY declarations
// (the decoder's Strict mode does not refuse them), processing instructions
// other than the XML declaration, foreign namespaces and encodings.
type xmlReader struct {
	d        *xml.Decoder
	cr       *capReader
	tokLimit int64
	file     string
	started  bool
}

// newXMLReader reads at most fileLimit bytes from r, with at most
// objectLimit decoded bytes per element, hashing the input into h if not nil.
func newXMLReader(r io.Reader, file string, fileLimit int64, objectLimit int, h hash.Hash) *xmlReader {
	tok := int64(objectLimit)*3/2 + tokenSlack
	cr := &capReader{r: r, file: fileLimit, tok: tok, fileName: file, h: h}
	d := xml.NewDecoder(cr)
	d.Strict = true
	d.CharsetReader = asciiOnly
	return &xmlReader{d: d, cr: cr, tokLimit: tok, file: file}
}

// asciiOnly accepts the encodings that are a subset of UTF-8; RFC 8182 files
// are US-ASCII (§3.5).
func asciiOnly(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii", "utf-8", "utf8":
		return r, nil
	}
	return nil, fmt.Errorf("%w: encoding %q", ErrForbidden, label)
}

// next returns the next start element, end element or text, skipping
// comments and the XML declaration.
func (x *xmlReader) next() (xml.Token, error) {
	for {
		x.cr.tok = x.tokLimit
		tok, err := x.d.Token()
		if err != nil {
			return nil, x.wrap(err)
		}
		// Return tok itself, not the typed t: re-boxing t would allocate.
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target != "xml" || x.started {
				return nil, fileError(ErrForbidden, x.file, "processing instruction <?%s?>", t.Target)
			}
		case xml.Directive:
			return nil, fileError(ErrForbidden, x.file, "DOCTYPE or other <!%.20s> directive", t)
		case xml.Comment:
		case xml.StartElement:
			x.started = true
			if t.Name.Space != Namespace {
				return nil, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: element <%s> not in namespace %s", t.Name.Local, Namespace)
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

// wrap classifies a decoder error.
func (x *xmlReader) wrap(err error) error {
	if err == io.EOF {
		return fileError(ErrMalformed, x.file, "unexpected end of file")
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fileError(ErrMalformed, x.file, "XML syntax: %v", se)
	}
	if errors.Is(err, ErrForbidden) || errors.Is(err, ErrTooLarge) {
		return err
	}
	if strings.Contains(err.Error(), "CharsetReader") || strings.Contains(err.Error(), "encoding") {
		return fileError(ErrForbidden, x.file, "%v", err)
	}
	return err
}

// element returns the next start element, skipping whitespace, or nil at
// the end element of the enclosing element.
func (x *xmlReader) element() (*xml.StartElement, error) {
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
				return nil, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: unexpected text between elements")
			}
		}
	}
}

// end checks that nothing but whitespace and comments follows the root.
func (x *xmlReader) end() error {
	for {
		x.cr.tok = x.tokLimit
		t, err := x.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return x.wrap(err)
		}
		switch t := t.(type) {
		case xml.Comment:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return fileError(ErrMalformed, x.file, "trailing text after the root element")
			}
		default:
			return fileError(ErrMalformed, x.file, "trailing %T after the root element", t)
		}
	}
}

// text gathers the text content of the current element up to its end tag,
// at most max bytes, refusing child elements.
func (x *xmlReader) text(buf []byte, max int) ([]byte, error) {
	buf = buf[:0]
	for {
		t, err := x.next()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			if len(buf)+len(t) > max {
				return nil, fileError(ErrTooLarge, x.file, "element text exceeds %d bytes", max)
			}
			buf = append(buf, t...)
		case xml.EndElement:
			return buf, nil
		default:
			return nil, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: unexpected child element")
		}
	}
}

// maxAttrs is the most attributes any RRDP element has (RFC 8182 §3.5).
const maxAttrs = 4

// attrSet holds an element's attributes without a map allocation.
type attrSet struct {
	n  int
	kv [maxAttrs][2]string
}

// get returns the value of attribute k, or "".
func (a *attrSet) get(k string) string {
	for i := 0; i < a.n; i++ {
		if a.kv[i][0] == k {
			return a.kv[i][1]
		}
	}
	return ""
}

// attrs returns the attributes of se, refusing unknown and repeated ones;
// namespace declarations are skipped.
func (x *xmlReader) attrs(se *xml.StartElement, allowed ...string) (attrSet, error) {
	var m attrSet
	for _, at := range se.Attr {
		if at.Name.Space == "xmlns" || (at.Name.Space == "" && at.Name.Local == "xmlns") {
			continue
		}
		if at.Name.Space != "" || !contains(allowed, at.Name.Local) {
			return attrSet{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: <%s> has unexpected attribute %q", se.Name.Local, at.Name.Local)
		}
		for i := 0; i < m.n; i++ {
			if m.kv[i][0] == at.Name.Local {
				return attrSet{}, fileError(ErrMalformed, x.file, "<%s> repeats attribute %q", se.Name.Local, at.Name.Local)
			}
		}
		if m.n == maxAttrs {
			return attrSet{}, fileError(ErrMalformed, x.file, "<%s> has too many attributes", se.Name.Local)
		}
		m.kv[m.n] = [2]string{at.Name.Local, at.Value}
		m.n++
	}
	return m, nil
}

// contains reports whether s holds v.
func contains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

// header reads the version, session_id and serial attributes every root
// element carries (RFC 8182 §3.5.1.3, §3.5.2.3, §3.5.3.3).
func (x *xmlReader) header(se *xml.StartElement, name string, extra ...string) (Header, attrSet, error) {
	if se.Name.Local != name {
		return Header{}, attrSet{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: root element <%s>, want <%s>", se.Name.Local, name)
	}
	a, err := x.attrs(se, append([]string{"version", "session_id", "serial"}, extra...)...)
	if err != nil {
		return Header{}, attrSet{}, err
	}
	if a.get("version") != "1" {
		return Header{}, attrSet{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: version %q, want \"1\"", a.get("version"))
	}
	if !validUUID(a.get("session_id")) {
		return Header{}, attrSet{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: session_id %q is not a version 4 UUID", a.get("session_id"))
	}
	serial, err := parseSerial(a.get("serial"))
	if err != nil {
		return Header{}, attrSet{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: serial: %v", err)
	}
	return Header{SessionID: strings.ToLower(a.get("session_id")), Serial: serial}, a, nil
}

// validUUID accepts the RFC 4122 textual form of a version 4 UUID, as
// rpki-client's valid_uuid() does (RFC 8182 §3.3.1 has servers generate version 4 UUIDs).
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !isHex(c) {
			return false
		}
	}
	return s[14] == '4' && strings.ContainsRune("89abAB", rune(s[19]))
}

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// parseSerial reads a positive decimal serial without sign or leading zero.
func parseSerial(s string) (uint64, error) {
	if s == "" || s[0] == '0' || s[0] == '+' {
		return 0, fmt.Errorf("%q is not a positive decimal integer", s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %v", s, err)
	}
	return n, nil
}

// parseHash reads a hash attribute: 64 hex digits of SHA-256 (RFC 8182 §3.5).
func parseHash(s string) ([32]byte, error) {
	var h [32]byte
	if len(s) != 64 {
		return h, fmt.Errorf("hash %q is not 64 hex digits", s)
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %v", s, err)
	}
	return h, nil
}

// decodeBase64 decodes element text, ignoring whitespace (RFC 8182 §3.5.2.3
// allows it; publishers wrap lines), into dst.
func decodeBase64(dst, text []byte, max int) ([]byte, error) {
	j := 0
	for _, c := range text {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			text[j] = c
			j++
		}
	}
	text = text[:j]
	n := base64.StdEncoding.DecodedLen(len(text))
	if n > max+2 {
		return nil, fmt.Errorf("%w: object larger than %d bytes", ErrTooLarge, max)
	}
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	n, err := base64.StdEncoding.Strict().Decode(dst[:n], text)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	if n > max {
		return nil, fmt.Errorf("%w: object larger than %d bytes", ErrTooLarge, max)
	}
	return dst[:n], nil
}
