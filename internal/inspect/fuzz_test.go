package inspect

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/openrpki/validator/internal/testfiles"
)

// seedFiles are corpus objects of each type, relative to the
// RPKI corpus (internal/testfiles); they seed FuzzInspect.
var seedFiles = []string{
	"rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer",
	"rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.crl",
	"rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.mft",
	"rpki-rrdp-tools-py/tests/data/FnzdKKjxPmamPX_NCy-vbob58nw.roa",
	"rpki-prover/test/data/AS204325.asa",
	"rpki-prover/test/data/bgp_router_cert.cer",
	"routinator/tals/ripe.tal",
}

// FuzzInspect runs the whole inspect path (parse, render, judge, JSON) on
// arbitrary bytes; the first byte picks the type, as rpki-rs's umbrella
// decode target does. It asserts no panic, a valid status, a reason for
// every rejection, and that the report marshals.
func FuzzInspect(f *testing.F) {
	types := KnownTypes()
	dir := testfiles.Corpus(f)
	for _, s := range seedFiles {
		data, err := os.ReadFile(filepath.Join(dir, s))
		if err != nil {
			f.Fatalf("seed: %v", err)
		}
		typ := TypeOf(s)
		for i, t := range types {
			if t == typ {
				f.Add(append([]byte{byte(i)}, data...))
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		typ := types[int(in[0])%len(types)]
		r := Inspect("fuzz."+typ, in[1:], Options{})
		switch r.Status {
		case StatusOK, StatusStale:
		case StatusRejected:
			if r.Error == "" {
				t.Fatalf("rejected without a reason: %+v", r)
			}
		default:
			t.Fatalf("status %q", r.Status)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}
