package cache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// validIndexName is the file of the valid index in the valid directory.
const validIndexName = "index"

// validMagic starts the valid index; the digit is the format version.
//
// Layout, after the magic: the repository directories the entries name
// (count, then each length-prefixed, sorted), then the entries sorted by
// point URI (count, then each: the length of the prefix shared with the
// previous URI, the rest of the URI length-prefixed, the directory's
// number in the table, segment, offset and size), all numbers uvarints,
// then a CRC-32C of the whole. Sorted URIs share most of their bytes, so
// the ~40,000 points of a global run take about 1 MB.
//
// Format 2 keys entries by point and owner; a format 1 index (by point
// alone) is dropped on open, and the points are validated again from the
// raw store.
const validMagic = "RPKIVALID2\n"

// validIndexPath is the file of the persisted valid index.
func (s *Store) validIndexPath() string { return filepath.Join(s.validDir(), validIndexName) }

// loadValid clears the valid directory of everything but the index (temp
// files, and the per-point packs of the format before segments: the engine
// then simply has no validated copies) and loads the index.
func (s *Store) loadValid() error {
	ents, err := os.ReadDir(s.validDir())
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	removed := 0
	for _, e := range ents {
		if e.Name() != validIndexName {
			os.RemoveAll(filepath.Join(s.validDir(), e.Name()))
			removed++
		}
	}
	if removed > 0 {
		s.log.Info("removed files of an older valid store", "files", removed)
	}
	s.valid = newValidIndex(map[validKey]validEntry{})
	b, err := readFileMax(s.validIndexPath(), MaxIndexSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	entries, err := decodeValid(b)
	if err != nil && bytes.HasPrefix(b, []byte("RPKIVALID1\n")) {
		s.log.Info("valid index of an older format (keyed by point alone) dropped: points are validated again")
		s.valid.dirty = true
		return nil
	}
	if err != nil {
		s.log.Warn("unreadable valid index, starting without validated copies", "error", err)
		s.valid.dirty = true
		return nil
	}
	s.valid = newValidIndex(entries)
	return nil
}

// maxOwnerLength bounds the owner part of a valid key: an SKI is 20 bytes
// (RFC 6487 §4.8.2); longer ones are allowed for other key identifiers.
const maxOwnerLength = 64

// encodeValid serialises the valid entries.
func encodeValid(entries map[validKey]validEntry) []byte {
	type written struct {
		key    validKey
		joined string
	}
	keys := make([]written, 0, len(entries))
	dirNum := map[string]uint64{}
	for k, e := range entries {
		keys = append(keys, written{k, k.joined()})
		dirNum[e.dir] = 0
	}
	slices.SortFunc(keys, func(a, b written) int { return strings.Compare(a.joined, b.joined) })
	dirs := make([]string, 0, len(dirNum))
	for d := range dirNum {
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	b := []byte(validMagic)
	b = binary.AppendUvarint(b, uint64(len(dirs)))
	for i, d := range dirs {
		dirNum[d] = uint64(i)
		b = appendField(b, d)
	}
	b = binary.AppendUvarint(b, uint64(len(keys)))
	prev := ""
	for _, k := range keys {
		e, u := entries[k.key], k.joined
		shared := sharedPrefix(prev, u)
		b = binary.AppendUvarint(b, uint64(shared))
		b = appendField(b, u[shared:])
		for _, v := range []uint64{dirNum[e.dir], e.seg, uint64(e.off), uint64(e.size)} {
			b = binary.AppendUvarint(b, v)
		}
		prev = u
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// appendField appends a length-prefixed string.
func appendField(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// sharedPrefix is the length of the common prefix of a and b.
func sharedPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// decodeValid parses a valid index, checking everything that reaches the
// file system (directory names) or a read (offsets and sizes).
func decodeValid(b []byte) (map[validKey]validEntry, error) {
	if len(b) < len(validMagic)+packSumSize || !bytes.HasPrefix(b, []byte(validMagic)) {
		return nil, fmt.Errorf("%w: valid index header or format version", ErrCorrupt)
	}
	body, sum := b[:len(b)-packSumSize], b[len(b)-packSumSize:]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(sum) {
		return nil, fmt.Errorf("%w: valid index checksum", ErrCorrupt)
	}
	d := decoder{b: body[len(validMagic):]}
	dirs, err := decodeDirs(&d)
	if err != nil {
		return nil, err
	}
	entries, err := decodeEntries(&d, dirs)
	if err != nil {
		return nil, err
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: valid index body", ErrCorrupt)
	}
	return entries, nil
}

// decodeDirs reads the directory table: sorted, unique, and each a name
// dirName could have made.
func decodeDirs(d *decoder) ([]string, error) {
	n := d.uvarint()
	dirs := make([]string, 0, min(n, uint64(len(d.b))))
	for i := uint64(0); i < n && d.err == nil; i++ {
		dir := string(d.bytes(MaxURILength))
		if !validDirName(dir) || i > 0 && dir <= dirs[i-1] {
			return nil, fmt.Errorf("%w: valid index directory %q", ErrCorrupt, dir)
		}
		dirs = append(dirs, dir)
	}
	return dirs, d.err
}

// validDirName tells whether name is a repository directory name: the
// characters dirName emits, not starting with a dot (so not "." or "..").
func validDirName(name string) bool {
	if name == "" || name[0] == '.' || len(name) > 100 {
		return false
	}
	return strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") == ""
}

// decodeEntries reads the entries, whose URIs must be sorted and unique,
// and which must use every directory of the table.
func decodeEntries(d *decoder, dirs []string) (map[validKey]validEntry, error) {
	n := d.uvarint()
	entries := make(map[validKey]validEntry, min(n, uint64(len(d.b))))
	used := make([]bool, len(dirs))
	prev := ""
	for i := uint64(0); i < n && d.err == nil; i++ {
		shared := d.uvarint()
		rest := d.bytes(MaxURILength + 1 + maxOwnerLength)
		dir, seg, off, size := d.uvarint(), d.uvarint(), d.uvarint(), d.uvarint()
		if d.err != nil {
			break
		}
		if shared > uint64(len(prev)) || shared+uint64(len(rest)) > MaxURILength+1+maxOwnerLength {
			return nil, fmt.Errorf("%w: valid index URI length", ErrCorrupt)
		}
		key := prev[:shared] + string(rest)
		k := splitValidKey(key)
		if key <= prev || !strings.HasPrefix(k.point, "rsync://") || !strings.HasSuffix(k.point, "/") ||
			len(k.owner) > maxOwnerLength || dir >= uint64(len(dirs)) || seg == 0 || size == 0 || size > MaxPackSize || off > 1<<62 {
			return nil, fmt.Errorf("%w: valid index entry %q", ErrCorrupt, k.point)
		}
		used[dir] = true
		entries[k] = validEntry{segKey{dirs[dir], seg}, int64(off), int64(size)}
		prev = key
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: valid index body", ErrCorrupt)
	}
	if slices.Contains(used, false) {
		return nil, fmt.Errorf("%w: valid index directory without entries", ErrCorrupt)
	}
	return entries, nil
}
