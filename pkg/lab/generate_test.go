package lab

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testLab generates a small lab for tests, with a shared prime cache so
// that only the first test pays for key generation.
func testLab(t testing.TB, cfg Config) *Lab {
	t.Helper()
	if cfg.Preset == "" {
		cfg.Preset = "small"
	}
	if cfg.Endpoints.HTTPS == "" {
		cfg.Endpoints = Endpoints{HTTPS: "https://127.0.0.1:8443", Rsync: "rsync://127.0.0.1:8873"}
	}
	cfg.PrimesFile = testPrimes()
	l, err := Generate(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestGenerateSmall(t *testing.T) {
	start := time.Now()
	l := testLab(t, Config{Seed: 1})
	t.Logf("small lab generated in %v", time.Since(start))
	var files int
	filepath.WalkDir(filepath.Join(l.Dir, rsyncDir), func(_ string, d os.DirEntry, _ error) error {
		if !d.IsDir() {
			files++
		}
		return nil
	})
	// Every CA: cert + CRL + manifest, plus ROAs, ASPAs, router certs.
	want := len(l.Plan.CAs) * 3
	for _, c := range l.Plan.CAs {
		want += len(c.ROAs) + len(c.ASPAs) + len(c.RouterKeys)
	}
	if files != want {
		t.Fatalf("%d files, want %d", files, want)
	}
	if _, err := os.Stat(filepath.Join(l.Dir, talDir, "ta0.tal")); err != nil {
		t.Fatal(err)
	}
}

// testPrimes is the prime cache shared by the lab's tests.
func testPrimes() string { return filepath.Join(os.TempDir(), "validator-lab-test-primes.txt") }
