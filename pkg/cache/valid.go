package cache

import (
	"fmt"
	"maps"
	"path/filepath"
	"strings"
)

// segKey names a segment file: its repository's directory under raw/ and
// its number.
type segKey struct {
	dir string
	seg uint64
}

// validEntry locates the pack of a point's valid copy: bytes
// [off, off+size) of a segment. Segments are immutable, so an entry equal
// to a raw one names the same bytes.
type validEntry struct {
	segKey
	off, size int64
}

// entryOf is the valid entry naming raw point p of repository dir.
func entryOf(dir string, p point) validEntry {
	return validEntry{segKey{dir, p.Seg}, p.Off, p.Size}
}

// validKey is the key of a valid entry: the point's URI and the owner, the
// CA that validated the copy (its SKI). Keyed by the point alone, a CA
// naming another CA's point in its own certificate (a shadow repository)
// could displace or age out that CA's copy; keyed by owner, no CA reads,
// replaces or drops another's. The point is the caller's string, not a
// copy: the engine's CA record holds it anyway (40,000 keys at global
// scale), and a lookup allocates nothing.
type validKey struct {
	point, owner string
}

func keyOf(owner []byte, point string) validKey { return validKey{point, string(owner)} }

// joined is the key as the persisted index writes it, sorted: the point,
// a NUL, the owner.
func (k validKey) joined() string { return k.point + "\x00" + k.owner }

// splitValidKey returns the key a persisted key names.
func splitValidKey(k string) validKey {
	point, owner, _ := strings.Cut(k, "\x00")
	return validKey{point, owner}
}

// validIndex is the valid store in memory: an entry per point and owner, and the
// references each segment has from it and from the persisted copy, which
// keep the segment on disk (gc.go).
type validIndex struct {
	entries map[validKey]validEntry
	// refs counts the entries naming each segment.
	refs map[segKey]int
	// disk counts the entries of the persisted index naming each segment.
	disk map[segKey]int
	// dropped holds the segments refs stopped naming since the last sync.
	dropped map[segKey]bool
	// dirty is set when entries differ from the persisted index.
	dirty bool
}

// newValidIndex returns the in-memory state of a persisted index.
func newValidIndex(entries map[validKey]validEntry) validIndex {
	v := validIndex{entries: entries, refs: map[segKey]int{}, dropped: map[segKey]bool{}}
	for _, e := range entries {
		v.refs[e.segKey]++
	}
	v.disk = maps.Clone(v.refs)
	return v
}

// set makes e the valid entry of key k.
func (v *validIndex) set(k validKey, e validEntry) {
	old, ok := v.entries[k]
	if ok && old == e {
		return
	}
	if ok {
		v.unref(old.segKey)
	}
	v.entries[k] = e
	v.refs[e.segKey]++
	v.dirty = true
}

// remove drops the valid entry of key k, if any.
func (v *validIndex) remove(k validKey) {
	if old, ok := v.entries[k]; ok {
		delete(v.entries, k)
		v.unref(old.segKey)
		v.dirty = true
	}
}

// unref drops one in-memory reference to segment k.
func (v *validIndex) unref(k segKey) {
	if v.refs[k]--; v.refs[k] <= 0 {
		delete(v.refs, k)
		v.dropped[k] = true
	}
}

// used tells whether the valid index, in memory or on disk, names k.
func (v *validIndex) used(k segKey) bool { return v.refs[k] > 0 || v.disk[k] > 0 }

// persisted records that the entries are now durable and returns the
// segments that neither they nor the index they replaced name, but that
// one of them named since the last sync: garbage unless a raw index still
// names them.
func (v *validIndex) persisted() []segKey {
	old := v.disk
	v.disk = maps.Clone(v.refs)
	var freed []segKey
	for k := range old {
		if !v.used(k) {
			freed = append(freed, k)
			delete(v.dropped, k)
		}
	}
	for k := range v.dropped {
		if !v.used(k) {
			freed = append(freed, k)
		}
	}
	v.dropped, v.dirty = map[segKey]bool{}, false
	return freed
}

