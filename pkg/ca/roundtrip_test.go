package ca

import (
	"bytes"
	"errors"
	"math/big"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// These tests read what the builders write with the project's own parsers
// (pkg/x509rpki, written independently from the RFCs) and check that every
// value comes back and that each object validates against its issuer.

// parsedLab is the lab's TA and CA as pkg/x509rpki reads them.
type parsedLab struct {
	*lab
	ta, ca *x509rpki.Cert
}

// parseLab builds the lab and parses its two CA certificates.
func parseLab(t *testing.T) *parsedLab {
	t.Helper()
	l := buildLab(t)
	ta, err := x509rpki.ParseCert(l.ta.Cert)
	must(t, err)
	ca, err := x509rpki.ParseCert(l.ca.Cert)
	must(t, err)
	return &parsedLab{lab: l, ta: ta, ca: ca}
}

func TestRoundTripTA(t *testing.T) {
	p := parseLab(t)
	c := p.ta
	if c.Kind != x509rpki.KindTA || c.SerialNumber.Int64() != 1 || !strings.Contains(c.Subject, "LAB-TA") {
		t.Fatalf("TA kind %v serial %v subject %q", c.Kind, c.SerialNumber, c.Subject)
	}
	checkCAFields(t, c, p.lab.ta)
	if c.AKI != nil || c.CRLDP != "" || c.AIA != "" {
		t.Errorf("TA has AKI %x / CRLDP %q / AIA %q (RFC 6487 §4.8.3, §4.8.6, §4.8.7)", c.AKI, c.CRLDP, c.AIA)
	}
	if !bytes.Equal(c.RawSPKI, p.lab.ta.TAL().SPKI) {
		t.Error("TA SPKI differs from the TAL's")
	}
	must(t, c.Validate(c, p.now))
}

func TestRoundTripCA(t *testing.T) {
	p := parseLab(t)
	c := p.ca
	if c.Kind != x509rpki.KindCA || !bytes.Equal(c.AKI, p.lab.ta.Key.SKI()) {
		t.Fatalf("CA kind %v AKI %x", c.Kind, c.AKI)
	}
	checkCAFields(t, c, p.lab.ca)
	if c.CRLDP != p.lab.ta.CRLURI || c.AIA != p.lab.ta.CertURI {
		t.Errorf("CRLDP %q AIA %q", c.CRLDP, c.AIA)
	}
	must(t, c.Validate(p.ta, p.now))
}

// checkCAFields compares a parsed CA or TA certificate with what was built.
func checkCAFields(t *testing.T, c *x509rpki.Cert, want *CA) {
	t.Helper()
	if !bytes.Equal(c.SKI, want.Key.SKI()) || c.CARepository != want.Repo || c.Manifest != want.ManifestURI {
		t.Errorf("SKI %x repo %q manifest %q", c.SKI, c.CARepository, c.Manifest)
	}
	if !c.NotBefore.Equal(want.NotBefore) || !c.NotAfter.Equal(want.NotAfter) {
		t.Errorf("validity %v..%v, want %v..%v", c.NotBefore, c.NotAfter, want.NotBefore, want.NotAfter)
	}
	if !reflect.DeepEqual(c.Resources, want.Resources) {
		t.Errorf("resources %v, want %v", c.Resources, want.Resources)
	}
}

func TestRoundTripCRL(t *testing.T) {
	p := parseLab(t)
	crl, err := x509rpki.ParseCRL(p.taCRL)
	must(t, err)
	if crl.Number.Int64() != 1 || !bytes.Equal(crl.AKI, p.lab.ta.Key.SKI()) || len(crl.Revoked) != 1 ||
		crl.Revoked[0].Serial.Int64() != 99 || !crl.NextUpdate.Equal(p.now.Add(24*time.Hour)) {
		t.Fatalf("CRL read back as %+v", crl)
	}
	must(t, crl.Validate(p.ta, p.now))
	crl, err = x509rpki.ParseCRL(p.caCRL)
	must(t, err)
	if len(crl.Revoked) != 0 {
		t.Fatalf("CA CRL lists %d revoked", len(crl.Revoked))
	}
	must(t, crl.Validate(p.ca, p.now))
}

func TestRoundTripManifest(t *testing.T) {
	p := parseLab(t)
	m, err := x509rpki.ParseManifest(p.caMft.DER)
	must(t, err)
	want := []x509rpki.ManifestFile{
		FileEntry(FileName(p.lab.ca.CRLURI), p.caCRL), FileEntry(p.roa.Name, p.roa.DER),
		FileEntry(p.aspa.Name, p.aspa.DER), FileEntry(p.router.Name, p.router.DER),
	}
	if m.Number.Int64() != 1 || !m.NextUpdate.Equal(p.now.Add(24*time.Hour)) || !reflect.DeepEqual(m.Files, want) {
		t.Fatalf("manifest read back as number %v next %v files %+v", m.Number, m.NextUpdate, m.Files)
	}
	if !m.Signed.EE.Resources.HasInherit() || m.Signed.EE.SignedObject != p.lab.ca.ManifestURI {
		t.Errorf("manifest EE: resources %v SIA %q", m.Signed.EE.Resources, m.Signed.EE.SignedObject)
	}
	must(t, m.Validate(p.ca, p.now))
}

func TestRoundTripROA(t *testing.T) {
	p := parseLab(t)
	r, err := x509rpki.ParseROA(p.roa.DER)
	must(t, err)
	want := []x509rpki.ROAPrefix{
		{Prefix: mp("10.1.0.0/16"), MaxLength: 16}, {Prefix: mp("10.1.2.0/24"), MaxLength: 26},
		{Prefix: mp("2001:db8:1::/48"), MaxLength: 56},
	}
	if r.ASID != 64500 || !reflect.DeepEqual(r.Prefixes, want) {
		t.Fatalf("ROA read back as AS%d %v", r.ASID, r.Prefixes)
	}
	ee := r.Signed.EE
	if ee.Kind != x509rpki.KindEE || ee.SignedObject != p.roa.URI || ee.Resources.AS.Present {
		t.Errorf("ROA EE: kind %v SIA %q AS %v", ee.Kind, ee.SignedObject, ee.Resources.AS)
	}
	must(t, r.Validate(p.ca, p.now))
}

func TestRoundTripASPA(t *testing.T) {
	p := parseLab(t)
	a, err := x509rpki.ParseASPA(p.aspa.DER)
	must(t, err)
	if a.Customer != 64501 || !slices.Equal(a.Providers, []uint32{64497, 64511, 65000}) {
		t.Fatalf("ASPA read back as AS%d %v", a.Customer, a.Providers)
	}
	if a.Signed.EE.Resources.IPv4.Present || a.Signed.EE.Resources.IPv6.Present {
		t.Error("ASPA EE has IP resources")
	}
	must(t, a.Validate(p.ca, p.now))
}

func TestRoundTripRouterCert(t *testing.T) {
	p := parseLab(t)
	r, err := x509rpki.ParseRouterCert(p.router.DER)
	must(t, err)
	if !slices.Equal(r.ASNs, p.routerASNs) || !bytes.Equal(r.Cert.SKI, p.routerKey.SKI()) {
		t.Fatalf("router cert read back as %v SKI %x", r.ASNs, r.Cert.SKI)
	}
	must(t, r.Validate(p.ca, p.now))
}

// TestFaultsDetected builds each kind of broken object and checks the
// parsers reject it with the right error class, either at parse or at
// validation.
func TestFaultsDetected(t *testing.T) {
	p := parseLab(t)
	pfx := []x509rpki.ROAPrefix{{Prefix: mp("10.1.9.0/24")}}
	outside := ResourcesFor([]netip.Prefix{mp("10.1.8.0/24")}, nil)
	roaCases := []struct {
		name string
		op   ObjectParams
		want error
	}{
		{"bad CMS signature", ObjectParams{Fault: FaultBadSignature}, x509rpki.ErrSignature},
		{"wrong message digest", ObjectParams{Fault: FaultBadDigest}, x509rpki.ErrSignature},
		{"content type mismatch", ObjectParams{Fault: FaultContentTypeMismatch}, x509rpki.ErrProfile},
		{"trailing data", ObjectParams{Fault: FaultTrailingData}, x509rpki.ErrMalformed},
		{"bad EE signature", ObjectParams{EEFault: FaultBadSignature}, x509rpki.ErrSignature},
		{"prefix outside EE", ObjectParams{EEResources: &outside}, x509rpki.ErrResources},
		{"expired", ObjectParams{NotBefore: p.now.Add(-48 * time.Hour), NotAfter: p.now.Add(-time.Hour)}, x509rpki.ErrStale},
	}
	for _, c := range roaCases {
		t.Run(c.name, func(t *testing.T) {
			c.op.EEKey = pool(t).Get(keyEE1)
			o, err := p.lab.ca.NewROA(64500, pfx, c.op)
			must(t, err)
			err = parseAndValidateROA(o.DER, p.ca, p.now)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want class %v", err, c.want)
			}
		})
	}
	t.Run("over-claiming CA", func(t *testing.T) {
		child, err := p.lab.ca.NewCA(Params{Key: pool(t).Get(keyOther),
			Resources: ResourcesFor([]netip.Prefix{mp("10.0.0.0/8")}, nil)})
		must(t, err)
		c, err := x509rpki.ParseCert(child.Cert)
		must(t, err)
		if err := c.Validate(p.ca, p.now); !errors.Is(err, x509rpki.ErrResources) {
			t.Fatalf("got %v, want ErrResources", err)
		}
	})
	t.Run("bad CRL signature", func(t *testing.T) {
		der, err := p.lab.ca.NewCRL(big.NewInt(2), p.now, p.now.Add(time.Hour), nil, FaultBadSignature)
		must(t, err)
		crl, err := x509rpki.ParseCRL(der)
		must(t, err)
		if err := crl.Validate(p.ca, p.now); !errors.Is(err, x509rpki.ErrSignature) {
			t.Fatalf("got %v, want ErrSignature", err)
		}
	})
}

