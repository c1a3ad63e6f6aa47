package slurm

import (
	"errors"
	"fmt"
	"os"
)

// Load reads, parses and checks every file, then builds one Policy from
// all of them. It is all-or-nothing: if any file cannot be read or parsed,
// or two files overlap (RFC 8416 §4.2), it returns an error and no Policy,
// so a caller keeps applying its previous policy (or none) instead of a
// partial one. Every broken file is reported, not only the first. Load
// with no paths returns an empty Policy.
func Load(paths ...string) (*Policy, error) {
	if len(paths) > MaxFiles {
		return nil, &Error{Path: "$", Err: ErrTooLarge,
			Msg: fmt.Sprintf("%d SLURM files, more than %d", len(paths), MaxFiles)}
	}
	files := make([]*File, 0, len(paths))
	var errs []error
	for _, p := range paths {
		f, err := loadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewPolicy(files...)
}

// loadFile reads and parses one file, naming it in errors.
func loadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Path: "$", Msg: err.Error(), Err: err}
	}
	defer fh.Close()
	f, err := Parse(fh)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.File = path
		}
		return nil, err
	}
	f.Name = path
	return f, nil
}
