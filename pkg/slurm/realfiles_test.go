package slurm

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openrpki/validator/internal/testfiles"
	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/payload"
)

// dataDir returns the module's committed test data (internal/testfiles),
// which holds the peers' files under rpki-corpus/ and rtr-vectors/.
func dataDir(t testing.TB) string { return testfiles.Path(t) }

// TestRealFiles parses the SLURM files that peers ship in their test
// data. None of them conforms to RFC 8416 as written, and each is rejected
// for the reason given. The second step repairs exactly that defect and
// checks the file then parses, so the verdict is pinned to the reason.
func TestRealFiles(t *testing.T) {
	data := dataDir(t)
	tests := []struct {
		file string
		// why the file is not RFC 8416 conformant.
		why     string
		wantErr []string
		// repair fixes the defect (on the JSON text).
		repair func(string) string
	}{{
		file: "rtr-vectors/stayrtr/cmd/stayrtr/test.slurm.json",
		why: "locallyAddedAssertions lacks bgpsecAssertions; RFC 8416 §3.2 says the object " +
			"MUST contain exactly two members (StayRTR's decoder treats it as optional)",
		wantErr: []string{"$.locallyAddedAssertions", `required member "bgpsecAssertions" is missing`, "RFC 8416 §3.2"},
		repair:  addEmptyBGPsecAssertions,
	}, {
		file:    "rtr-vectors/gortr/cmd/gortr/test.slurm.json",
		why:     "the same file as StayRTR's (StayRTR forked GoRTR)",
		wantErr: []string{`required member "bgpsecAssertions" is missing`},
		repair:  addEmptyBGPsecAssertions,
	}, {
		file: "rtr-vectors/rtrtr/test-data/exceptions.json",
		why: "the RFC 8416 §3.5 example verbatim: its SKIs are placeholders " +
			`("Zm9v" is 3 bytes, not a 20-byte SKI; "<some base64 SKI>" is not base64)`,
		wantErr: []string{"bgpsecFilters[1].SKI", "SKI is 3 bytes, want 20", "RFC 8416 §3.3.2"},
		repair:  replacePlaceholderKeys,
	}, {
		file: "rpki-corpus/rpki-prover/test/data/slurm1.json",
		why: "the §3.5 example with a real key, but still the placeholder filter SKIs, " +
			"and the assertion uses standard base64 with '=' padding where RFC 8416 §3.4.2 " +
			"asks for base64url without padding (RFC 4648 §5)",
		wantErr: []string{"bgpsecFilters[1].SKI", "SKI is 3 bytes, want 20"},
		repair:  replacePlaceholderKeys,
	}, {
		file: "rpki-corpus/rpki-validator-3/rpki-validator/src/test/resources/slurm/slurm1.json",
		why: "the placeholder SKIs, and the assertion names its key \"publicKey\" instead of " +
			"\"routerPublicKey\" (RFC 8416 §3.4.2)",
		wantErr: []string{"SKI is 3 bytes, want 20"},
		repair: func(s string) string {
			return replacePlaceholderKeys(strings.Replace(s, `"publicKey"`, `"routerPublicKey"`, 1))
		},
	}}
	for _, tc := range tests {
		t.Run(filepath.Base(filepath.Dir(tc.file))+"/"+filepath.Base(tc.file), func(t *testing.T) {
			path := filepath.Join(data, tc.file)
			_, err := Load(path)
			if err == nil {
				t.Fatalf("%s parsed, want rejection: %s", tc.file, tc.why)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q (%s)", err, w, tc.why)
				}
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ParseBytes([]byte(tc.repair(string(raw)))); err != nil {
				t.Errorf("after repairing %q the file still fails: %v", tc.why, err)
			}
		})
	}
}

func addEmptyBGPsecAssertions(s string) string {
	return strings.Replace(s, `"prefixAssertions": [`, `"bgpsecAssertions": [], "prefixAssertions": [`, 1)
}

