package cache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"sort"
)

// packMagic starts every pack; the digit is the format version.
// Version 2 replaced version 1's SHA-256 trailer by a CRC-32C: the trailer
// only detects corruption (a torn or damaged file), which a CRC does as
// well at a tenth of the cost, and the engine checks every object against
// its manifest hash anyway. A version 1 pack fails the magic check, so it
// reads as corrupt, and indexes of the older format are dropped (repo.go).
const packMagic = "RPKIPACK2\n"

// packSumSize is the size of the CRC-32C trailer.
const packSumSize = 4

// castagnoli is the CRC-32C table (hardware accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

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

// A pack is the magic, the point's URI and file count, then each file's
// name and content, each with a uvarint length, then the CRC-32C of all
// that. Commit writes packs as a stream (packWriter, packstream.go) and
// reads the committed one back the same way (packReader); readers of a
// whole point use decodePack.

// decodePack parses a pack; the returned data slices alias b.
func decodePack(b []byte) (*PubPoint, error) {
	if len(b) < len(packMagic)+packSumSize || !bytes.HasPrefix(b, []byte(packMagic)) {
		return nil, fmt.Errorf("%w: pack header or format version", ErrCorrupt)
	}
	body, sum := b[:len(b)-packSumSize], b[len(b)-packSumSize:]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(sum) {
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
		data := d.bytes(MaxStoredObjectSize)
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
