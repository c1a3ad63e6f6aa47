package cache

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// segments lists the segment numbers in a repository's directory.
func segments(t *testing.T, r *Repo) map[uint64]bool {
	t.Helper()
	ents, err := os.ReadDir(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64]bool{}
	for _, e := range ents {
		if n, ok := parseSegName(e.Name()); ok {
			out[n] = true
		}
	}
	return out
}

// TestPromoteOverValidCopy promotes a point with no valid copy, over an
// older copy and over the same copy again; the valid copy follows, and
// each promotion is an in-memory entry that SyncValid persists.
func TestPromoteOverValidCopy(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	pp := "rsync://example.net/repo/ca1/"
	promote := func(tag string) {
		t.Helper()
		if err := s.Promote(r, nil, pp); err != nil {
			t.Fatal(err)
		}
		v, err := s.Valid(nil, pp)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := v.Get("o1.roa"); string(b) != tag+" 1" || !s.IsValid(r, nil, pp) {
			t.Fatalf("valid copy holds %q, IsValid %v; want %s", b, s.IsValid(r, nil, pp), tag)
		}
	}
	fill(t, r, 6, "a")
	promote("a")
	if _, err := os.Stat(s.validIndexPath()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Promote wrote the valid index: %v", err)
	}
	fill(t, r, 6, "b")
	if s.IsValid(r, nil, pp) {
		t.Fatal("new raw copy taken as valid")
	}
	promote("b")
	promote("b")
	if err := s.SyncValid(); err != nil {
		t.Fatal(err)
	}
	fill(t, r, 6, "c")
	s.Close()
	s2 := openTest(t, dir)
	v, err := s2.Valid(nil, pp)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := v.Get("o1.roa"); string(b) != "b 1" {
		t.Fatalf("valid copy after reopen holds %q, want b", b)
	}
}

// TestValidCopyKeepsItsSegment follows a segment that only a valid entry
// names: kept by Commit while the entry is in memory, by reopening once
// SyncValid persisted it, and removed once a SyncValid drops it.
func TestValidCopyKeepsItsSegment(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	pp := "rsync://example.net/repo/ca1/"
	fill(t, r, 6, "a")
	first := r.idx.Seg
	s.Promote(r, nil, pp)
	fill(t, r, 6, "b") // a reset: no raw entry names the first segment
	if !segments(t, r)[first] {
		t.Fatal("segment of an in-memory valid entry removed")
	}
	if err := s.SyncValid(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir)
	r, _ = s.Repo(testRepo)
	if !segments(t, r)[first] {
		t.Fatal("segment of a persisted valid entry removed on load")
	}
	if v, err := s.Valid(nil, pp); err != nil || string(v.Files[0].Data) != "a 1" {
		t.Fatalf("valid copy after reopen: %v", err)
	}
	s.Promote(r, nil, pp) // over the old copy: the first segment is garbage once synced
	if !segments(t, r)[first] {
		t.Fatal("segment removed before the valid index naming it was replaced")
	}
	if err := s.SyncValid(); err != nil {
		t.Fatal(err)
	}
	if segs := segments(t, r); segs[first] || len(segs) != 1 {
		t.Fatalf("segments %v after SyncValid, want only %d", segs, r.idx.Seg)
	}
	fill(t, r, 6, "c")
	second := r.idx.Seg - 1
	if !segments(t, r)[second] {
		t.Fatal("segment of the promoted copy removed")
	}
	s.DropValid(nil, pp)
	if _, err := s.Valid(nil, pp); !errors.Is(err, ErrNotFound) {
		t.Fatalf("valid after drop: %v", err)
	}
	if !segments(t, r)[second] {
		t.Fatal("segment removed before the drop was synced")
	}
	s.SyncValid()
	if segments(t, r)[second] {
		t.Fatal("segment of a dropped valid copy left after SyncValid")
	}
}

// TestUnsyncedValidEntryGone reopens after a crash before SyncValid: the
// promotion is lost, and so is the segment only it named. After a clean
// Close it is kept.
func TestUnsyncedValidEntryGone(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	first := r.idx.Seg
	s.Promote(r, nil, "rsync://example.net/repo/ca0/")
	fill(t, r, 6, "b")
	s.Promote(r, nil, "rsync://example.net/repo/ca1/")
	s.lock.Close() // a crash: the lock goes, nothing is synced
	s = openTest(t, dir)
	r, _ = s.Repo(testRepo)
	if _, err := s.Valid(nil, "rsync://example.net/repo/ca0/"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unsynced promotion survived: %v", err)
	}
	if segments(t, r)[first] {
		t.Fatal("segment named by no durable index left")
	}
	s.Promote(r, nil, "rsync://example.net/repo/ca2/")
	s.Close()
	s = openTest(t, dir)
	if _, err := s.Valid(nil, "rsync://example.net/repo/ca2/"); err != nil {
		t.Fatalf("promotion lost by a clean Close: %v", err)
	}
}

