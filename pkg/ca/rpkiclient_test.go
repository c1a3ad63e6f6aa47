package ca

import (
	"net/netip"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRPKIClientAccepts runs Debian's rpki-client 8.2 in file mode (-f) on
// every object of a lab hierarchy laid out as its cache expects, with the
// lab's TAL, and asserts each one validates up to the TA and that the ROA's
// prefixes come out as built. rpki-client is an independent, strict reader:
// this is the acceptance check of the write side. The ASPA is published and
// listed on the manifest but not checked here, because 8.2 reads only the
// old draft-13 ASPA encoding.
func TestRPKIClientAccepts(t *testing.T) {
	bin, err := exec.LookPath("rpki-client")
	if err != nil {
		t.Fatal("rpki-client is not installed (scripts/test installs it): ", err)
	}
	l := buildLab(t)
	// Not t.TempDir: its parent is mode 0700, and rpki-client reads the
	// cache as its own unprivileged user.
	root, err := os.MkdirTemp("", "ca-rpki-client-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	must(t, os.Chmod(root, 0o755))
	cache := filepath.Join(root, "cache")
	paths := l.publish(t, cache, "lab")
	talPath := filepath.Join(root, "lab.tal")
	writeFile(t, talPath, l.ta.TAL().Marshal())

	// rpki-client 8.2 prints no verdict for a CRL in file mode (it does
	// not verify CRLs there), so for CRLs the check is that it parsed and
	// printed the values built.
	checks := []struct {
		uri     string
		verdict string
		want    []string
	}{
		{l.ta.CertURI, "Validation: OK", []string{"TAL: lab"}},
		{l.ta.ManifestURI, "Validation: OK", []string{"Manifest Number:          07"}},
		{l.ta.CRLURI, "Validation: \n", []string{"CRL Serial Number:        01", "Serial:       63"}},
		{l.ca.CertURI, "Validation: OK", []string{"caRepository:             " + l.ca.Repo}},
		{l.ca.ManifestURI, "Validation: OK", []string{l.roa.Name, l.aspa.Name, l.router.Name}},
		{l.ca.CRLURI, "Validation: \n", []string{"CRL Serial Number:        01", "No Revoked Certificates"}},
		{l.router.URI, "Validation: OK", []string{"64502"}},
		{l.roa.URI, "Validation: OK", []string{"asID:                     64500",
			"1: 10.1.0.0/16 maxlen: 16", "2: 10.1.2.0/24 maxlen: 26", "3: 2001:db8:1::/48 maxlen: 56"}},
	}
	for _, c := range checks {
		t.Run(FileName(c.uri), func(t *testing.T) {
			out := runRPKIClient(t, bin, cache, talPath, paths[c.uri])
			if !strings.Contains(out, c.verdict) || strings.Contains(out, "rpki-client:") {
				t.Fatalf("rpki-client did not accept %s (want %q, no error line):\n%s", c.uri, c.verdict, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestRPKIClientRejectsFaults publishes one broken object per Fault (and
// per semantic defect) into the lab cache and asserts rpki-client refuses
// each: the fault hooks must break objects the way a real validator
// notices, not just the way our own parsers do.
func TestRPKIClientRejectsFaults(t *testing.T) {
	bin, err := exec.LookPath("rpki-client")
	if err != nil {
		t.Fatal("rpki-client is not installed (scripts/test installs it): ", err)
	}
	l := buildLab(t)
	root, err := os.MkdirTemp("", "ca-rpki-client-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(root) })
	must(t, os.Chmod(root, 0o755))
	cache := filepath.Join(root, "cache")
	l.publish(t, cache, "lab")
	talPath := filepath.Join(root, "lab.tal")
	writeFile(t, talPath, l.ta.TAL().Marshal())

	// FaultTrailingData is left out: rpki-client 8.2 lets OpenSSL's d2i
	// ignore bytes after the ContentInfo and accepts the object. Our
	// parsers reject it (TestFaultsDetected), as upstream rpki-client's
	// strict reading asks.
	pfx := []x509rpki.ROAPrefix{{Prefix: mp("10.1.9.0/24")}}
	outside := ResourcesFor([]netip.Prefix{mp("10.1.8.0/24")}, nil)
	cases := []struct {
		name string
		op   ObjectParams
	}{
		{"badsig", ObjectParams{Fault: FaultBadSignature}},
		{"baddigest", ObjectParams{Fault: FaultBadDigest}},
		{"badctype", ObjectParams{Fault: FaultContentTypeMismatch}},
		{"badeesig", ObjectParams{EEFault: FaultBadSignature}},
		{"outside", ObjectParams{EEResources: &outside}},
		{"expired", ObjectParams{NotBefore: l.now.Add(-48 * time.Hour), NotAfter: l.now.Add(-time.Hour)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.op.EEKey, c.op.Name = pool(t).Get(keyEE1), c.name+".roa"
			o, err := l.ca.NewROA(64500, pfx, c.op)
			must(t, err)
			p := filepath.Join(cache, filepath.FromSlash(o.URI[len("rsync://"):]))
			writeFile(t, p, o.DER)
			out := runRPKIClientAny(t, bin, cache, talPath, p)
			if !rejected(out) {
				t.Fatalf("rpki-client accepted the %s ROA:\n%s", c.name, out)
			}
		})
	}
	t.Run("overclaiming-ca", func(t *testing.T) {
		child, err := l.ca.NewCA(Params{Key: pool(t).Get(keyOther), Resources: ResourcesFor([]netip.Prefix{mp("10.0.0.0/8")}, nil)})
		must(t, err)
		p := filepath.Join(cache, filepath.FromSlash(child.CertURI[len("rsync://"):]))
		writeFile(t, p, child.Cert)
		if out := runRPKIClientAny(t, bin, cache, talPath, p); !rejected(out) {
			t.Fatalf("rpki-client accepted an over-claiming CA:\n%s", out)
		}
	})
}

// rejected reports whether rpki-client's -f output refuses the object: a
// parse error line, or a failed validation verdict.
func rejected(out string) bool {
	return !strings.Contains(out, "Validation: OK") &&
		(strings.Contains(out, "rpki-client:") || strings.Contains(out, "Validation: Failed"))
}

// runRPKIClientAny runs rpki-client -f on one file and returns its output
// whatever the exit status (a rejected object may exit non-zero).
func runRPKIClientAny(t *testing.T, bin, cache, talPath, file string) string {
	t.Helper()
	cmd := exec.Command(bin, "-d", cache, "-t", talPath, "-f", file)
	cmd.Dir = filepath.Dir(cache)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// runRPKIClient runs rpki-client -f on one file and returns stdout and
// stderr together.
func runRPKIClient(t *testing.T, bin, cache, talPath, file string) string {
	t.Helper()
	cmd := exec.Command(bin, "-d", cache, "-t", talPath, "-f", file)
	cmd.Dir = filepath.Dir(cache)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rpki-client -f %s: %v\n%s", file, err, out)
	}
	return string(out)
}
