package cache

import (
	"errors"
	"fmt"
)

// ErrConflict marks a publish or withdraw that does not match the held
// object (RFC 8182 §3.4.2): the RRDP client then falls back to the snapshot.
var ErrConflict = errors.New("cache: object conflict")

// txn is an open update: content spooled to a temp file and the ops, in
// the op log, that Commit checks and applies (oplog.go).
type txn struct {
	reset bool
	spool *spool
	ops   opLog
	// objects is what the repository will hold if every op so far
	// applies, for the objects-per-repository limit.
	objects int
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
	r.tx = &txn{reset: reset, spool: sp, ops: newOpLog(r.dir)}
	if !reset {
		_, r.tx.objects, _ = r.Stats()
	}
	return nil
}

// Abort drops the open update, if any.
func (r *Repo) Abort() {
	r.txm.Lock()
	defer r.txm.Unlock()
	r.dropTx()
}

// dropTx closes and removes the spool and the run files; callers hold txm.
func (r *Repo) dropTx() {
	if r.tx != nil {
		r.tx.spool.close()
		r.tx.ops.close()
		r.tx = nil
	}
}

// Publish adds an object, or replaces the one whose SHA-256 is *replaces.
// A publish that does not match the objects held (RFC 8182 §3.4.2) makes
// Commit fail with ErrConflict; one that breaks a limit fails here with
// ErrLimit. After an error the update can only be aborted.
func (r *Repo) Publish(uri string, data []byte, replaces *[32]byte) error {
	r.txm.Lock()
	defer r.txm.Unlock()
	if r.tx == nil {
		return fmt.Errorf("cache: %s: publish outside an update", r.id)
	}
	if len(data) > r.s.lim.Object {
		return fmt.Errorf("%w: %s: object of %d bytes, more than %d (per-object limit)", ErrLimit, uri, len(data), r.s.lim.Object)
	}
	point, name, err := SplitURI(uri)
	if err != nil {
		return err
	}
	o := op{point: point, name: name, kind: opAdd, n: len(data)}
	if replaces != nil {
		o.kind, o.sum = opReplace, *replaces
	} else if err := r.countObject(1); err != nil {
		return err
	}
	if o.off, err = r.tx.spool.append(data); err != nil {
		return err
	}
	return r.tx.ops.add(o)
}

// Withdraw removes the object whose SHA-256 is hash. A withdraw of an
// object not held, or held with another hash, makes Commit fail with
// ErrConflict (RFC 8182 §3.4.2).
func (r *Repo) Withdraw(uri string, hash [32]byte) error {
	r.txm.Lock()
	defer r.txm.Unlock()
	if r.tx == nil {
		return fmt.Errorf("cache: %s: withdraw outside an update", r.id)
	}
	point, name, err := SplitURI(uri)
	if err != nil {
		return err
	}
	r.countObject(-1)
	return r.tx.ops.add(op{point: point, name: name, kind: opWithdraw, sum: hash})
}

// countObject adds d to the objects the update leaves and enforces the
// objects-per-repository limit as they arrive, so a hostile snapshot is
// cut off while it streams.
func (r *Repo) countObject(d int) error {
	r.tx.objects += d
	if lim := r.s.lim.RepoObjects; r.tx.objects > lim {
		return fmt.Errorf("%w: %s: more than %d objects in the repository (objects-per-repository limit)", ErrLimit, r.id, lim)
	}
	return nil
}
