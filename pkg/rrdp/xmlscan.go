package rrdp

import (
	"bytes"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"unicode/utf8"
)

// The scanner reads the XML subset RRDP files use (RFC 8182 §3.5): an
// optional XML declaration, elements with attributes, character data,
// comments, CDATA sections and the predefined and numeric character
// references. It refuses DOCTYPE and every other <!...> declaration (so no
// entity can be declared, let alone expanded), and processing instructions
// other than the XML declaration. It streams: a fixed read buffer, text
// appended without its XML white space to a buffer the caller reuses, and a
// bound on every tag and on every run of text, comments and CDATA.
//
// It replaces encoding/xml, whose Token API cost 19 % of a cold run's CPU
// (a byte at a time through bufio, an allocation per token and per
// attribute) for a grammar this small.

const (
	// scanBufSize is the read buffer of one file.
	scanBufSize = 64 << 10
	// maxTagSize bounds the bytes of one tag. The longest RRDP tag holds a
	// URI of MaxURILength and a hash; references may spell it longer.
	maxTagSize = 32 << 10
	// maxTagAttrs bounds the attributes of one tag, namespace declarations
	// included; RRDP elements have at most four.
	maxTagAttrs = 16
	// maxRefSize bounds a character reference between & and ;.
	maxRefSize = 32
	// maxReads is how many empty reads in a row fill tolerates, as bufio does.
	maxReads = 100
)

// tagKind says which tag next found.
type tagKind uint8

const (
	startTag tagKind = iota + 1
	endTag
)

// errText reports character data other than white space where none is
// allowed; the caller names the place.
var errText = errors.New("rrdp: text where none is allowed")

// xattr is one attribute of the current tag. Both slices point into
// scanner.tag, the value with its references replaced.
type xattr struct {
	name, value []byte
}

// scanner is the lexical level: bytes in, tags and text out.
type scanner struct {
	r        io.Reader
	h        hash.Hash // fed every byte read, when not nil
	file     string    // for error messages
	left     int64     // bytes the file may still have
	rerr     error     // read error to return once buf is drained
	buf      []byte
	pos, end int   // unread bytes are buf[pos:end]
	off      int64 // file offset of buf[0]
	runLimit int   // bound of the text, comments and CDATA between two tags

	// The current tag, valid until the next call of next.
	tag   []byte // its bytes after < or </, without >
	name  []byte // its qualified name
	attrs []xattr
	empty bool // self-closing
}

// newScanner reads at most fileLimit bytes of r into a reusable buffer.
func newScanner(r io.Reader, file string, fileLimit int64, runLimit int, h hash.Hash) scanner {
	size := int64(scanBufSize)
	if fileLimit+1 < size {
		size = fileLimit + 1
	}
	return scanner{r: r, h: h, file: file, left: fileLimit, buf: make([]byte, size), runLimit: runLimit}
}

// syntax returns a well-formedness error at the current offset.
func (s *scanner) syntax(format string, args ...any) error {
	return fileError(ErrMalformed, s.file, "XML syntax at byte %d: %s", s.off+int64(s.pos), fmt.Sprintf(format, args...))
}

// fill reads the next chunk of input once buf is drained, hashing it and
// refusing input beyond the file limit. It returns io.EOF at the end.
func (s *scanner) fill() error {
	if s.rerr != nil {
		return s.rerr
	}
	s.off += int64(s.end)
	s.pos, s.end = 0, 0
	p := s.buf
	if int64(len(p)) > s.left+1 {
		p = p[:s.left+1]
	}
	for range maxReads {
		n, err := s.r.Read(p)
		if n > 0 {
			if s.h != nil {
				s.h.Write(p[:n])
			}
			if s.left -= int64(n); s.left < 0 {
				s.rerr = fileError(ErrTooLarge, s.file, "file exceeds its size limit")
				return s.rerr
			}
			s.end, s.rerr = n, err
			return nil
		}
		if err != nil {
			s.rerr = err
			return err
		}
	}
	s.rerr = io.ErrNoProgress
	return s.rerr
}

// readByte returns the next byte inside markup, where the end of the input
// is a syntax error.
func (s *scanner) readByte() (byte, error) {
	if s.pos == s.end {
		if err := s.fill(); err != nil {
			return 0, s.eof(err)
		}
	}
	c := s.buf[s.pos]
	s.pos++
	return c, nil
}

