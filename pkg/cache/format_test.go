package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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

// oldPackName is the pack file name formats 1 and 2 gave a point.
func oldPackName(uri string) string {
	sum := sha256.Sum256([]byte(uri))
	return "1-" + hex.EncodeToString(sum[:16]) + ".pack"
}

// TestOldFormatRepositoryStartsEmpty opens repositories written by formats
// 1 (SHA-256 pack trailer) and 2 (a pack file per point): the index and
// packs are dropped, so the fetcher starts from a snapshot instead of
// applying deltas to points it could not read.
func TestOldFormatRepositoryStartsEmpty(t *testing.T) {
	for format, pack := range map[int][]byte{0: encodePackV1(v1Point), 2: encodePack(v1Point)} {
		dir := t.TempDir()
		s := openTest(t, dir)
		r, _ := s.Repo(testRepo)
		rdir := r.dir
		s.Close()
		name := oldPackName(v1Point.URI)
		os.WriteFile(filepath.Join(rdir, name), pack, 0o644)
		idx, _ := json.Marshal(map[string]any{"id": testRepo, "format": format, "gen": 1, "state": []byte("serial 7"),
			"points": map[string]any{v1Point.URI: map[string]any{"pack": name, "files": 1, "bytes": 10, "size": len(pack)}}})
		os.WriteFile(filepath.Join(rdir, indexName), idx, 0o644)

		s2 := openTest(t, dir)
		r2, err := s2.Repo(testRepo)
		if err != nil {
			t.Fatal(err)
		}
		if st, _ := r2.State(); r2.Generation() != 0 || len(st) != 0 || len(r2.PubPoints()) != 0 {
			t.Fatalf("format %d repository kept: generation %d, state %q, points %v", format, r2.Generation(), st, r2.PubPoints())
		}
		if _, err := os.Stat(filepath.Join(rdir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("format %d pack left on disk: %v", format, err)
		}
		fill(t, r2, 3, "new") // and it takes a snapshot as usual
		if b, err := r2.File(objURI(0)); string(b) != "new 0" {
			t.Errorf("format %d, after snapshot: %q %v", format, b, err)
		}
		s2.Close()
	}
}

// TestOldFormatValidStoreCleared opens a cache whose valid store holds a
// pack file per point (hard links, format 2) and a temp link: they are
// removed, the engine finds no validated copy, and promoting works.
func TestOldFormatValidStoreCleared(t *testing.T) {
	dir := t.TempDir()
	vdir := filepath.Join(dir, "valid")
	os.MkdirAll(vdir, 0o755)
	old := filepath.Join(vdir, strings.TrimPrefix(oldPackName(v1Point.URI), "1-"))
	os.WriteFile(old, encodePack(v1Point), 0o644)
	os.WriteFile(old+".tmp", []byte("junk"), 0o644)
	s := openTest(t, dir)
	if ents, _ := os.ReadDir(vdir); len(ents) != 0 {
		t.Fatalf("%d files of the old valid store left", len(ents))
	}
	if _, err := s.Valid(nil, v1Point.URI); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old format valid copy: %v, want ErrNotFound", err)
	}
	r, _ := s.Repo(testRepo)
	fill(t, r, 3, "new")
	if err := s.Promote(r, nil, v1Point.URI); err != nil {
		t.Fatal(err)
	}
	v, err := s.Valid(nil, v1Point.URI)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := v.Get("o0.roa"); string(b) != "new 0" || !s.IsValid(r, nil, v1Point.URI) {
		t.Errorf("after promote: %q, IsValid %v", b, s.IsValid(r, nil, v1Point.URI))
	}
}

// TestPackLengthChecked changes a pack's extent behind the index's back:
// an entry one byte off either way fails the pack's checksum, and a
// segment cut short fails the read.
func TestPackLengthChecked(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	pp := "rsync://example.net/repo/ca1/"
	good := r.idx.Points[pp]
	for _, d := range [][2]int64{{0, 1}, {0, -1}, {1, -1}, {-1, 1}} {
		p := good
		p.Off, p.Size = p.Off+d[0], p.Size+d[1]
		r.idx.Points[pp] = p
		if _, err := r.PubPoint(pp); !errors.Is(err, ErrCorrupt) {
			t.Errorf("entry off by %v: %v, want ErrCorrupt", d, err)
		}
	}
	r.idx.Points[pp] = good
	if _, err := r.PubPoint(pp); err != nil {
		t.Fatal(err)
	}
	os.Truncate(r.segPath(good.Seg), good.Off+good.Size-1)
	if _, err := r.PubPoint(pp); !errors.Is(err, ErrCorrupt) {
		t.Errorf("segment cut short: %v, want ErrCorrupt", err)
	}
}

// TestIndexEntryOutsideSegment opens an index whose entry reaches past its
// segment's recorded size: the index is not used.
func TestIndexEntryOutsideSegment(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	r.idx.Segs[r.idx.Seg]--
	b, _ := json.Marshal(&r.idx)
	os.WriteFile(filepath.Join(r.dir, indexName), b, 0o644)
	s.Close()
	r2, _ := openTest(t, dir).Repo(testRepo)
	if r2.Generation() != 0 || len(r2.PubPoints()) != 0 {
		t.Fatalf("inconsistent index used: generation %d", r2.Generation())
	}
}

// TestManyPointsCommit commits many points into one segment and reads them
// back after a reopen.
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
	if ents, _ := os.ReadDir(r.dir); len(ents) != 2 {
		t.Fatalf("%d files for %d points, want index + 1 segment", len(ents), n)
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
