package cache

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// syncParallelism is the number of fsyncs syncFiles keeps in flight.
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