// parseAndValidateROA parses and validates a ROA, returning the first error.
func parseAndValidateROA(der []byte, issuer *x509rpki.Cert, now time.Time) error {
	r, err := x509rpki.ParseROA(der)
	if err != nil {
		return err
	}
	return r.Validate(issuer, now)
}

// TestRoundTripReconsideredAndLateDates checks the RFC 8360 variant and a
// validity past 2049, which must switch to GeneralizedTime
// (RFC 5280 §4.1.2.5).
func TestRoundTripReconsideredAndLateDates(t *testing.T) {
	p := parseLab(t)
	notAfter := time.Date(2051, 6, 1, 12, 0, 0, 0, time.UTC)
	child, err := p.lab.ca.NewCA(Params{Key: pool(t).Get(keyOther), Reconsidered: true, NotAfter: notAfter,
		Resources: ResourcesFor([]netip.Prefix{mp("10.1.4.0/22")}, []x509rpki.ASRange{{Min: 64500, Max: 64500}})})
	must(t, err)
	c, err := x509rpki.ParseCert(child.Cert)
	must(t, err)
	if !c.Reconsidered || !c.NotAfter.Equal(notAfter) || !reflect.DeepEqual(c.Resources, child.Resources) {
		t.Fatalf("read back reconsidered=%v notAfter=%v resources=%v", c.Reconsidered, c.NotAfter, c.Resources)
	}
	std := stdCert(t, child.Cert)
	if !std.NotAfter.Equal(notAfter) || len(std.PolicyIdentifiers) != 1 || !std.PolicyIdentifiers[0].Equal(oidPolicyRPKIV2) {
		t.Fatalf("crypto/x509: notAfter %v policies %v", std.NotAfter, std.PolicyIdentifiers)
	}
}
