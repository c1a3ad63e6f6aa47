package rrdp

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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
