package rrdp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Namespace is the XML namespace of every RRDP element (RFC 8182 §3.5).
const Namespace = "http://www.ripe.net/rpki/rrdp"

// tokenSlack is the extra input allowed between two tags beyond the object
// limit: base64 expansion is 4/3, white space and comments need a little more.
const tokenSlack = 64 << 10

// xmlReader reads the two levels of an RRDP file on top of the scanner: a
// root element whose children hold text or nothing, every element in the
// RRDP namespace (RFC 8182 §3.5).
type xmlReader struct {
	scanner
	rootName   []byte      // qualified name of the root, for its end tag
	rootEmpty  bool        // the root was self-closing
	rootNS     []nsBinding // namespace declarations of the root
	child      []byte      // qualified name of the open child, for its end tag
	childEmpty bool        // the child was self-closing
	text, data []byte      // reused for every publish element
}

// nsBinding is a namespace declaration of the root: prefix "" is the
// default namespace.
type nsBinding struct {
	prefix string
	rrdp   bool
}

// newXMLReader reads at most fileLimit bytes from r, with at most
// objectLimit decoded bytes per element, hashing the input into h if not nil.
func newXMLReader(r io.Reader, file string, fileLimit int64, objectLimit int, h hash.Hash) *xmlReader {
	return &xmlReader{scanner: newScanner(r, file, fileLimit, objectLimit*3/2+tokenSlack, h)}
}

// openRoot reads the prolog and the root's start tag.
func (x *xmlReader) openRoot() error {
	_, kind, err := x.next(nil, 0)
	switch {
	case err == io.EOF:
		return fileError(ErrMalformed, x.file, "no root element")
	case err == errText:
		return fileError(ErrMalformed, x.file, "RFC 8182 §3.5: text before the root element")
	case err != nil:
		return err
	case kind == endTag:
		return x.syntax("end tag </%.64s> before the root element", x.name)
	}
	x.rootName = append(x.rootName[:0], x.name...)
	x.rootEmpty = x.empty
	x.rootNS = x.rootNS[:0]
	for _, a := range x.attrs {
		if p, ok := declaredPrefix(a.name); ok {
			x.rootNS = append(x.rootNS, nsBinding{string(p), string(a.value) == Namespace})
		}
	}
	return x.checkNamespace(nil)
}

// checkNamespace refuses a start tag outside the RRDP namespace, looking its
// prefix up in the tag's own declarations, then in the inherited ones.
func (x *xmlReader) checkNamespace(inherited []nsBinding) error {
	prefix, _ := splitQName(x.name)
	for _, a := range x.attrs {
		if p, ok := declaredPrefix(a.name); ok && string(p) == string(prefix) {
			if string(a.value) == Namespace {
				return nil
			}
			return x.notInNamespace()
		}
	}
	for _, b := range inherited {
		if b.prefix == string(prefix) && b.rrdp {
			return nil
		}
	}
	return x.notInNamespace()
}

// notInNamespace is the error of checkNamespace.
func (x *xmlReader) notInNamespace() error {
	_, local := splitQName(x.name)
	return fileError(ErrMalformed, x.file, "RFC 8182 §3.5: element <%.64s> not in namespace %s", local, Namespace)
}

// declaredPrefix returns the prefix an xmlns or xmlns:p attribute declares.
func declaredPrefix(name []byte) ([]byte, bool) {
	if string(name) == "xmlns" {
		return nil, true
	}
	p, ok := bytes.CutPrefix(name, []byte("xmlns:"))
	return p, ok
}

// splitQName splits a qualified name at its first colon.
func splitQName(name []byte) (prefix, local []byte) {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return nil, name
}

// local returns the local name of the current tag.
func (x *xmlReader) local() []byte {
	_, l := splitQName(x.name)
	return l
}

// element reads up to the next child of the root and reports true, or
// reads the root's end tag and reports false.
func (x *xmlReader) element() (bool, error) {
	if x.rootEmpty {
		return false, nil
	}
	_, kind, err := x.next(nil, 0)
	switch {
	case err == io.EOF:
		return false, x.syntax("unexpected EOF")
	case err == errText:
		return false, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: unexpected text between elements")
	case err != nil:
		return false, err
	case kind == endTag:
		return false, x.closes(x.rootName)
	}
	x.child = append(x.child[:0], x.name...)
	x.childEmpty = x.empty
	return true, x.checkNamespace(x.rootNS)
}

// closes checks that the end tag just read closes the element named open.
func (x *xmlReader) closes(open []byte) error {
	if !bytes.Equal(x.name, open) {
		return x.syntax("element <%.64s> closed by </%.64s>", open, x.name)
	}
	return nil
}

// content reads the text of the current child up to its end tag into buf,
// without white space, at most max bytes; with max 0 any text is errText.
func (x *xmlReader) content(buf []byte, max int) ([]byte, error) {
	buf = buf[:0]
	if x.childEmpty {
		return buf, nil
	}
	buf, kind, err := x.next(buf, max)
	switch {
	case err == io.EOF:
		return buf, x.syntax("unexpected EOF")
	case err != nil:
		return buf, err
	case kind == startTag:
		return buf, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: unexpected child element <%.64s>", x.local())
	}
	return buf, x.closes(x.child)
}

