package rrdp

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badCases maps each file under testdata/<kind>/bad to the error class and a
// substring the error must carry.
var badCases = map[string]struct {
	class error
	sub   string
}{
	"notification/bad/xxe.xml":                    {ErrForbidden, "DOCTYPE"},
	"notification/bad/billion_lol.xml":            {ErrForbidden, "DOCTYPE"},
	"notification/bad/undeclared_entity.xml":      {ErrMalformed, "entity"},
	"notification/bad/version2.xml":               {ErrMalformed, "version"},
	"notification/bad/session_not_uuid.xml":       {ErrMalformed, "UUID"},
	"notification/bad/serial_zero.xml":            {ErrMalformed, "serial"},
	"notification/bad/serial_negative.xml":        {ErrMalformed, "serial"},
	"notification/bad/hash_short.xml":             {ErrMalformed, "hash"},
	"notification/bad/snapshot_http.xml":          {ErrMalformed, "https"},
	"notification/bad/no_snapshot.xml":            {ErrMalformed, "no <snapshot>"},
	"notification/bad/two_snapshots.xml":          {ErrMalformed, "more than one"},
	"notification/bad/delta_twice.xml":            {ErrMalformed, "twice"},
	"notification/bad/delta_beyond.xml":           {ErrMalformed, "beyond"},
	"notification/bad/wrong_namespace.xml":        {ErrMalformed, "namespace"},
	"notification/bad/unknown_attribute.xml":      {ErrMalformed, "color"},
	"notification/bad/trailing_garbage.xml":       {ErrMalformed, "trailing"},
	"notification/bad/processing_instruction.xml": {ErrForbidden, "php"},
	"notification/bad/encoding_utf16.xml":         {ErrForbidden, "UTF-16"},
	"notification/bad/truncated.xml":              {ErrMalformed, "unexpected EOF"},
	"snapshot/bad/dotdot_uri.xml":                 {ErrMalformed, ".."},
	"snapshot/bad/http_uri.xml":                   {ErrMalformed, "rsync"},
	"snapshot/bad/bad_base64.xml":                 {ErrMalformed, "base64"},
	"snapshot/bad/empty_publish.xml":              {ErrMalformed, "no content"},
	"snapshot/bad/hash_in_snapshot.xml":           {ErrMalformed, "hash"},
	"snapshot/bad/withdraw_in_snapshot.xml":       {ErrMalformed, "withdraw"},
	"snapshot/bad/nested_element.xml":             {ErrMalformed, "child"},
	"delta/bad/withdraw_no_hash.xml":              {ErrMalformed, "hash"},
	"delta/bad/withdraw_content.xml":              {ErrMalformed, "empty"},
	"delta/bad/snapshot_root.xml":                 {ErrMalformed, "root element"},
}

// parseAny parses b as the kind named by the first path element.
func parseAny(kind string, b []byte) error {
	r := bytes.NewReader(b)
	switch kind {
	case "notification":
		_, err := ParseNotification(r)
		return err
	case "snapshot":
		return ParseSnapshot(r, Header{}, func(Publish) error { return nil })
	default:
		return ParseDelta(r, Header{}, func(Change) error { return nil })
	}
}

func TestBadFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/bad/*.xml")
	if len(files) != len(badCases) {
		t.Errorf("%d files in testdata/*/bad, %d cases in the table", len(files), len(badCases))
	}
	for name, want := range badCases {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			err = parseAny(strings.Split(name, "/")[0], b)
			if !errors.Is(err, want.class) || !strings.Contains(err.Error(), want.sub) {
				t.Fatalf("error %v, want class %v containing %q", err, want.class, want.sub)
			}
		})
	}
}

