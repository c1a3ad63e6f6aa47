package cache

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Commit writes the packs of every changed publication point, makes them
// durable, then atomically replaces the index (the commit point), then
// removes the packs no longer referenced. state is saved with the index.
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
	r.mu.RLock()
	next := index{ID: r.id, Format: indexFormat, Gen: r.idx.Gen + 1, State: append([]byte(nil), state...), Points: map[string]point{}}
	if !r.tx.reset {
		for u, p := range r.idx.Points {
			next.Points[u] = p
		}
	}
	r.mu.RUnlock()
	if err := r.writePacks(&next); err != nil {
		return err
	}
	b, err := json.Marshal(&next)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := replaceFile(filepath.Join(r.dir, indexName), b); err != nil {
		return err
	}
	r.mu.Lock()
	old := r.idx
	r.idx = next
	r.mu.Unlock()
	r.removeUnused(old, next)
	return nil
}

// writePacks writes a new pack for every point the update changed, records
// it (or the point's removal, when empty) in next, and returns once every
// pack is durable (packSync), so the index written next names only
// complete packs. Points are taken in spool order, so the spool is read
// front to back.
func (r *Repo) writePacks(next *index) error {
	ps, err := newPackSync(r.dir)
	if err != nil {
		return err
	}
	defer ps.close()
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
		pt.Pack = strconv.FormatUint(next.Gen, 10) + "-" + pointKey(g.point) + ".pack"
		path := filepath.Join(r.dir, pt.Pack)
		if err := writeNewFile(path, pack); err != nil {
			return fmt.Errorf("cache: write pack of %s: %w", g.point, err)
		}
		ps.added(path)
		next.Points[g.point] = pt
	}
	// The spool's content is in the packs now; removing it first keeps the
	// sync from writing it to disk for nothing.
	r.tx.spool.close()
	return ps.sync()
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
// from one point to the next: the merged file list, the spooled content
// and the pack itself.
type packBuilder struct {
	files []File
	refs  []spoolRef
	data  []byte
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
	var err error
	if b.data, err = r.tx.spool.fill(b.files, b.refs, b.data); err != nil {
		return nil, point{}, err
	}
	b.pack = appendPack(b.pack, g.point, b.files)
	pt := point{Files: len(b.files), Size: int64(len(b.pack))}
	for _, f := range b.files {
		pt.Bytes += int64(len(f.Data))
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

// removeUnused deletes the packs of old that next no longer references.
// A crash before this point leaves them behind; load() removes them.
func (r *Repo) removeUnused(old, next index) {
	used := map[string]bool{}
	for _, p := range next.Points {
		used[p.Pack] = true
	}
	for _, p := range old.Points {
		if !used[p.Pack] {
			os.Remove(filepath.Join(r.dir, p.Pack))
		}
	}
}
