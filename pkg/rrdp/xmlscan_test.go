package rrdp

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// snap wraps body in a snapshot root element of testHeader.
func snap(body string) string {
	return `<snapshot xmlns="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="7">` + body + `</snapshot>`
}

// hello is "hello" in base64, the content of most cases.
const hello = "aGVsbG8="

// scanGood are well-formed snapshots with the objects they hold, as
// uri=content pairs.
var scanGood = []struct {
	name, doc string
	want      []string
}{
	{"double quotes", snap(`<publish uri="rsync://h/m/a.cer">` + hello + `</publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"single quotes", snap(`<publish uri='rsync://h/m/a.cer'>` + hello + `</publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"quote of the other kind inside", snap(`<publish uri='rsync://h/m/a"b.cer'>` + hello + `</publish>`), []string{`rsync://h/m/a"b.cer=hello`}},
	{"white space around = and in tags", snap("<publish \n\turi \t= \r\n 'rsync://h/m/a.cer' >" + hello + "</publish \n>"), []string{"rsync://h/m/a.cer=hello"}},
	{"> inside an attribute value", snap(`<publish uri="rsync://h/m/a>b.cer">` + hello + `</publish>`), []string{"rsync://h/m/a>b.cer=hello"}},
	{"predefined entities in an attribute", snap(`<publish uri="rsync://h/m/&lt;&gt;&amp;&apos;&quot;.cer">` + hello + `</publish>`), []string{`rsync://h/m/<>&'".cer=hello`}},
	{"numeric references in an attribute", snap(`<publish uri="rsync://h/m/&#97;&#x62;&#x0063;.cer">` + hello + `</publish>`), []string{"rsync://h/m/abc.cer=hello"}},
	{"references in text", snap(`<publish uri="rsync://h/m/a.cer">aGVs&#98;G8&#x3D;</publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"space reference in text", snap(`<publish uri="rsync://h/m/a.cer">aGVs&#32;bG8=</publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"comment inside text", snap(`<publish uri="rsync://h/m/a.cer">aGVs<!-- wrapped - here -->bG8=</publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"CDATA", snap(`<publish uri="rsync://h/m/a.cer"><![CDATA[` + hello + `]]></publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"CDATA and text", snap(`<publish uri="rsync://h/m/a.cer">aGVs<![CDATA[bG8=]]>
</publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"CRLF-wrapped base64", snap("<publish uri=\"rsync://h/m/a.cer\">\r\n  aGVs\r\n  bG8=\r\n</publish>"), []string{"rsync://h/m/a.cer=hello"}},
	{"comments between elements", snap(`<!-- a --><publish uri="rsync://h/m/a.cer">` + hello + `</publish><!----><!-- b -->
<publish uri="rsync://h/m/b.cer">` + hello + `</publish>`), []string{"rsync://h/m/a.cer=hello", "rsync://h/m/b.cer=hello"}},
	{"self-closing root", `<snapshot xmlns="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="7"/>`, nil},
	{"XML declaration", `<?xml version='1.0' encoding='utf-8' standalone="yes" ?>` + "\n" + snap(""), nil},
	{"declaration in US-ASCII", `<?xml version="1.0" encoding="US-ASCII"?>` + snap(""), nil},
	{"comments and white space around the root", "<!-- before -->\n " + snap("") + "\n<!-- after -->\n\t", nil},
	{"prefixed names", `<r:snapshot xmlns:r="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="7"><r:publish uri="rsync://h/m/a.cer">` + hello + `</r:publish></r:snapshot>`, []string{"rsync://h/m/a.cer=hello"}},
	{"namespace declared again on a child", snap(`<publish xmlns="` + Namespace + `" uri="rsync://h/m/a.cer">` + hello + `</publish>`), []string{"rsync://h/m/a.cer=hello"}},
	{"foreign prefix declared and unused", snap(`<publish xmlns:x="http://example.com/" uri="rsync://h/m/a.cer">` + hello + `</publish>`), []string{"rsync://h/m/a.cer=hello"}},
}

// scanBad are snapshots each parser must refuse, with the class and a
// substring of the error.
var scanBad = []struct {
	name, doc string
	class     error
	sub       string
}{
	{"self-closing publish", snap(`<publish uri="rsync://h/m/a.cer"/>`), ErrMalformed, "no content"},
	{"DOCTYPE inside the root", snap(`<!DOCTYPE x>`), ErrForbidden, "DOCTYPE"},
	{"ENTITY declaration", snap(`<!ENTITY x "y">`), ErrForbidden, "ENTITY"},
	{"processing instruction", snap(`<?pi x?>`), ErrForbidden, "<?pi?>"},
	{"XML declaration after white space", " <?xml version=\"1.0\"?>" + snap(""), ErrForbidden, "<?xml?>"},
	{"XML declaration after a comment", `<!-- c --><?xml version="1.0"?>` + snap(""), ErrForbidden, "<?xml?>"},
	{"second XML declaration", `<?xml version="1.0"?><?xml version="1.0"?>` + snap(""), ErrForbidden, "<?xml?>"},
	{"Latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?>` + snap(""), ErrForbidden, "ISO-8859-1"},
	{"XML 1.1", `<?xml version="1.1"?>` + snap(""), ErrMalformed, "version"},
	{"unknown declaration attribute", `<?xml version="1.0" foo="bar"?>` + snap(""), ErrMalformed, "pseudo-attribute"},
	{"unknown entity in an attribute", snap(`<publish uri="rsync://h/m/&nbsp;.cer">` + hello + `</publish>`), ErrMalformed, "unknown entity &nbsp;"},
	{"unknown entity in text", snap(`<publish uri="rsync://h/m/a.cer">&lol;</publish>`), ErrMalformed, "unknown entity &lol;"},
	{"bare & in an attribute", snap(`<publish uri="rsync://h/m/a&b.cer">` + hello + `</publish>`), ErrMalformed, "& without a reference"},
	{"& before a later ; in an attribute", snap(`<publish uri="rsync://h/m/a&b;c.cer">` + hello + `</publish>`), ErrMalformed, "unknown entity &b;"},
	{"& without ; in an attribute", snap(`<publish uri="rsync://h/m/a&amp">` + hello + `</publish>`), ErrMalformed, "& without a reference"},
	{"reference without ; in text", snap(`<publish uri="rsync://h/m/a.cer">aGVs&#98` + strings.Repeat("G", 40) + `</publish>`), ErrMalformed, "without ;"},
	{"reference to NUL", snap(`<publish uri="rsync://h/m/&#0;.cer">` + hello + `</publish>`), ErrMalformed, "invalid character reference"},
	{"reference to a surrogate", snap(`<publish uri="rsync://h/m/a.cer">&#xD800;</publish>`), ErrMalformed, "invalid character reference"},
	{"reference beyond Unicode", snap(`<publish uri="rsync://h/m/a.cer">&#x110000;</publish>`), ErrMalformed, "invalid character reference"},
	{"signed reference", snap(`<publish uri="rsync://h/m/a.cer">&#+65;</publish>`), ErrMalformed, "invalid character reference"},
	{"< in an attribute value", snap(`<publish uri="rsync://h/m/a<b.cer">` + hello + `</publish>`), ErrMalformed, "< inside a tag"},
	{"unquoted attribute", snap(`<publish uri=rsync://h/m/a.cer>` + hello + `</publish>`), ErrMalformed, "not quoted"},
	{"attribute without value", snap(`<publish uri>` + hello + `</publish>`), ErrMalformed, "no value"},
	{"attributes not separated", snap(`<publish uri="rsync://h/m/a.cer"uri="x">` + hello + `</publish>`), ErrMalformed, "invalid character"},
	{"repeated attribute", snap(`<publish uri="rsync://h/m/a.cer" uri="rsync://h/m/a.cer">` + hello + `</publish>`), ErrMalformed, "repeats attribute"},
	{"prefixed attribute", snap(`<publish xmlns:r="` + Namespace + `" r:uri="rsync://h/m/a.cer">` + hello + `</publish>`), ErrMalformed, "unexpected attribute"},
	{"empty prefix declaration", `<snapshot xmlns:="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="7"/>`, ErrMalformed, "invalid attribute name"},
	{"name with an empty prefix", `<:snapshot xmlns="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="7"/>`, ErrMalformed, "invalid"},
	{"space after <", snap(`< publish uri="rsync://h/m/a.cer">` + hello + `</publish>`), ErrMalformed, "after <"},
	{"mismatched end tag", snap(`<publish uri="rsync://h/m/a.cer">` + hello + `</publisher>`), ErrMalformed, "closed by"},
	{"mismatched prefix in end tag", `<r:snapshot xmlns:r="` + Namespace + `" xmlns="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="7"></snapshot>`, ErrMalformed, "closed by"},
	{"attribute in end tag", snap(`<publish uri="rsync://h/m/a.cer">` + hello + `</publish a="b">`), ErrMalformed, "invalid end tag"},
	{"end tag first", `</snapshot>`, ErrMalformed, "before the root"},
	{"no root", "<!-- only a comment -->\n", ErrMalformed, "no root element"},
	{"empty file", "", ErrMalformed, "no root element"},
	{"unclosed root", strings.TrimSuffix(snap(""), "</snapshot>"), ErrMalformed, "unexpected EOF"},
	{"unclosed tag", `<snapshot xmlns="` + Namespace, ErrMalformed, "unexpected EOF"},
	{"unclosed comment", snap("") + "<!-- ", ErrMalformed, "unexpected EOF"},
	{"two roots", snap("") + snap(""), ErrMalformed, "trailing tag"},
	{"text after the root", snap("") + "x", ErrMalformed, "trailing text"},
	{"text before the root", "x" + snap(""), ErrMalformed, "before the root"},
	{"byte order mark", "\uFEFF" + snap(""), ErrMalformed, "before the root"},
	{"-- inside a comment", snap(`<!-- a -- b -->`), ErrMalformed, `"--" inside a comment`},
	{"comment ending with --->", snap(`<!-- a --->`), ErrMalformed, `"--" inside a comment`},
	{"stray ] before the CDATA end", snap(`<publish uri="rsync://h/m/a.cer"><![CDATA[` + hello + `]]]></publish>`), ErrMalformed, "base64"},
	{"unclosed CDATA", snap(`<publish uri="rsync://h/m/a.cer"><![CDATA[` + hello + `]]</publish>`), ErrMalformed, "unexpected EOF"},
	{"bad CDATA start", snap(`<publish uri="rsync://h/m/a.cer"><![CDAT[` + hello + `]]></publish>`), ErrMalformed, "CDATA"},
	{"child element in publish", snap(`<publish uri="rsync://h/m/a.cer">` + hello + `<x/></publish>`), ErrMalformed, "child element <x>"},
	{"element in another namespace", snap(`<publish xmlns="http://example.com/" uri="rsync://h/m/a.cer">` + hello + `</publish>`), ErrMalformed, "namespace"},
	{"unbound prefix", snap(`<r:publish uri="rsync://h/m/a.cer">` + hello + `</r:publish>`), ErrMalformed, "namespace"},
	{"root without namespace", `<snapshot version="1" session_id="` + testHeader.SessionID + `" serial="7"/>`, ErrMalformed, "namespace"},
	{"text between elements", snap(`x<publish uri="rsync://h/m/a.cer">` + hello + `</publish>`), ErrMalformed, "unexpected text"},
	{"no-break space between elements", snap("\u00a0"), ErrMalformed, "unexpected text"},
	{"control character in an attribute", snap("<publish uri=\"rsync://h/m/a\x01.cer\">" + hello + `</publish>`), ErrMalformed, "control character"},
	{"invalid UTF-8 in an attribute", snap("<publish uri=\"rsync://h/m/a\xff.cer\">" + hello + `</publish>`), ErrMalformed, "UTF-8"},
	{"control character in text", snap("<publish uri=\"rsync://h/m/a.cer\">aGVs\x00bG8=</publish>"), ErrMalformed, "base64"},
	{"]]> in text", snap(`<publish uri="rsync://h/m/a.cer">aGVs]]>bG8=</publish>`), ErrMalformed, "base64"},
}

// parseObjects parses doc from r and returns its objects as uri=content.
func parseObjects(r io.Reader) ([]string, error) {
	var got []string
	err := ParseSnapshot(r, testHeader, func(p Publish) error {
		got = append(got, p.URI+"="+string(p.Data))
		return nil
	})
	return got, err
}

func TestScannerGood(t *testing.T) {
	for _, tc := range scanGood {
		t.Run(tc.name, func(t *testing.T) {
			// One byte per read splits every construct across refills.
			for _, r := range []io.Reader{strings.NewReader(tc.doc), iotest.OneByteReader(strings.NewReader(tc.doc))} {
				got, err := parseObjects(r)
				if err != nil || strings.Join(got, " ") != strings.Join(tc.want, " ") {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
			}
			if _, err := refSnapshot([]byte(tc.doc)); err != nil {
				t.Errorf("encoding/xml refuses the case: %v", err)
			}
		})
	}
}

func TestScannerBad(t *testing.T) {
	for _, tc := range scanBad {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.doc), iotest.OneByteReader(strings.NewReader(tc.doc))} {
				_, err := parseObjects(r)
				if !errors.Is(err, tc.class) || !strings.Contains(err.Error(), tc.sub) {
					t.Fatalf("got %v, want class %v containing %q", err, tc.class, tc.sub)
				}
			}
		})
	}
}

