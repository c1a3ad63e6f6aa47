package main

import "github.com/openrpki/validator/pkg/slurm"

// loadSLURM reads the SLURM files all-or-nothing; no files give a nil
// policy, which changes nothing (slurm.Policy.ApplyTable).
func loadSLURM(files []string) (*slurm.Policy, error) {
	if len(files) == 0 {
		return nil, nil
	}
	return slurm.Load(files...)
}
