package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
)

// launchLab serves a small lab for a command test.
func launchLab(t *testing.T, cfg lab.Config) *lab.Lab {
	t.Helper()
	if cfg.Preset == "" {
		cfg.Preset = "small"
	}
	cfg.PrimesFile = filepath.Join(os.TempDir(), "validator-lab-test-primes.txt")
	l, srv, err := lab.Launch(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return l
}

// labFlags are the flags that point a command at a lab.
func labFlags(l *lab.Lab, cache string) []string {
	return []string{"--tal-dir", l.TALDir(), "--cache", cache, "--ca-cert", l.CAFile(), "--allow-dubious-hosts", "--log-level", "warn"}
}

// TestVRPsCommandOnLab runs `validator vrps --format json` on a served lab
// and reads the output back with the StayRTR-compatible reader: it must be
// the lab's expected VRPs, ASPAs and router keys.
func TestVRPsCommandOnLab(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 31})
	var stdout, stderr bytes.Buffer
	args := append([]string{"vrps", "--format", "json"}, labFlags(l, t.TempDir())...)
	if code := dispatch(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	got, err := payload.ReadJSON(&stdout)
	if err != nil {
		t.Fatal(err)
	}
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	if !payload.NewSnapshot(want).Equal(payload.NewSnapshot(got)) {
		t.Fatalf("vrps output differs from the lab's expected output (%d VRPs, want %d)", len(got.VRPs), len(want.VRPs))
	}
}

// TestVRPsCommandFailsWithoutTA exits non-zero when no trust anchor can
// be validated (nothing listens where the TAL points).
func TestVRPsCommandFailsWithoutTA(t *testing.T) {
	dir := t.TempDir()
	talFile := filepath.Join(dir, "none.tal")
	data, err := os.ReadFile(filepath.Join("..", "..", "configs", "tals", "ripe.tal"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n\n", 2)
	os.WriteFile(talFile, []byte("https://127.0.0.1:1/ta.cer\n\n"+lines[1]), 0o644)
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"vrps", "--tal", talFile, "--cache", filepath.Join(dir, "cache"),
		"--allow-dubious-hosts", "--log-level", "error"}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "no trust anchor") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestVRPsCommandSLURM applies a SLURM file: a filtered VRP is gone and an
// asserted one appears without trust anchor ("N/A", as Routinator prints
// local exceptions); --select-asn picks it alone.
func TestVRPsCommandSLURM(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 32})
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	victim := want.VRPs[0]
	file := filepath.Join(t.TempDir(), "local.json")
	os.WriteFile(file, []byte(`{"slurmVersion":1,
 "validationOutputFilters":{"prefixFilters":[{"prefix":"`+victim.Prefix().String()+`"}],"bgpsecFilters":[]},
 "locallyAddedAssertions":{"prefixAssertions":[{"asn":64496,"prefix":"192.0.2.0/24"}],"bgpsecAssertions":[]}}`), 0o644)
	var stdout, stderr bytes.Buffer
	args := append([]string{"vrps", "--format", "csv", "--slurm", file}, labFlags(l, t.TempDir())...)
	if code := dispatch(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	out := stdout.String()
	if strings.Contains(out, ","+victim.Prefix().String()+",") {
		t.Errorf("filtered prefix %v still in the output", victim.Prefix())
	}
	if !strings.Contains(out, "AS64496,192.0.2.0/24,24,N/A\n") {
		t.Errorf("asserted VRP missing:\n%.500s", out)
	}
	stdout.Reset()
	args = append([]string{"vrps", "--format", "csv", "--slurm", file, "--select-asn", "AS64496"}, labFlags(l, t.TempDir())...)
	if code := dispatch(args, &stdout, &stderr); code != 0 || stdout.String() != "ASN,IP Prefix,Max Length,Trust Anchor\nAS64496,192.0.2.0/24,24,N/A\n" {
		t.Errorf("--select-asn: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// TestVRPsCommandBadSLURM refuses a bad SLURM file before validating.
func TestVRPsCommandBadSLURM(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(file, []byte(`{"slurmVersion":1}`), 0o644)
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"vrps", "--slurm", file, "--offline", "--cache", t.TempDir()}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "slurm") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
