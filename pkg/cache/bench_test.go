package cache

import (
	"fmt"
	"testing"
)

// BenchmarkCommitSnapshot commits a 25,000 object, 2,000 point snapshot
// (about 50 MB) into a fresh repository: spool, packs, fsyncs, index.
func BenchmarkCommitSnapshot(b *testing.B) {
	data := make([]byte, 2000)
	b.SetBytes(25_000 * 2000)
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		s, err := Open(b.TempDir(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		r, _ := s.Repo(testRepo)
		b.StartTimer()
		r.Begin(true)
		for i := range 25_000 {
			if err := r.Publish(fmt.Sprintf("rsync://h/m/ca%d/o%d.roa", i%2000, i), data, nil); err != nil {
				b.Fatal(err)
			}
		}
		if err := r.Commit(nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkReadPubPoint reads one publication point of 12 objects.
func BenchmarkReadPubPoint(b *testing.B) {
	s, _ := Open(b.TempDir(), Options{})
	defer s.Close()
	r, _ := s.Repo(testRepo)
	r.Begin(true)
	for i := range 12 {
		r.Publish(fmt.Sprintf("rsync://h/m/ca/o%d.roa", i), make([]byte, 2000), nil)
	}
	r.Commit(nil)
	b.ReportAllocs()
	for range b.N {
		if _, err := r.PubPoint("rsync://h/m/ca/"); err != nil {
			b.Fatal(err)
		}
	}
}
