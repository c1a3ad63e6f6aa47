package cache

import (
	"bufio"
	"fmt"
	"math"
	"syscall"
)

// pointWriter writes the new pack of every publication point an update
// changes into the commit's segment, one point at a time in URI order.
// It reads the sorted ops twice, through two cursors one point apart: the
// plan pass (ahead) checks each name's ops against the ones before them in
// the update and counts the files the point gains or loses, which the
// pack header states first; the write pass (behind) merges the same ops
// with the point's committed pack, streamed from its segment, checking
// the first op of each name against the committed object (RFC 8182
// §3.4.2), and streams the result into the segment. Memory stays bounded
// whatever the size of the update or of a point.
type pointWriter struct {
	r             *Repo
	lim           Limits
	seg           uint64
	w             *segWriter
	next          *index
	ahead, behind *cursor
	spool         *spoolReader
	// segs holds the committed segments opened so far, by number.
	segs map[uint64]int
	// packBuf is the read buffer of committed packs, reused.
	packBuf *bufio.Reader
}

// newPointWriter prepares the writing of the update of r into segment n,
// written by w, recording the points in next.
func (r *Repo) newPointWriter(w *segWriter, n uint64, next *index) *pointWriter {
	r.tx.ops.seal()
	return &pointWriter{r: r, lim: r.s.lim, seg: n, w: w, next: next,
		ahead: newCursor(r.tx.ops.sorted()), behind: newCursor(r.tx.ops.sorted()),
		spool: &spoolReader{sp: r.tx.spool}, segs: map[uint64]int{}}
}

// close releases the cursors and the segments opened.
func (pw *pointWriter) close() {
	pw.ahead.it.close()
	pw.behind.it.close()
	for _, fd := range pw.segs {
		syscall.Close(fd)
	}
}

// writeAll writes every changed point.
func (pw *pointWriter) writeAll() error {
	for pw.ahead.ok {
		pl, err := pw.plan()
		if err != nil {
			return err
		}
		if err := pw.write(pl); err != nil {
			return err
		}
	}
	if pw.ahead.err != nil {
		return pw.ahead.err
	}
	return pw.behind.err
}

// pointPlan is what the plan pass learns of a point's ops.
type pointPlan struct {
	uri string
	// delta is the change in the point's file count.
	delta int
	// lo and hi bound the spooled content of the point, bytes its total.
	lo, hi, bytes int64
}

// plan reads the ops of the next point from ahead.
func (pw *pointWriter) plan() (pointPlan, error) {
	c := pw.ahead
	pl := pointPlan{uri: c.cur.point, lo: math.MaxInt64}
	for c.at(pl.uri) {
		first := c.cur
		last, err := pw.chain(c, &pl)
		if err != nil {
			return pl, err
		}
		pl.delta += exists(last.kind) - existed(first.kind)
	}
	return pl, c.err
}

// spooled adds the content of o to the point's spool bounds.
func (pl *pointPlan) spooled(o op) {
	if o.kind != opWithdraw {
		pl.lo, pl.hi = min(pl.lo, o.off), max(pl.hi, o.off+int64(o.n))
		pl.bytes += int64(o.n)
	}
}

// exists is 1 when an object is there after an op of kind k.
func exists(k opKind) int {
	if k == opWithdraw {
		return 0
	}
	return 1
}

// existed is 1 when an op of kind k requires an object to be there.
func existed(k opKind) int {
	if k == opAdd {
		return 0
	}
	return 1
}

// chain consumes the ops of the current name, checking that each applies
// to what the one before it left, and returns the last.
func (pw *pointWriter) chain(c *cursor, pl *pointPlan) (op, error) {
	prev := c.cur
	if pw.r.tx.reset && prev.kind != opAdd {
		return prev, conflictAbsent(prev)
	}
	pl.spooled(prev)
	for c.advance(); c.atName(prev.point, prev.name); c.advance() {
		if err := pw.follows(prev, c.cur); err != nil {
			return prev, err
		}
		prev = c.cur
		pl.spooled(prev)
	}
	return prev, c.err
}

// follows checks that op cur applies to the object op prev left.
func (pw *pointWriter) follows(prev, cur op) error {
	switch {
	case cur.kind == opAdd && prev.kind != opWithdraw:
		return fmt.Errorf("%w: RFC 8182 §3.4.2: publish without hash of existing %s%s", ErrConflict, cur.point, cur.name)
	case cur.kind == opAdd:
		return nil
	case prev.kind == opWithdraw:
		return conflictAbsent(cur)
	}
	sum, err := pw.spool.hash(prev.off, prev.n)
	if err != nil {
		return err
	}
	if sum != cur.sum {
		return conflictHash(cur)
	}
	return nil
}

// conflictAbsent is the error of a replace or withdraw of an absent object.
func conflictAbsent(o op) error {
	return fmt.Errorf("%w: RFC 8182 §3.4.2: %s of %s%s, which is absent", ErrConflict, o.verb(), o.point, o.name)
}

// conflictHash is the error of a replace or withdraw with the wrong hash.
func conflictHash(o op) error {
	return fmt.Errorf("%w: RFC 8182 §3.4.2: %s of %s%s, whose hash differs", ErrConflict, o.verb(), o.point, o.name)
}

// verb names what an op does, for errors.
func (o op) verb() string {
	if o.kind == opWithdraw {
		return "withdraw"
	}
	return "publish"
}

