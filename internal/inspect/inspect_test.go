package inspect

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectUnknownType(t *testing.T) {
	r := Inspect("x.xml", []byte("<xml/>"), Options{})
	if r.Status != StatusRejected || r.ErrorClass != "unsupported" || !strings.Contains(r.Error, `"xml"`) {
		t.Errorf("got %+v", r)
	}
	if r.HashID != "brgg4Pl2LGEcKncYn2hq/spk37IS4CMBfgNG56uCbDk=" {
		t.Errorf("hash_id %q is not the base64 SHA-256 of the file (value from openssl dgst -sha256)", r.HashID)
	}
}

// Garbage of every known type is rejected with a class, never a panic, and
// the report marshals.
func TestInspectGarbage(t *testing.T) {
	for _, typ := range KnownTypes() {
		for _, data := range [][]byte{nil, {0x30}, {0x30, 0x80, 0x00, 0x00}, []byte("not DER at all")} {
			r := Inspect("x."+typ, data, Options{})
			if r.Status != StatusRejected || r.Error == "" || r.ErrorClass == "" {
				t.Errorf("%s %x: %+v", typ, data, r)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("%s: %v", typ, err)
			}
		}
	}
}

func TestTypeOverride(t *testing.T) {
	r := Inspect("checklist.sig.1", []byte{0x30, 0x00}, Options{Type: "mft"})
	if r.Type != "manifest" {
		t.Errorf("type %q, want manifest (from Options.Type)", r.Type)
	}
}

// A missing file or a folder is an "io" rejection with the OS error, even
// when its name has no known extension (it used to be "unknown file type").
func TestInspectFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, want string }{
		{filepath.Join(dir, "missing"), "no such file or directory"},
		{filepath.Join(dir, "missing.roa"), "no such file or directory"},
		{dir, "is a directory"},
	} {
		r := InspectFile(tc.name, Options{})
		if r.Status != StatusRejected || r.ErrorClass != "io" || !strings.Contains(r.Error, tc.want) {
			t.Errorf("%s: %+v, want io and %q", tc.name, r, tc.want)
		}
	}
}
