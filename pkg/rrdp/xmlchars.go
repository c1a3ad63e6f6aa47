package rrdp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Character-level rules of the scanner: references, names, white space.

// unescape replaces the references in an attribute value in place (a
// reference is never shorter than its UTF-8 encoding) and checks that the
// value is UTF-8 made of XML characters.
func unescape(b []byte) ([]byte, error) {
	j := 0
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '&':
			k := bytes.IndexByte(b[i+1:], ';')
			if k < 0 || k > maxRefSize {
				return nil, fmt.Errorf("& without a reference")
			}
			r, err := decodeRef(b[i+1 : i+1+k])
			if err != nil {
				return nil, err
			}
			j += utf8.EncodeRune(b[j:], r)
			i += k + 2
		case c < 0x80:
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return nil, fmt.Errorf("control character %q", c)
			}
			b[j] = c
			i, j = i+1, j+1
		default:
			r, size := utf8.DecodeRune(b[i:])
			if (r == utf8.RuneError && size == 1) || !isXMLChar(r) {
				return nil, fmt.Errorf("invalid UTF-8 or character %q", b[i:i+size])
			}
			j += copy(b[j:], b[i:i+size])
			i += size
		}
	}
	return b[:j], nil
}

// decodeRef returns the character of a reference given without & and ;:
// one of the five predefined entities or a numeric reference (XML 1.0 §4.1,
// §4.6). Any other name would need a declaration, and those are refused.
func decodeRef(ref []byte) (rune, error) {
	switch string(ref) {
	case "lt":
		return '<', nil
	case "gt":
		return '>', nil
	case "amp":
		return '&', nil
	case "apos":
		return '\'', nil
	case "quot":
		return '"', nil
	}
	digits, base := ref, 10
	if len(digits) == 0 || digits[0] != '#' {
		return 0, fmt.Errorf("unknown entity &%s;", ref)
	}
	digits = digits[1:]
	if len(digits) > 0 && digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || digits[0] == '+' || digits[0] == '-' {
		return 0, fmt.Errorf("invalid character reference &%s;", ref)
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !isXMLChar(rune(n)) {
		return 0, fmt.Errorf("invalid character reference &%s;", ref)
	}
	return rune(n), nil
}

// isXMLChar reports whether r is allowed in an XML document (XML 1.0 §2.2).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// nameByte marks the bytes allowed in names. Every name RRDP uses is ASCII;
// other bytes are allowed so that a foreign name is read whole and then
// refused by name, not by a confusing syntax error.
var nameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == ':' || c == '-' || c == '.' || c >= 0x80
	}
	return t
}()

// nameStart reports whether a name may start with c.
func nameStart(c byte) bool {
	return nameByte[c] && !('0' <= c && c <= '9') && c != '-' && c != '.'
}

// cutName splits a leading name from p; the name is empty if p does not
// start with one.
func cutName(p []byte) (name, rest []byte) {
	if len(p) == 0 || !nameStart(p[0]) {
		return nil, p
	}
	i := 1
	for i < len(p) && nameByte[p[i]] {
		i++
	}
	return p[:i], p[i:]
}

// validQName reports whether name is a name whose colon, if any, separates
// a non-empty prefix from a non-empty local part (Namespaces in XML §4).
func validQName(name []byte) bool {
	return len(name) > 0 && name[0] != ':' && name[len(name)-1] != ':'
}

// isSpace reports whether c is XML white space (XML 1.0 §2.3).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// trimSpace drops leading XML white space.
func trimSpace(p []byte) []byte {
	for len(p) > 0 && isSpace(p[0]) {
		p = p[1:]
	}
	return p
}

// indexNonSpace returns the index of the first byte of p that is not XML
// white space, or -1.
func indexNonSpace(p []byte) int {
	for i, c := range p {
		if !isSpace(c) {
			return i
		}
	}
	return -1
}

// Word-at-a-time constants: a byte below 0x21 in x sets the high bit of its
// byte in (x - lows) &^ x & highs, and the lowest such bit is exact.
const (
	lows  = 0x2121212121212121
	highs = 0x8080808080808080
)

// appendNonSpace appends p to dst without its XML white space. Base64 text
// is either one long line or lines of 64 or 76 characters, so it copies runs
// found eight bytes at a time rather than testing every byte.
func appendNonSpace(dst, p []byte) []byte {
	for len(p) > 0 {
		i := indexLow(p)
		if i < 0 {
			return append(dst, p...)
		}
		dst = append(dst, p[:i]...)
		if !isSpace(p[i]) {
			dst = append(dst, p[i])
		}
		p = p[i+1:]
	}
	return dst
}

// indexLow returns the index of the first byte of p below 0x21 (white space
// and control characters), or -1.
func indexLow(p []byte) int {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		x := binary.LittleEndian.Uint64(p[i:])
		if m := (x - lows) &^ x & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(p); i++ {
		if p[i] < 0x21 {
			return i
		}
	}
	return -1
}
