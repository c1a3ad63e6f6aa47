package cache

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
)

// TestPackSyncPaths checks which call makes a commit's packs durable: an
// fsync of each pack below syncfsMinPacks (a missing pack fails it), one
// syncfs of the directory's file system from there (which fails on a
// closed descriptor and ignores the paths).
func TestPackSyncPaths(t *testing.T) {
	dir := t.TempDir()
	ps, err := newPackSync(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range syncfsMinPacks - 1 {
		path := filepath.Join(dir, fmt.Sprint(i))
		if err := writeNewFile(path, []byte("pack")); err != nil {
			t.Fatal(err)
		}
		ps.added(path)
	}
	if err := ps.sync(); err != nil {
		t.Fatalf("fsync of %d packs: %v", len(ps.paths), err)
	}
	ps.added(filepath.Join(dir, "missing"))
	if err := ps.sync(); err != nil {
		t.Fatalf("syncfs ignores the paths: %v", err)
	}
	ps.paths = ps.paths[1:]
	if err := ps.sync(); err == nil {
		t.Fatal("fsync of a missing pack succeeded")
	}
	ps.paths = append(ps.paths, "another")
	ps.close()
	if err := ps.sync(); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("syncfs on a closed descriptor: %v, want EBADF", err)
	}
}