// replacePlaceholderKeys swaps the placeholder SKIs and key of the RFC 8416
// §3.5 example (and its copies) for real ones in base64url.
func replacePlaceholderKeys(s string) string {
	const key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgFcjQ_g__LAQerAH2Mpp-GucoDAGBbhIqD33wNPsXxnAGb-mtZ7XQrVO9DQ6UlAShtig5-QfEKpTtFgiqfiAFQ"
	r := strings.NewReplacer(
		`"Zm9v"`, `"l6JszO2ix21p1ppahIgvqaDkbeg"`,
		`"YmFy"`, `"XgyOYIfSGjHmDTaCNQtGYubfJTM"`,
		`"<some base64 SKI>"`, `"UQ9IXSminTe1FfHEeNjtPLeqfSM"`,
		`"UQ9IXSminTe1FfHEeNjtPLeqfSM="`, `"UQ9IXSminTe1FfHEeNjtPLeqfSM"`,
		`"<some base64 public key>"`, `"`+key+`"`,
		`"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgFcjQ/g//LAQerAH2Mpp+GucoDAGBbhIqD33wNPsXxnAGb+mtZ7XQrVO9DQ6UlAShtig5+QfEKpTtFgiqfiAFQ=="`, `"`+key+`"`,
	)
	return r.Replace(s)
}

// generatedSet reads the base set of a generated payload (internal/vrpgen).
func generatedSet(t testing.TB, spec vrpgen.Spec) payload.Set {
	t.Helper()
	raw, _ := spec.JSON()
	s, err := payload.ReadJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestApplyStayRTRPayload applies the repaired StayRTR SLURM file and a
// policy built here to StayRTR's real payload file, and checks the result
// against a naive reference implementation of RFC 8416 §3.3.1 and §4.
func TestApplyStayRTRPayload(t *testing.T) {
	data := dataDir(t)
	fh, err := os.Open(filepath.Join(data, "rtr-vectors/stayrtr/cmd/stayrtr/test.rpki.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	set, err := payload.ReadJSON(fh)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(data, "rtr-vectors/stayrtr/cmd/stayrtr/test.slurm.json"))
	if err != nil {
		t.Fatal(err)
	}
	stay, err := ParseBytes([]byte(addEmptyBGPsecAssertions(string(raw))))
	if err != nil {
		t.Fatal(err)
	}
	local := parseFile(t, "testdata/good/apply-stayrtr.json")
	p, err := NewPolicy(stay, local)
	if err != nil {
		t.Fatal(err)
	}
	got := payload.NewSnapshot(p.Apply(set))
	want := payload.NewSnapshot(referenceApply(set, []*File{stay, local}))
	if !got.Equal(want) {
		t.Fatalf("Apply differs from the reference: got %d VRPs %d keys %d ASPAs, want %d %d %d",
			len(got.VRPs), len(got.RouterKeys), len(got.ASPAs), len(want.VRPs), len(want.RouterKeys), len(want.ASPAs))
	}
	in := payload.NewSnapshot(set)
	if len(got.VRPs) >= len(in.VRPs)+len(p.AssertedVRPs()) || len(got.RouterKeys) >= len(in.RouterKeys) {
		t.Errorf("the filters removed nothing: %d -> %d VRPs, %d -> %d keys",
			len(in.VRPs), len(got.VRPs), len(in.RouterKeys), len(got.RouterKeys))
	}
	for _, v := range p.AssertedVRPs() {
		if !containsVRP(got.VRPs, v) {
			t.Errorf("asserted %v missing from the output", v)
		}
	}
	js, _ := json.Marshal(struct{ VRPs, Keys, ASPAs int }{len(got.VRPs), len(got.RouterKeys), len(got.ASPAs)})
	t.Logf("stayrtr payload after SLURM: %s", js)
}

func containsVRP(s []payload.VRP, v payload.VRP) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
