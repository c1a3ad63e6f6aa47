package cache

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// spoolObject is the content of the i-th test object: its size and bytes
// differ from one object to the next.
func spoolObject(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 100+i) }

func TestSpoolBuffersWritesAndReadsBack(t *testing.T) {
	sp, err := newSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	var offs []int64
	for i := range 100 {
		off, err := sp.append(spoolObject(i))
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, off)
	}
	if st, _ := sp.f.Stat(); st.Size() != 0 {
		t.Fatalf("spool file has %d bytes before any read: writes are not buffered", st.Size())
	}
	check := func(n int) {
		t.Helper()
		for i := range n {
			b := make([]byte, len(spoolObject(i)))
			if err := sp.readAt(b, offs[i]); err != nil || !bytes.Equal(b, spoolObject(i)) {
				t.Fatalf("object %d read back as %d bytes of %v (%v)", i, len(b), b[:1], err)
			}
		}
	}
	check(100)
	if st, _ := sp.f.Stat(); st.Size() != sp.size {
		t.Fatalf("spool file has %d bytes after a read, want all %d flushed", st.Size(), sp.size)
	}
	for i := 100; i < 120; i++ { // appends after a read land after it
		off, _ := sp.append(spoolObject(i))
		offs = append(offs, off)
	}
	check(120)
}

