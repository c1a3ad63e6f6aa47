package cache

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
)

// Compaction bounds a repository's disk use: a commit rewrites every live
// pack into its new segment when the segments hold more dead bytes (packs
// no index entry names any more) than live ones, and at least
// compactMinDead, so that deltas cannot grow the directory without bound
// (at most about twice the live bytes, plus the floor). compactMaxSegments
// bounds the segment count of a repository whose points change one by one.
const (
	compactMinDead     = 1 << 20
	compactMaxSegments = 1024
	// compactReadMax bounds one read of adjacent live packs.
	compactReadMax = 4 << 20
)

// Commit writes the packs of every changed publication point back to back
// into one new segment, makes it durable, then atomically replaces the
// index (the commit point), then removes the segments no longer
// referenced. state is saved with the index.
func (r *Repo) Commit(state []byte) error {
	r.txm.Lock()
	defer r.txm.Unlock()
	if r.tx == nil {
		return fmt.Errorf("cache: %s: commit outside an update", r.id)
	}
	defer r.dropTx()
	if len(state) > MaxStateSize {
		return fmt.Errorf("cache: %s: state of %d bytes", r.id, len(state))
	}
	next := r.nextIndex(state)
	moved, err := r.writeSegment(&next)
	if err != nil {
		return err
	}
	b, err := json.Marshal(&next)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	// On error the new segment stays: the index may have been renamed
	// before the directory fsync failed. load() removes it if not.
	if err := r.s.replaceFile(filepath.Join(r.dir, indexName), b); err != nil {
		return err
	}
	r.s.reached("index")
	r.mu.Lock()
	old := r.idx
	r.idx = next
	r.s.remapValid(r.name, moved)
	r.mu.Unlock()
	r.s.collectSegs(r, droppedSegs(old.Segs, next.Segs))
	return nil
}

// nextIndex starts the index the update commits: the committed points
// unless the update resets them.
func (r *Repo) nextIndex(state []byte) index {
	r.mu.RLock()
	defer r.mu.RUnlock()
	next := emptyIndex(r.id)
	next.Gen, next.Seg = r.idx.Gen+1, r.lastSeg
	next.State = append([]byte(nil), state...)
	if !r.tx.reset {
		maps.Copy(next.Points, r.idx.Points)
		maps.Copy(next.Segs, r.idx.Segs)
	}
	return next
}

// droppedSegs returns the segments of old that next does not reference.
func droppedSegs(old, next map[uint64]int64) []uint64 {
	var out []uint64
	for n := range old {
		if _, ok := next[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}

// writeSegment writes a new pack for every point the update changed into
// one new segment, records it (or the point's removal, when empty) in
// next, compacts when due, and returns once the segment is durable, so the
// index written next names only complete packs. It returns the points
// compaction moved. A commit that writes no pack creates no segment.
func (r *Repo) writeSegment(next *index) ([]movedPoint, error) {
	n := r.lastSeg + 1
	w := newSegWriter(r.segPath(n))
	defer w.abort()
	if err := r.writeChanges(w, n, next); err != nil {
		return nil, err
	}
	// The spool's content is in the segment now; removing it first keeps
	// the fsync from writing it to disk for nothing.
	r.tx.spool.close()
	var moved []movedPoint
	if needsCompaction(next, n, w.size) {
		var err error
		if moved, err = r.compact(w, n, next); err != nil {
			return nil, err
		}
	}
	if w.size == 0 {
		pruneSegs(next)
		return moved, nil
	}
	r.lastSeg = n
	r.s.reached("segment")
	if err := w.finish(r.dir); err != nil {
		return nil, err
	}
	next.Seg, next.Segs[n] = n, w.size
	pruneSegs(next)
	return moved, nil
}

// writeChanges appends the new pack of each changed point to w, segment
// n, in URI order (pointwrite.go), and records them in next.
func (r *Repo) writeChanges(w *segWriter, n uint64, next *index) error {
	pw := r.newPointWriter(w, n, next)
	defer pw.close()
	return pw.writeAll()
}

// pruneSegs drops from next.Segs the segments no point references.
func pruneSegs(next *index) {
	used := make(map[uint64]bool, len(next.Segs))
	for _, p := range next.Points {
		used[p.Seg] = true
	}
	for n := range next.Segs {
		if !used[n] {
			delete(next.Segs, n)
		}
	}
}

// needsCompaction tells whether the segments next references, with the
// new segment n of size bytes so far, hold more dead bytes than live ones
// (and the floor), or are too many.
func needsCompaction(next *index, n uint64, size int64) bool {
	var live int64
	used := map[uint64]bool{}
	for _, p := range next.Points {
		live += p.Size
		used[p.Seg] = true
	}
	total := size
	for s := range used {
		if s != n {
			total += next.Segs[s]
		}
	}
	dead := total - live
	return dead > live && dead > compactMinDead || len(used) > compactMaxSegments
}

// movedPoint is a point whose unchanged pack compaction copied.
type movedPoint struct {
	uri      string
	from, to point
}

// compact appends every live pack not yet in segment n to w, reading runs
// of adjacent packs together, and points next's entries at the copies.
func (r *Repo) compact(w *segWriter, n uint64, next *index) ([]movedPoint, error) {
	var moved []movedPoint
	for u, p := range next.Points {
		if p.Seg != n {
			moved = append(moved, movedPoint{uri: u, from: p})
		}
	}
	slices.SortFunc(moved, func(a, b movedPoint) int {
		return cmp.Or(cmp.Compare(a.from.Seg, b.from.Seg), cmp.Compare(a.from.Off, b.from.Off))
	})
	var buf []byte
	for i := 0; i < len(moved); {
		j, run := nextRun(moved, i)
		dst, b, err := copyRun(r.dir, run, w, buf)
		if err != nil {
			return nil, err
		}
		buf = b
		for k := i; k < j; k++ {
			to := moved[k].from
			to.Seg, to.Off = n, dst+to.Off-run.off
			moved[k].to = to
			next.Points[moved[k].uri] = to
		}
		i = j
		r.s.reached("compact")
	}
	r.s.log.Info("compacted repository", "repo", r.id, "points", len(moved))
	return moved, nil
}

// nextRun returns the run of packs adjacent in their segment from
// moved[i] (sorted by segment and offset), at most compactReadMax bytes
// unless one pack is larger, and the index after it.
func nextRun(moved []movedPoint, i int) (int, segRun) {
	p := moved[i].from
	run := segRun{seg: p.Seg, off: p.Off, end: p.Off + p.Size}
	j := i + 1
	for ; j < len(moved); j++ {
		q := moved[j].from
		if q.Seg != run.seg || q.Off != run.end || q.Off+q.Size-run.off > compactReadMax {
			break
		}
		run.end = q.Off + q.Size
	}
	return j, run
}
