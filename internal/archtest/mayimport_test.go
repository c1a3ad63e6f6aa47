package archtest

import (
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// aliases are the short names doc.go files use for dependencies.
var aliases = map[string]string{
	"zap":           "go.uber.org/zap",
	"client_golang": "github.com/prometheus/client_golang",
	"cryptobyte":    "golang.org/x/crypto/cryptobyte",
	"yaml":          "gopkg.in/yaml.v3",
}

// rule is one resolved name of a "May import:" line.
type rule struct {
	std        bool   // the standard library
	everything bool   // "everything below": the module, its requirements and the standard library
	path       string // an import path; its sub-packages match too
}

// TestMayImport checks every package of the module against the "May
// import:" line of its doc.go: the line must be there, every name on it
// must resolve, and every non-test import must be allowed by it.
func TestMayImport(t *testing.T) {
	res := newResolver(t)
	for _, p := range packages(t) {
		rules, err := packageRules(p, res)
		if err != nil {
			t.Errorf("%s: %v", p.rel(), err)
			continue
		}
		for _, imp := range p.Imports {
			if !allows(rules, imp, res) {
				t.Errorf("%s imports %s, which its doc.go \"May import:\" line does not allow", p.rel(), imp)
			}
		}
	}
}

// packageRules reads and resolves the "May import:" line of p's doc.go.
func packageRules(p *listedPackage, res *resolver) ([]rule, error) {
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, "doc.go"), nil, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("every package needs a doc.go with its role and a \"May import:\" line: %v", err)
	}
	if f.Doc == nil {
		return nil, fmt.Errorf("doc.go has no package comment")
	}
	names, err := mayImportNames(f.Doc.Text())
	if err != nil {
		return nil, fmt.Errorf("doc.go: %v", err)
	}
	var rules []rule
	for _, n := range names {
		r, err := res.resolve(n)
		if err != nil {
			return nil, fmt.Errorf("doc.go: %v", err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

var (
	mayImportLine = regexp.MustCompile(`(?m)^May import:`)
	parenthetical = regexp.MustCompile(`\([^)]*\)`)
	sentenceEnd   = regexp.MustCompile(`\.(\s|$)`)
)

// mayImportNames extracts the names of the "May import:" sentence of a
// package comment: "May import: tal, x509rpki (types only), the standard
// library and zap." gives tal, x509rpki, standard library, zap.
func mayImportNames(doc string) ([]string, error) {
	loc := mayImportLine.FindStringIndex(doc)
	if loc == nil {
		return nil, fmt.Errorf(`no line starting "May import:" in the package comment`)
	}
	line := strings.Join(strings.Fields(doc[loc[1]:]), " ")
	if loc := sentenceEnd.FindStringIndex(line); loc != nil {
		line = line[:loc[0]]
	}
	line = parenthetical.ReplaceAllString(line, "")
	var names []string
	for _, part := range strings.Split(strings.ReplaceAll(line, " and ", ","), ",") {
		n := strings.TrimSpace(part)
		n = strings.TrimSpace(strings.TrimPrefix(n, "and "))
		n = strings.TrimSpace(strings.TrimSuffix(n, " only"))
		n = strings.TrimPrefix(n, "the ")
		if n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf(`"May import:" names nothing`)
	}
	return names, nil
}

// resolver maps names to rules.
type resolver struct {
	byRel    map[string]string   // "pkg/payload" -> import path
	byLast   map[string][]string // "payload" -> import paths
	required []string            // module paths go.mod requires
}

func newResolver(t *testing.T) *resolver {
	res := &resolver{byRel: map[string]string{}, byLast: map[string][]string{}, required: requiredModules(t)}
	for _, p := range packages(t) {
		res.byRel[p.rel()] = p.ImportPath
		last := filepath.Base(p.rel())
		res.byLast[last] = append(res.byLast[last], p.ImportPath)
	}
	return res
}

// resolve maps a name: the standard library, everything below, an alias, a
// package of the module (by its path in the module or, when unique, its
// last element), or an import path under a module go.mod requires.
func (res *resolver) resolve(name string) (rule, error) {
	switch name {
	case "standard library", "stdlib":
		return rule{std: true}, nil
	case "everything below":
		return rule{everything: true}, nil
	}
	if path, ok := aliases[name]; ok {
		return rule{path: path}, nil
	}
	if path, ok := res.byRel[name]; ok {
		return rule{path: path}, nil
	}
	if paths := res.byLast[name]; len(paths) == 1 {
		return rule{path: paths[0]}, nil
	} else if len(paths) > 1 {
		return rule{}, fmt.Errorf("name %q is ambiguous (%s): use its path in the module", name, strings.Join(paths, ", "))
	}
	if res.isRequired(name) {
		return rule{path: name}, nil
	}
	return rule{}, fmt.Errorf("unknown name %q on the \"May import:\" line (want a package of the module, "+
		"a path under a module of go.mod, one of %v, \"the standard library\" or \"everything below\")", name, slices.Sorted(mapKeys(aliases)))
}

// isRequired reports whether path is a module go.mod requires or lies
// under one.
func (res *resolver) isRequired(path string) bool {
	for _, m := range res.required {
		if path == m || strings.HasPrefix(path, m+"/") {
			return true
		}
	}
	return false
}

// allows reports whether one of the rules admits imp.
func allows(rules []rule, imp string, res *resolver) bool {
	for _, r := range rules {
		switch {
		case r.std && isStd(imp):
			return true
		case r.everything && (isStd(imp) || imp == module || strings.HasPrefix(imp, module+"/") || res.isRequired(imp)):
			return true
		case r.path != "" && (imp == r.path || strings.HasPrefix(imp, r.path+"/")):
			return true
		}
	}
	return false
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestMayImportNames checks the reading of the wordings in use.
func TestMayImportNames(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{"Role.\n\nMay import: the standard library only.\n", []string{"standard library"}},
		{"May import: the standard library and go.uber.org/zap only.", []string{"standard library", "go.uber.org/zap"}},
		{"May import: the standard library, golang.org/x/crypto/cryptobyte,\npkg/x509rpki (types only, for a shared vocabulary) and pkg/tal.",
			[]string{"standard library", "golang.org/x/crypto/cryptobyte", "pkg/x509rpki", "pkg/tal"}},
		{"May import: client_golang and the standard library. It is the only\npackage besides cmd/ that imports client_golang.",
			[]string{"client_golang", "standard library"}},
		{"May import: configs (the embedded defaults), the standard library and\ngopkg.in/yaml.v3.", []string{"configs", "standard library", "gopkg.in/yaml.v3"}},
		{"May import: everything below (any package of the module).", []string{"everything below"}},
		{"May import: tal, x509rpki, cache, fetch, rrdp, rsync, payload, the\nstandard library and zap.",
			[]string{"tal", "x509rpki", "cache", "fetch", "rrdp", "rsync", "payload", "standard library", "zap"}},
	} {
		got, err := mayImportNames(tc.doc)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("mayImportNames(%q) = %q, %v; want %q", tc.doc, got, err, tc.want)
		}
	}
	for _, doc := range []string{"Imports: the standard library only.", "May import: .", "Checks the \"May import:\" lines."} {
		if _, err := mayImportNames(doc); err == nil {
			t.Errorf("mayImportNames(%q) accepted", doc)
		}
	}
}

// TestResolve checks names, unknown names and the rules they give.
func TestResolve(t *testing.T) {
	res := newResolver(t)
	for _, tc := range []struct {
		names []string
		imp   string
		ok    bool
	}{
		{[]string{"standard library"}, "net/http", true},
		{[]string{"standard library"}, "go.uber.org/zap", false},
		{[]string{"zap"}, "go.uber.org/zap/zapcore", true},
		{[]string{"cryptobyte"}, "golang.org/x/crypto/cryptobyte/asn1", true},
		{[]string{"cryptobyte"}, "golang.org/x/crypto/ssh", false},
		{[]string{"payload"}, module + "/pkg/payload", true},
		{[]string{"pkg/payload"}, module + "/pkg/payload", true},
		{[]string{"payload"}, module + "/pkg/rtr", false},
		{[]string{"internal/testfiles"}, module + "/internal/testfiles", true},
		{[]string{"everything below"}, module + "/pkg/lab", true},
		{[]string{"everything below"}, "github.com/prometheus/client_golang/prometheus", true},
		{[]string{"everything below"}, "os/signal", true},
		{[]string{"everything below"}, "example.com/elsewhere", false},
	} {
		var rules []rule
		for _, n := range tc.names {
			r, err := res.resolve(n)
			if err != nil {
				t.Fatalf("resolve(%q): %v", n, err)
			}
			rules = append(rules, r)
		}
		if got := allows(rules, tc.imp, res); got != tc.ok {
			t.Errorf("%v allows %s = %v, want %v", tc.names, tc.imp, got, tc.ok)
		}
	}
	for _, n := range []string{"payloads", "example.com/x", "the lot"} {
		if _, err := res.resolve(n); err == nil {
			t.Errorf("resolve(%q) accepted an unknown name", n)
		}
	}
}