func TestSpoolRunsCoalesce(t *testing.T) {
	gapped := 15 + spoolReadGap // bridged: exactly spoolReadGap after the previous end
	far := int64(gapped) + 3 + spoolReadGap + 1
	refs := []spoolRef{{off: 0, n: 10}, {off: 10, n: 5}, {off: int64(gapped), n: 3}, {off: far, n: 2}, {off: far + 2, n: 0}}
	got := spoolRuns(refs)
	want := []spoolRun{{start: 0, end: int64(gapped) + 3, first: 0, last: 3}, {start: far, end: far + 2, first: 3, last: 5}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
}

// TestSpoolReadIntoPack builds a point's pack with its content read from
// the spool, in the reverse of spool order: objects one apart in the spool
// (bridged), objects far apart (read alone), refs in random order.
func TestSpoolReadIntoPack(t *testing.T) {
	sp, err := newSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	offs := map[int]int64{}
	var sel []int
	for i := range 63 {
		if i >= 60 {
			sp.append(make([]byte, spoolReadGap+1))
		}
		offs[i], _ = sp.append(spoolObject(i))
		if i%3 != 1 {
			sel = append(sel, i)
		}
	}
	// Names in the reverse of spool order; a pack lists them sorted.
	files := make([]File, len(sel))
	for k, i := range sel {
		files[k].Name = fmt.Sprintf("%02d", 99-i)
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	refs := make([]spoolRef, len(sel))
	for j := range refs {
		var i int
		fmt.Sscan(files[j].Name, &i)
		i = 99 - i
		refs[j] = spoolRef{i: j, off: offs[i], n: len(spoolObject(i))}
	}
	pack := appendPackBody(nil, "rsync://example.net/repo/ca0/", files, refs)
	rand.Shuffle(len(refs), func(i, j int) { refs[i], refs[j] = refs[j], refs[i] })
	buf, err := sp.readInto(pack, refs, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := decodePack(sealPack(pack))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != len(sel) {
		t.Fatalf("%d files, want %d", len(p.Files), len(sel))
	}
	for _, f := range p.Files {
		var i int
		fmt.Sscan(f.Name, &i)
		if i = 99 - i; !bytes.Equal(f.Data, spoolObject(i)) {
			t.Fatalf("object %d read as %d bytes", i, len(f.Data))
		}
	}
	if runs := spoolRuns(refs); len(runs) != 3 { // 0-59 together, 60 and 62 alone
		t.Errorf("%d reads, want 3", len(runs))
	}
	if want := offs[59] + int64(len(spoolObject(59))); int64(cap(buf)) != want {
		t.Errorf("read through a buffer of %d bytes, want %d", cap(buf), want)
	}
}

// TestSpoolRunsBounded splits contiguous content into reads of at most
// spoolReadChunk, and reads an object larger than that alone.
func TestSpoolRunsBounded(t *testing.T) {
	var refs []spoolRef
	off := int64(0)
	for _, n := range []int{100 << 10, 100 << 10, 100 << 10, 300 << 10, 10} {
		refs = append(refs, spoolRef{off: off, n: n})
		off += int64(n)
	}
	runs := spoolRuns(refs)
	want := [][2]int{{0, 2}, {2, 3}, {3, 4}, {4, 5}}
	if len(runs) != len(want) {
		t.Fatalf("runs %+v", runs)
	}
	for k, r := range runs {
		if r.first != want[k][0] || r.last != want[k][1] {
			t.Errorf("run %d holds refs [%d,%d), want %v", k, r.first, r.last, want[k])
		}
	}
}

// TestRepublishInOneUpdate checks the hashes of objects published earlier
// in the same update, which are computed only when asked for, from the
// spool's unflushed buffer.
func TestRepublishInOneUpdate(t *testing.T) {
	for _, reset := range []bool{false, true} {
		s := openTest(t, t.TempDir())
		r, _ := s.Repo(testRepo)
		fill(t, r, 6, "a")
		n := "rsync://example.net/repo/ca0/n.roa"
		sum := func(s string) *[32]byte { h := sha256.Sum256([]byte(s)); return &h }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("reset %v: %v", reset, err)
			}
		}
		conflict := func(err error) {
			t.Helper()
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("reset %v: got %v, want ErrConflict", reset, err)
			}
		}
		must(r.Begin(reset))
		must(r.Publish(n, []byte("n1"), nil))
		conflict(r.Publish(n, []byte("n2"), nil))
		conflict(r.Publish(n, []byte("n2"), sum("wrong")))
		must(r.Publish(n, []byte("n2"), sum("n1")))
		conflict(r.Withdraw(n, *sum("n1")))
		must(r.Withdraw(n, *sum("n2")))
		must(r.Publish(n, []byte("n3"), nil))
		if !reset {
			must(r.Publish(objURI(0), []byte("b 0"), sum("a 0")))
			must(r.Withdraw(objURI(0), *sum("b 0")))
		}
		must(r.Commit(nil))
		if b, err := r.File(n); string(b) != "n3" {
			t.Errorf("reset %v: %s is %q (%v)", reset, n, b, err)
		}
		if _, err := r.File(objURI(0)); !errors.Is(err, ErrNotFound) {
			t.Errorf("reset %v: withdrawn %s: %v", reset, objURI(0), err)
		}
	}
}

// TestDeltaMergesInNameOrder applies a delta to a point with old files
// before, between and after the changed names.
func TestDeltaMergesInNameOrder(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	pp := "rsync://example.net/repo/ca/"
	r.Begin(true)
	for _, n := range []string{"a", "c", "e", "g"} {
		r.Publish(pp+n, []byte("old "+n), nil)
	}
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	old := func(n string) [32]byte { return sha256.Sum256([]byte("old " + n)) }
	r.Begin(false)
	r.Publish(pp+"f", []byte("new f"), nil)
	r.Publish(pp+"b", []byte("new b"), nil)
	c := old("c")
	r.Publish(pp+"c", []byte("new c"), &c)
	r.Withdraw(pp+"e", old("e"))
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	p, err := r.PubPoint(pp)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Files {
		got = append(got, f.Name+"="+string(f.Data))
	}
	if want := "[a=old a b=new b c=new c f=new f g=old g]"; fmt.Sprint(got) != want {
		t.Fatalf("point holds %v, want %s", got, want)
	}
	if _, files, bytes := r.Stats(); files != 5 || bytes != 25 {
		t.Errorf("index counts %d files of %d bytes, want 5 and 25", files, bytes)
	}
}