// Promote makes the raw content of a publication point of repo the valid
// copy of CA owner (its SKI), once the validation engine accepted the
// point's manifest, CRL and file hashes (RFC 9286 §6) under that CA. It records the raw entry in the in-memory
// valid index, without a file system call: segments are immutable, and
// the segment stays on disk while any index names it. SyncValid, which
// the engine calls once per run, makes the promotions durable: a crash
// before it may only leave an older valid copy, which is what a failed
// fetch would have left anyway.
func (s *Store) Promote(repo *Repo, owner []byte, point string) error {
	repo.mu.RLock() // the segment cannot vanish meanwhile
	defer repo.mu.RUnlock()
	p, ok := repo.idx.Points[point]
	if !ok {
		return fmt.Errorf("%w: promote %s: not in %s", ErrNotFound, point, repo.id)
	}
	s.vmu.Lock()
	s.valid.set(keyOf(owner, point), entryOf(repo.name, p))
	s.vmu.Unlock()
	return nil
}

// IsValid reports whether owner's valid copy of a point is the raw copy
// repo holds now (the same bytes of the same segment), so a caller can skip
// reading and promoting what is already validated. It compares two
// in-memory entries.
func (s *Store) IsValid(repo *Repo, owner []byte, point string) bool {
	repo.mu.RLock()
	p, ok := repo.idx.Points[point]
	repo.mu.RUnlock()
	if !ok {
		return false
	}
	s.vmu.RLock()
	e, ok := s.valid.entries[keyOf(owner, point)]
	s.vmu.RUnlock()
	return ok && e == entryOf(repo.name, p)
}

// Valid returns the last copy of a publication point that CA owner
// validated, or ErrNotFound.
func (s *Store) Valid(owner []byte, point string) (*PubPoint, error) {
	s.vmu.RLock() // the segment cannot vanish before it is open
	e, ok := s.valid.entries[keyOf(owner, point)]
	if !ok {
		s.vmu.RUnlock()
		return nil, fmt.Errorf("%w: no valid copy of %s", ErrNotFound, point)
	}
	path := filepath.Join(s.rawDir(), e.dir, segName(e.seg))
	fd, err := openSegment(path)
	s.vmu.RUnlock()
	if err != nil {
		return nil, err
	}
	b, err := readOpenPack(fd, path, e.off, e.size)
	if err != nil {
		return nil, err
	}
	return decodePackOf(b, point)
}

// DropValid removes owner's valid copy of a publication point, for the
// engine to call once that copy has expired (RFC 9286 §6.6). SyncValid
// makes the removal durable.
func (s *Store) DropValid(owner []byte, point string) error {
	s.vmu.Lock()
	s.valid.remove(keyOf(owner, point))
	s.vmu.Unlock()
	return nil
}

// SyncValid makes the promotions and drops so far durable, when there are
// any: the valid index is replaced atomically (temp file, fsync, rename,
// directory fsync). Segments then named by no index are removed.
func (s *Store) SyncValid() error {
	s.vmu.Lock()
	if !s.valid.dirty {
		s.vmu.Unlock()
		return nil
	}
	if err := s.replaceFile(s.validIndexPath(), encodeValid(s.valid.entries)); err != nil {
		s.vmu.Unlock()
		return err
	}
	s.reached("valid")
	freed := s.valid.persisted()
	s.vmu.Unlock()
	s.collectFreed(freed)
	return nil
}

// remapValid follows compaction: a valid entry that named the old pack of
// a moved point names its copy, whose bytes are the same.
func (s *Store) remapValid(dir string, moved []movedPoint) {
	if len(moved) == 0 {
		return
	}
	s.vmu.Lock()
	defer s.vmu.Unlock()
	byPoint := map[string][]validKey{}
	for k, e := range s.valid.entries {
		if e.dir == dir {
			byPoint[k.point] = append(byPoint[k.point], k)
		}
	}
	for _, m := range moved {
		for _, k := range byPoint[m.uri] {
			if s.valid.entries[k] == entryOf(dir, m.from) {
				s.valid.set(k, entryOf(dir, m.to))
			}
		}
	}
}

// validSegsIn returns the segments of repository directory dir that the
// valid index names, in memory or on disk.
func (s *Store) validSegsIn(dir string) []uint64 {
	s.vmu.RLock()
	defer s.vmu.RUnlock()
	var out []uint64
	for _, refs := range []map[segKey]int{s.valid.refs, s.valid.disk} {
		for k := range refs {
			if k.dir == dir {
				out = append(out, k.seg)
			}
		}
	}
	return out
}