func TestGoodNotification(t *testing.T) {
	b, err := os.ReadFile("testdata/notification/good/basic.xml")
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNotification(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if n.Serial != 3 || len(n.Deltas) != 2 || n.Deltas[0].Serial != 2 || n.Deltas[1].Serial != 3 {
		t.Fatalf("parsed %+v", n)
	}
	if n.Snapshot.Hash != sha256.Sum256([]byte("x")) {
		t.Errorf("snapshot hash %x", n.Snapshot.Hash)
	}
	chain, err := n.DeltaChain(1)
	if err != nil || len(chain) != 2 {
		t.Fatalf("chain from 1: %v %v", chain, err)
	}
	if _, err := n.DeltaChain(0); !errors.Is(err, ErrSession) {
		t.Errorf("chain from 0 has a gap at 1, got %v", err)
	}
}

// testHeader is a fixed session for writer tests.
var testHeader = Header{SessionID: "9df4b597-af9e-4dca-bdda-719cce2c4e28", Serial: 7}

func TestWriterRoundTrip(t *testing.T) {
	objs := []Publish{
		{URI: "rsync://example.net/repo/ca/a.roa", Data: bytes.Repeat([]byte{0x30, 0x82, 0xff}, 1000)},
		{URI: "rsync://example.net/repo/ca/a.mft", Data: []byte{1}},
		{URI: "rsync://example.net/repo/ca/weird&name<>.cer", Data: []byte("<&>")},
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, testHeader, objs); err != nil {
		t.Fatal(err)
	}
	var got []Publish
	err := ParseSnapshot(&buf, testHeader, func(p Publish) error {
		got = append(got, Publish{p.URI, append([]byte(nil), p.Data...)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(objs) {
		t.Fatalf("got %d objects", len(got))
	}
	for i := range objs {
		if got[i].URI != objs[i].URI || !bytes.Equal(got[i].Data, objs[i].Data) {
			t.Errorf("object %d: got %q", i, got[i].URI)
		}
	}
}

func TestDeltaRoundTrip(t *testing.T) {
	h := sha256.Sum256([]byte("old"))
	changes := []Change{
		{URI: "rsync://example.net/repo/a.roa", Data: []byte("new")},
		{URI: "rsync://example.net/repo/b.roa", Data: []byte("newer"), Hash: &h},
		{URI: "rsync://example.net/repo/c.roa", Hash: &h, Withdraw: true},
	}
	var buf bytes.Buffer
	if err := WriteDelta(&buf, testHeader, changes); err != nil {
		t.Fatal(err)
	}
	i := 0
	err := ParseDelta(&buf, testHeader, func(c Change) error {
		w := changes[i]
		if c.URI != w.URI || c.Withdraw != w.Withdraw || !bytes.Equal(c.Data, w.Data) || (c.Hash == nil) != (w.Hash == nil) {
			t.Errorf("change %d: got %+v want %+v", i, c, w)
		}
		i++
		return nil
	})
	if err != nil || i != 3 {
		t.Fatalf("parsed %d changes, err %v", i, err)
	}
}

func TestSessionMismatch(t *testing.T) {
	var buf bytes.Buffer
	WriteSnapshot(&buf, testHeader, []Publish{{URI: "rsync://h/m/a.cer", Data: []byte{1}}})
	want := testHeader
	want.Serial++
	err := ParseSnapshot(bytes.NewReader(buf.Bytes()), want, func(Publish) error { return nil })
	if !errors.Is(err, ErrSession) {
		t.Fatalf("serial mismatch: got %v", err)
	}
	want = Header{SessionID: "1df4b597-af9e-4dca-bdda-719cce2c4e28", Serial: 7}
	err = ParseSnapshot(bytes.NewReader(buf.Bytes()), want, func(Publish) error { return nil })
	if !errors.Is(err, ErrSession) {
		t.Fatalf("session mismatch: got %v", err)
	}
}

func TestBase64Whitespace(t *testing.T) {
	doc := `<snapshot xmlns="` + Namespace + `" version="1" session_id="` + testHeader.SessionID + `" serial="7">
<publish uri="rsync://h/m/a.cer">
  aGVs
  bG8=
</publish></snapshot>`
	var got string
	err := ParseSnapshot(strings.NewReader(doc), testHeader, func(p Publish) error { got = string(p.Data); return nil })
	if err != nil || got != "hello" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestObjectLimit(t *testing.T) {
	var buf bytes.Buffer
	WriteSnapshot(&buf, testHeader, []Publish{{URI: "rsync://h/m/a.cer", Data: make([]byte, 5000)}})
	lim := DefaultLimits()
	lim.Object = 4096
	err := parseSnapshot(&buf, "s", testHeader, lim, nil, func(Publish) error { return nil })
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

func TestFileLimit(t *testing.T) {
	var buf bytes.Buffer
	objs := make([]Publish, 100)
	for i := range objs {
		objs[i] = Publish{URI: "rsync://h/m/a.cer", Data: make([]byte, 1000)}
	}
	WriteSnapshot(&buf, testHeader, objs)
	lim := DefaultLimits()
	lim.Snapshot = 50_000
	n := 0
	err := parseSnapshot(&buf, "s", testHeader, lim, nil, func(Publish) error { n++; return nil })
	if !errors.Is(err, ErrTooLarge) || n > 40 {
		t.Fatalf("got %v after %d objects, want ErrTooLarge before 40", err, n)
	}
}

// TestCheckObjectURI includes host dot segments, which the cache refused
// only later (issue "Hostile repositories", item 9).
func TestCheckObjectURI(t *testing.T) {
	good := []string{"rsync://h/m/a.roa", "rsync://rpki.example.net/repo/a/b/c.mft", "rsync://127.0.0.1:873/m/a.roa",
		"rsync://[::1]:873/m/a.roa", "rsync://h/m/.a.roa"}
	bad := []string{"rsync://h/a.roa", "rsync:///m/a.roa", "rsync://h/m/../a.roa", "rsync://h/m/./a.roa",
		"rsync://h/m//a.roa", "rsync://h/m/a b.roa", "rsync://h/m/a\\b.roa", "rsync://h/m/%2e%2e/a.roa",
		"https://h/m/a.roa", "rsync://h/m/", "rsync://h/m/a\x00.roa",
		// Dot segments and tricks in the host.
		"rsync://../m/a.roa", "rsync://./m/a.roa", "rsync://..:873/m/a.roa", "rsync://.h/m/a.roa",
		"rsync://h./m/a.roa", "rsync://a..b/m/a.roa", "rsync://.../m/a.roa"}
	for _, u := range good {
		if err := CheckObjectURI(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range bad {
		if err := CheckObjectURI(u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

// TestCheckHTTPSURIHost refuses notification, snapshot and delta URIs
// whose host is or hides a dot segment.
func TestCheckHTTPSURIHost(t *testing.T) {
	if _, err := CheckHTTPSURI("https://rrdp.example.net:8443/n.xml"); err != nil {
		t.Errorf("good URI: %v", err)
	}
	for _, u := range []string{"https://../n.xml", "https://..:443/n.xml", "https://a..b/n.xml", "https://.a/n.xml"} {
		if _, err := CheckHTTPSURI(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
}
