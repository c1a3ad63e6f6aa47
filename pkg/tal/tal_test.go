package tal

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testSPKI is a fresh RSA-2048 SubjectPublicKeyInfo in base64.
func testSPKI(t testing.TB) (der []byte, b64 string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err = x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, base64.StdEncoding.EncodeToString(der)
}

// equalTAL compares what a TAL file carries.
func equalTAL(a, b *TAL) bool {
	return slices.Equal(a.Comments, b.Comments) && slices.Equal(a.URIs, b.URIs) &&
		bytes.Equal(a.SPKI, b.SPKI) && a.PublicKey.Equal(b.PublicKey)
}

// wrap splits s into lines of n bytes joined by sep.
func wrap(s string, n int, sep string) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), sep)
}

func TestParseValid(t *testing.T) {
	der, b64 := testSPKI(t)
	cases := map[string]string{
		"single rsync":  "rsync://example.net/ta/ta.cer\n\n" + b64 + "\n",
		"wrapped":       "https://example.net/ta.cer\nrsync://example.net/ta/ta.cer\n\n" + wrap(b64, 64, "\n") + "\n",
		"crlf":          "# c\r\nhttps://example.net/ta.cer\r\n\r\n" + wrap(b64, 60, "\r\n") + "\r\n",
		"no final LF":   "rsync://example.net/ta/ta.cer\n\n" + b64,
		"trailing LFs":  "rsync://example.net/ta/ta.cer\n\n" + b64 + "\n\n\n",
		"comment block": "# one\n#two\n#\nrsync://example.net/ta/ta.cer\n\n" + b64 + "\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			tl, err := Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(tl.SPKI, der) {
				t.Fatal("SPKI differs from the key written")
			}
			if len(tl.URIs) == 0 || !strings.HasSuffix(tl.URIs[0], ".cer") {
				t.Fatalf("URIs = %q", tl.URIs)
			}
		})
	}
}

func TestParseComments(t *testing.T) {
	_, b64 := testSPKI(t)
	tl, err := Parse([]byte("# one\n#two\nrsync://a.example/x.cer\n\n" + b64))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tl.Comments, []string{" one", "two"}) {
		t.Fatalf("comments = %q", tl.Comments)
	}
}

func TestParseInvalid(t *testing.T) {
	_, b64 := testSPKI(t)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	ec64 := base64.StdEncoding.EncodeToString(ecDER)
	const u = "rsync://example.net/ta/ta.cer\n"
	cases := []struct{ name, in, want string }{
		{"empty", "", "no URI"},
		{"http scheme", "http://example.net/ta.cer\n\n" + b64, "unsupported URI scheme"},
		{"ftp scheme", "ftp://example.net/ta.cer\n\n" + b64, "unsupported URI scheme"},
		{"leading blank", "  " + u + "\n" + b64, "whitespace"},
		{"not a cer", "https://potato\n\n" + b64, "certificate (.cer)"},
		{"dot segment", "rsync://example.net/../ta.cer\n\n" + b64, `"/."`},
		{"no host", "rsync:///ta/ta.cer\n\n" + b64, "malformed URI"},
		{"duplicate", u + u + "\n" + b64, "listed twice"},
		{"no separator", u + b64, "unsupported URI scheme"},
		{"no key", u + "\n", "no subjectPublicKeyInfo"},
		{"only uris", u, "no empty line"},
		{"blank in key", u + "\n" + b64[:10] + " " + b64[10:], "byte 0x20"},
		{"gap in key", u + "\n" + b64[:12] + "\n\n" + b64[12:], "empty line inside"},
		{"bad padding", u + "\n" + b64[:len(b64)-1], "base64"},
		{"not spki", u + "\n" + base64.StdEncoding.EncodeToString([]byte("hello")), "does not parse"},
		{"ec key", u + "\n" + ec64, "not RSA"},
		{"extended", "ca.name = X\ncertificate.location = rsync://a/b.cer\npublic.key.info = " + b64, "whitespace"},
		{"comment after uri", u + "#late\n\n" + b64, "unsupported URI scheme"},
		{"too big", strings.Repeat("#\n", MaxFileSize), "more than the limit"},
		{"too many uris", manyURIs(MaxURIs+1) + "\n" + b64, "more than"},
		{"long uri", "rsync://a.example/" + strings.Repeat("a", MaxURILength) + ".cer\n\n" + b64, "longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "tal: RFC ") {
				t.Fatalf("error %q, want it to start with \"tal: RFC \" and contain %q", err, c.want)
			}
		})
	}
}

// manyURIs returns n distinct URI lines.
func manyURIs(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("rsync://example.net/ta/" + strings.Repeat("a", i+1) + ".cer\n")
	}
	return b.String()
}

func TestFetchOrder(t *testing.T) {
	tl := &TAL{URIs: []string{"rsync://a/1.cer", "https://b/2.cer", "rsync://c/3.cer", "https://d/4.cer"}}
	want := []string{"https://b/2.cer", "https://d/4.cer", "rsync://a/1.cer", "rsync://c/3.cer"}
	if got := tl.FetchOrder(); !slices.Equal(got, want) {
		t.Fatalf("FetchOrder = %q, want %q", got, want)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	der, _ := testSPKI(t)
	pub, _ := x509.ParsePKIXPublicKey(der)
	in := &TAL{Comments: []string{" lab TA"}, URIs: []string{"https://x.example/ta.cer", "rsync://x.example/ta/ta.cer"},
		SPKI: der, PublicKey: pub.(*rsa.PublicKey)}
	out := in.Marshal()
	for _, l := range strings.Split(string(out), "\n") {
		if len(l) > base64LineLength {
			t.Fatalf("line of %d bytes in Marshal output", len(l))
		}
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if !equalTAL(in, back) {
		t.Fatalf("round trip differs:\n%s", out)
	}
}

func TestLoadDir(t *testing.T) {
	der, b64 := testSPKI(t)
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.tal", "rsync://b.example/ta.cer\n\n"+b64)
	write("a.tal", "https://a.example/ta.cer\n\n"+b64)
	write("c.tal.disabled", "garbage")
	write("notes.txt", "garbage")
	tals, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tals) != 2 || tals[0].Name != "a" || tals[1].Name != "b" || !bytes.Equal(tals[1].SPKI, der) {
		t.Fatalf("LoadDir gave %d TALs: %+v", len(tals), tals)
	}
	write("bad.tal", "http://x.example/ta.cer\n\n"+b64)
	_, err = LoadDir(dir)
	if err == nil || !strings.Contains(err.Error(), "bad.tal") || !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad file: err = %v, want one naming bad.tal", err)
	}
}

func TestLoadFileTooBig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.tal")
	if err := os.WriteFile(p, bytes.Repeat([]byte("#"), MaxFileSize+10), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(p); err == nil || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want a size error", err)
	}
}
