package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkFile returns nil when path is an existing file (or a link to one),
// else a one-line error naming what it is for, the path and what was
// expected.
func checkFile(what, path string) error {
	fi, err := stat(what, path, "a file")
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s %s: is a directory, want a file", what, path)
	}
	return nil
}

// checkDir is checkFile for a directory.
func checkDir(what, path string) error {
	fi, err := stat(what, path, "a directory")
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s %s: is a file, want a directory", what, path)
	}
	return nil
}

func stat(what, path, want string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s %s: does not exist, want %s", what, path, want)
	case err != nil:
		return nil, fmt.Errorf("%s %s: %w", what, path, pathErr(err))
	}
	return fi, nil
}

// checkNewDir accepts a directory that exists, or one that can be created:
// whose nearest existing ancestor is a directory.
func checkNewDir(what, path string) error {
	for p := path; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			return nil
		case err == nil && p == path:
			return fmt.Errorf("%s %s: is a file, want a directory", what, path)
		case err == nil:
			return fmt.Errorf("%s %s: %s is a file, want a directory", what, path, p)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%s %s: %w", what, path, pathErr(err))
		case p == filepath.Dir(p):
			return nil
		}
	}
}

// checkNewFile accepts a file to be written: not a directory, in a
// directory that exists.
func checkNewFile(what, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s %s: is a directory, want a file", what, path)
	}
	if err := checkDir(what+" folder", filepath.Dir(path)); err != nil {
		return err
	}
	return nil
}

// pathErr drops the operation and path of an *fs.PathError, which the
// messages above name already.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
