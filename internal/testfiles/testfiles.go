package testfiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The folders below the test data directory.
const (
	CorpusDir  = "rpki-corpus"
	VectorsDir = "rtr-vectors"
)

// marker is a file whose absence means the test data is missing.
const marker = CorpusDir + "/EXPECTED.tsv"

// Dir returns the test data directory. It is an error, not a reason to
// skip, when the data is missing: a test must not pass by not running.
func Dir() (string, error) {
	dir, err := sourceDir()
	if err != nil {
		return "", err
	}
	return locate(dir)
}

// Path joins elem below the test data directory, failing the test when the
// data is missing.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	dir, err := Dir()
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(append([]string{dir}, elem...)...)
}

// Corpus returns the RPKI object corpus folder.
func Corpus(tb testing.TB) string {
	tb.Helper()
	return Path(tb, CorpusDir)
}

// Vector returns the path of a file below rtr-vectors/.
func Vector(tb testing.TB, rel string) string {
	tb.Helper()
	return Path(tb, VectorsDir, rel)
}

// sourceDir returns this package's directory: from the compiled-in source
// path, or, when that is not absolute (go test -trimpath), from the module
// root above the working directory, which go test sets to the package's.
func sourceDir() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		return filepath.Dir(file), nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "internal", "testfiles"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testfiles: module root (go.mod) not found above the working directory")
		}
		dir = parent
	}
}

// locate returns pkgDir/testdata when the test data is there.
func locate(pkgDir string) (string, error) {
	dir := filepath.Join(pkgDir, "testdata")
	if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
		return "", fmt.Errorf("testfiles: test data missing (want %s): %w", filepath.Join(dir, marker), err)
	}
	return dir, nil
}

// ModuleRoot returns the module's root folder (where go.mod is), for tests
// that build or read the checkout itself.
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := sourceDir()
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(dir))
}
