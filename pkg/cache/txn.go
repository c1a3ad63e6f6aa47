package cache

import (
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrConflict marks a publish or withdraw that does not match the held
// object (RFC 8182 §3.4.2): the RRDP client then falls back to the snapshot.
var ErrConflict = errors.New("cache: object conflict")

// txn is an open update: content spooled to a temp file, an index of the
// changes by URI, and the old packs read so far.
type txn struct {
	reset   bool
	spool   *spool
	changes map[string]change
	old     map[string]*PubPoint
}

// change is the final state of one URI in the update. The SHA-256 of a
// published object is computed only when a later publish or withdraw of the
// same URI in the update asks for it: a snapshot never does, and hashing
// every object cost as much as writing it.
type change struct {
	del    bool
	hashed bool
	off    int64
	n      int
	sum    [32]byte
}

// Begin starts an update; with reset the update replaces every object.
func (r *Repo) Begin(reset bool) error {
	r.txm.Lock()
	defer r.txm.Unlock()
	if r.tx != nil {
		return fmt.Errorf("cache: %s: an update is already open", r.id)
	}
	sp, err := newSpool(r.dir)
	if err != nil {
		return err
	}
	r.tx = &txn{reset: reset, spool: sp, changes: map[string]change{}, old: map[string]*PubPoint{}}
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
		r.tx.spool.close()
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
	sum, exists, err := r.current(uri, replaces != nil)
	if err != nil {
		return err
	}
	if replaces == nil && exists {
		return fmt.Errorf("%w: RFC 8182 §3.4.2: publish without hash of existing %s", ErrConflict, uri)
	}
	if replaces != nil && (!exists || sum != *replaces) {
		return fmt.Errorf("%w: RFC 8182 §3.4.2: publish replaces %s, whose hash differs or which is absent", ErrConflict, uri)
	}
	off, err := r.tx.spool.append(data)
	if err != nil {
		return err
	}
	r.tx.changes[uri] = change{off: off, n: len(data)}
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
	sum, exists, err := r.current(uri, true)
	if err != nil {
		return err
	}
	if !exists || sum != hash {
		return fmt.Errorf("%w: RFC 8182 §3.4.2: withdraw of %s, whose hash differs or which is absent", ErrConflict, uri)
	}
	r.tx.changes[uri] = change{del: true}
	return nil
}

// current tells whether the update sees an object at uri and, when
// needHash is set, returns its SHA-256.
func (r *Repo) current(uri string, needHash bool) ([32]byte, bool, error) {
	if c, ok := r.tx.changes[uri]; ok {
		if c.del || !needHash || c.hashed {
			return c.sum, !c.del, nil
		}
		return r.hashChange(uri, c)
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
	if !ok || !needHash {
		return [32]byte{}, ok, nil
	}
	return sha256.Sum256(b), true, nil
}

// hashChange reads a spooled object back, hashes it and remembers the hash.
func (r *Repo) hashChange(uri string, c change) ([32]byte, bool, error) {
	b := make([]byte, c.n)
	if err := r.tx.spool.readAt(b, c.off); err != nil {
		return [32]byte{}, false, err
	}
	c.sum, c.hashed = sha256.Sum256(b), true
	r.tx.changes[uri] = c
	return c.sum, true, nil
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
