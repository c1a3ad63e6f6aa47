package corpus

import (
	"os"
	"path/filepath"
)

// mkdirWithGoMod makes dir with an empty go.mod in it: a module root
// without ../shared next to it.
func mkdirWithGoMod(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/x\n"), 0o644)
}
