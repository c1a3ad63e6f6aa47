package cache

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// syncfsMinPacks is the number of packs from which a commit makes them
// durable with one syncfs(2) of the file system holding the repository
// rather than an fsync each. An fsync costs about 200 µs of CPU (a journal
// commit and a device flush apiece, plus an open): a cold snapshot of
// 40,000 points spent seconds in them. syncfs also writes back whatever
// else is dirty on the file system, so a small delta keeps to fsyncs.
const syncfsMinPacks = 16

// packSync makes the packs of one commit durable together.
//
// Why the index then names only complete packs after any crash: Commit
// writes every pack, then calls sync, and only when sync succeeds writes
// and renames the index. Either way every pack's data and directory entry
// is on disk before the index naming it is even written: fsync of each
// pack then of the directory, or syncfs, which writes back every dirty page
// and inode of the file system and commits its journal before returning.
// A kill -9 loses no written data at all (it stays in the page cache), so
// only a power loss or a kernel crash needs this ordering.
//
// Since Linux 5.8 syncfs reports the file system's writeback errors that
// happened after the descriptor was opened; it is opened before the first
// pack is written so that an error writing any of them back fails the
// commit. (An error elsewhere on the file system fails it too, which errs
// on the safe side.)
type packSync struct {
	dir   string
	fd    int
	paths []string
}

// newPackSync starts a commit's packs in dir.
func newPackSync(dir string) (*packSync, error) {
	fd, err := openFile(dir, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, fmt.Errorf("cache: open %s: %w", dir, err)
	}
	return &packSync{dir: dir, fd: fd}, nil
}

// added records a pack written in the directory.
func (p *packSync) added(path string) { p.paths = append(p.paths, path) }

// sync makes every pack added so far durable.
func (p *packSync) sync() error {
	if len(p.paths) < syncfsMinPacks {
		return syncEach(p.dir, p.paths)
	}
	if err := unix.Syncfs(p.fd); err != nil {
		return fmt.Errorf("cache: syncfs %s: %w", p.dir, err)
	}
	return nil
}

// close releases the directory descriptor.
func (p *packSync) close() { syscall.Close(p.fd) }
