package cache

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
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

// TestSpoolReaderWindows reads objects back through the reader's window:
// in reverse order, across window boundaries, and larger than the window.
func TestSpoolReaderWindows(t *testing.T) {
	sp, err := newSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	var offs []int64
	var objs [][]byte
	for i := range 40 {
		b := spoolObject(i)
		if i%10 == 9 {
			b = bytes.Repeat([]byte{byte(i)}, spoolReadChunk+1000)
		}
		off, _ := sp.append(b)
		offs, objs = append(offs, off), append(objs, b)
	}
	r := &spoolReader{sp: sp}
	for i := len(objs) - 1; i >= 0; i-- {
		var got bytes.Buffer
		if err := r.copy(&got, offs[i], len(objs[i])); err != nil || !bytes.Equal(got.Bytes(), objs[i]) {
			t.Fatalf("object %d read back as %d bytes (%v)", i, got.Len(), err)
		}
		if sum, _ := r.hash(offs[i], len(objs[i])); sum != sha256.Sum256(objs[i]) {
			t.Fatalf("object %d: wrong hash", i)
		}
	}
	if len(r.buf) > spoolReadChunk {
		t.Errorf("window of %d bytes", len(r.buf))
	}
	if err := r.copy(io.Discard, sp.size, 1); !errors.Is(err, ErrCorrupt) {
		t.Errorf("read past the spool: %v", err)
	}
}

// TestRepublishInOneUpdate checks ops on one name within an update
// against each other (the hashes of objects published earlier in the
// update are computed from the spool, when asked for), and that each
// mismatch fails the Commit with ErrConflict and leaves the repository as
// it was (RFC 8182 §3.4.2).
func TestRepublishInOneUpdate(t *testing.T) {
	n := "rsync://example.net/repo/ca0/n.roa"
	sum := func(s string) *[32]byte { h := sha256.Sum256([]byte(s)); return &h }
	type step func(r *Repo) error
	add := func(u, d string) step { return func(r *Repo) error { return r.Publish(u, []byte(d), nil) } }
	repl := func(u, d, old string) step { return func(r *Repo) error { return r.Publish(u, []byte(d), sum(old)) } }
	wd := func(u, old string) step { return func(r *Repo) error { return r.Withdraw(u, *sum(old)) } }
	conflicts := map[string][]step{
		"publish twice":           {add(n, "n1"), add(n, "n2")},
		"replace with wrong hash": {add(n, "n1"), repl(n, "n2", "wrong")},
		"withdraw of old content": {add(n, "n1"), repl(n, "n2", "n1"), wd(n, "n1")},
		"withdraw of absent":      {wd(n, "n1")},
		"replace after withdraw":  {add(n, "n1"), wd(n, "n1"), repl(n, "n2", "n1")},
	}
	for _, reset := range []bool{false, true} {
		s := openTest(t, t.TempDir())
		r, _ := s.Repo(testRepo)
		fill(t, r, 6, "a")
		run := func(steps ...step) error {
			t.Helper()
			if err := r.Begin(reset); err != nil {
				t.Fatal(err)
			}
			for _, st := range steps {
				if err := st(r); err != nil {
					t.Fatalf("reset %v: %v", reset, err)
				}
			}
			return r.Commit(nil)
		}
		for name, steps := range conflicts {
			if err := run(steps...); !errors.Is(err, ErrConflict) {
				t.Errorf("reset %v: %s: commit %v, want ErrConflict", reset, name, err)
			}
			if g := r.Generation(); g != 1 {
				t.Fatalf("reset %v: %s: generation %d after a failed commit", reset, name, g)
			}
		}
		chain := []step{add(n, "n1"), repl(n, "n2", "n1"), wd(n, "n2"), add(n, "n3")}
		if !reset {
			chain = append(chain, repl(objURI(0), "b 0", "a 0"), wd(objURI(0), "b 0"))
		} else if err := run(repl(objURI(0), "b 0", "a 0")); !errors.Is(err, ErrConflict) {
			t.Errorf("reset: replace of an object the reset dropped: %v", err)
		}
		if err := run(chain...); err != nil {
			t.Fatalf("reset %v: %v", reset, err)
		}
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
