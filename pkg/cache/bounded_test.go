package cache

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// allocDuring returns the bytes allocated while f runs.
func allocDuring(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestSnapshotMemoryBounded publishes 150,000 small objects in one update:
// what the update holds in memory must not grow with the object count
// (an index of every URI held about 200 bytes an object: 30 MB here).
func TestSnapshotMemoryBounded(t *testing.T) {
	const objects = 150_000
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	before := liveHeap()
	if err := r.Begin(true); err != nil {
		t.Fatal(err)
	}
	data := []byte("sixteen bytes...")
	for i := range objects {
		uri := fmt.Sprintf("rsync://example.net/repo/ca%d/object-%08d.roa", (i*7919)%1000, i)
		if err := r.Publish(uri, data, nil); err != nil {
			t.Fatal(err)
		}
	}
	held := int64(liveHeap()) - int64(before)
	if held > 3*opRunBudget {
		t.Errorf("an open update of %d objects holds %d MB of heap, want at most %d MB", objects, held>>20, 3*opRunBudget>>20)
	}
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	if _, files, _ := r.Stats(); files != objects {
		t.Fatalf("%d files committed, want %d", files, objects)
	}
	if b, err := r.File("rsync://example.net/repo/ca0/object-00000000.roa"); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("object 0: %q %v", b, err)
	}
	t.Logf("open update of %d objects: %d KB of live heap", objects, held>>10)
}

// TestLargePointCommitBounded commits a publication point of 24 MB, then
// a delta that leaves its pack in a segment more dead than live, so that
// the commit compacts (copies the pack), then a delta replacing one of
// its objects: none may allocate in proportion to the point (the pack was
// built whole in memory, the old one read whole for a delta, and
// compaction read a large pack whole).
func TestLargePointCommitBounded(t *testing.T) {
	const objects, size, bound = 384, 64 << 10, 8 << 20
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	point := "rsync://example.net/repo/big/"
	obj := func(i int, tag string) []byte { return bytes.Repeat([]byte(fmt.Sprintf("%s%07d", tag, i)), size/8) }
	small := func(i int) string { return fmt.Sprintf("rsync://example.net/repo/small%d/s.roa", i) }
	r.Begin(true)
	for i := range objects {
		r.Publish(fmt.Sprintf("%so%04d.roa", point, i), obj(i, "a"), nil)
	}
	for i := range 26 {
		r.Publish(small(i), make([]byte, 1<<20), nil)
	}
	if a := allocDuring(func() { mustCommit(t, r) }); a > bound {
		t.Errorf("commit of a %d MB point allocated %d MB", objects*size>>20, a>>20)
	}
	r.Begin(false)
	for i := range 26 {
		r.Withdraw(small(i), sha256.Sum256(make([]byte, 1<<20)))
	}
	first := r.idx.Points[point].Seg
	if a := allocDuring(func() { mustCommit(t, r) }); a > bound {
		t.Errorf("compaction of a %d MB point allocated %d MB", objects*size>>20, a>>20)
	}
	if r.idx.Points[point].Seg == first {
		t.Fatal("the commit did not compact the repository")
	}
	old := sha256.Sum256(obj(7, "a"))
	r.Begin(false)
	r.Publish(point+"o0007.roa", obj(7, "b"), &old)
	if a := allocDuring(func() { mustCommit(t, r) }); a > bound {
		t.Errorf("delta to a %d MB point allocated %d MB", objects*size>>20, a>>20)
	}
	p, err := r.PubPoint(point)
	if err != nil || len(p.Files) != objects || !bytes.Equal(p.Files[7].Data, obj(7, "b")) || !bytes.Equal(p.Files[8].Data, obj(8, "a")) {
		t.Fatalf("large point: %v", err)
	}
}

func mustCommit(t *testing.T, r *Repo) {
	t.Helper()
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
}

