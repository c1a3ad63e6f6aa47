package x509rpki

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fzSeeds adds every corpus file with one of the extensions, plus the
// named regression inputs under testdata/<dir>/, as fuzz seeds.
func fzSeeds(f *testing.F, dir string, exts ...string) {
	f.Helper()
	root := corpusDir(f)
	n := 0
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		for _, e := range exts {
			if strings.HasSuffix(p, e) {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				f.Add(b)
				n++
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	if n == 0 {
		f.Fatal("no seeds")
	}
	regress, _ := filepath.Glob(filepath.Join("testdata", dir, "*", "*"))
	for _, p := range regress {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzParseCert: no panic; an accepted certificate keeps its input as Raw,
// re-parses identically, and its resources are canonical (each range is
// contained, the whole set covers itself).
func FuzzParseCert(f *testing.F) {
	fzSeeds(f, "cert", ".cer")
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCert(der)
		if err != nil {
			if Class(err) == nil {
				t.Fatalf("error without class: %v", err)
			}
			return
		}
		if !bytes.Equal(c.Raw, der) {
			t.Fatal("Raw differs from input")
		}
		c2, err := ParseCert(c.Raw)
		if err != nil || !bytes.Equal(c2.Raw, c.Raw) || c2.Resources.String() != c.Resources.String() {
			t.Fatalf("re-parse differs: %v", err)
		}
		fzCheckResources(t, c.Resources)
	})
}

// fzCheckResources checks invariants of parsed resources.
func fzCheckResources(t *testing.T, r Resources) {
	if r.HasInherit() {
		return
	}
	if !r.Covers(r) {
		t.Fatalf("resources do not cover themselves: %s", r)
	}
	for _, fam := range []IPResources{r.IPv4, r.IPv6} {
		for _, rng := range fam.Ranges {
			if p, ok := rng.Prefix(); ok && !r.ContainsPrefix(p) {
				t.Fatalf("prefix %s not contained", p)
			}
		}
	}
	for _, a := range r.AS.Ranges {
		if !r.ContainsAS(a.Min) || !r.ContainsAS(a.Max) {
			t.Fatalf("AS range %s not contained", a)
		}
	}
}

// FuzzParseCRL: no panic; an accepted CRL keeps its input as Raw and
// re-parses identically, with every listed serial found by IsRevoked.
func FuzzParseCRL(f *testing.F) {
	fzSeeds(f, "crl", ".crl")
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := ParseCRL(der)
		if err != nil {
			if Class(err) == nil {
				t.Fatalf("error without class: %v", err)
			}
			return
		}
		if !bytes.Equal(c.Raw, der) {
			t.Fatal("Raw differs from input")
		}
		c2, err := ParseCRL(c.Raw)
		if err != nil || !bytes.Equal(c2.Raw, c.Raw) || len(c2.Revoked) != len(c.Revoked) {
			t.Fatalf("re-parse differs: %v", err)
		}
		for _, e := range c.Revoked {
			if !c.IsRevoked(e.Serial) {
				t.Fatalf("serial %X listed but not revoked", e.Serial)
			}
		}
	})
}

// FuzzParseRouterCert: no panic; an accepted router certificate re-parses
// identically and lists only AS numbers its resources contain.
func FuzzParseRouterCert(f *testing.F) {
	fzSeeds(f, "cert", ".cer")
	f.Fuzz(func(t *testing.T, der []byte) {
		r, err := ParseRouterCert(der)
		if err != nil {
			if Class(err) == nil {
				t.Fatalf("error without class: %v", err)
			}
			return
		}
		r2, err := ParseRouterCert(r.Cert.Raw)
		if err != nil || !bytes.Equal(r2.Cert.Raw, der) || len(r2.ASNs) != len(r.ASNs) {
			t.Fatalf("re-parse differs: %v", err)
		}
		for _, a := range r.ASNs {
			if !r.Cert.Resources.ContainsAS(a) {
				t.Fatalf("AS%d not in resources", a)
			}
		}
	})
}
