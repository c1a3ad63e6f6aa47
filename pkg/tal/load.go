package tal

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Extension is the file name suffix of a TAL file.
const Extension = ".tal"

// LoadFile reads and parses one TAL file, reading at most MaxFileSize+1
// bytes, and sets Name to the file name without ".tal". Errors name the
// file.
func LoadFile(path string) (*TAL, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Name = strings.TrimSuffix(filepath.Base(path), Extension)
	return t, nil
}

// readCapped reads a file through an io.LimitReader so that a huge file
// costs at most MaxFileSize+1 bytes of memory.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tal: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("tal: %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%s: %w", path, syntaxError(0, "file larger than %d bytes", MaxFileSize))
	}
	return data, nil
}

// LoadDir reads every "*.tal" file of dir (not subdirectories, and not
// "*.tal.disabled" or other names), sorted by file name. A file that fails
// to parse fails the whole load, with an error naming it: a relying party
// silently running without one of its trust anchors would drop that RIR's
// VRPs without anyone noticing.
func LoadDir(dir string) ([]*TAL, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tal: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), Extension) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	tals := make([]*TAL, 0, len(names))
	for _, n := range names {
		t, err := LoadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		tals = append(tals, t)
	}
	return tals, nil
}
