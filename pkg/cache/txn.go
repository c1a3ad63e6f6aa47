package cache

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// ErrConflict marks a publish or withdraw that does not match the held
// object (RFC 8182 §3.4.2): the RRDP client then falls back to the snapshot.
var ErrConflict = errors.New("cache: object conflict")

// txn is an open update: content spooled to a temp file, an index of the
// changes by URI, and the old packs read so far.
type txn struct {
	reset   bool
	spool   *os.File
	off     int64
	changes map[string]change
	old     map[string]*PubPoint
}

// change is the final state of one URI in the update.
type change struct {
	del bool
	off int64
	n   int
	sum [32]byte
}

// Begin starts an update; with reset the update replaces every object.
func (r *Repo) Begin(reset bool) error {
	r.txm.Lock()
	defer r.txm.Unlock()
	if r.tx != nil {
		return fmt.Errorf("cache: %s: an update is already open", r.id)
	}
	f, err := os.CreateTemp(r.dir, "spool-*.tmp")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	r.tx = &txn{reset: reset, spool: f, changes: map[string]change{}, old: map[string]*PubPoint{}}
	return nil
}

// Abort drops the open update, if any.
func (r *Repo) Abort() {
	r.txm.Lock()
	defer r.txm.Unlock()
	r.dropTx()
}

// dropTx closes and removes the spool; callers hold txm.
func (r *Repo) dropTx() {
	if r.tx != nil {
		r.tx.spool.Close()
		os.Remove(r.tx.spool.Name())
		r.tx = nil
	}
}

// Publish adds an object, or replaces the one whose SHA-256 is *replaces.
func (r *Repo) Publish(uri string, data []byte, replaces *[32]byte) error {
	r.txm.Lock()
	defer r.txm.Unlock()
	if r.tx == nil {
		return fmt.Errorf("cache: %s: publish outside an update", r.id)
	}
	if len(data) > MaxObjectSize {
		return fmt.Errorf("cache: %s: %d bytes, more than %d", uri, len(data), MaxObjectSize)
	}
	if _, _, err := SplitURI(uri); err != nil {
		return err
	}
	sum, exists, err := r.current(uri)
	if err != nil {
		return err
	}
	if replaces == nil && exists {
		return fmt.Errorf("%w: RFC 8182 §3.4.2: publish without hash of existing %s", ErrConflict, uri)
	}
	if replaces != nil && (!exists || sum != *replaces) {
		return fmt.Errorf("%w: RFC 8182 §3.4.2: publish replaces %s, whose hash differs or which is absent", ErrConflict, uri)
	}
	if _, err := r.tx.spool.Write(data); err != nil {
		return fmt.Errorf("cache: spool: %w", err)
	}
	r.tx.changes[uri] = change{off: r.tx.off, n: len(data), sum: sha256.Sum256(data)}
	r.tx.off += int64(len(data))
	return nil
}

// Withdraw removes the object whose SHA-256 is hash.
func (r *Repo) Withdraw(uri string, hash [32]byte) error {
	r.txm.Lock()
	defer r.txm.Unlock()
	if r.tx == nil {
		return fmt.Errorf("cache: %s: withdraw outside an update", r.id)
	}
	if _, _, err := SplitURI(uri); err != nil {
		return err
	}
	sum, exists, err := r.current(uri)
	if err != nil {
		return err
	}
	if !exists || sum != hash {
		return fmt.Errorf("%w: RFC 8182 §3.4.2: withdraw of %s, whose hash differs or which is absent", ErrConflict, uri)
	}
	r.tx.changes[uri] = change{del: true}
	return nil
}

// current returns the hash of the object at uri as the update sees it.
func (r *Repo) current(uri string) ([32]byte, bool, error) {
	if c, ok := r.tx.changes[uri]; ok {
		return c.sum, !c.del, nil
	}
	if r.tx.reset {
		return [32]byte{}, false, nil
	}
	pp, name, err := SplitURI(uri)
	if err != nil {
		return [32]byte{}, false, err
	}
	p, err := r.oldPoint(pp)
	if err != nil {
		return [32]byte{}, false, err
	}
	b, ok := p.Get(name)
	if !ok {
		return [32]byte{}, false, nil
	}
	return sha256.Sum256(b), true, nil
}

// oldPoint returns the committed content of a point, read once per update.
func (r *Repo) oldPoint(uri string) (*PubPoint, error) {
	if p, ok := r.tx.old[uri]; ok {
		return p, nil
	}
	p, err := r.PubPoint(uri)
	if errors.Is(err, ErrNotFound) {
		p, err = &PubPoint{URI: uri}, nil
	}
	if err != nil {
		return nil, err
	}
	r.tx.old[uri] = p
	return p, nil
}

// Commit writes the packs of every changed publication point, then
// atomically replaces the index (the commit point), then removes the packs
// no longer referenced. state is saved with the index.
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
	next := index{ID: r.id, Gen: r.idx.Gen + 1, State: append([]byte(nil), state...), Points: map[string]point{}}
	if !r.tx.reset {
		for u, p := range r.idx.Points {
			next.Points[u] = p
		}
	}
	r.mu.RUnlock()
	if err := r.writePacks(&next); err != nil {
		return err
	}
	if err := syncDir(r.dir); err != nil {
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

// writePacks writes a new pack for every point the update changed and
// records it (or its removal, when empty) in next. Packs are written first
// and then fsynced together by syncFiles: parallel fsyncs share the file
// system's journal commits, where one fsync per pack in sequence would make
// a cold snapshot disk-latency bound.
func (r *Repo) writePacks(next *index) error {
	byPoint := map[string][]string{}
	for uri := range r.tx.changes {
		pp, _, err := SplitURI(uri)
		if err != nil {
			return err
		}
		byPoint[pp] = append(byPoint[pp], uri)
	}
	var written []string
	for pp, uris := range byPoint {
		p, err := r.mergePoint(pp, uris)
		if err != nil {
			return err
		}
		if len(p.Files) == 0 {
			delete(next.Points, pp)
			continue
		}
		name := strconv.FormatUint(next.Gen, 10) + "-" + pointKey(pp) + ".pack"
		if err := os.WriteFile(filepath.Join(r.dir, name), encodePack(p), 0o644); err != nil {
			return fmt.Errorf("cache: write pack of %s: %w", pp, err)
		}
		written = append(written, filepath.Join(r.dir, name))
		pt := point{Pack: name, Files: len(p.Files)}
		for _, f := range p.Files {
			pt.Bytes += int64(len(f.Data))
		}
		next.Points[pp] = pt
	}
	return syncFiles(written)
}

// mergePoint applies the update's changes of one point to its old content.
func (r *Repo) mergePoint(pp string, uris []string) (*PubPoint, error) {
	files := map[string][]byte{}
	if !r.tx.reset {
		old, err := r.oldPoint(pp)
		if err != nil {
			return nil, err
		}
		for _, f := range old.Files {
			files[f.Name] = f.Data
		}
	}
	for _, uri := range uris {
		_, name, _ := SplitURI(uri)
		c := r.tx.changes[uri]
		if c.del {
			delete(files, name)
			continue
		}
		b := make([]byte, c.n)
		if _, err := r.tx.spool.ReadAt(b, c.off); err != nil {
			return nil, fmt.Errorf("cache: spool: %w", err)
		}
		files[name] = b
	}
	p := &PubPoint{URI: pp, Files: make([]File, 0, len(files))}
	for n, b := range files {
		p.Files = append(p.Files, File{Name: n, Data: b})
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Name < p.Files[j].Name })
	return p, nil
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
