package cache

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
)

const (
	// spoolBuffer is the write buffer of a spool: one write(2) per a few
	// dozen objects instead of one per object (each fetch under way holds
	// one).
	spoolBuffer = 64 << 10
	// spoolReadChunk is the window of spool reads at Commit.
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

// spoolReader reads spooled content back through a buffer of at most
// spoolReadChunk bytes: the content of a point spooled close together is
// read at once (fill), and otherwise each object with one pread, a large
// one in pieces, so reading costs at most one buffer whatever the sizes.
// (Reading a whole window for each object spooled apart from the others
// of its point, as interleaved snapshots are, would copy 256 KiB per
// object.)
type spoolReader struct {
	sp    *spool
	buf   []byte
	start int64 // spool offset of buf[0]
}

// copy writes the n bytes at offset off to w.
func (r *spoolReader) copy(w io.Writer, off int64, n int) error {
	for n > 0 {
		if off < r.start || off >= r.start+int64(len(r.buf)) {
			if err := r.fill(off, int64(min(n, spoolReadChunk))); err != nil {
				return err
			}
		}
		at := int(off - r.start)
		k := min(n, len(r.buf)-at)
		if _, err := w.Write(r.buf[at : at+k]); err != nil {
			return err
		}
		off, n = off+int64(k), n-k
	}
	return nil
}

// fill reads the n bytes at off, at most spoolReadChunk, into the buffer.
func (r *spoolReader) fill(off, n int64) error {
	if off < 0 || n > spoolReadChunk || off+n > r.sp.size {
		return fmt.Errorf("%w: spool read of %d bytes at %d of %d", ErrCorrupt, n, off, r.sp.size)
	}
	if r.buf == nil {
		r.buf = make([]byte, 0, spoolReadChunk)
	}
	r.buf, r.start = r.buf[:n], off
	if err := r.sp.readAt(r.buf, off); err != nil {
		r.buf = r.buf[:0]
		return err
	}
	return nil
}

// hash returns the SHA-256 of the n bytes at offset off.
func (r *spoolReader) hash(off int64, n int) ([32]byte, error) {
	h := sha256.New()
	err := r.copy(h, off, n)
	return [32]byte(h.Sum(nil)), err
}
