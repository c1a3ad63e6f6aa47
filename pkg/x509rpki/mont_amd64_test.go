//go:build amd64 && !purego

package x509rpki

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// montVariant is one implementation of montMul, montSqr and shiftSubMul;
// use selects it and returns what restores the default.
type montVariant struct {
	name string
	use  func() (restore func())
}

// montVariants lists the implementations this build has: the assembly
// when the CPU has ADX, and the portable one. MONT_FORCE_ADX=1 adds the
// assembly whatever CPUID says: valgrind runs ADX code but its virtual CPU
// does not announce ADX, and callgrind is how instructions are counted.
func montVariants() []montVariant {
	set := func(on bool) func() func() {
		return func() func() {
			saved := useADX
			useADX = on
			return func() { useADX = saved }
		}
	}
	vs := []montVariant{{"generic", set(false)}}
	if hasADX() || os.Getenv("MONT_FORCE_ADX") != "" {
		vs = append(vs, montVariant{"adx", set(true)})
	}
	return vs
}

// TestMontAsmGenerated checks that mont_amd64.s is what its generator
// writes now.
func TestMontAsmGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	out := filepath.Join(t.TempDir(), "mont_amd64.s")
	if msg, err := exec.Command(goTool, "run", "mont_amd64_gen.go", "-out", out).CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("mont_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("mont_amd64.s is stale: run go generate ./pkg/x509rpki")
	}
}
