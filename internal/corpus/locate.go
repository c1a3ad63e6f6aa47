package corpus

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/openrpki/validator/internal/testfiles"
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

// Dir returns the corpus directory, committed with the module under
// internal/testfiles. It is an error (not a reason to skip) when it is
// missing: the conformance test must not pass by not running.
func Dir() (string, error) {
	dir, err := testfiles.Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, testfiles.CorpusDir), nil
}
