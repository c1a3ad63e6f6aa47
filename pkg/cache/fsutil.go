package cache

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// writeFileSync writes b to a new file at path and fsyncs it. The file must
// not be visible to readers until something renames or references it.
func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// replaceFile atomically replaces path with b: temp file, fsync, rename,
// fsync of the directory (so the rename itself survives a power loss).
func (s *Store) replaceFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := writeFileSync(tmp, b); err != nil {
		return fmt.Errorf("cache: write %s: %w", tmp, err)
	}
	s.reached("temp " + filepath.Base(path))
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cache: rename %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a directory so that entries created or renamed in it are
// durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("cache: fsync %s: %w", dir, err)
	}
	return nil
}

// readFileMax reads a file of at most max bytes.
func readFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: %s larger than %d bytes", ErrCorrupt, path, max)
	}
	return b, nil
}

// Segments are opened for reading with syscall.Open rather than os.Open:
// os.Open registers every file with the runtime poller (an fcntl and an
// epoll_ctl that fails for regular files), two wasted syscalls per read.

// openFile opens path with flags, retrying on EINTR.
func openFile(path string, flags int, perm uint32) (int, error) {
	for {
		fd, err := syscall.Open(path, flags|syscall.O_CLOEXEC, perm)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// preadFull fills b from offset off of fd; a file that ends first is
// corrupt, since an index entry promised those bytes.
func preadFull(fd int, b []byte, off int64) error {
	for n := 0; n < len(b); {
		m, err := syscall.Pread(fd, b[n:], off+int64(n))
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return fmt.Errorf("pread: %w", err)
		case m == 0:
			return fmt.Errorf("%w: file ends %d bytes short", ErrCorrupt, len(b)-n)
		}
		n += m
	}
	return nil
}

// reached reports a crash stage to atStage, if set (crash tests).
func (s *Store) reached(stage string) {
	if s.atStage != nil {
		s.atStage(stage)
	}
}
