// Package testshared locates the project's shared test data: the folder
// ../shared beside the module root (the RPKI corpus, RTR vectors and
// payload sets). Tests fail, not skip, when it is missing: the data is part
// of the test suite.
//
// May import: the standard library only.
package testshared

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the directory holding go.mod above the test's.
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("testshared: module root (go.mod) not found")
		}
		dir = parent
	}
}

// Dir returns the shared folder, failing the test when it is missing.
func Dir(tb testing.TB) string {
	tb.Helper()
	shared := filepath.Join(ModuleRoot(tb), "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "rpki-corpus")); err != nil {
		tb.Fatalf("testshared: shared test data missing beside the module root: %v", err)
	}
	return shared
}

// Path joins elements below the shared folder.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{Dir(tb)}, elem...)...)
}

// Corpus returns the RPKI object corpus folder.
func Corpus(tb testing.TB) string {
	tb.Helper()
	return Path(tb, "rpki-corpus")
}
