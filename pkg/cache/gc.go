package cache

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// A segment is garbage when no index names it: not its repository's
// committed index, nor the valid index in memory, nor the persisted valid
// index. Segments are deleted only after the index that dropped the last
// reference is durable (Commit for raw references, SyncValid for valid
// ones), so a crash never leaves an index naming a deleted segment; one
// that leaves garbage behind is cleaned by the repository's next load().
//
// Lock order: Store.mu, then Repo.mu, then Store.vmu (Store.mu is released
// before a Repo.mu is taken).

// collectSegs removes the segments ns of repository r that no index names.
// Under r.mu no raw entry can start naming them, and only a raw entry can
// be promoted, so no valid one can either.
func (s *Store) collectSegs(r *Repo, ns []uint64) {
	if len(ns) == 0 {
		return
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	s.removeUnused(r.name, ns, r.idx.Segs)
}

// removeUnused removes the segments ns of repository directory dir that
// neither raw (the repository's segments) nor the valid index names.
func (s *Store) removeUnused(dir string, ns []uint64, raw map[uint64]int64) {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	for _, n := range ns {
		if _, ok := raw[n]; ok || s.valid.used(segKey{dir, n}) {
			continue
		}
		os.Remove(filepath.Join(s.rawDir(), dir, segName(n)))
	}
}

// collectFreed removes the segments of keys, which the valid index stopped
// naming, unless their repository's index names them.
func (s *Store) collectFreed(keys []segKey) {
	byDir := map[string][]uint64{}
	for _, k := range keys {
		byDir[k.dir] = append(byDir[k.dir], k.seg)
	}
	for dir, ns := range byDir {
		s.mu.Lock()
		if r := s.byDir[dir]; r != nil {
			s.mu.Unlock()
			s.collectSegs(r, ns)
			continue
		}
		s.collectUnloaded(dir, ns) // under s.mu: the repository stays unloaded
		s.mu.Unlock()
	}
}

// collectUnloaded is collectSegs for a repository not loaded by this
// process: its index is read from disk. When that index cannot be used
// nothing is removed; load() decides later.
func (s *Store) collectUnloaded(dir string, ns []uint64) {
	b, err := readFileMax(filepath.Join(s.rawDir(), dir, indexName), MaxIndexSize)
	var idx index
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return
	case json.Unmarshal(b, &idx) != nil || idx.Format != indexFormat:
		return
	}
	s.removeUnused(dir, ns, idx.Segs)
}