// eof turns the end of the input into a syntax error.
func (s *scanner) eof(err error) error {
	if err == io.EOF {
		return s.syntax("unexpected EOF")
	}
	return err
}

// next reads character data up to the next start or end tag, skipping
// comments, and reads that tag. XML white space in the data is dropped and
// the rest appended to dst, at most max bytes; with max 0 the rest is
// errText. At the end of the input between two tags it returns io.EOF.
func (s *scanner) next(dst []byte, max int) ([]byte, tagKind, error) {
	run := 0
	for {
		if s.pos == s.end {
			if err := s.fill(); err != nil {
				return dst, 0, err
			}
		}
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '<')
		if i < 0 {
			i = len(chunk)
		}
		if a := bytes.IndexByte(chunk[:i], '&'); a >= 0 {
			i = a
		}
		if run += i; run > s.runLimit {
			return dst, 0, fileError(ErrTooLarge, s.file, "element exceeds the object size limit")
		}
		var err error
		if dst, err = s.keep(dst, chunk[:i], max); err != nil {
			return dst, 0, err
		}
		if s.pos += i; s.pos == s.end {
			continue
		}
		c := s.buf[s.pos]
		s.pos++
		if c == '&' {
			dst, err = s.textRef(dst, max, &run)
		} else {
			var kind tagKind
			if dst, kind, err = s.markup(dst, max, &run); kind != 0 || err != nil {
				return dst, kind, err
			}
		}
		if err != nil {
			return dst, 0, err
		}
	}
}

// keep appends the non-white-space bytes of text to dst, refusing them
// with max 0 and beyond max bytes otherwise.
func (s *scanner) keep(dst, text []byte, max int) ([]byte, error) {
	if max == 0 {
		if indexNonSpace(text) >= 0 {
			return dst, errText
		}
		return dst, nil
	}
	dst = appendNonSpace(dst, text)
	if len(dst) > max {
		return dst, fileError(ErrTooLarge, s.file, "element text exceeds %d bytes", max)
	}
	return dst, nil
}

// markup reads what follows a <: a tag, which it returns, or a comment or
// CDATA section, for which it returns kind 0.
func (s *scanner) markup(dst []byte, max int, run *int) ([]byte, tagKind, error) {
	c, err := s.readByte()
	if err != nil {
		return dst, 0, err
	}
	switch c {
	case '/':
		s.tag = s.tag[:0]
		if err := s.readTag(); err != nil {
			return dst, 0, err
		}
		return dst, endTag, s.parseEndTag()
	case '!':
		dst, err = s.bang(dst, max, run)
		return dst, 0, err
	case '?':
		return dst, 0, s.procInst()
	}
	if !nameStart(c) {
		return dst, 0, s.syntax("invalid character %q after <", c)
	}
	s.tag = append(s.tag[:0], c)
	if err := s.readTag(); err != nil {
		return dst, 0, err
	}
	return dst, startTag, s.parseStartTag()
}

// bang reads what follows <!: a comment or a CDATA section. Anything else is
// a declaration (DOCTYPE, ENTITY, ...), refused: RRDP needs none, and they
// are what entity expansion and external entity attacks are made of.
func (s *scanner) bang(dst []byte, max int, run *int) ([]byte, error) {
	c, err := s.readByte()
	if err != nil {
		return dst, err
	}
	switch c {
	case '-':
		if c, err = s.readByte(); err != nil {
			return dst, err
		}
		if c != '-' {
			return dst, s.syntax("invalid comment start <!-%c", c)
		}
		return dst, s.comment(run)
	case '[':
		for i := 0; i < len("CDATA["); i++ {
			if c, err = s.readByte(); err != nil {
				return dst, err
			}
			if c != "CDATA["[i] {
				return dst, s.syntax("invalid CDATA section start")
			}
		}
		return s.cdata(dst, max, run)
	}
	word := []byte{c}
	for len(word) < 16 {
		if c, err = s.readByte(); err != nil || c < 'A' || c > 'Z' {
			break
		}
		word = append(word, c)
	}
	return dst, fileError(ErrForbidden, s.file, "declaration <!%s refused: RRDP files need no DOCTYPE or ENTITY", word)
}

