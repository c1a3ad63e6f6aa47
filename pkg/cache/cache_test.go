package cache

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testRepo = "https://rrdp.example.net/notification.xml"

// openTest opens a store in a temp dir and closes it at the end.
func openTest(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fill commits a reset update with n objects over three points.
func fill(t *testing.T, r *Repo, n int, tag string) {
	t.Helper()
	if err := r.Begin(true); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := r.Publish(objURI(i), []byte(fmt.Sprintf("%s %d", tag, i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Commit([]byte("state " + tag)); err != nil {
		t.Fatal(err)
	}
}

func objURI(i int) string { return fmt.Sprintf("rsync://example.net/repo/ca%d/o%d.roa", i%3, i) }

func TestCommitAndReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	fill(t, r, 30, "a")
	if pts := r.PubPoints(); len(pts) != 3 || pts[0] != "rsync://example.net/repo/ca0/" {
		t.Fatalf("points %v", pts)
	}
	s.Close()
	s2 := openTest(t, dir)
	r2, _ := s2.Repo(testRepo)
	for i := range 30 {
		b, err := r2.File(objURI(i))
		if err != nil || string(b) != fmt.Sprintf("a %d", i) {
			t.Fatalf("%s: %q %v", objURI(i), b, err)
		}
	}
	if st, _ := r2.State(); string(st) != "state a" {
		t.Errorf("state %q", st)
	}
	if _, err := r2.File("rsync://example.net/repo/ca0/missing.roa"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
}

func TestDeltaSemantics(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	old := sha256.Sum256([]byte("a 0"))
	for name, bad := range map[string]func() error{
		"publish over existing without hash": func() error { return r.Publish(objURI(1), []byte("x"), nil) },
		"withdraw with wrong hash":           func() error { return r.Withdraw(objURI(2), old) },
		"replace of absent":                  func() error { return r.Publish(objURI(7), []byte("x"), &old) },
	} {
		r.Begin(false)
		if err := bad(); err != nil {
			t.Fatalf("%s: %v before Commit", name, err)
		}
		if err := r.Commit(nil); !errors.Is(err, ErrConflict) {
			t.Errorf("%s: commit %v, want ErrConflict", name, err)
		}
	}
	r.Begin(false)
	if err := r.Publish(objURI(0), []byte("b 0"), &old); err != nil {
		t.Fatal(err)
	}
	if err := r.Withdraw(objURI(3), sha256.Sum256([]byte("a 3"))); err != nil {
		t.Fatal(err)
	}
	if err := r.Publish("rsync://example.net/repo/new/n.cer", []byte("n"), nil); err != nil {
		t.Fatal(err)
	}
	// Nothing is visible before Commit.
	if b, _ := r.File(objURI(0)); string(b) != "a 0" {
		t.Fatalf("uncommitted change visible: %q", b)
	}
	if err := r.Commit([]byte("s2")); err != nil {
		t.Fatal(err)
	}
	if b, _ := r.File(objURI(0)); string(b) != "b 0" {
		t.Errorf("replace: %q", b)
	}
	if _, err := r.File(objURI(3)); !errors.Is(err, ErrNotFound) {
		t.Errorf("withdrawn file still there: %v", err)
	}
	if len(r.PubPoints()) != 4 {
		t.Errorf("points %v", r.PubPoints())
	}
}

func TestAbortKeepsState(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	r.Begin(true)
	r.Publish(objURI(0), []byte("z"), nil)
	r.Abort()
	if b, _ := r.File(objURI(5)); string(b) != "a 5" {
		t.Fatalf("abort changed data: %q", b)
	}
	if ents, _ := os.ReadDir(r.dir); len(ents) != 2 {
		t.Errorf("%d files in the repository dir after abort, want index + 1 segment", len(ents))
	}
}

func TestResetDropsOldPoints(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	r.Begin(true)
	r.Publish("rsync://example.net/repo/other/x.cer", []byte("x"), nil)
	r.Commit(nil)
	if pts := r.PubPoints(); len(pts) != 1 {
		t.Fatalf("points after reset %v", pts)
	}
	if ents, _ := os.ReadDir(r.dir); len(ents) != 2 {
		t.Errorf("%d files left, want index + 1 segment", len(ents))
	}
}

func TestPromoteKeepsLastGood(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	pp := "rsync://example.net/repo/ca1/"
	if _, err := s.Valid(nil, pp); !errors.Is(err, ErrNotFound) {
		t.Fatalf("valid before promote: %v", err)
	}
	if err := s.Promote(r, nil, pp); err != nil {
		t.Fatal(err)
	}
	fill(t, r, 6, "b") // a new fetch; the engine has not validated it
	v, err := s.Valid(nil, pp)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := v.Get("o1.roa"); string(b) != "a 1" {
		t.Errorf("valid copy changed with the raw store: %q", b)
	}
	if err := s.Promote(r, nil, "rsync://example.net/repo/none/"); !errors.Is(err, ErrNotFound) {
		t.Errorf("promote of unknown point: %v", err)
	}
	if err := s.DropValid(nil, pp); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Valid(nil, pp); !errors.Is(err, ErrNotFound) {
		t.Errorf("valid after drop: %v", err)
	}
}

func TestOrphansRemovedOnOpen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	for _, n := range []string{"99.pack", "1-dead.pack", "spool-1.tmp", "index.json.tmp"} {
		os.WriteFile(filepath.Join(r.dir, n), []byte("junk"), 0o644)
	}
	s.Close()
	s2 := openTest(t, dir)
	r2, _ := s2.Repo(testRepo)
	ents, _ := os.ReadDir(r2.dir)
	if len(ents) != 2 {
		t.Errorf("%d files after reopen, want index + 1 segment", len(ents))
	}
	if b, _ := r2.File(objURI(4)); string(b) != "a 4" {
		t.Errorf("data lost: %q", b)
	}
	// A segment number seen on disk is not used again, removed or not.
	fill(t, r2, 6, "b")
	if r2.idx.Seg != 100 {
		t.Errorf("new segment numbered %d, want 100", r2.idx.Seg)
	}
}

func TestCorruptPackDetected(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	pp := "rsync://example.net/repo/ca0/"
	pt := r.idx.Points[pp]
	path := r.segPath(pt.Seg)
	b, _ := os.ReadFile(path)
	b[pt.Off+pt.Size/2] ^= 1
	os.WriteFile(path, b, 0o644)
	if _, err := r.PubPoint(pp); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
	// The other points of the segment are checked on their own.
	if _, err := r.PubPoint("rsync://example.net/repo/ca1/"); err != nil {
		t.Fatalf("intact point of the same segment: %v", err)
	}
}

func TestExclusiveLock(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open: %v", err)
	}
}

func TestHostileIDsAndURIs(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for _, id := range []string{"rsync://../../etc/", "https://a/../../../x", "rsync://h/../../"} {
		r, err := s.Repo(id)
		if err != nil {
			t.Fatal(err)
		}
		if rel, err := filepath.Rel(filepath.Join(dir, "raw"), r.dir); err != nil || strings.Contains(rel, "..") || strings.Contains(rel, "/") {
			t.Errorf("id %q maps to %s", id, r.dir)
		}
	}
	r, _ := s.Repo(testRepo)
	r.Begin(true)
	for _, u := range []string{"rsync://h/m/../x.cer", "rsync://h/x.cer", "https://h/m/x.cer", "rsync://h/m//x.cer"} {
		if err := r.Publish(u, []byte("x"), nil); err == nil {
			t.Errorf("publish %q accepted", u)
		}
	}
	r.Abort()
}

func TestPackRoundTrip(t *testing.T) {
	p := &PubPoint{URI: "rsync://h/m/", Files: []File{{"a.cer", []byte{1, 2}}, {"b.roa", bytes.Repeat([]byte{7}, 300)}}}
	q, err := decodePack(encodePack(p))
	if err != nil || q.URI != p.URI || len(q.Files) != 2 || !bytes.Equal(q.Files[1].Data, p.Files[1].Data) {
		t.Fatalf("round trip: %+v %v", q, err)
	}
}

// FuzzDecodePack checks that no input panics and that an accepted pack
// re-encodes to the same bytes.
func FuzzDecodePack(f *testing.F) {
	f.Add(encodePack(&PubPoint{URI: "rsync://h/m/", Files: []File{{"a.cer", []byte{1}}}}))
	f.Add([]byte(packMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePack(b)
		if err != nil {
			return
		}
		if !bytes.Equal(encodePack(p), b) {
			t.Fatal("accepted pack does not re-encode to the same bytes")
		}
	})
}

// TestIsValid follows Promote: the valid copy is the raw one until the
// point changes again.
func TestIsValid(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Repo("https://example.net/notification.xml")
	if err != nil {
		t.Fatal(err)
	}
	pp := "rsync://example.net/repo/ca0/"
	write := func(content string) {
		t.Helper()
		if err := r.Begin(false); err != nil {
			t.Fatal(err)
		}
		if err := r.Publish(pp+"a.roa", []byte(content), nil); err != nil {
			t.Fatal(err)
		}
		if err := r.Commit(nil); err != nil {
			t.Fatal(err)
		}
	}
	write("one")
	if s.IsValid(r, nil, pp) {
		t.Fatal("valid before any Promote")
	}
	if err := s.Promote(r, nil, pp); err != nil {
		t.Fatal(err)
	}
	if !s.IsValid(r, nil, pp) {
		t.Fatal("not valid right after Promote")
	}
	if err := r.Begin(true); err != nil {
		t.Fatal(err)
	}
	r.Publish(pp+"a.roa", []byte("two"), nil)
	if err := r.Commit(nil); err != nil {
		t.Fatal(err)
	}
	if s.IsValid(r, nil, pp) {
		t.Fatal("still valid after the point changed")
	}
}
