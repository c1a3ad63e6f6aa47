package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ModuleRoot walks up from the working directory to the directory holding
// go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("corpus: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Dir returns the corpus directory, ../shared/rpki-corpus relative to the
// module root. It is an error (not a reason to skip) when it is missing:
// the conformance test must not pass by not running.
func Dir() (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "..", "shared", "rpki-corpus")
	if _, err := os.Stat(filepath.Join(dir, "EXPECTED.tsv")); err != nil {
		return "", fmt.Errorf("corpus: shared corpus missing (want %s/EXPECTED.tsv): %w", dir, err)
	}
	return dir, nil
}
