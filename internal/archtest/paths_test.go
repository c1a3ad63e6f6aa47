package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// outsidePatterns are never right in the repository: the shared folder
// beside a developer's checkout, and absolute paths of a workspace. (Spelt
// in pieces, so that this file does not match them.)
var outsidePatterns = []string{".." + "/sha" + "red", "/" + "work/", "/" + "home/"}

// TestNoPathsOutsideModule keeps the test suite self-contained: a fresh
// clone must pass with nothing beside it. In every Go file (comments
// included) and script, no path names the shared folder or a workspace;
// in test code (every _test.go file and the packages only tests and
// benchmarks use), no relative path climbs above the module root.
func TestNoPathsOutsideModule(t *testing.T) {
	root := moduleRoot(t)
	testOnly := testOnlyDirs(t)
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && d.Name() != ".ci") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		var problems []string
		switch {
		case strings.HasSuffix(path, ".go"):
			files++
			test := strings.HasSuffix(path, "_test.go") || testOnly[filepath.Dir(path)]
			problems, err = goFileProblems(root, path, test)
		case strings.HasPrefix(rel, "scripts/") || strings.HasPrefix(rel, ".ci/"):
			problems, err = textProblems(path)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", rel, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files scanned", files)
	}
}

// testOnlyDirs returns the directories of the module's packages that the
// program does not link: test helpers, test-only packages and benchmark
// commands.
func testOnlyDirs(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", module+"/cmd/validator").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	linked := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		linked[p] = true
	}
	dirs := map[string]bool{}
	for _, p := range packages(t) {
		if !linked[p.ImportPath] {
			dirs[p.Dir] = true
		}
	}
	if len(dirs) < 5 {
		t.Fatalf("only %d test-only packages found", len(dirs))
	}
	return dirs
}

// goFileProblems lists the outside paths in one Go file.
func goFileProblems(root, path string, test bool) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	var problems []string
	report := func(n ast.Node, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("line %d: ", fset.Position(n.Pos()).Line)+fmt.Sprintf(format, args...))
	}
	for _, cg := range f.Comments {
		if p := outsidePattern(cg.Text()); p != "" {
			report(cg, "comment names %q", p)
		}
	}
	dir := filepath.Dir(path)
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			s, ok := stringValue(n)
			if !ok {
				return true
			}
			if p := outsidePattern(s); p != "" {
				report(n, "string %q names %q", s, p)
			} else if test && (s == ".." || strings.HasPrefix(s, "../")) && escapes(root, dir, s) {
				report(n, "relative path %q leaves the module", s)
			}
		case *ast.CallExpr:
			if test && isJoin(n) {
				if msg := joinProblem(root, dir, n.Args); msg != "" {
					report(n, "%s", msg)
				}
			}
		}
		return true
	})
	return problems, nil
}

// joinProblem checks a filepath.Join or path.Join call: its leading
// literal elements, taken from the package directory (go test's working
// directory), must stay inside the module, and ".." may not follow a
// computed element (where it leads cannot be checked).
func joinProblem(root, dir string, args []ast.Expr) string {
	var lead []string
	computed := false
	for _, a := range args {
		s, ok := stringArg(a)
		switch {
		case !ok:
			computed = true
		case computed && (s == ".." || strings.HasPrefix(s, "../")):
			return fmt.Sprintf("Join puts %q after a computed element", s)
		case !computed:
			lead = append(lead, s)
		}
	}
	if len(lead) > 0 && !filepath.IsAbs(lead[0]) && escapes(root, dir, filepath.Join(lead...)) {
		return fmt.Sprintf("Join(%q...) leaves the module", lead)
	}
	return ""
}

func isJoin(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Join" {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && (pkg.Name == "filepath" || pkg.Name == "path")
}

func stringArg(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok {
		return "", false
	}
	return stringValue(lit)
}

func stringValue(lit *ast.BasicLit) (string, bool) {
	if lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// escapes reports whether rel, taken from dir, leads outside root.
func escapes(root, dir, rel string) bool {
	r, err := filepath.Rel(root, filepath.Join(dir, rel))
	return err != nil || r == ".." || strings.HasPrefix(r, "../")
}

func outsidePattern(s string) string {
	for _, p := range outsidePatterns {
		if strings.Contains(s, p) {
			return p
		}
	}
	return ""
}

// textProblems lists the outside paths in a script.
func textProblems(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var problems []string
	for i, line := range strings.Split(string(b), "\n") {
		if p := outsidePattern(line); p != "" {
			problems = append(problems, fmt.Sprintf("line %d names %q", i+1, p))
		}
	}
	return problems, nil
}

// TestPathChecks checks the checks on the patterns that broke fresh
// clones before: a Join climbing out of the module to the shared folder
// beside it.
func TestPathChecks(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "internal", "x")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	src := `package x

import "path/filepath"

// Data lives in SHARED/rpki-corpus.
var (
	a = filepath.Join("..", "..", "..", "DIR", "rpki-corpus")
	b = filepath.Join(root, "..", "corpus")
	c = "../../../elsewhere"
	d = filepath.Join("..", "..", "configs", "tals")
	e = "../y/testdata/f.json"
	f = "WORK/DIR/rtr-data"
)
`
	// Placeholders, so that this file itself names no outside path.
	src = strings.NewReplacer("SHARED", outsidePatterns[0], "WORK", "/"+"work", "DIR", "sha"+"red").Replace(src)
	file := filepath.Join(pkg, "x_test.go")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	problems, err := goFileProblems(dir, file, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"line 5: comment", "line 7: Join([", "line 8: Join puts", "line 9: relative path", "line 12: string"}
	if len(problems) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d", strings.Join(problems, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(problems[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, problems[i], w)
		}
	}
}
