package ca

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// These tests read the builders' output with readers we did not write:
// crypto/x509 for certificates and CRLs, and the openssl command for CMS.

// stdCert parses der with crypto/x509.
func stdCert(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("crypto/x509: %v", err)
	}
	return c
}

func TestStdlibReadsCertificates(t *testing.T) {
	l := buildLab(t)
	ta, ca := stdCert(t, l.ta.Cert), stdCert(t, l.ca.Cert)
	ee, router := stdCert(t, l.roa.EECert), stdCert(t, l.router.DER)
	must(t, ta.CheckSignatureFrom(ta))
	must(t, ca.CheckSignatureFrom(ta))
	must(t, ee.CheckSignatureFrom(ca))
	must(t, router.CheckSignatureFrom(ca))

	for _, c := range []*x509.Certificate{ta, ca} {
		if !c.IsCA || !c.BasicConstraintsValid || c.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
			t.Errorf("%s: IsCA %v key usage %b", c.Subject, c.IsCA, c.KeyUsage)
		}
	}
	for _, c := range []*x509.Certificate{ee, router} {
		if c.IsCA || c.BasicConstraintsValid || c.KeyUsage != x509.KeyUsageDigitalSignature {
			t.Errorf("%s: IsCA %v key usage %b", c.Subject, c.IsCA, c.KeyUsage)
		}
	}
	if !bytes.Equal(ta.SubjectKeyId, l.ta.Key.SKI()) || ta.AuthorityKeyId != nil || ta.CRLDistributionPoints != nil {
		t.Errorf("TA: SKI %x AKI %x CRLDP %v", ta.SubjectKeyId, ta.AuthorityKeyId, ta.CRLDistributionPoints)
	}
	if !bytes.Equal(ca.AuthorityKeyId, l.ta.Key.SKI()) || !slices.Equal(ca.CRLDistributionPoints, []string{l.ta.CRLURI}) ||
		!slices.Equal(ca.IssuingCertificateURL, []string{l.ta.CertURI}) || ca.Issuer.CommonName != "LAB-TA" {
		t.Errorf("CA: AKI %x CRLDP %v AIA %v issuer %v", ca.AuthorityKeyId, ca.CRLDistributionPoints, ca.IssuingCertificateURL, ca.Issuer)
	}
	if len(router.UnknownExtKeyUsage) != 1 || !router.UnknownExtKeyUsage[0].Equal(oidKPBGPsecRouter) ||
		router.Subject.CommonName != "ROUTER-0000FBF6" {
		t.Errorf("router: EKU %v subject %v", router.UnknownExtKeyUsage, router.Subject)
	}
	checkPolicyAndCritical(t, ee, false)
	checkPolicyAndCritical(t, router, true)
}

// checkPolicyAndCritical checks the RPKI policy is the only one, and that
// the critical extensions crypto/x509 does not handle are exactly the
// RFC 3779 ones present (IP only for an EE, AS only for a router cert).
func checkPolicyAndCritical(t *testing.T, c *x509.Certificate, asOnly bool) {
	t.Helper()
	if len(c.PolicyIdentifiers) != 1 || !c.PolicyIdentifiers[0].Equal(oidPolicyRPKI) {
		t.Errorf("%s: policies %v", c.Subject, c.PolicyIdentifiers)
	}
	want := []asn1.ObjectIdentifier{oidIPAddrBlocks}
	if asOnly {
		want = []asn1.ObjectIdentifier{oidASIdentifiers}
	}
	if !slices.EqualFunc(c.UnhandledCriticalExtensions, want, asn1.ObjectIdentifier.Equal) {
		t.Errorf("%s: unhandled critical extensions %v, want %v", c.Subject, c.UnhandledCriticalExtensions, want)
	}
}

func TestStdlibReadsCRL(t *testing.T) {
	l := buildLab(t)
	crl, err := x509.ParseRevocationList(l.taCRL)
	must(t, err)
	must(t, crl.CheckSignatureFrom(stdCert(t, l.ta.Cert)))
	if crl.Number.Int64() != 1 || !bytes.Equal(crl.AuthorityKeyId, l.ta.Key.SKI()) ||
		len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Int64() != 99 {
		t.Fatalf("CRL: number %v AKI %x revoked %v", crl.Number, crl.AuthorityKeyId, crl.RevokedCertificateEntries)
	}
	if len(crl.Extensions) != 2 {
		t.Fatalf("CRL has %d extensions, RFC 6487 §5 allows exactly AKI and CRL number", len(crl.Extensions))
	}
}

// TestOpenSSLVerifiesCMS has openssl check each signed object's signature
// and message digest (-noverify skips only the chain) and give back the
// eContent, which must be what was encoded.
func TestOpenSSLVerifiesCMS(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatal("openssl is not installed: ", err)
	}
	l := buildLab(t)
	roa, err := EncodeROA(64500, l.roaPrefixes)
	must(t, err)
	aspa, err := EncodeASPA(64501, l.aspaProviders)
	must(t, err)
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		der     []byte
		content []byte
	}{{"roa", l.roa.DER, roa}, {"aspa", l.aspa.DER, aspa}, {"mft", l.caMft.DER, nil}} {
		in, out := filepath.Join(dir, c.name+".der"), filepath.Join(dir, c.name+".content")
		must(t, os.WriteFile(in, c.der, 0o600))
		cmd := exec.Command(bin, "cms", "-verify", "-noverify", "-inform", "DER", "-binary", "-in", in, "-out", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: openssl cms -verify: %v\n%s", c.name, err, msg)
		}
		got, err := os.ReadFile(out)
		must(t, err)
		if c.content != nil && !bytes.Equal(got, c.content) {
			t.Errorf("%s: openssl returned eContent %x, want %x", c.name, got, c.content)
		}
	}
	bad, err := l.ca.NewROA(64500, l.roaPrefixes, ObjectParams{EEKey: pool(t).Get(keyEE1), Fault: FaultBadSignature})
	must(t, err)
	in := filepath.Join(dir, "bad.der")
	must(t, os.WriteFile(in, bad.DER, 0o600))
	if err := exec.Command(bin, "cms", "-verify", "-noverify", "-inform", "DER", "-in", in, "-out", os.DevNull).Run(); err == nil {
		t.Fatal("openssl verified a CMS object built with FaultBadSignature")
	}
}
