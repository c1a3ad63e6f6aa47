package tal

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// TAL is a parsed Trust Anchor Locator (RFC 8630).
type TAL struct {
	// Name is the file name without its ".tal" suffix (rpki-client uses it
	// to name the trust anchor); empty when the TAL was not read from a file.
	Name string
	// Comments are the "#" comment lines at the top (RFC 8630 §2.2),
	// without the leading "#", in file order.
	Comments []string
	// URIs are the trust anchor certificate's locations in file order.
	URIs []string
	// SPKI is the DER SubjectPublicKeyInfo of the trust anchor key.
	SPKI []byte
	// PublicKey is SPKI parsed; always RSA (RFC 7935 §3).
	PublicKey *rsa.PublicKey
}

// Parse reads a TAL in the RFC 8630 §2.2 format. See the package
// documentation for the exact reading.
func Parse(data []byte) (*TAL, error) {
	if len(data) > MaxFileSize {
		return nil, syntaxError(0, "TAL is %d bytes, more than the limit of %d", len(data), MaxFileSize)
	}
	lines := splitLines(data)
	t := &TAL{}
	n, err := t.parseComments(lines)
	if err != nil {
		return nil, err
	}
	m, err := t.parseURIs(lines[n:], n)
	if err != nil {
		return nil, err
	}
	if err := t.parseKey(lines[n+m:], n+m); err != nil {
		return nil, err
	}
	return t, nil
}

// splitLines splits data at LF and drops one CR before each LF, so CRLF
// files read like LF files. A final line break does not add an empty line.
func splitLines(data []byte) []string {
	s := strings.TrimSuffix(string(data), "\n")
	if s == "" {
		return nil
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// parseComments reads the optional comment section (RFC 8630 §2.2 item 1)
// and returns how many lines it used.
func (t *TAL) parseComments(lines []string) (int, error) {
	n := 0
	for n < len(lines) && strings.HasPrefix(lines[n], "#") {
		if n == MaxCommentLines {
			return 0, syntaxError(n+1, "more than %d comment lines", MaxCommentLines)
		}
		t.Comments = append(t.Comments, lines[n][1:])
		n++
	}
	return n, nil
}

// parseURIs reads the URI section up to and including the empty line that
// ends it (RFC 8630 §2.2 items 2 and 3) and returns how many lines it used.
// first is the index of lines[0] in the file, for error messages.
func (t *TAL) parseURIs(lines []string, first int) (int, error) {
	seen := make(map[string]bool)
	for i, l := range lines {
		lineNo := first + i + 1
		if l == "" {
			if len(t.URIs) == 0 {
				return 0, syntaxError(lineNo, "no URI before the empty line")
			}
			return i + 1, nil
		}
		if len(t.URIs) == MaxURIs {
			return 0, syntaxError(lineNo, "more than %d URIs", MaxURIs)
		}
		if err := checkURI(lineNo, l); err != nil {
			return 0, err
		}
		if seen[l] {
			return 0, syntaxError(lineNo, "URI %q listed twice", l)
		}
		seen[l] = true
		t.URIs = append(t.URIs, l)
	}
	if len(t.URIs) == 0 {
		return 0, syntaxError(first+1, "no URI")
	}
	return 0, syntaxError(first+len(lines), "no empty line between the URIs and the public key")
}

// parseKey reads the base64 SubjectPublicKeyInfo (RFC 8630 §2.2 item 4),
// which may be wrapped over several lines; empty lines may only trail it.
func (t *TAL) parseKey(lines []string, first int) error {
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return syntaxError(0, "no subjectPublicKeyInfo after the URIs")
	}
	var enc strings.Builder
	for i, l := range lines {
		if l == "" {
			return syntaxError(first+i+1, "empty line inside the base64 subjectPublicKeyInfo")
		}
		if err := checkBase64Line(first+i+1, l); err != nil {
			return err
		}
		enc.WriteString(l)
	}
	if enc.Len() > base64.StdEncoding.EncodedLen(MaxSPKISize) {
		return syntaxError(0, "subjectPublicKeyInfo longer than %d bytes", MaxSPKISize)
	}
	der, err := base64.StdEncoding.Strict().DecodeString(enc.String())
	if err != nil {
		return syntaxError(0, "subjectPublicKeyInfo is not valid base64: %v", err)
	}
	return t.setKey(der)
}

// checkBase64Line rejects any byte outside the base64 alphabet, including
// blanks inside the key block (rpki-client decodes the block strictly too).
func checkBase64Line(lineNo int, l string) error {
	for i := 0; i < len(l); i++ {
		c := l[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
		if !ok {
			return syntaxError(lineNo, "byte 0x%02x in the base64 subjectPublicKeyInfo", c)
		}
	}
	return nil
}

// setKey checks that der is an RSA SubjectPublicKeyInfo: RFC 8630 §2.2 and
// RFC 7935 §3 (trust anchors use RSA keys).
func (t *TAL) setKey(der []byte) error {
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return syntaxError(0, "subjectPublicKeyInfo does not parse: %v", err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return &Error{Section: "RFC 7935 §3", Msg: fmt.Sprintf("trust anchor key is %T, not RSA", pub)}
	}
	t.SPKI, t.PublicKey = der, rsaPub
	return nil
}

// FetchOrder returns the URIs with the https ones first, each group in file
// order. RFC 8630 §2.3 leaves the order to the relying party; https first
// is what rpki-client and Routinator do, since it avoids an rsync
// connection when the HTTPS server answers.
func (t *TAL) FetchOrder() []string {
	out := make([]string, 0, len(t.URIs))
	for _, u := range t.URIs {
		if IsHTTPS(u) {
			out = append(out, u)
		}
	}
	for _, u := range t.URIs {
		if !IsHTTPS(u) {
			out = append(out, u)
		}
	}
	return out
}

// base64LineLength is the wrap width of the key block in Marshal, the
// width most published TALs use.
const base64LineLength = 64

// Marshal writes t in RFC 8630 §2.2 format: comments (if any), URIs, an
// empty line, and the SPKI in base64 wrapped at 64 columns, with LF line
// ends. Parse(t.Marshal()) gives back the same comments, URIs and SPKI.
func (t *TAL) Marshal() []byte {
	var b bytes.Buffer
	for _, c := range t.Comments {
		b.WriteString("#")
		b.WriteString(c)
		b.WriteString("\n")
	}
	for _, u := range t.URIs {
		b.WriteString(u)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	enc := base64.StdEncoding.EncodeToString(t.SPKI)
	for len(enc) > base64LineLength {
		b.WriteString(enc[:base64LineLength])
		b.WriteString("\n")
		enc = enc[base64LineLength:]
	}
	b.WriteString(enc)
	b.WriteString("\n")
	return b.Bytes()
}
