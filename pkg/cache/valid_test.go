package cache

import (
	"os"
	"strings"
	"testing"
)

// validFiles lists the valid store's files, failing on a leftover temp link.
func validFiles(t *testing.T, s *Store) int {
	t.Helper()
	ents, _ := os.ReadDir(s.validDir())
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temp link %s left in the valid store", e.Name())
		}
	}
	return len(ents)
}

// TestPromoteOverValidCopy promotes a point with no valid copy (a direct
// link), over an older copy (temp link and rename), over the same file
// again, and over a temp link a failed Promote left.
func TestPromoteOverValidCopy(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	pp := "rsync://example.net/repo/ca1/"
	promote := func(tag string) {
		t.Helper()
		if err := s.Promote(r, pp); err != nil {
			t.Fatal(err)
		}
		v, err := s.Valid(pp)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := v.Get("o1.roa"); string(b) != tag+" 1" || !s.IsValid(r, pp) {
			t.Fatalf("valid copy holds %q, IsValid %v; want %s", b, s.IsValid(r, pp), tag)
		}
		if n := validFiles(t, s); n != 1 {
			t.Fatalf("%d files in the valid store, want 1", n)
		}
	}
	fill(t, r, 6, "a")
	promote("a")
	fill(t, r, 6, "b")
	if s.IsValid(r, pp) {
		t.Fatal("new raw copy taken as valid")
	}
	promote("b")
	promote("b") // the same file: rename(2) would keep the temp link
	os.WriteFile(s.validPath(pp)+".tmp", []byte("junk"), 0o644)
	fill(t, r, 6, "c")
	promote("c")
}
