package main

import (
	"errors"
	"slices"

	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/slurm"
	"github.com/openrpki/validator/pkg/validate"
)

// slurmTA is the trust anchor name of locally asserted payload.
const slurmTA = "slurm"

// loadSLURM reads the SLURM files all-or-nothing; no files give a nil
// policy, which changes nothing. Each file's problem is reported.
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

// applySLURM returns t with the policy's filters and assertions applied
// (RFC 8416 §4: filters first; assertions are added unfiltered, with the
// trust anchor "slurm" and no expiry). t itself is not changed.
func applySLURM(p *slurm.Policy, t *output.Table) *output.Table {
	if p == nil {
		return t
	}
	out := *t
	out.VRPs = slices.DeleteFunc(slices.Clone(t.VRPs), func(v validate.VRP) bool { return p.FilterVRP(v.VRP) })
	for _, v := range p.AssertedVRPs() {
		out.VRPs = append(out.VRPs, validate.VRP{VRP: v, TA: validate.TAOf(slurmTA)})
	}
	out.ASPAs = slices.DeleteFunc(slices.Clone(t.ASPAs), func(a validate.ASPA) bool { return p.FilterASPA(a.ASPA) })
	for _, a := range p.AssertedASPAs() {
		out.ASPAs = append(out.ASPAs, validate.ASPA{ASPA: a, TA: validate.TAOf(slurmTA)})
	}
	out.RouterKeys = slices.DeleteFunc(slices.Clone(t.RouterKeys), func(k validate.RouterKey) bool { return p.FilterKey(k.RouterKey) })
	for _, k := range p.AssertedKeys() {
		out.RouterKeys = append(out.RouterKeys, validate.RouterKey{RouterKey: k, TA: validate.TAOf(slurmTA)})
	}
	return &out
}
