package cache

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// Cold snapshot of the benchmarks: 1,000 points of 10 objects of 2-4 KB,
// published point by point as RRDP servers list them (about 30 MB).
const (
	benchPoints    = 1000
	benchPerPoint  = 10
	benchMinObject = 2048
)

// benchObjects returns the URIs and contents of the benchmark snapshot.
func benchObjects(interleaved bool) ([]string, [][]byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := make([]byte, 1<<20)
	for i := range pool {
		pool[i] = byte(rng.Uint32())
	}
	n := benchPoints * benchPerPoint
	uris, data := make([]string, n), make([][]byte, n)
	for i := range n {
		pt, obj := i/benchPerPoint, i%benchPerPoint
		if interleaved {
			pt, obj = i%benchPoints, i/benchPoints
		}
		uris[i] = fmt.Sprintf("rsync://rpki.example.net/repo/ca%d/o%d.roa", pt, obj)
		size := benchMinObject + rng.IntN(benchMinObject)
		start := rng.IntN(len(pool) - size)
		data[i] = pool[start : start+size]
	}
	return uris, data
}

// BenchmarkCommitSnapshot is a cold run over one repository: a reset
// update with the whole snapshot, then what the engine does per point
// (read it, ask whether it is already valid, promote it) and one SyncValid.
func BenchmarkCommitSnapshot(b *testing.B) { benchColdRun(b, false) }

// BenchmarkCommitSnapshotInterleaved is the same with the objects of all
// points interleaved in the snapshot, the worst order for spool reads.
func BenchmarkCommitSnapshotInterleaved(b *testing.B) { benchColdRun(b, true) }

func benchColdRun(b *testing.B, interleaved bool) {
	uris, data := benchObjects(interleaved)
	var total int64
	for _, d := range data {
		total += int64(len(d))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	// Each run gets a fresh directory, removed only at the end: deleting
	// files between runs makes the next runs' file creations slower on
	// ext4 without a journal (its inode allocator skips recently deleted
	// inodes one inode-table lookup at a time).
	var cpu time.Duration
	for range b.N {
		b.StopTimer()
		s, err := Open(b.TempDir(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		r, _ := s.Repo(testRepo)
		b.StartTimer()
		start := cpuTime()
		coldRun(b, s, r, uris, data)
		cpu += cpuTime() - start
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*len(uris)), "cpu-ns/object")
}

// cpuTime is the process's user plus system CPU time so far: the figure the
// benchmark is about, as the cache spends most of it in the kernel.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// coldRun commits the snapshot, then reads, checks and promotes every point.
func coldRun(b *testing.B, s *Store, r *Repo, uris []string, data [][]byte) {
	if err := r.Begin(true); err != nil {
		b.Fatal(err)
	}
	for i, u := range uris {
		if err := r.Publish(u, data[i], nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := r.Commit(nil); err != nil {
		b.Fatal(err)
	}
	for _, pp := range r.PubPoints() {
		p, err := r.PubPoint(pp)
		if err != nil || len(p.Files) != benchPerPoint {
			b.Fatalf("%s: %v", pp, err)
		}
		if s.IsValid(r, nil, pp) {
			b.Fatalf("%s valid before promote", pp)
		}
		if err := s.Promote(r, nil, pp); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.SyncValid(); err != nil {
		b.Fatal(err)
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
