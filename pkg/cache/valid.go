package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Promote makes the raw content of a publication point of repo its valid
// copy, once the validation engine accepted the point's manifest, CRL and
// file hashes (RFC 9286 §6). The pack is hard-linked straight to the valid
// name when the point has no valid copy yet (one link(2), the case of every
// point in a cold run); over an existing copy it is linked under a temp
// name and renamed over it, so a crash leaves one or the other. The link
// or rename is made durable by SyncValid, which the engine calls once per
// run: a crash before it may only leave an older valid copy, which is
// what a failed fetch would have left anyway; one fsync per point cost
// tens of seconds at production scale.
func (s *Store) Promote(repo *Repo, point string) error {
	repo.mu.RLock() // the pack cannot vanish meanwhile
	defer repo.mu.RUnlock()
	p, ok := repo.idx.Points[point]
	if !ok {
		return fmt.Errorf("%w: promote %s: not in %s", ErrNotFound, point, repo.id)
	}
	src, dst := filepath.Join(repo.dir, p.Pack), s.validPath(point)
	err := os.Link(src, dst)
	if err != nil {
		err = replaceLink(src, dst)
	}
	if err != nil {
		return fmt.Errorf("cache: promote %s: %w", point, err)
	}
	return nil
}

// replaceLink makes dst name src's content through a temp link and a
// rename. The temp name is removed afterwards because rename(2) does
// nothing when both names are links to the same file, as when a point is
// promoted twice.
func replaceLink(src, dst string) error {
	tmp := dst + ".tmp"
	os.Remove(tmp) // left by a Promote that failed
	if err := linkOrCopy(src, tmp); err != nil {
		return err
	}
	err := os.Rename(tmp, dst)
	os.Remove(tmp)
	return err
}

// SyncValid makes the promotions so far durable (one directory fsync).
func (s *Store) SyncValid() error { return syncDir(s.validDir()) }

// Valid returns the last validated copy of a publication point, or
// ErrNotFound.
func (s *Store) Valid(point string) (*PubPoint, error) {
	b, err := readPackFile(s.validPath(point))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no valid copy of %s", ErrNotFound, point)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return decodePackOf(b, point)
}

// DropValid removes the valid copy of a publication point, for the engine
// to call once that copy has expired (RFC 9286 §6.6).
func (s *Store) DropValid(point string) error {
	err := os.Remove(s.validPath(point))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cache: %w", err)
	}
	return syncDir(s.validDir())
}

// validPath is the file of a point's valid copy.
func (s *Store) validPath(point string) string {
	return filepath.Join(s.validDir(), pointKey(point)+".pack")
}

// cleanValid removes temp links a crashed Promote left behind.
func (s *Store) cleanValid() {
	ents, _ := os.ReadDir(s.validDir())
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			os.Remove(filepath.Join(s.validDir(), e.Name()))
		}
	}
}

// IsValid reports whether the valid copy of a point is the raw copy repo
// holds now (Promote links the same file), so a caller can skip reading
// and promoting what is already validated. The valid copy is looked up
// first: when there is none, as for every point of a cold run, one stat
// answers.
func (s *Store) IsValid(repo *Repo, point string) bool {
	repo.mu.RLock()
	p, ok := repo.idx.Points[point]
	repo.mu.RUnlock()
	if !ok {
		return false
	}
	valid, err := os.Stat(s.validPath(point))
	if err != nil {
		return false
	}
	raw, err := os.Stat(filepath.Join(repo.dir, p.Pack))
	return err == nil && os.SameFile(raw, valid)
}
