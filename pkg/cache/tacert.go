package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The accepted certificate of each trust anchor is kept beside the stores,
// so that a run whose TA servers do not answer goes on with it (RFC 8630
// §3 leaves retrieval failures to the relying party), and so that an older
// certificate served later can be told apart (a replay).

func (s *Store) taDir() string { return filepath.Join(s.root, "ta") }

// taPath names the file of trust anchor name: dirName keeps every byte of
// the name off the file system unfiltered.
func (s *Store) taPath(name string) string { return filepath.Join(s.taDir(), dirName(name)+".cer") }

// TACert returns the kept certificate of trust anchor name, or ErrNotFound.
func (s *Store) TACert(name string) ([]byte, error) {
	b, err := readFileMax(s.taPath(name), MaxObjectSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no kept certificate of trust anchor %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: trust anchor %s: %w", name, err)
	}
	return b, nil
}

// KeepTACert makes der the kept certificate of trust anchor name, durably
// (temp file, fsync, rename, directory fsync), once the engine accepted it.
func (s *Store) KeepTACert(name string, der []byte) error {
	if len(der) == 0 || len(der) > MaxObjectSize {
		return fmt.Errorf("cache: trust anchor %s: certificate of %d bytes", name, len(der))
	}
	if err := os.MkdirAll(s.taDir(), 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return s.replaceFile(s.taPath(name), der)
}