// TestScannerHashesAll checks that the hash covers the whole input,
// trailing comments and white space included (RFC 8182 §3.4.2).
func TestScannerHashesAll(t *testing.T) {
	doc := "<?xml version=\"1.0\"?>\n" + snap(`<publish uri="rsync://h/m/a.cer">`+hello+`</publish>`) + "\n<!-- trailer -->\n"
	h := sha256.New()
	err := parseSnapshot(iotest.HalfReader(strings.NewReader(doc)), "s", testHeader, DefaultLimits(), h, func(Publish) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256([]byte(doc)); !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("hash does not cover the whole file")
	}
}

// TestScannerReadError checks that a transport error reaches the caller as
// itself, not as a syntax error.
func TestScannerReadError(t *testing.T) {
	doc := snap(`<publish uri="rsync://h/m/a.cer">` + hello + `</publish>`)
	errCut := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(doc[:len(doc)-5]), iotest.ErrReader(errCut))
	if _, err := parseObjects(r); !errors.Is(err, errCut) {
		t.Fatalf("got %v, want the read error", err)
	}
}

// endless repeats its prefix once, then fill forever, counting what is read.
type endless struct {
	prefix []byte
	fill   byte
	n      int
}

// Read implements io.Reader.
func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.fill
	}
	e.n += len(p)
	return len(p), nil
}

