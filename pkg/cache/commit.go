package cache

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
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
	if err := replaceFile(filepath.Join(r.dir, indexName), b); err != nil {
		return err
	}
	reached("index")
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
	reached("segment")
	if err := w.finish(r.dir); err != nil {
		return nil, err
	}
	next.Seg, next.Segs[n] = n, w.size
	pruneSegs(next)
	return moved, nil
}

// writeChanges appends the new pack of each changed point to w, segment n.
// Points are taken in spool order, so the spool is read front to back.
func (r *Repo) writeChanges(w *segWriter, n uint64, next *index) error {
	var b packBuilder
	for _, g := range r.tx.pointChanges() {
		pack, pt, err := b.build(r, g)
		if err != nil {
			return err
		}
		if pt.Files == 0 {
			delete(next.Points, g.point)
			continue
		}
		if pt.Off, err = w.append(pack); err != nil {
			return fmt.Errorf("cache: write pack of %s: %w", g.point, err)
		}
		pt.Seg = n
		next.Points[g.point] = pt
	}
	return nil
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
		reached("compact")
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

// pointChanges is the changes an update makes to one publication point.
type pointChanges struct {
	point string
	// first is the smallest spool offset of the point's content.
	first int64
	names []nameChange
}

// nameChange is the change of one file of a point.
type nameChange struct {
	name string
	c    change
}

// pointChanges groups the changes by point, in spool order.
func (t *txn) pointChanges() []*pointChanges {
	byPoint := map[string]*pointChanges{}
	var out []*pointChanges
	for uri, c := range t.changes {
		i := strings.LastIndexByte(uri, '/') // Publish and Withdraw checked uri
		g := byPoint[uri[:i+1]]
		if g == nil {
			g = &pointChanges{point: uri[:i+1], first: math.MaxInt64}
			byPoint[g.point] = g
			out = append(out, g)
		}
		g.names = append(g.names, nameChange{name: uri[i+1:], c: c})
		if !c.del {
			g.first = min(g.first, c.off)
		}
	}
	slices.SortFunc(out, func(a, b *pointChanges) int { return cmp.Compare(a.first, b.first) })
	return out
}

// packBuilder builds the packs of a commit straight into buffers reused
// from one point to the next: the merged file list, a chunk of spooled
// content and the pack itself.
type packBuilder struct {
	files []File
	refs  []spoolRef
	chunk []byte
	pack  []byte
}

// build merges the changes of a point into its committed content and
// encodes the pack, valid until the next call.
func (b *packBuilder) build(r *Repo, g *pointChanges) ([]byte, point, error) {
	var old []File
	if !r.tx.reset {
		p, err := r.oldPoint(g.point)
		if err != nil {
			return nil, point{}, err
		}
		old = p.Files
	}
	b.merge(old, g.names)
	b.pack = appendPackBody(b.pack, g.point, b.files, b.refs)
	var err error
	if b.chunk, err = r.tx.spool.readInto(b.pack, b.refs, b.chunk); err != nil {
		return nil, point{}, err
	}
	b.pack = sealPack(b.pack)
	pt := point{Files: len(b.files), Size: int64(len(b.pack))}
	for _, f := range b.files {
		pt.Bytes += int64(len(f.Data))
	}
	for _, ref := range b.refs {
		pt.Bytes += int64(ref.n)
	}
	return b.pack, pt, nil
}

// merge sets b.files to old (sorted by name) with the changes applied, in
// name order; the content of published files is left to read from the
// spool through b.refs.
func (b *packBuilder) merge(old []File, changes []nameChange) {
	slices.SortFunc(changes, func(x, y nameChange) int { return strings.Compare(x.name, y.name) })
	b.files, b.refs = b.files[:0], b.refs[:0]
	i := 0
	for _, ch := range changes {
		for ; i < len(old) && old[i].Name < ch.name; i++ {
			b.files = append(b.files, old[i])
		}
		if i < len(old) && old[i].Name == ch.name {
			i++
		}
		if !ch.c.del {
			b.refs = append(b.refs, spoolRef{i: len(b.files), off: ch.c.off, n: ch.c.n})
			b.files = append(b.files, File{Name: ch.name})
		}
	}
	b.files = append(b.files, old[i:]...)
}
