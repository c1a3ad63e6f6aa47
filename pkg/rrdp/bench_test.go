package rrdp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchObjects is the number of objects of the benchmark snapshots.
const benchObjects = 5_000

// benchSnapshot writes a snapshot of n objects of 2 to 10 KB of random
// bytes, as a real repository's certificates, manifests, CRLs and ROAs are.
func benchSnapshot(b *testing.B, n int) []byte {
	var buf bytes.Buffer
	sw, err := NewSnapshotWriter(&buf, testHeader)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 10<<10)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for i := range n {
		size := 2<<10 + rng.IntN(8<<10)
		sw.Publish(fmt.Sprintf("rsync://rpki.example.net/repo/ca%d/obj%d.roa", i%100, i), data[:size])
	}
	if err := sw.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// wrapBase64 breaks the content of every publish element into lines of 64
// characters with CRLF ends, as some publishers write it.
func wrapBase64(doc []byte) []byte {
	var out bytes.Buffer
	for {
		i := bytes.Index(doc, []byte("<publish "))
		if i < 0 {
			out.Write(doc)
			return out.Bytes()
		}
		j := i + bytes.IndexByte(doc[i:], '>') + 1
		k := j + bytes.IndexByte(doc[j:], '<')
		out.Write(doc[:j])
		for text := doc[j:k]; len(text) > 0; {
			n := min(64, len(text))
			out.WriteString("\r\n")
			out.Write(text[:n])
			text = text[n:]
		}
		out.WriteString("\r\n  ")
		doc = doc[k:]
	}
}

// BenchmarkParseSnapshot measures the streaming parse throughput of a
// snapshot of 5,000 objects (about 40 MB of XML), with the base64 content
// on one line and wrapped.
func BenchmarkParseSnapshot(b *testing.B) {
	flat := benchSnapshot(b, benchObjects)
	for _, bc := range []struct {
		name string
		doc  []byte
	}{{"flat", flat}, {"wrapped", wrapBase64(flat)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.doc)))
			b.ReportAllocs()
			for range b.N {
				n := 0
				err := ParseSnapshot(bytes.NewReader(bc.doc), testHeader, func(Publish) error { n++; return nil })
				if err != nil || n != benchObjects {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// BenchmarkWriteSnapshot measures the writer the lab uses.
func BenchmarkWriteSnapshot(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		benchSnapshot(b, benchObjects)
	}
}
