package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/openrpki/validator"

// allowed lists, for each package, the non-standard-library imports it may
// use (a prefix matches a module and its packages). Packages not listed may
// import anything in the module and the card's dependencies, except
// client_golang, which only pkg/metrics and cmd/ may use.
var allowed = map[string][]string{
	"pkg/x509rpki": {"golang.org/x/crypto/cryptobyte"},
	"pkg/payload":  {},
	"pkg/tal":      {},
	"pkg/output":   {module + "/pkg/payload"},
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
			Standard   bool
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			if msg := violation(rel, imp); msg != "" {
				t.Errorf("%s imports %s: %s", rel, imp, msg)
			}
		}
	}
}

func violation(pkg, imp string) string {
	if isStd(imp) {
		return ""
	}
	if strings.HasPrefix(imp, "github.com/prometheus/client_golang") &&
		!strings.HasPrefix(pkg, "pkg/metrics") && !strings.HasPrefix(pkg, "cmd/") {
		return "only pkg/metrics and cmd/ may import client_golang"
	}
	allow, ok := allowed[pkg]
	if !ok {
		return ""
	}
	for _, a := range allow {
		if imp == a || strings.HasPrefix(imp, a+"/") {
			return ""
		}
	}
	return "not in its allow-list (see its doc.go)"
}

// isStd reports whether an import path is in the standard library: its first
// element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func TestViolation(t *testing.T) {
	for _, tc := range []struct {
		pkg, imp string
		bad      bool
	}{
		{"pkg/x509rpki", "crypto/x509", false},
		{"pkg/x509rpki", "golang.org/x/crypto/cryptobyte/asn1", false},
		{"pkg/x509rpki", "go.uber.org/zap", true},
		{"pkg/payload", "github.com/openrpki/validator/pkg/x509rpki", true},
		{"pkg/rtr", "github.com/prometheus/client_golang/prometheus", true},
		{"pkg/metrics", "github.com/prometheus/client_golang/prometheus", false},
		{"cmd/validator", "github.com/prometheus/client_golang/prometheus", false},
	} {
		if got := violation(tc.pkg, tc.imp) != ""; got != tc.bad {
			t.Errorf("violation(%s, %s) = %v, want %v", tc.pkg, tc.imp, got, tc.bad)
		}
	}
}
