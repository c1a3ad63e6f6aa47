package cache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"slices"
)

// Commit streams packs: the committed pack of a point is read entry by
// entry from its segment and the new one written the same way, with the
// content copied through small buffers, so a point of any size costs a
// bounded amount of memory. (The pack of a 300 MB point was built whole
// in memory before.)

// packStreamBuffer is the read buffer of a committed pack being merged.
const packStreamBuffer = 64 << 10

// packWriter appends one pack to a segment as it is produced, computing
// its checksum on the way and enforcing the per-point limits.
type packWriter struct {
	w     *segWriter
	lim   Limits
	crc   uint32
	off   int64 // offset of the pack in the segment, once started
	size  int64
	bytes int64 // content bytes
	files int
	want  int // files announced in the header
	hdr   []byte
}

// startPack writes the header of the pack of point uri, which will hold
// files files, to w.
func startPack(w *segWriter, lim Limits, uri string, files int) (*packWriter, error) {
	p := &packWriter{w: w, lim: lim, off: -1, want: files}
	p.hdr = append(p.hdr[:0], packMagic...)
	p.hdr = binary.AppendUvarint(p.hdr, uint64(len(uri)))
	p.hdr = append(p.hdr, uri...)
	p.hdr = binary.AppendUvarint(p.hdr, uint64(files))
	return p, p.write(p.hdr)
}

// Write implements io.Writer for the content of the file being written.
func (p *packWriter) Write(b []byte) (int, error) {
	if err := p.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// write appends b to the pack.
func (p *packWriter) write(b []byte) error {
	off, err := p.w.append(b)
	if err != nil {
		return fmt.Errorf("cache: write pack: %w", err)
	}
	if p.off < 0 {
		p.off = off
	}
	p.crc = crc32.Update(p.crc, castagnoli, b)
	p.size += int64(len(b))
	return nil
}

// file writes the header of a file of n bytes of point uri, whose content
// the caller writes next, after checking the per-point limits.
func (p *packWriter) file(uri, name string, n int64) error {
	p.files++
	p.bytes += n
	switch {
	case p.files > p.want:
		return fmt.Errorf("%w: %s: more files than planned", ErrConflict, uri)
	case p.bytes > p.lim.PointBytes:
		return fmt.Errorf("%w: %s: more than %d bytes in the publication point (per-point limit)", ErrLimit, uri, p.lim.PointBytes)
	}
	p.hdr = binary.AppendUvarint(p.hdr[:0], uint64(len(name)))
	p.hdr = append(p.hdr, name...)
	p.hdr = binary.AppendUvarint(p.hdr, uint64(n))
	return p.write(p.hdr)
}

// finish appends the checksum and returns the index entry of the pack of
// uri in segment seg.
func (p *packWriter) finish(uri string, seg uint64) (point, error) {
	if p.files != p.want {
		return point{}, fmt.Errorf("%w: %s: %d files written, %d planned", ErrConflict, uri, p.files, p.want)
	}
	var sum [packSumSize]byte
	binary.BigEndian.PutUint32(sum[:], p.crc)
	if _, err := p.w.append(sum[:]); err != nil {
		return point{}, fmt.Errorf("cache: write pack: %w", err)
	}
	return point{Seg: seg, Off: p.off, Size: p.size + packSumSize, Files: p.files, Bytes: p.bytes}, nil
}

// packReader reads a committed pack entry by entry: header, then for each
// file its name (more), then its content (copy, hash or skip), then the
// checksum (finish).
type packReader struct {
	br    *bufio.Reader
	crc   hash.Hash32
	src   io.ReaderAt
	end   int64 // offset of the checksum in the segment
	left  int   // files not yet started
	name  string
	n     int64 // content bytes of the current file
	taken bool  // the current file's content was read
	// started is set once the first file's name is read.
	started bool
	path    string
	buf     []byte
}

// openPackStream starts reading the pack p of point uri in segment src
// (named path in errors), through br if not nil (a buffer reused from one
// pack to the next).
func openPackStream(src io.ReaderAt, path, uri string, p point, br *bufio.Reader) (*packReader, error) {
	if p.Size < int64(len(packMagic))+packSumSize || p.Size > MaxPackSize {
		return nil, fmt.Errorf("%w: %s: pack of %d bytes", ErrCorrupt, path, p.Size)
	}
	r := &packReader{crc: crc32.New(castagnoli), src: src, end: p.Off + p.Size - packSumSize, path: path, taken: true}
	body := io.TeeReader(io.NewSectionReader(src, p.Off, p.Size-packSumSize), r.crc)
	if br == nil {
		br = bufio.NewReaderSize(body, packStreamBuffer)
	}
	br.Reset(body)
	r.br = br
	magic := make([]byte, len(packMagic))
	if _, err := io.ReadFull(r.br, magic); err != nil || !bytes.Equal(magic, []byte(packMagic)) {
		return nil, fmt.Errorf("%w: %s: pack header or format version", ErrCorrupt, path)
	}
	got, err := r.field(MaxURILength)
	if err != nil || string(got) != uri {
		return nil, fmt.Errorf("%w: %s: pack of %s holds %.100q", ErrCorrupt, path, uri, got)
	}
	files, err := binary.ReadUvarint(r.br)
	if err != nil || files > MaxPackEntries {
		return nil, fmt.Errorf("%w: %s: pack of %s: file count", ErrCorrupt, path, uri)
	}
	r.left = int(files)
	return r, nil
}

// field reads a length-prefixed field of at most max bytes, valid until
// the next call.
func (r *packReader) field(max int) ([]byte, error) {
	n, err := binary.ReadUvarint(r.br)
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("field of %d bytes", n)
	}
	r.buf = slices.Grow(r.buf[:0], int(n))[:n]
	_, err = io.ReadFull(r.br, r.buf)
	return r.buf, err
}

