package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// packMagic starts every pack file; the digit is the format version.
const packMagic = "RPKIPACK1\n"

// ErrCorrupt marks a pack or index that does not decode or whose checksum
// fails: the store treats the repository as empty rather than use it.
var ErrCorrupt = errors.New("cache: corrupt file")

// File is one object of a publication point.
type File struct {
	// Name is the object's file name within the publication point.
	Name string
	// Data is the object's content.
	Data []byte
}

// PubPoint is the content of one publication point.
type PubPoint struct {
	// URI is the publication point's rsync URI, ending in "/".
	URI string
	// Files are the objects, sorted by name.
	Files []File
}

// Get returns the content of the named file.
func (p *PubPoint) Get(name string) ([]byte, bool) {
	i := sort.Search(len(p.Files), func(i int) bool { return p.Files[i].Name >= name })
	if i < len(p.Files) && p.Files[i].Name == name {
		return p.Files[i].Data, true
	}
	return nil, false
}

// encodePack serialises a publication point; files must be sorted by name.
func encodePack(p *PubPoint) []byte {
	size := len(packMagic) + len(p.URI) + 2*binary.MaxVarintLen64 + sha256.Size
	for _, f := range p.Files {
		size += len(f.Name) + len(f.Data) + 2*binary.MaxVarintLen64
	}
	b := make([]byte, 0, size)
	b = append(b, packMagic...)
	b = binary.AppendUvarint(b, uint64(len(p.URI)))
	b = append(b, p.URI...)
	b = binary.AppendUvarint(b, uint64(len(p.Files)))
	for _, f := range p.Files {
		b = binary.AppendUvarint(b, uint64(len(f.Name)))
		b = append(b, f.Name...)
		b = binary.AppendUvarint(b, uint64(len(f.Data)))
		b = append(b, f.Data...)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

// decodePack parses a pack; the returned data slices alias b.
func decodePack(b []byte) (*PubPoint, error) {
	if len(b) < len(packMagic)+sha256.Size || !bytes.HasPrefix(b, []byte(packMagic)) {
		return nil, fmt.Errorf("%w: pack header", ErrCorrupt)
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, fmt.Errorf("%w: pack checksum", ErrCorrupt)
	}
	d := decoder{b: body[len(packMagic):]}
	p := &PubPoint{URI: string(d.bytes(MaxURILength))}
	n := d.uvarint()
	if n > MaxPackEntries {
		return nil, fmt.Errorf("%w: %d entries", ErrCorrupt, n)
	}
	p.Files = make([]File, 0, min(n, uint64(len(d.b))))
	for i := uint64(0); i < n && d.err == nil; i++ {
		name := string(d.bytes(MaxURILength))
		data := d.bytes(MaxObjectSize)
		if i > 0 && name <= p.Files[i-1].Name {
			return nil, fmt.Errorf("%w: pack entries not sorted", ErrCorrupt)
		}
		p.Files = append(p.Files, File{Name: name, Data: data})
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: pack body", ErrCorrupt)
	}
	return p, nil
}

// decoder reads length-prefixed fields, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

// uvarint reads one unsigned varint.
func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = ErrCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

// bytes reads a length-prefixed field of at most max bytes.
func (d *decoder) bytes(max int) []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(max) || n > uint64(len(d.b)) {
		d.err = ErrCorrupt
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}
