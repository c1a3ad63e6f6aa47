package cache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// encodePack serialises a publication point as the format of pack.go
// says, independently of the streaming writer that Commit uses (see
// TestPackWriterMatchesEncoding); files must be sorted by name.
func encodePack(p *PubPoint) []byte {
	b := append([]byte(nil), packMagic...)
	b = binary.AppendUvarint(b, uint64(len(p.URI)))
	b = append(b, p.URI...)
	b = binary.AppendUvarint(b, uint64(len(p.Files)))
	for _, f := range p.Files {
		b = binary.AppendUvarint(b, uint64(len(f.Name)))
		b = append(b, f.Name...)
		b = binary.AppendUvarint(b, uint64(len(f.Data)))
		b = append(b, f.Data...)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// TestPackWriterMatchesEncoding writes a pack with the streaming writer,
// content in pieces, after another pack in the same segment, and compares
// it with the reference encoding.
func TestPackWriterMatchesEncoding(t *testing.T) {
	p := &PubPoint{URI: "rsync://h/m/p/", Files: []File{{"a.cer", []byte{1, 2}},
		{"b.roa", bytes.Repeat([]byte{7}, 3<<20)}, {"c.crl", []byte("crl")}}}
	path := filepath.Join(t.TempDir(), segName(1))
	w := newSegWriter(path)
	defer w.abort()
	w.append([]byte("an earlier pack"))
	pk, err := startPack(w, DefaultLimits(), p.URI, len(p.Files))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Files {
		if err := pk.file(p.URI, f.Name, int64(len(f.Data))); err != nil {
			t.Fatal(err)
		}
		for rest := f.Data; len(rest) > 0; rest = rest[min(len(rest), 1000):] {
			pk.Write(rest[:min(len(rest), 1000)])
		}
	}
	pt, err := pk.finish(p.URI, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.finish(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	seg, _ := os.ReadFile(path)
	want := encodePack(p)
	if pt.Off != 15 || pt.Size != int64(len(want)) || pt.Files != 3 || pt.Bytes != 3<<20+5 {
		t.Fatalf("index entry %+v, want offset 15, size %d, 3 files", pt, len(want))
	}
	if !bytes.Equal(seg[pt.Off:], want) {
		t.Fatal("streamed pack differs from the reference encoding")
	}
}

// TestPackWriterLimits checks the per-point limits as a pack is written.
func TestPackWriterLimits(t *testing.T) {
	w := newSegWriter(filepath.Join(t.TempDir(), segName(1)))
	defer w.abort()
	lim := Limits{PointBytes: 100}.withDefaults()
	pk, _ := startPack(w, lim, "rsync://h/m/p/", 2)
	if err := pk.file("rsync://h/m/p/", "a", 60); err != nil {
		t.Fatal(err)
	}
	if err := pk.file("rsync://h/m/p/", "b", 41); !errors.Is(err, ErrLimit) {
		t.Fatalf("101 bytes in a point of at most 100: %v", err)
	}
}