// noContent checks that the current child, named what in errors, holds
// nothing but white space and comments.
func (x *xmlReader) noContent(section, what string) error {
	_, err := x.content(nil, 0)
	if err == errText {
		return fileError(ErrMalformed, x.file, "RFC 8182 %s: %s must be empty", section, what)
	}
	return err
}

// children calls each for every child element of the root, then checks
// the end of the file.
func (x *xmlReader) children(each func() error) error {
	for {
		ok, err := x.element()
		if err != nil {
			return err
		}
		if !ok {
			return x.end()
		}
		if err := each(); err != nil {
			return err
		}
	}
}

// end checks that nothing but white space and comments follows the root,
// reading the input to its end so that the hash covers all of it.
func (x *xmlReader) end() error {
	_, _, err := x.next(nil, 0)
	switch {
	case err == io.EOF:
		return nil
	case err == errText:
		return fileError(ErrMalformed, x.file, "trailing text after the root element")
	case err != nil:
		return err
	}
	return fileError(ErrMalformed, x.file, "trailing tag <%.64s> after the root element", x.name)
}

// maxAttrs is the most attributes any RRDP element has (RFC 8182 §3.5).
const maxAttrs = 4

// attrSet holds an element's attributes; the values point into the
// scanner's tag and are valid until the next tag is read.
type attrSet struct {
	n  int
	kv [maxAttrs]xattr
}

// get returns the value of attribute k, or nil.
func (a *attrSet) get(k string) []byte {
	for i := 0; i < a.n; i++ {
		if string(a.kv[i].name) == k {
			return a.kv[i].value
		}
	}
	return nil
}

// has reports whether attribute k is present.
func (a *attrSet) has(k string) bool {
	for i := 0; i < a.n; i++ {
		if string(a.kv[i].name) == k {
			return true
		}
	}
	return false
}

// Attributes each element may have (RFC 8182 §3.5).
var (
	rootAttrs         = []string{"version", "session_id", "serial"}
	refAttrs          = []string{"uri", "hash"}
	deltaRefAttrs     = []string{"serial", "uri", "hash"}
	publishAttrs      = []string{"uri"}
	deltaPublishAttrs = []string{"uri", "hash"}
)

// checkAttrs returns the attributes of the current tag, refusing unknown ones
// and prefixed ones; namespace declarations are skipped. The scanner has
// refused repeated ones.
func (x *xmlReader) checkAttrs(allowed []string) (attrSet, error) {
	var m attrSet
	for _, at := range x.attrs {
		if _, ok := declaredPrefix(at.name); ok {
			continue
		}
		if !slices.Contains(allowed, string(at.name)) {
			return attrSet{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: <%.64s> has unexpected attribute %q", x.local(), at.name)
		}
		if m.n == maxAttrs {
			return attrSet{}, fileError(ErrMalformed, x.file, "<%.64s> has too many attributes", x.local())
		}
		m.kv[m.n] = at
		m.n++
	}
	return m, nil
}

// header reads the version, session_id and serial attributes every root
// element carries (RFC 8182 §3.5.1.3, §3.5.2.3, §3.5.3.3).
func (x *xmlReader) header(name string) (Header, error) {
	if string(x.local()) != name {
		return Header{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: root element <%.64s>, want <%s>", x.local(), name)
	}
	a, err := x.checkAttrs(rootAttrs)
	if err != nil {
		return Header{}, err
	}
	if string(a.get("version")) != "1" {
		return Header{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: version %q, want \"1\"", a.get("version"))
	}
	session := string(a.get("session_id"))
	if !validUUID(session) {
		return Header{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: session_id %q is not a version 4 UUID", session)
	}
	serial, err := parseSerial(string(a.get("serial")))
	if err != nil {
		return Header{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5: serial: %v", err)
	}
	return Header{SessionID: strings.ToLower(session), Serial: serial}, nil
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
func parseHash(s []byte) ([32]byte, error) {
	var h [32]byte
	if len(s) != 64 {
		return h, fmt.Errorf("hash %q is not 64 hex digits", s)
	}
	if _, err := hex.Decode(h[:], s); err != nil {
		return h, fmt.Errorf("hash %q: %v", s, err)
	}
	return h, nil
}

// strictBase64 refuses non-zero padding bits, so that each object has one
// encoding. Built once: Strict returns a new Encoding each call.
var strictBase64 = base64.StdEncoding.Strict()

// decodeBase64 decodes element text, from which the scanner has dropped the
// white space (RFC 8182 §3.5.2.3 allows it; publishers wrap lines), into dst.
func decodeBase64(dst, text []byte, max int) ([]byte, error) {
	n := base64.StdEncoding.DecodedLen(len(text))
	if n > max+2 {
		return dst, fmt.Errorf("%w: object larger than %d bytes", ErrTooLarge, max)
	}
	dst = slices.Grow(dst[:0], n)[:n]
	n, err := strictBase64.Decode(dst, text)
	if err != nil {
		return dst, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	if n > max {
		return dst, fmt.Errorf("%w: object larger than %d bytes", ErrTooLarge, max)
	}
	return dst[:n], nil
}
