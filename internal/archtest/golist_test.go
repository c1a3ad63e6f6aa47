package archtest

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const module = "github.com/openrpki/validator"

// listedPackage is what the tests need of `go list -json`.
type listedPackage struct {
	ImportPath string
	Name       string
	Dir        string
	Imports    []string // non-test imports
	Module     struct{ Dir, GoMod string }
}

// rel is the package's path inside the module ("" for the root).
func (p *listedPackage) rel() string {
	return strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
}

var listPackages = sync.OnceValues(func() ([]*listedPackage, error) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		return nil, err
	}
	var pkgs []*listedPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		p := new(listedPackage)
		if err := dec.Decode(p); err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
})

// packages lists the module's packages, failing the test on error.
func packages(t *testing.T) []*listedPackage {
	t.Helper()
	pkgs, err := listPackages()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// moduleRoot returns the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	return packages(t)[0].Module.Dir
}

// requiredModules reads the module paths that go.mod requires.
func requiredModules(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(moduleRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mods []string
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 0:
		case fields[0] == "require" && len(fields) >= 2 && fields[1] == "(":
			inBlock = true
		case inBlock && fields[0] == ")":
			inBlock = false
		case inBlock && len(fields) >= 2:
			mods = append(mods, fields[0])
		case fields[0] == "require" && len(fields) >= 3:
			mods = append(mods, fields[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return mods
}
