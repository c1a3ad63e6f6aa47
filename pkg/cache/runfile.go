package cache

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
)

// Buffers of the run files of an op log: written once, read by up to two
// merges at once (see opMergeFanIn).
const (
	runWriteBuffer = 64 << 10
	runReadBuffer  = 32 << 10
)

// runFile is a temporary file of ops sorted by point and name, in the
// repository's directory (load() removes one a crash left). Each op is
// the point and the name, each with a uvarint length, the kind, the
// SHA-256 unless the op adds, and the spool offset and length unless it
// withdraws.
type runFile struct {
	f    *os.File
	size int64
}

// writeRun writes every op of it, which it closes, to a new run file.
func writeRun(dir string, it opIter) (*runFile, error) {
	defer it.close()
	f, err := os.CreateTemp(dir, "run-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	r := &runFile{f: f}
	bw := bufio.NewWriterSize(f, runWriteBuffer)
	var rec []byte
	for {
		o, ok, err := it.next()
		if err != nil {
			r.remove()
			return nil, err
		}
		if !ok {
			break
		}
		rec = appendOp(rec[:0], &o)
		bw.Write(rec)
		r.size += int64(len(rec))
	}
	if err := bw.Flush(); err != nil {
		r.remove()
		return nil, fmt.Errorf("cache: write run: %w", err)
	}
	return r, nil
}

// appendOp appends the record of o.
func appendOp(b []byte, o *op) []byte {
	b = binary.AppendUvarint(b, uint64(len(o.point)))
	b = append(b, o.point...)
	b = binary.AppendUvarint(b, uint64(len(o.name)))
	b = append(b, o.name...)
	b = append(b, byte(o.kind))
	if o.kind != opAdd {
		b = append(b, o.sum[:]...)
	}
	if o.kind != opWithdraw {
		b = binary.AppendUvarint(b, uint64(o.off))
		b = binary.AppendUvarint(b, uint64(o.n))
	}
	return b
}

// iter returns a new reader of the run's ops.
func (r *runFile) iter() opIter {
	return &runIter{br: bufio.NewReaderSize(io.NewSectionReader(r.f, 0, r.size), runReadBuffer)}
}

// remove closes and deletes the run file.
func (r *runFile) remove() {
	r.f.Close()
	os.Remove(r.f.Name())
}

// runIter decodes the ops of a run file. Consecutive ops of one point
// share its string.
type runIter struct {
	br    *bufio.Reader
	point string
	buf   []byte
}

func (it *runIter) next() (op, bool, error) {
	n, err := binary.ReadUvarint(it.br)
	if err == io.EOF {
		return op{}, false, nil
	}
	var o op
	if err == nil {
		err = it.readPoint(n)
	}
	if err == nil {
		o.point = it.point
		o.name, err = it.readString()
	}
	if err == nil {
		err = it.readRest(&o)
	}
	if err != nil {
		return op{}, false, fmt.Errorf("%w: run file: %v", ErrCorrupt, err)
	}
	return o, true, nil
}

// readPoint reads a point of n bytes, keeping the previous string when
// it is the same.
func (it *runIter) readPoint(n uint64) error {
	if err := it.readBytes(n); err != nil {
		return err
	}
	if string(it.buf) != it.point {
		it.point = string(it.buf)
	}
	return nil
}

// readString reads a length-prefixed string.
func (it *runIter) readString() (string, error) {
	n, err := binary.ReadUvarint(it.br)
	if err == nil {
		err = it.readBytes(n)
	}
	return string(it.buf), err
}

// readBytes reads n bytes (at most a URI) into it.buf.
func (it *runIter) readBytes(n uint64) error {
	if n > MaxURILength {
		return fmt.Errorf("field of %d bytes", n)
	}
	it.buf = slices.Grow(it.buf[:0], int(n))[:n]
	_, err := io.ReadFull(it.br, it.buf)
	return err
}

// readRest reads the kind, hash and spool location of o.
func (it *runIter) readRest(o *op) error {
	k, err := it.br.ReadByte()
	if err != nil {
		return err
	}
	o.kind = opKind(k)
	if o.kind < opAdd || o.kind > opWithdraw {
		return fmt.Errorf("op kind %d", k)
	}
	if o.kind != opAdd {
		if _, err := io.ReadFull(it.br, o.sum[:]); err != nil {
			return err
		}
	}
	if o.kind == opWithdraw {
		return nil
	}
	off, err := binary.ReadUvarint(it.br)
	if err != nil {
		return err
	}
	n, err := binary.ReadUvarint(it.br)
	o.off, o.n = int64(off), int(n)
	return err
}

func (it *runIter) close() {}
