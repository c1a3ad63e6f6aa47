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
	"syscall"

	"go.uber.org/zap"
)

// indexName is the file name of a repository's index.
const indexName = "index.json"

// indexFormat is the format of the index and of the packs it names
// (packMagic). An index of another format is dropped with its packs when
// the repository is opened: the repository then reads as empty and is
// fetched again from scratch (an RRDP snapshot), where keeping it would
// leave points that no delta touches unreadable.
const indexFormat = 2

// index is a repository's committed state: its packs and fetch state.
type index struct {
	// ID is the repository id.
	ID string `json:"id"`
	// Format is indexFormat; absent (0) in the first format.
	Format int `json:"format"`
	// Gen counts commits; new packs are named after it.
	Gen uint64 `json:"gen"`
	// State is the fetcher's opaque state (rrdp.State for RRDP).
	State []byte `json:"state,omitempty"`
	// Points maps publication point URIs to their packs.
	Points map[string]point `json:"points"`
}

// point describes one pack.
type point struct {
	// Pack is the pack's file name in the repository directory.
	Pack string `json:"pack"`
	// Files and Bytes are the pack's object count and content size.
	Files int `json:"files"`
	// Bytes is the total object size.
	Bytes int64 `json:"bytes"`
	// Size is the pack's file size, which spares an fstat per read.
	Size int64 `json:"size"`
}

// Repo is the raw store of one repository. It implements rrdp.Sink: one
// update at a time (Begin, Publish/Withdraw, Commit/Abort); readers see the
// last committed state throughout.
type Repo struct {
	s   *Store
	id  string
	dir string
	mu  sync.RWMutex // guards idx
	idx index
	txm sync.Mutex // guards tx
	tx  *txn
}

// ID returns the repository id.
func (r *Repo) ID() string { return r.id }

// load reads the index and removes every file it does not name: packs of
// an update that crashed before its index rename, the packs that update
// replaced when it crashed after, spool and temp files.
func (r *Repo) load() error {
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	r.idx = index{ID: r.id, Format: indexFormat, Points: map[string]point{}}
	b, err := readFileMax(filepath.Join(r.dir, indexName), MaxIndexSize)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cache: %s: %w", r.id, err)
	default:
		var idx index
		switch err := json.Unmarshal(b, &idx); {
		case err != nil || idx.ID != r.id || idx.Points == nil:
			r.s.log.Warn("unreadable index, starting empty", zap.String("repo", r.id), zap.Error(err))
		case idx.Format != indexFormat:
			r.s.log.Info("index of another format, starting empty", zap.String("repo", r.id), zap.Int("format", idx.Format))
		default:
			r.idx = idx
		}
	}
	return r.collect()
}

// collect removes the files of the repository directory the index does not
// reference.
func (r *Repo) collect() error {
	keep := map[string]bool{indexName: true}
	for _, p := range r.idx.Points {
		keep[p.Pack] = true
	}
	ents, err := os.ReadDir(r.dir)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	removed := 0
	for _, e := range ents {
		if !keep[e.Name()] {
			os.RemoveAll(filepath.Join(r.dir, e.Name()))
			removed++
		}
	}
	if removed > 0 {
		r.s.log.Info("removed files of an unfinished update", zap.String("repo", r.id), zap.Int("files", removed))
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

// PubPoint returns the raw content of a publication point (URI ending in
// "/"), or ErrNotFound.
func (r *Repo) PubPoint(uri string) (*PubPoint, error) {
	fd, size, err := r.openPack(uri)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	b, err := readFD(fd, uri, size, MaxPackSize)
	if err != nil {
		return nil, err
	}
	return decodePackOf(b, uri)
}

// openPack opens the pack of a point under the read lock, so that a
// concurrent Commit cannot delete it between lookup and open.
func (r *Repo) openPack(uri string) (fd int, size int64, err error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.idx.Points[uri]
	if !ok {
		return -1, 0, fmt.Errorf("%w: %s in %s", ErrNotFound, uri, r.id)
	}
	path := filepath.Join(r.dir, p.Pack)
	fd, err = openFile(path, syscall.O_RDONLY, 0)
	if err != nil {
		return -1, 0, fmt.Errorf("cache: %w", &fs.PathError{Op: "open", Path: path, Err: err})
	}
	return fd, p.Size, nil
}

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
