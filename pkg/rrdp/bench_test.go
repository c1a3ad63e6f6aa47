package rrdp

import (
	"bytes"
	"fmt"
	"testing"
)

// benchSnapshot writes a snapshot of n objects of about 2 KB.
func benchSnapshot(b *testing.B, n int) []byte {
	var buf bytes.Buffer
	sw, err := NewSnapshotWriter(&buf, testHeader)
	if err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte{0x30, 0x82, 0x07, 0xd0}, 500)
	for i := range n {
		sw.Publish(fmt.Sprintf("rsync://rpki.example.net/repo/ca%d/obj%d.roa", i%100, i), data)
	}
	if err := sw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkParseSnapshot measures streaming parse throughput of a 10,000
// object snapshot (about 27 MB of XML).
func BenchmarkParseSnapshot(b *testing.B) {
	doc := benchSnapshot(b, 10_000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for range b.N {
		n := 0
		if err := ParseSnapshot(bytes.NewReader(doc), testHeader, func(Publish) error { n++; return nil }); err != nil || n != 10_000 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkWriteSnapshot measures the writer the lab uses.
func BenchmarkWriteSnapshot(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		benchSnapshot(b, 10_000)
	}
}
