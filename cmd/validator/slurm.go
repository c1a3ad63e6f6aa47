package main

import (
	"errors"

	"github.com/openrpki/validator/pkg/slurm"
)

// loadSLURM reads the SLURM files all-or-nothing; no files give a nil
// policy, which changes nothing (slurm.Policy.ApplyTable). Each file's
// problem is reported.
func loadSLURM(files []string) (*slurm.Policy, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var errs []error
	for _, f := range files {
		errs = append(errs, checkFile("SLURM file", f))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(files) > 1 {
		// One error per broken file, rather than the first only.
		for _, f := range files {
			if _, err := slurm.Load(f); err != nil {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	return slurm.Load(files...)
}
