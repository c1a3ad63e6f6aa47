package cache

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestCommitWritesOneSegment checks the file a commit creates: one segment
// for a snapshot of many points and for a delta, whose packs lie back to
// back; none for a commit that writes no pack.
func TestCommitWritesOneSegment(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 300, "a") // 3 points
	seg := r.idx.Seg
	var total int64
	for _, p := range r.idx.Points {
		if p.Seg != seg {
			t.Fatalf("point in segment %d, want %d", p.Seg, seg)
		}
		total += p.Size
	}
	if r.idx.Segs[seg] != total || len(r.idx.Segs) != 1 {
		t.Fatalf("segments %v, want one of %d bytes", r.idx.Segs, total)
	}
	if st, _ := os.Stat(r.segPath(seg)); st.Size() != total {
		t.Fatalf("segment file of %d bytes, want %d", st.Size(), total)
	}
	old := sha256.Sum256([]byte("a 0"))
	r.Begin(false)
	r.Publish(objURI(0), []byte("b 0"), &old)
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, r); len(got) != 2 || !got[seg+1] {
		t.Fatalf("segments after a delta: %v", got)
	}
	r.Begin(false) // nothing changed
	if err := r.Commit([]byte("same")); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, r); len(got) != 2 || r.idx.Seg != seg+1 || r.Generation() != 3 {
		t.Fatalf("empty commit: segments %v, last %d, generation %d", got, r.idx.Seg, r.Generation())
	}
	r.Begin(false) // a withdrawal that empties the changed point
	r.Withdraw(objURI(0), sha256.Sum256([]byte("b 0")))
	for i := 3; i < 300; i += 3 {
		r.Withdraw(objURI(i), sha256.Sum256([]byte(fmt.Sprintf("a %d", i))))
	}
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	if got := segments(t, r); len(got) != 1 || !got[seg] || len(r.PubPoints()) != 2 {
		t.Fatalf("after emptying a point: segments %v, points %v", got, r.PubPoints())
	}
}

// diskUse is the size of the files in a directory and their number.
func diskUse(t *testing.T, dir string) (int64, int) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, e := range ents {
		st, err := os.Stat(filepath.Join(dir, e.Name()))
		if err == nil {
			total += st.Size()
		}
	}
	return total, len(ents)
}

// TestDeltasKeepDiskUseBounded applies a long series of small deltas,
// each changing three hot points and one other in turn, so that segments
// stay partly dead, with the engine's promotions in between: compaction
// keeps the repository's disk use within twice its live bytes plus the
// floor, carries the valid entries of unchanged points along, and every
// point reads back.
func TestDeltasKeepDiskUseBounded(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	const points, hot, size = 40, 3, 32 << 10
	content := func(p, v int) []byte { return bytes.Repeat([]byte{byte(p), byte(v)}, size/2) }
	uri := func(p int) string { return fmt.Sprintf("rsync://example.net/repo/p%d/o.roa", p) }
	version := make([]int, points)
	r.Begin(true)
	for p := range points {
		r.Publish(uri(p), content(p, 0), nil)
	}
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	compactions, maxUse := 0, int64(0)
	for d := range 300 {
		r.Begin(false)
		for _, p := range []int{0, 1, 2, hot + d%(points-hot)} {
			old := sha256.Sum256(content(p, version[p]))
			version[p]++
			r.Publish(uri(p), content(p, version[p]), &old)
		}
		before := len(r.idx.Segs)
		if err := r.Commit(nil); err != nil {
			t.Fatal(err)
		}
		if len(r.idx.Segs) == 1 && before > 1 {
			compactions++
		}
		for q := range points {
			if !s.IsValid(r, nil, pp(uri(q))) {
				s.Promote(r, nil, pp(uri(q)))
			}
		}
		if err := s.SyncValid(); err != nil {
			t.Fatal(err)
		}
		use, files := diskUse(t, r.dir)
		maxUse = max(maxUse, use)
		var live int64
		for _, p := range r.idx.Points {
			live += p.Size
		}
		if limit := 2*live + compactMinDead + 64<<10; use > limit || files > compactMaxSegments+1 {
			t.Fatalf("delta %d: %d bytes in %d files for %d live bytes", d, use, files, live)
		}
	}
	if compactions < 2 {
		t.Fatalf("%d compactions", compactions)
	}
	t.Logf("%d compactions, at most %d bytes on disk", compactions, maxUse)
	for p := range points {
		if b, err := r.File(uri(p)); err != nil || !bytes.Equal(b, content(p, version[p])) {
			t.Fatalf("point %d: %v", p, err)
		}
		v, err := s.Valid(nil, pp(uri(p)))
		if err != nil || !bytes.Equal(v.Files[0].Data, content(p, version[p])) || !s.IsValid(r, nil, pp(uri(p))) {
			t.Fatalf("valid copy of point %d: %v", p, err)
		}
	}
}

// pp is the publication point of an object URI.
func pp(uri string) string {
	p, _, _ := SplitURI(uri)
	return p
}

