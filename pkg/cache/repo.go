package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// indexName is the file name of a repository's index.
const indexName = "index.json"

// indexFormat is the format of the index and of the segments it names
// (packMagic). Format 3 replaced one pack file per point by segments. An
// index of another format is dropped with its files when the repository is
// opened: the repository then reads as empty and is fetched again from
// scratch (an RRDP snapshot), where keeping it would leave points that no
// delta touches unreadable.
const indexFormat = 3

// index is a repository's committed state: its points, the segments
// holding their packs, and the fetch state.
type index struct {
	// ID is the repository id.
	ID string `json:"id"`
	// Format is indexFormat; absent (0) in the first format.
	Format int `json:"format"`
	// Gen counts commits.
	Gen uint64 `json:"gen"`
	// Seg is the number of the last segment created; the next is above.
	Seg uint64 `json:"seg"`
	// State is the fetcher's opaque state (rrdp.State for RRDP).
	State []byte `json:"state,omitempty"`
	// Segs maps the number of each segment the points use to its size.
	Segs map[uint64]int64 `json:"segs"`
	// Points maps publication point URIs to their packs.
	Points map[string]point `json:"points"`
}

// point locates one pack: bytes [Off, Off+Size) of segment Seg.
type point struct {
	Seg  uint64 `json:"seg"`
	Off  int64  `json:"off"`
	Size int64  `json:"size"`
	// Files and Bytes are the pack's object count and content size.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

// Repo is the raw store of one repository. It implements rrdp.Sink: one
// update at a time (Begin, Publish/Withdraw, Commit/Abort); readers see the
// last committed state throughout.
type Repo struct {
	s    *Store
	id   string
	name string // directory name under raw/
	dir  string
	mu   sync.RWMutex // guards idx
	idx  index
	txm  sync.Mutex // guards tx and lastSeg
	tx   *txn
	// lastSeg is the highest segment number in use or seen on disk.
	lastSeg uint64
}

// ID returns the repository id.
func (r *Repo) ID() string { return r.id }

// emptyIndex is the index of a repository that holds nothing.
func emptyIndex(id string) index {
	return index{ID: id, Format: indexFormat, Segs: map[uint64]int64{}, Points: map[string]point{}}
}

// load reads the index and removes every file that neither it nor the
// valid index names: the segment of an update that crashed before its
// index rename, the segments that update dropped when it crashed after,
// spool and temp files.
func (r *Repo) load() error {
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	r.idx = emptyIndex(r.id)
	b, err := readFileMax(filepath.Join(r.dir, indexName), MaxIndexSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cache: %s: %w", r.id, err)
	default:
		idx, err := decodeIndex(b, r.id)
		switch {
		case err != nil:
			r.s.log.Warn("unreadable index, starting empty", "repo", r.id, "error", err)
		case idx.Format != indexFormat:
			r.s.log.Info("index of another format, starting empty", "repo", r.id, "format", idx.Format)
		default:
			r.idx = idx
		}
	}
	r.lastSeg = r.idx.Seg
	return r.collect()
}

// decodeIndex parses an index and checks that its entries lie within the
// segments it lists. The format is returned unchecked.
func decodeIndex(b []byte, id string) (index, error) {
	var idx index
	if err := json.Unmarshal(b, &idx); err != nil {
		return idx, err
	}
	if idx.ID != id || idx.Points == nil {
		return idx, fmt.Errorf("%w: index of %q", ErrCorrupt, idx.ID)
	}
	if idx.Format != indexFormat {
		return idx, nil
	}
	for u, p := range idx.Points {
		size, ok := idx.Segs[p.Seg]
		if !ok || p.Off < 0 || p.Size <= 0 || p.Off+p.Size > size || p.Seg > idx.Seg {
			return idx, fmt.Errorf("%w: index entry of %s out of its segment", ErrCorrupt, u)
		}
	}
	return idx, nil
}

// collect removes the files of the repository directory that neither the
// index nor the valid index references, and raises lastSeg above every
// segment number on disk, so no new segment takes the name of one a valid
// entry still uses.
func (r *Repo) collect() error {
	keep := map[string]bool{indexName: true}
	for n := range r.idx.Segs {
		keep[segName(n)] = true
	}
	for _, n := range r.s.validSegsIn(r.name) {
		keep[segName(n)] = true
	}
	ents, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	removed := 0
	for _, e := range ents {
		if n, ok := parseSegName(e.Name()); ok {
			r.lastSeg = max(r.lastSeg, n)
		}
		if !keep[e.Name()] {
			os.RemoveAll(filepath.Join(r.dir, e.Name()))
			removed++
		}
	}
	if removed > 0 {
		r.s.log.Info("removed files of an unfinished update", "repo", r.id, "files", removed)
		return syncDir(r.dir)
	}
	return nil
}

// State returns the fetch state saved by the last Commit.
func (r *Repo) State() ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]byte(nil), r.idx.State...), nil
}

// Generation returns the commit generation, which grows by one per Commit.
func (r *Repo) Generation() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.idx.Gen
}

// PubPoints returns the publication point URIs held, sorted.
func (r *Repo) PubPoints() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.idx.Points))
	for u := range r.idx.Points {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// Stats returns the number of publication points, objects and bytes held.
func (r *Repo) Stats() (points, files int, bytes int64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, p := range r.idx.Points {
		files += p.Files
		bytes += p.Bytes
	}
	return len(r.idx.Points), files, bytes
}

// PointSize returns the size of a publication point's pack, what reading
// it costs in memory, or 0 when the repository does not hold it.
func (r *Repo) PointSize(uri string) int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.idx.Points[uri].Size
}

// PubPoint returns the raw content of a publication point (URI ending in
// "/"), or ErrNotFound.
func (r *Repo) PubPoint(uri string) (*PubPoint, error) {
	fd, p, err := r.openPack(uri)
	if err != nil {
		return nil, err
	}
	b, err := readOpenPack(fd, r.segPath(p.Seg), p.Off, p.Size)
	if err != nil {
		return nil, err
	}
	return decodePackOf(b, uri)
}

// openPack opens the segment holding a point's pack under the read lock,
// so that a concurrent Commit cannot delete it between lookup and open.
func (r *Repo) openPack(uri string) (fd int, p point, err error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.idx.Points[uri]
	if !ok {
		return -1, p, fmt.Errorf("%w: %s in %s", ErrNotFound, uri, r.id)
	}
	fd, err = openSegment(r.segPath(p.Seg))
	return fd, p, err
}

// segPath is the path of segment n of the repository.
func (r *Repo) segPath(n uint64) string { return filepath.Join(r.dir, segName(n)) }

// File returns the raw content of one object by URI.
func (r *Repo) File(uri string) ([]byte, error) {
	pp, name, err := SplitURI(uri)
	if err != nil {
		return nil, err
	}
	p, err := r.PubPoint(pp)
	if err != nil {
		return nil, err
	}
	if b, ok := p.Get(name); ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s in %s", ErrNotFound, uri, r.id)
}

// decodePackOf decodes a pack and checks it is the point's.
func decodePackOf(b []byte, uri string) (*PubPoint, error) {
	p, err := decodePack(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", uri, err)
	}
	if p.URI != uri {
		return nil, fmt.Errorf("%w: pack holds %s, want %s", ErrCorrupt, p.URI, uri)
	}
	return p, nil
}