// TestValidSegmentOfUnloadedRepository drops the last valid entry naming a
// segment of a repository this process never opened: SyncValid reads that
// repository's index from disk and removes the segment.
func TestValidSegmentOfUnloadedRepository(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	pp := "rsync://example.net/repo/ca0/"
	fill(t, r, 6, "a")
	first := r.idx.Seg
	s.Promote(r, nil, pp)
	fill(t, r, 6, "b")
	s.SyncValid()
	s.Close()
	s = openTest(t, dir)
	rdir := filepath.Join(s.rawDir(), dirName(testRepo))
	s.DropValid(nil, pp)
	if err := s.SyncValid(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(rdir, segName(first))); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("garbage segment of an unloaded repository: %v", err)
	}
	r, _ = s.Repo(testRepo)
	if b, err := r.File(objURI(1)); string(b) != "b 1" {
		t.Fatalf("raw data after collection: %q %v", b, err)
	}
}

// TestSyncValidOnlyWhenChanged checks that SyncValid rewrites the valid
// index only after a change.
func TestSyncValidOnlyWhenChanged(t *testing.T) {
	s := openTest(t, t.TempDir())
	r, _ := s.Repo(testRepo)
	fill(t, r, 6, "a")
	inode := func() uint64 {
		st, err := os.Stat(s.validIndexPath())
		if err != nil {
			return 0
		}
		return st.Sys().(*syscall.Stat_t).Ino
	}
	s.SyncValid()
	if inode() != 0 {
		t.Fatal("SyncValid with nothing promoted wrote an index")
	}
	s.Promote(r, nil, "rsync://example.net/repo/ca0/")
	s.SyncValid()
	first := inode()
	s.Promote(r, nil, "rsync://example.net/repo/ca0/") // the same entry
	s.SyncValid()
	if first == 0 || inode() != first {
		t.Fatal("unchanged valid index written again")
	}
	s.DropValid(nil, "rsync://example.net/repo/ca0/")
	s.SyncValid()
	if inode() == first {
		t.Fatal("dropped entry not persisted")
	}
}

// TestSegmentNumberAboveValidOnes loses a repository's index while a valid
// entry names one of its segments: the next commit does not reuse that
// segment's name.
func TestSegmentNumberAboveValidOnes(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	pp := "rsync://example.net/repo/ca2/"
	fill(t, r, 6, "a")
	s.Promote(r, nil, pp)
	s.SyncValid()
	s.Close()
	os.WriteFile(filepath.Join(r.dir, indexName), []byte("{"), 0o644)
	s = openTest(t, dir)
	r, _ = s.Repo(testRepo)
	if r.Generation() != 0 {
		t.Fatal("broken index used")
	}
	fill(t, r, 6, "b")
	v, err := s.Valid(nil, pp)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := v.Get("o2.roa"); string(b) != "a 2" {
		t.Fatalf("valid copy overwritten: %q", b)
	}
}

// TestValidCopiesPerOwner keeps the valid copies of two CAs that name the
// same point apart: a shadow CA promoting its copy neither replaces nor
// drops the owner's, before and after a reopen.
func TestValidCopiesPerOwner(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	r, _ := s.Repo(testRepo)
	pp := "rsync://example.net/repo/ca1/"
	victim, shadow := []byte("victim-ski-20-bytes!"), []byte("shadow-ski-20-bytes!")
	fill(t, r, 6, "a")
	if err := s.Promote(r, victim, pp); err != nil {
		t.Fatal(err)
	}
	fill(t, r, 6, "b")
	if s.IsValid(r, shadow, pp) {
		t.Fatal("a copy the shadow never validated counts as its own")
	}
	if err := s.Promote(r, shadow, pp); err != nil {
		t.Fatal(err)
	}
	s.DropValid(shadow, pp)
	if err := s.SyncValid(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir)
	v, err := s.Valid(victim, pp)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := v.Get("o1.roa"); string(b) != "a 1" {
		t.Fatalf("victim's copy holds %q, want a", b)
	}
	if _, err := s.Valid(shadow, pp); !errors.Is(err, ErrNotFound) {
		t.Fatalf("shadow's dropped copy: %v", err)
	}
	if _, err := s.Valid(nil, pp); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a copy without an owner: %v", err)
	}
}

// TestValidIndexFormat1Dropped opens a store whose valid index predates
// owners: it starts without validated copies instead of failing.
func TestValidIndexFormat1Dropped(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	path := s.validIndexPath()
	s.Close()
	if err := os.WriteFile(path, []byte("RPKIVALID1\nolder body"), 0o644); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir)
	if _, err := s.Valid(nil, "rsync://example.net/repo/ca1/"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("valid copy from a dropped index: %v", err)
	}
}

// TestKeptTACert keeps a trust anchor certificate across a reopen, under a
// name the file system never sees unfiltered.
func TestKeptTACert(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, err := s.TACert("../ripe"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before keeping: %v", err)
	}
	if err := s.KeepTACert("../ripe", []byte("der")); err != nil {
		t.Fatal(err)
	}
	if err := s.KeepTACert("ripe", nil); err == nil {
		t.Fatal("kept an empty certificate")
	}
	s.Close()
	s = openTest(t, dir)
	if b, err := s.TACert("../ripe"); err != nil || string(b) != "der" {
		t.Fatalf("after reopen: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ripe.cer")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the name reached the file system")
	}
}
