package rrdp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/cache"
)

// maxFuzzInput keeps fuzz inputs small enough to run fast.
const maxFuzzInput = 1 << 16

// addSeeds adds every testdata file and writer output as seeds.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*/*.xml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var buf bytes.Buffer
	WriteSnapshot(&buf, testHeader, []Publish{{URI: "rsync://h/m/a.cer", Data: []byte("abc")}})
	f.Add(buf.Bytes())
	buf.Reset()
	h := [32]byte{1}
	WriteDelta(&buf, testHeader, []Change{{URI: "rsync://h/m/a.cer", Data: []byte("abc"), Hash: &h}, {URI: "rsync://h/m/b.cer", Hash: &h, Withdraw: true}})
	f.Add(buf.Bytes())
}

// FuzzParseNotification checks that no input panics and that an accepted
// notification survives a write and re-parse unchanged.
func FuzzParseNotification(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		n, err := ParseNotification(bytes.NewReader(b))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteNotification(&buf, n); err != nil {
			t.Fatalf("accepted notification does not write: %v", err)
		}
		n2, err := ParseNotification(&buf)
		if err != nil || n2.Serial != n.Serial || n2.SessionID != n.SessionID || len(n2.Deltas) != len(n.Deltas) || n2.Snapshot != n.Snapshot {
			t.Fatalf("round trip changed the notification: %v", err)
		}
	})
}

// FuzzParseSnapshot checks that no input panics and that accepted objects
// respect the URI rule.
func FuzzParseSnapshot(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		ParseSnapshot(bytes.NewReader(b), Header{}, func(p Publish) error {
			if CheckObjectURI(p.URI) != nil || len(p.Data) == 0 {
				t.Fatalf("accepted bad object %q", p.URI)
			}
			return nil
		})
	})
}

// FuzzParseDelta checks that no input panics and that every accepted
// withdraw carries a hash.
func FuzzParseDelta(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		ParseDelta(bytes.NewReader(b), Header{}, func(c Change) error {
			if CheckObjectURI(c.URI) != nil || (c.Withdraw && c.Hash == nil) {
				t.Fatalf("accepted bad change %+v", c)
			}
			return nil
		})
	})
}

// deliberate reports whether err is a refusal of input encoding/xml reads,
// made on purpose: a misplaced or unusual XML declaration (XML 1.0 §2.8),
// attributes not separated by white space (XML 1.0 §3.1), and non-ASCII
// white space between elements, which XML does not count as white space.
func deliberate(err error, input []byte) bool {
	msg := err.Error()
	return strings.Contains(msg, "XML declaration") || strings.Contains(msg, "<?xml?>") ||
		strings.Contains(msg, "invalid character") ||
		strings.Contains(msg, "unexpected text") && bytes.ContainsFunc(input, func(r rune) bool { return r >= 0x80 })
}

// FuzzParseSnapshotDiff checks the scanner against encoding/xml: a
// snapshot either both parsers accept, with the same objects, or both
// refuse, but for the deliberate differences.
func FuzzParseSnapshotDiff(f *testing.F) {
	addSeeds(f)
	for _, tc := range scanGood {
		f.Add([]byte(tc.doc))
	}
	for _, tc := range scanBad {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		want, refErr := refSnapshot(b)
		var got []Publish
		err := ParseSnapshot(bytes.NewReader(b), Header{}, func(p Publish) error {
			got = append(got, Publish{p.URI, bytes.Clone(p.Data)})
			return nil
		})
		switch {
		case refErr != nil && err != nil:
		case refErr != nil:
			t.Fatalf("accepted what encoding/xml refuses (%v)", refErr)
		case err != nil:
			if !deliberate(err, b) {
				t.Fatalf("refused what encoding/xml accepts: %v", err)
			}
		case len(got) != len(want):
			t.Fatalf("%d objects, encoding/xml %d", len(got), len(want))
		default:
			for i := range got {
				if got[i].URI != want[i].URI || !bytes.Equal(got[i].Data, want[i].Data) {
					t.Fatalf("object %d: %q, encoding/xml %q", i, got[i].URI, want[i].URI)
				}
			}
		}
	})
}

// FuzzCheckObjectURI checks that every URI the parser accepts is one the
// cache accepts too (the parser is the stricter: a hostile name must stop
// where it enters) and that no accepted URI has a dot segment anywhere,
// host included.
func FuzzCheckObjectURI(f *testing.F) {
	for _, u := range []string{"rsync://h/m/a.roa", "rsync://../m/a.roa", "rsync://h./m/a", "rsync://[::1]:873/m/a",
		"rsync://a..b/m/x", "rsync://h/m/./a", "rsync://h:87/m/.a"} {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		if CheckObjectURI(uri) != nil {
			return
		}
		if _, _, err := cache.SplitURI(uri); err != nil {
			t.Fatalf("%q: parser accepts, cache refuses: %v", uri, err)
		}
		for i, seg := range strings.Split(strings.TrimPrefix(uri, "rsync://"), "/") {
			if seg == "." || seg == ".." || (i == 0 && (strings.HasPrefix(seg, ".") || strings.Contains(seg, ".."))) {
				t.Fatalf("%q accepted with segment %q", uri, seg)
			}
		}
	})
}
