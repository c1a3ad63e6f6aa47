package lab

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// TestFaultASPAOverflow: the fault publishes two valid ASPAs of 10,000
// providers for one customer; the expected output drops that customer's
// ASPA and keeps every VRP, router key and other ASPA of the clean lab.
func TestFaultASPAOverflow(t *testing.T) {
	l := testLab(t, Config{Seed: 7, Faults: []string{"aspa-overflow"}})
	clean := testLab(t, Config{Seed: 7})
	var files []string
	filepath.WalkDir(filepath.Join(l.Dir, rsyncDir), func(p string, d os.DirEntry, _ error) error {
		if strings.Contains(d.Name(), "-overflow-") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != overflowASPAs {
		t.Fatalf("%d overflow ASPA files, want %d", len(files), overflowASPAs)
	}
	var customer uint32
	var raw []payload.ASPA
	for _, f := range files {
		der, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := x509rpki.ParseASPA(der)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(a.Providers) != overflowProviders {
			t.Fatalf("%s: %d providers", f, len(a.Providers))
		}
		customer = a.Customer
		raw = append(raw, payload.ASPA{Customer: a.Customer, Providers: a.Providers})
	}

	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	all, _ := clean.Expected()
	got, base := payload.NewSnapshot(want), payload.NewSnapshot(all)
	if !slices.Equal(got.VRPs, base.VRPs) || len(got.RouterKeys) != len(base.RouterKeys) {
		t.Fatalf("VRPs or router keys changed: %d/%d VRPs, %d/%d keys", len(got.VRPs), len(base.VRPs), len(got.RouterKeys), len(base.RouterKeys))
	}
	for _, a := range got.ASPAs {
		if a.Customer == customer {
			t.Fatalf("AS%d's ASPA is in the expected output", customer)
		}
	}
	kept := 0
	for _, a := range base.ASPAs {
		if a.Customer != customer {
			kept++
		}
	}
	if len(got.ASPAs) != kept {
		t.Fatalf("%d ASPAs expected, want the clean lab's %d other customers", len(got.ASPAs), kept)
	}
	// It is the merge that drops it: the relying party's set, with the
	// published overflow objects, leaves the customer out and reports it.
	seen := payload.NewSnapshot(payload.Set{ASPAs: append(want.ASPAs, raw...)})
	if len(seen.DroppedASPAs) != 1 || seen.DroppedASPAs[0].Customer != customer || seen.DroppedASPAs[0].Providers < 20_000 {
		t.Fatalf("dropped %v, want AS%d with 20,000 providers or more", seen.DroppedASPAs, customer)
	}
	f, err := os.Open(l.ExpectedFile())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := payload.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if !payload.NewSnapshot(file).Equal(got) {
		t.Fatalf("expected/output.json differs from Expected")
	}
}

// TestFaultsFileDocumentsEffects: a lab with faults writes
// expected/faults.txt, a line per injected fault (groups expanded) with
// its target where a relying party reports one and its effect.
func TestFaultsFileDocumentsEffects(t *testing.T) {
	l := testLab(t, Config{Seed: 9, Faults: []string{"all", "rrdp-slow"}})
	raw, err := os.ReadFile(filepath.Join(l.Dir, expectDir, faultsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[2] == "" {
			t.Fatalf("line %q", line)
		}
		lines[f[0]] = f
	}
	if len(lines) != len(faultCatalogue)+1 {
		t.Fatalf("%d faults listed, want %d", len(lines), len(faultCatalogue)+1)
	}
	for _, f := range l.Faulted() {
		if got := lines[f.Fault]; got == nil || got[1] != f.URI {
			t.Errorf("%s: listed as %q, target %s", f.Fault, got, f.URI)
		}
	}
	if got := lines["rrdp-slow"]; got[1] != "-" || !strings.Contains(got[2], "rsync used") {
		t.Errorf("rrdp-slow: %q", got)
	}
	clean := testLab(t, Config{Seed: 9})
	if _, err := os.Stat(filepath.Join(clean.Dir, expectDir, faultsFile)); !os.IsNotExist(err) {
		t.Errorf("a lab without faults has %s: %v", faultsFile, err)
	}
}