// comment skips a comment after its <!--, refusing "--" inside it as XML
// does (XML 1.0 §2.5).
func (s *scanner) comment(run *int) error {
	dashes := 0
	for {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		if *run++; *run > s.runLimit {
			return fileError(ErrTooLarge, s.file, "comment exceeds the object size limit")
		}
		if dashes >= 2 {
			if c == '>' {
				return nil
			}
			return s.syntax(`"--" inside a comment`)
		}
		if c == '-' {
			dashes++
		} else {
			dashes = 0
		}
	}
}

// cdata reads a CDATA section after its <![CDATA[ as character data without
// references. Publishers have no reason to write one, but it is well-formed
// XML, so it is read rather than refused.
func (s *scanner) cdata(dst []byte, max int, run *int) ([]byte, error) {
	brackets := 0 // ']' seen and not yet kept: the last two may start ]]>
	for {
		c, err := s.readByte()
		if err != nil {
			return dst, err
		}
		if *run++; *run > s.runLimit {
			return dst, fileError(ErrTooLarge, s.file, "element exceeds the object size limit")
		}
		if c == ']' {
			brackets++
			continue
		}
		end := c == '>' && brackets >= 2
		if end {
			brackets -= 2
		}
		if dst, err = s.keep(dst, bytes.Repeat([]byte{']'}, brackets), max); err != nil || end {
			return dst, err
		}
		brackets = 0
		if dst, err = s.keep(dst, []byte{c}, max); err != nil {
			return dst, err
		}
	}
}

// textRef reads a reference in character data after its & and keeps the
// character it stands for.
func (s *scanner) textRef(dst []byte, max int, run *int) ([]byte, error) {
	var ref [maxRefSize]byte
	n := 0
	if *run += len("&;") + len(ref); *run > s.runLimit {
		return dst, fileError(ErrTooLarge, s.file, "element exceeds the object size limit")
	}
	for {
		c, err := s.readByte()
		if err != nil {
			return dst, err
		}
		if c == ';' {
			break
		}
		if n == len(ref) {
			return dst, s.syntax("reference &%s... too long or without ;", ref[:n])
		}
		ref[n] = c
		n++
	}
	r, err := decodeRef(ref[:n])
	if err != nil {
		return dst, s.syntax("%v", err)
	}
	var enc [utf8.UTFMax]byte
	return s.keep(dst, enc[:utf8.EncodeRune(enc[:], r)], max)
}

// procInst reads a processing instruction after its <?. Only the XML
// declaration, at the very start of the file, is allowed (XML 1.0 §2.8).
func (s *scanner) procInst() error {
	atStart := s.off+int64(s.pos) == 2
	var target []byte
	var c byte
	var err error
	for len(target) < 64 {
		if c, err = s.readByte(); err != nil {
			return err
		}
		if c == '?' || isSpace(c) {
			break
		}
		target = append(target, c)
	}
	if string(target) != "xml" || !atStart {
		return fileError(ErrForbidden, s.file, "processing instruction <?%s?>", target)
	}
	s.tag = append(s.tag[:0], c)
	for prev := c; ; {
		if c, err = s.readByte(); err != nil {
			return err
		}
		if prev == '?' && c == '>' {
			break
		}
		if s.tag = append(s.tag, c); len(s.tag) > maxTagSize {
			return s.syntax("XML declaration too long")
		}
		prev = c
	}
	return s.declaration(s.tag[:len(s.tag)-1])
}

// declaration checks the pseudo-attributes of the XML declaration: version
// 1.0 and an encoding that is US-ASCII or UTF-8, the only ones RFC 8182 §3.5
// files use; anything else could only be read through a conversion.
func (s *scanner) declaration(body []byte) error {
	s.name, s.attrs = []byte("?xml"), s.attrs[:0]
	if err := s.parseAttrs(body); err != nil {
		return err
	}
	for _, a := range s.attrs {
		v := string(a.value)
		switch string(a.name) {
		case "version":
			if v != "1.0" {
				return s.syntax("XML declaration: version %q, want 1.0", v)
			}
		case "encoding":
			switch strings.ToLower(v) {
			case "us-ascii", "ascii", "utf-8", "utf8":
			default:
				return fileError(ErrForbidden, s.file, "RFC 8182 §3.5: encoding %q, only US-ASCII and UTF-8 are read", v)
			}
		case "standalone":
			if v != "yes" && v != "no" {
				return s.syntax("XML declaration: standalone %q", v)
			}
		default:
			return s.syntax("XML declaration: unknown pseudo-attribute %q", a.name)
		}
	}
	return nil
}