// write merges the ops of the point planned, read from behind, with its
// committed pack into a new pack of the committed count plus pl.delta
// files, and records it in the index (or drops the point, when it ends
// empty). Content spooled close together is read with one pread.
func (pw *pointWriter) write(pl pointPlan) error {
	uri := pl.uri
	old, err := pw.openOld(uri)
	if err != nil {
		return err
	}
	if span := pl.hi - pl.lo; span > 0 && span <= spoolReadChunk && span <= 2*pl.bytes {
		if err := pw.spool.fill(pl.lo, span); err != nil {
			return err
		}
	}
	files := pl.delta
	if old != nil {
		files += old.left
	}
	if files > pw.lim.PointFiles {
		return fmt.Errorf("%w: %s: more than %d files in the publication point (per-point limit)", ErrLimit, uri, pw.lim.PointFiles)
	}
	var pk *packWriter
	if files > 0 {
		if pk, err = startPack(pw.w, pw.lim, uri, files); err != nil {
			return err
		}
	}
	if err := pw.merge(uri, old, pk); err != nil {
		return err
	}
	if old != nil {
		if err := old.finish(); err != nil {
			return err
		}
	}
	return pw.record(uri, pk)
}

// record enters the pack written for uri in the index, or removes the
// point when it holds nothing now.
func (pw *pointWriter) record(uri string, pk *packWriter) error {
	if pk == nil {
		delete(pw.next.Points, uri)
		return nil
	}
	p, err := pk.finish(uri, pw.seg)
	if err != nil {
		return err
	}
	pw.next.Points[uri] = p
	if lim := pw.lim.RepoPoints; len(pw.next.Points) > lim {
		return fmt.Errorf("%w: %s: more than %d publication points in the repository (points-per-repository limit)", ErrLimit, pw.r.id, lim)
	}
	return nil
}

// openOld opens the committed pack of point uri, or returns nil when the
// update resets the repository or the point is new.
func (pw *pointWriter) openOld(uri string) (*packReader, error) {
	p, ok := pw.next.Points[uri]
	if pw.r.tx.reset || !ok {
		return nil, nil
	}
	path := pw.r.segPath(p.Seg)
	fd, ok := pw.segs[p.Seg]
	if !ok {
		var err error
		if fd, err = openSegment(path); err != nil {
			return nil, err
		}
		pw.segs[p.Seg] = fd
	}
	if pw.packBuf == nil {
		pw.packBuf = bufio.NewReaderSize(nil, packStreamBuffer)
	}
	return openPackStream(segFile(fd), path, uri, p, pw.packBuf)
}

// merge writes to pk (nil when the point ends empty) the files of the
// committed pack old (nil when none) and the final state of each name the
// ops of uri change, in name order.
func (pw *pointWriter) merge(uri string, old *packReader, pk *packWriter) error {
	c := pw.behind
	for {
		if c.err != nil {
			return c.err
		}
		haveOld := false
		if old != nil {
			var err error
			if haveOld, err = old.more(); err != nil {
				return err
			}
		}
		haveOp := c.at(uri)
		var err error
		switch {
		case !haveOld && !haveOp:
			return nil
		case haveOp && (!haveOld || c.cur.name < old.name):
			err = pw.applyNew(c, pk)
		case haveOld && (!haveOp || old.name < c.cur.name):
			err = copyOld(uri, old, pk)
		default:
			err = pw.applyOver(c, old, pk)
		}
		if err != nil {
			return err
		}
	}
}

// copyOld copies the current file of old, which no op changes, to pk.
func copyOld(uri string, old *packReader, pk *packWriter) error {
	if pk == nil {
		return fmt.Errorf("%w: %s: files left in a point planned empty", ErrConflict, uri)
	}
	if err := pk.file(uri, old.name, old.n); err != nil {
		return err
	}
	return old.copy(pk)
}

// applyNew applies the ops of a name the committed pack does not hold:
// the first must add it.
func (pw *pointWriter) applyNew(c *cursor, pk *packWriter) error {
	first, last := pw.group(c)
	if first.kind != opAdd {
		return conflictAbsent(first)
	}
	return pw.emit(last, pk)
}

// applyOver applies the ops of a name the committed pack holds: the first
// must replace or withdraw it, naming its SHA-256.
func (pw *pointWriter) applyOver(c *cursor, old *packReader, pk *packWriter) error {
	first, last := pw.group(c)
	if first.kind == opAdd {
		return fmt.Errorf("%w: RFC 8182 §3.4.2: publish without hash of existing %s%s", ErrConflict, first.point, first.name)
	}
	sum, err := old.hash()
	if err != nil {
		return err
	}
	if sum != first.sum {
		return conflictHash(first)
	}
	return pw.emit(last, pk)
}

// group consumes the ops of the current name (checked by the plan pass)
// and returns the first and the last.
func (pw *pointWriter) group(c *cursor) (first, last op) {
	first = c.cur
	for last = first; c.atName(first.point, first.name); c.advance() {
		last = c.cur
	}
	return first, last
}

// emit writes the object the last op of a name leaves, if any, to pk.
func (pw *pointWriter) emit(last op, pk *packWriter) error {
	if last.kind == opWithdraw {
		return nil
	}
	if pk == nil {
		return fmt.Errorf("%w: %s: files left in a point planned empty", ErrConflict, last.point)
	}
	if err := pk.file(last.point, last.name, int64(last.n)); err != nil {
		return err
	}
	return pw.spool.copy(pk, last.off, last.n)
}