// TestCompactionKeepsValidEntries checks that a compaction moves the valid
// entries of the points it copies (IsValid stays true, no revalidation),
// and that an older valid copy keeps its segment until it is replaced.
func TestCompactionKeepsValidEntries(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	gone := bytes.Repeat([]byte("g"), compactMinDead+1)
	r.Begin(true)
	r.Publish("rsync://example.net/repo/cold/a.roa", []byte("cold"), nil)
	r.Publish("rsync://example.net/repo/gone/a.roa", gone, nil)
	r.Publish("rsync://example.net/repo/stale/a.roa", []byte("stale 1"), nil)
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	first := r.idx.Seg
	for _, p := range []string{"cold", "stale"} {
		s.Promote(r, nil, "rsync://example.net/repo/"+p+"/")
	}
	old := sha256.Sum256([]byte("stale 1"))
	r.Begin(false) // the stale point changes but is not promoted again
	r.Publish("rsync://example.net/repo/stale/a.roa", []byte("stale 2"), &old)
	r.Withdraw("rsync://example.net/repo/gone/a.roa", sha256.Sum256(gone))
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	if len(r.idx.Segs) != 1 || r.idx.Points["rsync://example.net/repo/cold/"].Seg != r.idx.Seg {
		t.Fatalf("no compaction: segments %v", r.idx.Segs)
	}
	if !s.IsValid(r, nil, "rsync://example.net/repo/cold/") {
		t.Fatal("compaction lost the valid entry of an unchanged point")
	}
	s.SyncValid()
	if !segments(t, r)[first] {
		t.Fatal("segment of the stale point's valid copy removed")
	}
	for p, want := range map[string]string{"cold": "cold", "stale": "stale 1"} {
		v, err := s.Valid(nil, "rsync://example.net/repo/"+p+"/")
		if err != nil || string(v.Files[0].Data) != want {
			t.Fatalf("valid copy of %s: %v", p, err)
		}
	}
	s.Promote(r, nil, "rsync://example.net/repo/stale/")
	s.SyncValid()
	if segments(t, r)[first] {
		t.Fatal("segment named by no index left")
	}
}

// TestValidIndexRoundTrip encodes and decodes a valid index.
func TestValidIndexRoundTrip(t *testing.T) {
	in := map[validKey]validEntry{
		{point: "rsync://a.example/m/ca/"}:                      {segKey{"a.example-0011223344556677", 3}, 0, 100},
		{point: "rsync://a.example/m/ca/b/", owner: "\x01\x02"}: {segKey{"a.example-0011223344556677", 4}, 1 << 40, 7},
		{point: "rsync://b.example/m/"}:                         {segKey{"b.example-8899aabbccddeeff", 1}, 55, MaxPackSize},
		{point: "rsync://a.example/m/other/"}:                   {segKey{"b.example-8899aabbccddeeff", 1}, 12, 3},
	}
	b := encodeValid(in)
	out, err := decodeValid(b)
	if err != nil || fmt.Sprint(out) != fmt.Sprint(in) {
		t.Fatalf("round trip: %v %v", out, err)
	}
	for name, bad := range map[string]map[validKey]validEntry{
		"dir":  {{point: "rsync://a/m/"}: {segKey{"..", 1}, 0, 1}},
		"uri":  {{point: "https://a/m/"}: {segKey{"a-00", 1}, 0, 1}},
		"seg":  {{point: "rsync://a/m/"}: {segKey{"a-00", 0}, 0, 1}},
		"size": {{point: "rsync://a/m/"}: {segKey{"a-00", 1}, 0, MaxPackSize + 1}},
	} {
		if _, err := decodeValid(encodeValid(bad)); err == nil {
			t.Errorf("%s: hostile entry accepted", name)
		}
	}
	b[len(b)/2] ^= 1
	if _, err := decodeValid(b); err == nil {
		t.Error("damaged index accepted")
	}
}

// FuzzDecodeValid checks that no input panics and that an accepted index
// re-encodes to one that decodes the same.
func FuzzDecodeValid(f *testing.F) {
	f.Add(encodeValid(map[validKey]validEntry{{point: "rsync://h/m/"}: {segKey{"h-00", 1}, 0, 10}}))
	f.Add(encodeValid(map[validKey]validEntry{}))
	f.Add([]byte(validMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeValid(b)
		if err != nil {
			return
		}
		again, err := decodeValid(encodeValid(e))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(e) {
			t.Fatalf("accepted index does not round-trip: %v", err)
		}
	})
}

// TestConcurrentUse reads, promotes and checks points while deltas commit
// (compacting now and then) and the valid index syncs: no read may fail,
// since no segment an entry names is removed while it can be read.
func TestConcurrentUse(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	const points = 8
	uri := func(p int) string { return fmt.Sprintf("rsync://example.net/repo/p%d/o.roa", p) }
	content := func(p, v int) []byte { return bytes.Repeat([]byte{byte(p), byte(v)}, 80<<10) }
	r.Begin(true)
	for p := range points {
		r.Publish(uri(p), content(p, 0), nil)
	}
	r.Commit(nil)
	for p := range points {
		s.Promote(r, nil, pp(uri(p)))
	}
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				point := pp(uri((w + i) % points))
				if _, err := r.PubPoint(point); err != nil {
					errs <- err
					return
				}
				if _, err := s.Valid(nil, point); err != nil {
					errs <- err
					return
				}
				if !s.IsValid(r, nil, point) {
					s.Promote(r, nil, point)
				}
			}
		}()
	}
	version := make([]int, points)
	compactions := 0
	for d := range 60 {
		r.Begin(false)
		for _, p := range []int{0, 1, 2, 3 + d%(points-3)} {
			old := sha256.Sum256(content(p, version[p]))
			version[p]++
			r.Publish(uri(p), content(p, version[p]), &old)
		}
		before := len(r.idx.Segs)
		if err := r.Commit(nil); err != nil {
			t.Fatal(err)
		}
		if before > 1 && len(r.idx.Segs) == 1 {
			compactions++
		}
		if err := s.SyncValid(); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if compactions == 0 {
		t.Fatal("no commit compacted")
	}
}
