package rsync

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Walk calls fn for every RPKI file under dir, with its URI (base, which
// ends in "/", followed by the relative path) and content, in lexical
// order. Symlinks, devices and other non-regular files are skipped, never
// followed; names outside the URI character set, unknown file types and
// files over MaxFileSize are skipped too (rsync's filter already excludes
// them; this guards against a tampered work directory).
func Walk(dir, base string, fn func(uri string, data []byte) error) (int, error) {
	if _, err := ParseURI(base); err != nil || !strings.HasSuffix(base, "/") {
		return 0, fmt.Errorf("rsync: walk base %q: must be a directory URI (%v)", base, err)
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		if d.IsDir() {
			if !validSegment(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !validSegment(d.Name()) || !hasRPKIType(d.Name()) {
			return nil
		}
		if files++; files > MaxFiles {
			return fmt.Errorf("rsync: %s: more than %d files", base, MaxFiles)
		}
		data, err := readRegular(path)
		if err != nil || data == nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		return fn(base+filepath.ToSlash(rel), data)
	})
	return files, err
}

// hasRPKIType reports whether name ends in one of FileTypes.
func hasRPKIType(name string) bool {
	for _, ext := range FileTypes {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// readRegular reads a regular file of at most MaxFileSize bytes, opening it
// without following a symlink swapped in after the directory walk; an
// oversized file gives nil.
func readRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscallNoFollow, 0)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > MaxFileSize {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("rsync: read %s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, nil
	}
	return b, nil
}