// readTag appends the rest of a tag, up to its closing > outside quotes, to
// s.tag. A < anywhere in a tag is an error, as XML requires.
func (s *scanner) readTag() error {
	var quote byte
	for {
		if s.pos == s.end {
			if err := s.fill(); err != nil {
				return s.eof(err)
			}
		}
		chunk := s.buf[s.pos:s.end]
		for i, c := range chunk {
			switch {
			case c == '<':
				s.pos += i
				return s.syntax("< inside a tag")
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '>':
				s.tag = append(s.tag, chunk[:i]...)
				s.pos += i + 1
				if len(s.tag) > maxTagSize {
					return fileError(ErrTooLarge, s.file, "tag longer than %d bytes", maxTagSize)
				}
				return nil
			}
		}
		s.tag = append(s.tag, chunk...)
		s.pos = s.end
		if len(s.tag) > maxTagSize {
			return fileError(ErrTooLarge, s.file, "tag longer than %d bytes", maxTagSize)
		}
	}
}

// parseStartTag splits s.tag into name, attributes and the self-closing flag.
func (s *scanner) parseStartTag() error {
	p := s.tag
	s.empty = len(p) > 0 && p[len(p)-1] == '/'
	if s.empty {
		p = p[:len(p)-1]
	}
	s.name, p = cutName(p)
	if !validQName(s.name) {
		return s.syntax("invalid element name %q", s.name)
	}
	s.attrs = s.attrs[:0]
	return s.parseAttrs(p)
}

// parseEndTag checks that s.tag is a name and optional white space.
func (s *scanner) parseEndTag() error {
	var rest []byte
	s.name, rest = cutName(s.tag)
	s.attrs, s.empty = s.attrs[:0], false
	if !validQName(s.name) || indexNonSpace(rest) >= 0 {
		return s.syntax("invalid end tag </%.64s>", s.tag)
	}
	return nil
}

// parseAttrs reads name="value" or name='value' pairs, separated by white
// space, into s.attrs, replacing references in the values in place.
func (s *scanner) parseAttrs(p []byte) error {
	for {
		n := len(p)
		p = trimSpace(p)
		if len(p) == 0 {
			return nil
		}
		if len(p) == n {
			return s.syntax("invalid character %q in tag <%.64s>", p[0], s.name)
		}
		var name []byte
		name, p = cutName(p)
		if !validQName(name) {
			return s.syntax("invalid attribute name in tag <%.64s>", s.name)
		}
		if p = trimSpace(p); len(p) == 0 || p[0] != '=' {
			return s.syntax("attribute %.64s has no value", name)
		}
		if p = trimSpace(p[1:]); len(p) == 0 || (p[0] != '"' && p[0] != '\'') {
			return s.syntax("value of attribute %.64s is not quoted", name)
		}
		j := bytes.IndexByte(p[1:], p[0])
		if j < 0 {
			return s.syntax("value of attribute %.64s is not closed", name)
		}
		value, err := unescape(p[1 : 1+j])
		if err != nil {
			return s.syntax("attribute %.64s: %v", name, err)
		}
		p = p[2+j:]
		if err := s.addAttr(name, value); err != nil {
			return err
		}
	}
}

// addAttr appends an attribute, refusing a repeated name (XML 1.0 §3.1).
func (s *scanner) addAttr(name, value []byte) error {
	for _, a := range s.attrs {
		if bytes.Equal(a.name, name) {
			return fileError(ErrMalformed, s.file, "<%.64s> repeats attribute %q", s.name, name)
		}
	}
	if len(s.attrs) == maxTagAttrs {
		return fileError(ErrMalformed, s.file, "<%.64s> has too many attributes", s.name)
	}
	s.attrs = append(s.attrs, xattr{name, value})
	return nil
}