// more moves to the next file, reading its name, and reports whether
// there is one. The previous file's content must have been taken.
func (r *packReader) more() (bool, error) {
	if !r.taken {
		return true, nil
	}
	if r.left == 0 {
		return false, nil
	}
	name, err := r.field(MaxURILength)
	var n uint64
	if err == nil {
		n, err = binary.ReadUvarint(r.br)
	}
	if err != nil || n > MaxStoredObjectSize || (r.started && string(name) <= r.name) {
		return false, fmt.Errorf("%w: %s: pack entry after %q", ErrCorrupt, r.path, r.name)
	}
	r.left--
	r.name, r.n, r.taken, r.started = string(name), int64(n), false, true
	return true, nil
}

// copy writes the current file's content to w, straight from the read
// buffer.
func (r *packReader) copy(w io.Writer) error {
	r.taken = true
	for left := r.n; left > 0; {
		b, err := r.br.Peek(int(min(left, int64(r.br.Size()))))
		if err != nil {
			return r.readError(err)
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		r.br.Discard(len(b))
		left -= int64(len(b))
	}
	return nil
}

// hash returns the SHA-256 of the current file's content.
func (r *packReader) hash() ([32]byte, error) {
	h := sha256.New()
	err := r.copy(h)
	return [32]byte(h.Sum(nil)), err
}

// readError reports a failed read of the pack: short means corrupt.
func (r *packReader) readError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s: pack ends early", ErrCorrupt, r.path)
	}
	return fmt.Errorf("cache: %s: %w", r.path, err)
}

// finish checks that the pack ends after its last file and that its
// checksum matches what was read.
func (r *packReader) finish() error {
	if more, err := r.more(); err != nil || more {
		return fmt.Errorf("%w: %s: pack not read to its end (%v)", ErrCorrupt, r.path, err)
	}
	if _, err := r.br.ReadByte(); err != io.EOF {
		return fmt.Errorf("%w: %s: pack body", ErrCorrupt, r.path)
	}
	var sum [packSumSize]byte
	if _, err := r.src.ReadAt(sum[:], r.end); err != nil {
		return r.readError(err)
	}
	if binary.BigEndian.Uint32(sum[:]) != r.crc.Sum32() {
		return fmt.Errorf("%w: %s: pack checksum", ErrCorrupt, r.path)
	}
	return nil
}

// segFile reads an open segment with pread (see openFile): an io.ReaderAt
// that a file ending early answers with io.EOF.
type segFile int

// ReadAt implements io.ReaderAt.
func (f segFile) ReadAt(p []byte, off int64) (int, error) {
	err := preadFull(int(f), p, off)
	if errors.Is(err, ErrCorrupt) {
		return 0, io.EOF
	}
	return len(p), err
}
