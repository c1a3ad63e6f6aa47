package cache

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// segSuffix ends the name of every segment file: <number>.pack, because a
// segment is a run of packs (and the file name tells tools what it holds).
const segSuffix = ".pack"

// segWriteBuffer is the write buffer of a segment: packs are a few KB, so
// one write(2) carries dozens of them, as for the spool.
const segWriteBuffer = 256 << 10

// segName is the file name of segment n.
func segName(n uint64) string { return strconv.FormatUint(n, 10) + segSuffix }

// parseSegName returns the number of a segment file name.
func parseSegName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segSuffix)
	if !ok || digits == "" || digits[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// segWriter appends packs to a new segment file through a buffer. The
// file is created with the first pack, so a commit that writes none
// creates none.
type segWriter struct {
	path string
	f    *os.File
	buf  []byte
	size int64
}

// newSegWriter prepares segment file path, which must not exist, so that
// no commit ever overwrites a segment that an index may still name.
func newSegWriter(path string) *segWriter { return &segWriter{path: path} }

// append adds one pack (or a run of whole packs) and returns its offset.
func (w *segWriter) append(b []byte) (int64, error) {
	if w.f == nil {
		f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return 0, fmt.Errorf("cache: %w", err)
		}
		w.f, w.buf = f, make([]byte, 0, segWriteBuffer)
	}
	off := w.size
	if len(w.buf)+len(b) > cap(w.buf) {
		if err := w.flush(); err != nil {
			return 0, err
		}
	}
	if len(b) > cap(w.buf) {
		if _, err := w.f.Write(b); err != nil {
			return 0, fmt.Errorf("cache: write segment: %w", err)
		}
	} else {
		w.buf = append(w.buf, b...)
	}
	w.size += int64(len(b))
	return off, nil
}

// flush writes the buffered bytes.
func (w *segWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.f.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		return fmt.Errorf("cache: write segment: %w", err)
	}
	return nil
}

// finish makes the segment durable: its content (fsync), then its
// directory entry (fsync of dir). Only then may an index name it.
func (w *segWriter) finish(dir string) error {
	err := w.flush()
	if err == nil {
		err = w.f.Sync()
	}
	if err != nil {
		w.abort()
		return fmt.Errorf("cache: segment: %w", err)
	}
	err = w.f.Close()
	w.f = nil
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		os.Remove(w.path)
		return fmt.Errorf("cache: segment: %w", err)
	}
	return nil
}

// abort closes and removes an unfinished segment, if created.
func (w *segWriter) abort() {
	if w.f != nil {
		w.f.Close()
		os.Remove(w.path)
		w.f = nil
	}
}

// openSegment opens a segment file for reading.
func openSegment(path string) (int, error) {
	fd, err := openFile(path, syscall.O_RDONLY, 0)
	if err != nil {
		return -1, fmt.Errorf("cache: %w", &fs.PathError{Op: "open", Path: path, Err: err})
	}
	return fd, nil
}

// readOpenPack reads the size bytes at off of the open segment fd (named
// path in errors), the pack an index entry names, and closes fd. A
// segment shorter than the entry says is corrupt.
func readOpenPack(fd int, path string, off, size int64) ([]byte, error) {
	defer syscall.Close(fd)
	if size <= 0 || size > MaxPackSize {
		return nil, fmt.Errorf("%w: %s: pack of %d bytes", ErrCorrupt, path, size)
	}
	b := make([]byte, size)
	if err := preadFull(fd, b, off); err != nil {
		return nil, fmt.Errorf("cache: %s: %w", path, err)
	}
	return b, nil
}

// segRun is a run of packs adjacent in an old segment that compaction
// copies with one read: bytes [off, end) of segment seg.
type segRun struct {
	seg      uint64
	off, end int64
}

// copyRun appends the bytes of run, read from the repository's segment in
// pieces of at most compactReadMax through buf (reused), to w, and
// returns the offset they landed at.
func copyRun(dir string, run segRun, w *segWriter, buf []byte) (int64, []byte, error) {
	path := filepath.Join(dir, segName(run.seg))
	fd, err := openSegment(path)
	if err != nil {
		return 0, buf, err
	}
	defer syscall.Close(fd)
	if buf == nil {
		buf = make([]byte, compactReadMax)
	}
	start := w.size
	for off := run.off; off < run.end; {
		b := buf[:min(int64(len(buf)), run.end-off)]
		if err := preadFull(fd, b, off); err != nil {
			return 0, buf, fmt.Errorf("cache: compact %s: %w", path, err)
		}
		if _, err := w.append(b); err != nil {
			return 0, buf, err
		}
		off += int64(len(b))
	}
	return start, buf, nil
}