// TestScannerEndlessInput checks that an element, tag, comment or run of
// white space that never ends fails after about one object's worth of
// input, not at the file limit.
func TestScannerEndlessInput(t *testing.T) {
	open := strings.TrimSuffix(snap(""), "</snapshot>")
	cases := []struct {
		name, prefix string
		fill         byte
	}{
		{"base64", open + `<publish uri="rsync://h/m/a.cer">`, 'A'},
		{"white space in an element", open + `<publish uri="rsync://h/m/a.cer">`, '\n'},
		{"white space between elements", open, ' '},
		{"comment", open + "<!--", 'x'},
		{"CDATA", open + `<publish uri="rsync://h/m/a.cer"><![CDATA[`, ' '},
		{"attribute value", open + `<publish uri="`, 'a'},
		{"tag", open + `<publish`, ' '},
		{"white space before the root", "", ' '},
	}
	lim := DefaultLimits()
	lim.Object = 1 << 20
	bound := lim.Object*3/2 + tokenSlack + 2*scanBufSize
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &endless{prefix: []byte(tc.prefix), fill: tc.fill}
			err := parseSnapshot(r, "s", Header{}, lim, nil, func(Publish) error { return nil })
			if !errors.Is(err, ErrTooLarge) || r.n > bound {
				t.Fatalf("got %v after %d bytes, want ErrTooLarge within %d", err, r.n, bound)
			}
		})
	}
}

