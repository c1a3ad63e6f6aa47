package inspect_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/corpus"
	"github.com/openrpki/validator/internal/inspect"
)

// benchFiles are corpus objects of each kind; the ROA is the biggest real
// one (796 VRPs).
var benchFiles = map[string]string{
	"ROA796":   "rpki-validator-3/rpki-validator/src/test/resources/557B4C46969B11E681906146C4F9AE02.roa",
	"ROA1":     "rpki-rrdp-tools-py/tests/data/FnzdKKjxPmamPX_NCy-vbob58nw.roa",
	"Manifest": "rpki-prover/test/data/afrinic_mft1.mft",
	"CRL":      "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.crl",
	"TACert":   "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer",
	"BigCert":  "rpki-prover/test/data/big_cert.cer",
	"TAL":      "routinator/tals/ripe.tal",
}

// BenchmarkInspect measures parse + render + JSON encoding of one object,
// the per-file cost of `validator inspect`.
func BenchmarkInspect(b *testing.B) {
	dir, err := corpus.Dir()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, rel := range benchFiles {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				r := inspect.Inspect(rel, data, inspect.Options{Now: now})
				if r.Status == inspect.StatusRejected {
					b.Fatalf("%s: %s", rel, r.Error)
				}
				if _, err := json.Marshal(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
