package testfiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDir finds the committed data and every SOURCES.md beside it.
func TestDir(t *testing.T) {
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{CorpusDir, VectorsDir} {
		if _, err := os.Stat(filepath.Join(dir, sub, "SOURCES.md")); err != nil {
			t.Errorf("%s has no SOURCES.md: %v", sub, err)
		}
	}
}

// A missing data directory is an error naming what is missing.
func TestLocateMissing(t *testing.T) {
	_, err := locate(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "test data missing") || !strings.Contains(err.Error(), marker) {
		t.Errorf("locate(empty dir) error = %v, want one naming %s", err, marker)
	}
}