// TestScannerAllocations checks that parsing costs about one allocation per
// object (its URI string), not per token.
func TestScannerAllocations(t *testing.T) {
	var buf bytes.Buffer
	objs := make([]Publish, 1000)
	for i := range objs {
		objs[i] = Publish{URI: "rsync://h/m/a.cer", Data: bytes.Repeat([]byte{byte(i)}, 1000+i)}
	}
	if err := WriteSnapshot(&buf, testHeader, objs); err != nil {
		t.Fatal(err)
	}
	doc := wrapBase64(buf.Bytes())
	allocs := testing.AllocsPerRun(3, func() {
		if err := ParseSnapshot(bytes.NewReader(doc), testHeader, func(Publish) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1.1*float64(len(objs)) {
		t.Errorf("%.0f allocations for %d objects", allocs, len(objs))
	}
}

// TestNotificationEscapedURI checks references in notification attributes
// and white space in elements that must be empty.
func TestNotificationEscapedURI(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	doc := `<notification xmlns="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="2">
  <snapshot uri="https://a.example/s.xml?a=1&amp;b=2" hash='` + hash + `'>  </snapshot>
  <delta serial="2" uri="https://a.example/&#x32;.xml" hash="` + hash + `"><!-- empty --></delta>
</notification>`
	n, err := ParseNotification(iotest.OneByteReader(strings.NewReader(doc)))
	if err != nil {
		t.Fatal(err)
	}
	if n.Snapshot.URI != "https://a.example/s.xml?a=1&b=2" || len(n.Deltas) != 1 || n.Deltas[0].URI != "https://a.example/2.xml" {
		t.Fatalf("parsed %+v", n)
	}
}
