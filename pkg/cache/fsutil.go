package cache

import (
	"fmt"
	"io"
	"io/fs"
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
func replaceFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := writeFileSync(tmp, b); err != nil {
		return fmt.Errorf("cache: write %s: %w", tmp, err)
	}
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

// linkOrCopy makes dst name the same content as src: a hard link when the
// file system allows it, else a synced copy.
func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	b, err := readFileMax(src, MaxPackSize)
	if err != nil {
		return err
	}
	return writeFileSync(dst, b)
}

// Regular files are opened with syscall.Open rather than os.Open: os.Open
// registers every file with the runtime poller (an fcntl and an epoll_ctl
// that fails for regular files), two wasted syscalls per pack.

// openFile opens path with flags, retrying on EINTR.
func openFile(path string, flags int, perm uint32) (int, error) {
	for {
		fd, err := syscall.Open(path, flags|syscall.O_CLOEXEC, perm)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// writeNewFile writes b to path, replacing a file left by a failed update.
// It does not fsync: the commit makes all its packs durable at once.
func writeNewFile(path string, b []byte) error {
	fd, err := openFile(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC, 0o644)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	for len(b) > 0 && err == nil {
		var n int
		n, err = syscall.Write(fd, b)
		switch {
		case err == syscall.EINTR:
			err = nil
		case err == nil && n == 0:
			err = io.ErrShortWrite
		}
		b = b[max(n, 0):]
	}
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		syscall.Unlink(path)
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
	return nil
}

// readFD reads the whole open file fd (named name in errors), of size
// bytes when size > 0 (the index knows a raw pack's size, which saves an
// fstat), else of the size fstat reports; larger than max is an error.
// One pread usually suffices: a short read means end of file for a regular
// file, and a spare byte in the buffer shows a file longer than expected.
func readFD(fd int, name string, size, max int64) ([]byte, error) {
	if size <= 0 {
		var st syscall.Stat_t
		if err := syscall.Fstat(fd, &st); err != nil {
			return nil, &fs.PathError{Op: "fstat", Path: name, Err: err}
		}
		size = st.Size
	}
	if size > max {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrCorrupt, name, size, max)
	}
	b := make([]byte, size+1)
	n := 0
	for n < len(b) {
		m, err := syscall.Pread(fd, b[n:], int64(n))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		n += m
		if m == 0 || int64(n) == size {
			break
		}
	}
	if int64(n) != size {
		return nil, fmt.Errorf("%w: %s is not %d bytes long", ErrCorrupt, name, size)
	}
	return b[:n], nil
}

// readPackFile reads a pack of unknown size: open, fstat, pread, close.
func readPackFile(path string) ([]byte, error) {
	fd, err := openFile(path, syscall.O_RDONLY, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	return readFD(fd, path, 0, MaxPackSize)
}

// syncEach makes the files at paths in dir and their directory entries
// durable: an fsync of each, several at a time, then of the directory.
func syncEach(dir string, paths []string) error {
	if err := syncFiles(paths); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncParallelism is the number of fsyncs syncFiles keeps in flight:
// parallel fsyncs share the file system's journal commits.
const syncParallelism = 16

// syncFiles fsyncs the files at paths, several at a time, and returns the
// first error.
func syncFiles(paths []string) error {
	work := make(chan string)
	errs := make(chan error, syncParallelism)
	for range min(syncParallelism, len(paths)) {
		go func() {
			var first error
			for p := range work {
				if err := syncFile(p); err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		}()
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	var first error
	for range min(syncParallelism, len(paths)) {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// syncFile fsyncs one file by path.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cache: fsync %s: %w", path, err)
	}
	return nil
}
