package main

import (
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/openrpki/validator/configs"
	"github.com/openrpki/validator/pkg/tal"
)

// builtinTALs parses the TALs of the five RIRs embedded in the binary.
func builtinTALs() ([]*tal.TAL, error) {
	names, err := fs.Glob(configs.TALs, "tals/*.tal")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*tal.TAL
	for _, n := range names {
		data, err := configs.TALs.ReadFile(n)
		if err != nil {
			return nil, err
		}
		t, err := tal.Parse(data)
		if err != nil {
			return nil, err
		}
		t.Name = strings.TrimSuffix(path.Base(n), ".tal")
		out = append(out, t)
	}
	return out, nil
}