// TestLimitsRefuseUpdate breaks each limit in turn: the update fails with
// ErrLimit naming the limit, and the repository keeps its last state.
func TestLimitsRefuseUpdate(t *testing.T) {
	lim := Limits{Object: 100, PointBytes: 1000, PointFiles: 20, RepoObjects: 50, RepoPoints: 5}
	cases := []struct {
		name, want string
		objects    func(i int) (string, int)
		n          int
	}{
		{"object", "per-object limit", func(i int) (string, int) { return "rsync://h/m/p/big.roa", 101 }, 1},
		{"point bytes", "per-point limit", func(i int) (string, int) { return fmt.Sprintf("rsync://h/m/p/o%d", i), 100 }, 11},
		{"point files", "per-point limit", func(i int) (string, int) { return fmt.Sprintf("rsync://h/m/p/o%d", i), 1 }, 21},
		{"repository objects", "objects-per-repository limit", func(i int) (string, int) {
			return fmt.Sprintf("rsync://h/m/p%d/o%d", i%5, i), 1
		}, 51},
		{"repository points", "points-per-repository limit", func(i int) (string, int) { return fmt.Sprintf("rsync://h/m/p%d/o", i), 1 }, 6},
	}
	for _, c := range cases {
		s, err := Open(t.TempDir(), Options{Limits: lim})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := s.Repo(testRepo)
		r.Begin(true)
		r.Publish("rsync://h/m/keep/k.roa", []byte("kept"), nil)
		mustCommit(t, r)
		r.Begin(true)
		err = nil
		for i := 0; i < c.n && err == nil; i++ {
			uri, size := c.objects(i)
			err = r.Publish(uri, make([]byte, size), nil)
		}
		if err == nil {
			err = r.Commit(nil)
		}
		r.Abort()
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrLimit (%s)", c.name, err, c.want)
		}
		if b, err := r.File("rsync://h/m/keep/k.roa"); string(b) != "kept" || r.Generation() != 1 {
			t.Errorf("%s: previous state lost: %q %v", c.name, b, err)
		}
		s.Close()
	}
}

// TestOpLogSortsAcrossRuns feeds an op log with a tiny budget, so that
// ops spill to many runs and the runs are merged in cascades, and checks
// that it yields every op sorted by point and name, in arrival order for
// one name, twice over.
func TestOpLogSortsAcrossRuns(t *testing.T) {
	l := opLog{dir: t.TempDir(), budget: 2 << 10, fanIn: 3}
	defer l.close()
	rng := rand.New(rand.NewPCG(5, 6))
	var want []op
	for i := range 5000 {
		o := op{point: fmt.Sprintf("rsync://h/m/p%d/", rng.IntN(7)), name: fmt.Sprintf("n%d", rng.IntN(300)),
			kind: opKind(1 + i%3), off: int64(i), n: i % 17}
		if o.kind != opAdd {
			o.sum[0], o.sum[31] = byte(i), byte(i>>8)
		}
		if o.kind == opWithdraw {
			o.off, o.n = 0, 0
		}
		want = append(want, o)
		if err := l.add(o); err != nil {
			t.Fatal(err)
		}
	}
	if len(l.runs) == 0 || len(l.runs) > 3 {
		t.Fatalf("%d runs, want spills merged down to at most 3", len(l.runs))
	}
	slices.SortStableFunc(want, func(a, b op) int { return cmpOps(&a, &b) })
	l.seal()
	for pass := range 2 {
		it := l.sorted()
		for i := 0; ; i++ {
			o, ok, err := it.next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				if i != len(want) {
					t.Fatalf("pass %d: %d ops, want %d", pass, i, len(want))
				}
				break
			}
			if o != want[i] {
				t.Fatalf("pass %d: op %d is %+v, want %+v", pass, i, o, want[i])
			}
		}
		it.close()
	}
}

// TestDeltaAcrossRuns replaces every object of a repository three times
// in one update large enough to spill its ops to run files: each replace
// must be checked against the one before it, in order.
func TestDeltaAcrossRuns(t *testing.T) {
	const objects = 25_000
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	content := func(round, i int) []byte { return []byte(fmt.Sprintf("round %d object %d", round, i)) }
	uri := func(i int) string {
		return fmt.Sprintf("rsync://example.net/repo/ca%d/an-object-name-%06d.roa", i%50, i)
	}
	r.Begin(true)
	for i := range objects {
		r.Publish(uri(i), content(0, i), nil)
	}
	mustCommit(t, r)
	r.Begin(false)
	for round := 1; round <= 3; round++ {
		for i := range objects {
			sum := sha256.Sum256(content(round-1, i))
			if err := r.Publish(uri(i), content(round, i), &sum); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(r.tx.ops.runs) < 2 {
		t.Fatalf("%d run files: the update did not spill", len(r.tx.ops.runs))
	}
	mustCommit(t, r)
	for _, i := range []int{0, 1, objects / 2, objects - 1} {
		if b, err := r.File(uri(i)); err != nil || !bytes.Equal(b, content(3, i)) {
			t.Fatalf("%s: %q %v", uri(i), b, err)
		}
	}
}
