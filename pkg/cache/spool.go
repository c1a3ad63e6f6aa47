package cache

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
)

const (
	// spoolBuffer is the write buffer of a spool: one write(2) per a few
	// dozen objects instead of one per object (each fetch under way holds
	// one).
	spoolBuffer = 64 << 10
	// spoolReadGap is the largest gap between two objects of a point that
	// one spool read bridges: copying a few KB costs less than a pread.
	spoolReadGap = 4 << 10
	// spoolReadChunk bounds one spool read of several objects.
	spoolReadChunk = 256 << 10
)

// spool is the temp file holding the content published during an update,
// appended through a buffer and read back by offset.
type spool struct {
	f    *os.File
	w    *bufio.Writer
	size int64
}

// newSpool creates a spool in dir; load() removes one a crash left.
func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, "spool-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, spoolBuffer)}, nil
}

// append adds b and returns its offset.
func (s *spool) append(b []byte) (int64, error) {
	off := s.size
	n, err := s.w.Write(b)
	s.size += int64(n)
	if err != nil {
		return 0, fmt.Errorf("cache: spool: %w", err)
	}
	return off, nil
}

// readAt fills b from offset off, flushing the buffer first if needed.
func (s *spool) readAt(b []byte, off int64) error {
	if s.w.Buffered() > 0 {
		if err := s.w.Flush(); err != nil {
			return fmt.Errorf("cache: spool: %w", err)
		}
	}
	if _, err := s.f.ReadAt(b, off); err != nil {
		return fmt.Errorf("cache: spool: %w", err)
	}
	return nil
}

// close removes the spool; the kernel then drops its dirty pages without
// writing them. It may be called more than once.
func (s *spool) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
		s.f = nil
	}
}

// spoolRef is a file whose content is still in the spool: files[i] of the
// point being built, whose content goes to dst in its pack.
type spoolRef struct {
	i   int
	off int64
	n   int
	dst int
}

// readInto reads the content of refs into pack at their dst with as few
// preads as possible: sorted by offset, objects contiguous in the spool
// (or apart by at most spoolReadGap) are read together, through buf, up to
// spoolReadChunk at a time. buf is grown as needed and returned for
// reuse. The content is never held twice over: a large point costs its
// pack and one chunk, not its pack and a copy of all its content.
func (s *spool) readInto(pack []byte, refs []spoolRef, buf []byte) ([]byte, error) {
	slices.SortFunc(refs, func(a, b spoolRef) int { return cmp.Compare(a.off, b.off) })
	for _, r := range spoolRuns(refs) {
		run := refs[r.first:r.last]
		if len(run) == 1 {
			ref := run[0]
			if err := s.readAt(pack[ref.dst:ref.dst+ref.n], ref.off); err != nil {
				return buf, err
			}
			continue
		}
		span := int(r.end - r.start)
		if cap(buf) < span {
			buf = make([]byte, span)
		}
		if err := s.readAt(buf[:span], r.start); err != nil {
			return buf, err
		}
		for _, ref := range run {
			at := int(ref.off - r.start)
			copy(pack[ref.dst:ref.dst+ref.n], buf[at:at+ref.n])
		}
	}
	return buf, nil
}

// spoolRun is one read: the spool bytes [start, end) holding refs[first:last].
type spoolRun struct {
	start, end  int64
	first, last int
}

// spoolRuns groups refs, sorted by offset, into reads of at most
// spoolReadChunk (or one object, if larger).
func spoolRuns(refs []spoolRef) []spoolRun {
	var runs []spoolRun
	for i, ref := range refs {
		end := ref.off + int64(ref.n)
		if n := len(runs); n > 0 && ref.off-runs[n-1].end <= spoolReadGap && end-runs[n-1].start <= spoolReadChunk {
			runs[n-1].end = max(runs[n-1].end, end)
			runs[n-1].last = i + 1
			continue
		}
		runs = append(runs, spoolRun{start: ref.off, end: end, first: i, last: i + 1})
	}
	return runs
}
