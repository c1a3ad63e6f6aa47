package archtest

import (
	"strings"
	"testing"
)

// allowed lists the fixed rules of STYLE.md habit 14, kept here as well as
// in the packages' doc.go, so that loosening a doc.go line cannot loosen
// them: for each package, the non-standard-library imports it may use (a
// prefix matches a module and its packages). client_golang is for
// pkg/metrics and cmd/ only.
var allowed = map[string][]string{
	"pkg/x509rpki": {"golang.org/x/crypto/cryptobyte"},
	"pkg/payload":  {},
	"pkg/tal":      {},
}

// TestLayering checks the fixed rules.
func TestLayering(t *testing.T) {
	for _, p := range packages(t) {
		for _, imp := range p.Imports {
			if msg := violation(p.rel(), imp); msg != "" {
				t.Errorf("%s imports %s: %s", p.rel(), imp, msg)
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
