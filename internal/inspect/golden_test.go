package inspect_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/corpus"
	"github.com/openrpki/validator/internal/inspect"
	"github.com/openrpki/validator/pkg/x509rpki"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current output")

// goldenCase is one corpus object with the issuer and clock to inspect it
// with, and the golden file that pins its JSON view.
type goldenCase struct {
	golden, file, issuer string
	now                  time.Time
}

var (
	ripe2023 = time.Date(2023, 9, 15, 12, 0, 0, 0, time.UTC)
	later    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

var goldenCases = []goldenCase{
	{"tal.json", "routinator/tals/ripe.tal", "", later},
	{"ta_cert.json", "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer", "", ripe2023},
	{"crl.json", "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.crl", "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer", ripe2023},
	{"manifest.json", "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.mft", "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer", ripe2023},
	{"roa_stale.json", "krill/test-resources/migrations/v0_13_1_pubserver/repo/rsync/current/NLnetLabs/0/3138352e34392e3134302e302f32332d3332203d3e2038353837.roa", "", later},
	{"ca_cert.json", "krill/test-resources/migrations/v0_13_1_pubserver/repo/rsync/current/testbed/0/B2F9D7A5A5A9D791BE2BB641C9AF19505D100C2F.cer", "", later},
	{"router_key.json", "rpki-prover/test/data/bgp_router_cert.cer", "", later},
	{"aspa.json", "rpki-prover/test/data/AS204325.asa", "", later},
	{"gbr.json", "rpki-rrdp-tools-py/tests/data/NKcuY5DvQmG0vwsI6MT4nqcBcoI.gbr", "", later},
	{"tak.json", "rpki-commons/src/test/resources/interop/openbsd-regress/05F53BCE4DAA11EDB9AC0C5B9E174E93.tak", "", later},
	{"spl.json", "rpki-prover/test/data/9X0AhXWTJDl8lJhfOwvnac-42CA.spl", "", later},
	{"rsc.json", "rpki-commons/src/test/resources/interop/openbsd-regress/checklist-08.sig", "", later},
}

// TestGolden pins the JSON view of one object of each type
// (testdata/golden/*.json; regenerate with -update and review the diff).
func TestGolden(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range goldenCases {
		t.Run(strings.TrimSuffix(tc.golden, ".json"), func(t *testing.T) {
			got := goldenJSON(t, dir, tc)
			path := filepath.Join("testdata", "golden", tc.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update and review):\n%s", tc.file, path, got)
			}
		})
	}
}

func goldenJSON(t *testing.T, dir string, tc goldenCase) []byte {
	t.Helper()
	opts := inspect.Options{Now: tc.now}
	if tc.issuer != "" {
		der, err := os.ReadFile(filepath.Join(dir, tc.issuer))
		if err != nil {
			t.Fatal(err)
		}
		if opts.Issuer, err = x509rpki.ParseCert(der); err != nil {
			t.Fatal(err)
		}
	}
	r := inspect.InspectFile(filepath.Join(dir, tc.file), opts)
	r.File = tc.file
	if r.Status == inspect.StatusRejected {
		t.Fatalf("%s rejected: %s", tc.file, r.Error)
	}
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}
