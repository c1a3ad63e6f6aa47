package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// encodePackV1 writes a pack in format 1, whose trailer was a SHA-256.
func encodePackV1(p *PubPoint) []byte {
	b := []byte("RPKIPACK1\n")
	b = binary.AppendUvarint(b, uint64(len(p.URI)))
	b = append(b, p.URI...)
	b = binary.AppendUvarint(b, uint64(len(p.Files)))
	for _, f := range p.Files {
		b = binary.AppendUvarint(b, uint64(len(f.Name)))
		b = append(b, f.Name...)
		b = binary.AppendUvarint(b, uint64(len(f.Data)))
		b = append(b, f.Data...)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

var v1Point = &PubPoint{URI: "rsync://example.net/repo/ca0/", Files: []File{{"a.roa", []byte("old format")}}}

func TestOldFormatPackIsCorrupt(t *testing.T) {
	_, err := decodePack(encodePackV1(v1Point))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "format") {
		t.Fatalf("format 1 pack: %v, want ErrCorrupt naming the format", err)
	}
}

// TestOldFormatRepositoryStartsEmpty opens a repository written by format
// 1: its index and packs are dropped, so the fetcher starts from a snapshot
// instead of applying deltas to points it could not read.
func TestOldFormatRepositoryStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	rdir := r.dir
	s.Close()
	pack := "1-" + pointKey(v1Point.URI) + ".pack"
	os.WriteFile(filepath.Join(rdir, pack), encodePackV1(v1Point), 0o644)
	idx, _ := json.Marshal(map[string]any{"id": testRepo, "gen": 1, "state": []byte("serial 7"),
		"points": map[string]any{v1Point.URI: map[string]any{"pack": pack, "files": 1, "bytes": 10}}})
	os.WriteFile(filepath.Join(rdir, indexName), idx, 0o644)

	s2 := openTest(t, dir)
	r2, err := s2.Repo(testRepo)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := r2.State(); r2.Generation() != 0 || len(st) != 0 || len(r2.PubPoints()) != 0 {
		t.Fatalf("format 1 repository kept: generation %d, state %q, points %v", r2.Generation(), st, r2.PubPoints())
	}
	if _, err := os.Stat(filepath.Join(rdir, pack)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("format 1 pack left on disk: %v", err)
	}
	fill(t, r2, 3, "new") // and it takes a snapshot as usual
	if b, err := r2.File(objURI(0)); string(b) != "new 0" {
		t.Errorf("after snapshot: %q %v", b, err)
	}
}

// TestOldFormatValidCopy checks that a format 1 valid copy reads as
// corrupt (the engine then treats it as absent) and that promoting the
// point replaces it.
func TestOldFormatValidCopy(t *testing.T) {
	s := openTest(t, t.TempDir())
	os.WriteFile(s.validPath(v1Point.URI), encodePackV1(v1Point), 0o644)
	if _, err := s.Valid(v1Point.URI); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("format 1 valid copy: %v, want ErrCorrupt", err)
	}
	r, _ := s.Repo(testRepo)
	fill(t, r, 3, "new")
	if s.IsValid(r, v1Point.URI) {
		t.Fatal("format 1 valid copy taken for the raw one")
	}
	if err := s.Promote(r, v1Point.URI); err != nil {
		t.Fatal(err)
	}
	v, err := s.Valid(v1Point.URI)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := v.Get("o0.roa"); string(b) != "new 0" || !s.IsValid(r, v1Point.URI) {
		t.Errorf("after promote: %q, IsValid %v", b, s.IsValid(r, v1Point.URI))
	}
}

// TestPackLengthChecked changes a raw pack's length behind the index's
// back: the read stops on the size the index recorded.
func TestPackLengthChecked(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	pp := "rsync://example.net/repo/ca0/"
	path := filepath.Join(r.dir, r.idx.Points[pp].Pack)
	good, _ := os.ReadFile(path)
	if int64(len(good)) != r.idx.Points[pp].Size {
		t.Fatalf("index records %d bytes for a %d byte pack", r.idx.Points[pp].Size, len(good))
	}
	for name, b := range map[string][]byte{"longer": append(append([]byte(nil), good...), 0), "shorter": good[:len(good)-1]} {
		os.WriteFile(path, b, 0o644)
		if _, err := r.PubPoint(pp); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s pack: %v, want ErrCorrupt", name, err)
		}
	}
}

// TestManyPointsCommit commits enough points for one syncfs instead of an
// fsync each on Linux (syncfsMinPacks), and reads them back after a reopen.
func TestManyPointsCommit(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	n := 50
	r.Begin(true)
	for i := range n {
		r.Publish(fmt.Sprintf("rsync://example.net/repo/p%d/o.roa", i), []byte(fmt.Sprint(i)), nil)
	}
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	r2, _ := openTest(t, dir).Repo(testRepo)
	for i := range n {
		if b, err := r2.File(fmt.Sprintf("rsync://example.net/repo/p%d/o.roa", i)); string(b) != fmt.Sprint(i) {
			t.Fatalf("point %d: %q %v", i, b, err)
		}
	}
}

func TestSplitURI(t *testing.T) {
	for uri, want := range map[string]string{
		"rsync://h/m/x.cer":        "rsync://h/m/ x.cer",
		"rsync://h/m/a/b/c.roa":    "rsync://h/m/a/b/ c.roa",
		"rsync://h/m/":             "error",
		"rsync://h/x.cer":          "error",
		"rsync://h/m/../x.cer":     "error",
		"rsync://h/m/./x.cer":      "error",
		"rsync://h//m/x.cer":       "error",
		"rsync://h/m/x y.cer":      "error",
		"https://h/m/x.cer":        "error",
		"rsync://h/m/" + "x\x7f.a": "error",
	} {
		pp, name, err := SplitURI(uri)
		got := pp + " " + name
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("SplitURI(%q) = %q, want %q", uri, got, want)
		}
	}
}
