package corpus

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/openrpki/validator/internal/inspect"
)

// TestInspectEveryFileAsEveryType feeds every corpus file (objects, TALs,
// RRDP XML, JSON, READMEs) to every decoder: each must give a verdict with
// a reason and an x509rpki error class for rejection (every x509rpki error
// wraps one, errors.go), never a panic. Most pairs are wrong on purpose.
func TestInspectEveryFileAsEveryType(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	exps, err := ReadExpected(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := inspect.Options{Now: RealTime}
	n := 0
	for _, e := range exps {
		data, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		for _, typ := range inspect.KnownTypes() {
			opts.Type = typ
			r := inspect.Inspect(e.File, data, opts)
			n++
			switch r.Status {
			case inspect.StatusOK, inspect.StatusStale:
			case inspect.StatusRejected:
				if r.Error == "" || r.ErrorClass == "" || r.ErrorClass == "unclassified" {
					t.Errorf("%s as %s: rejected without reason or class: %q %q", e.File, typ, r.ErrorClass, r.Error)
				}
			default:
				t.Errorf("%s as %s: status %q", e.File, typ, r.Status)
			}
		}
	}
	if n < 7000 {
		t.Errorf("only %d (file, type) pairs inspected", n)
	}
}
