package x509rpki

import (
	"testing"
	"time"
)

// Benchmarks on real corpus objects: a small CA certificate, a CA with
// 2426 resource entries, a certificate validation (RSA verify plus
// resource containment), a TA CRL and a CRL with 1202 entries.

func BenchmarkParseCert(b *testing.B) {
	c := ccLoad(b)
	for _, bc := range []struct{ name, rel string }{
		{"ca", "krill/test-resources/migrations/v0_13_1_pubserver/repo/rsync/current/testbed/0/7DC1E81BCB69BE275046D337AB3FBEF76A62354C.cer"},
		{"big2426", "rpki-prover/test/data/big_cert.cer"},
		{"router", "rpki-prover/test/data/bgp_router_cert.cer"},
	} {
		der := ccMustCert(b, c, bc.rel).der
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(der)))
			for b.Loop() {
				if _, err := ParseCert(der); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCertValidate(b *testing.B) {
	c := ccLoad(b)
	root := ccMustCert(b, c, bbnDir+"root.cer").cert
	ca := ccMustCert(b, c, bbnDir+"root/goodCertResourcesIP4Inherit.cer").cert
	big := ccMustCert(b, c, "rpki-prover/test/data/big_cert.cer")
	smaller := ccMustCert(b, c, "rpki-prover/test/data/smaller.cer").cert
	now, _ := ccWindow([2]time.Time{big.cert.NotBefore, big.cert.NotAfter}, [2]time.Time{smaller.NotBefore, smaller.NotAfter})
	for _, bc := range []struct {
		name         string
		cert, issuer *Cert
		nowIsBBN     bool
	}{
		{"bbn", ca, root, true},
		{"big2426", big.cert, smaller, false},
	} {
		at := now
		if bc.nowIsBBN {
			at = ccBBNNow
		}
		if err := bc.cert.Validate(bc.issuer, at); err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bc.cert.Validate(bc.issuer, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseCRL(b *testing.B) {
	c := ccLoad(b)
	big := ccBigCRL(b, c)
	for _, bc := range []struct {
		name string
		der  []byte
	}{
		{"ta", c.objs["rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.crl"].der},
		{"entries1202", big.Raw},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.der)))
			for b.Loop() {
				if _, err := ParseCRL(bc.der); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCRLIsRevoked(b *testing.B) {
	crl := ccBigCRL(b, ccLoad(b))
	serial := crl.Revoked[len(crl.Revoked)/2].Serial
	b.ReportAllocs()
	for b.Loop() {
		if !crl.IsRevoked(serial) {
			b.Fatal("not revoked")
		}
	}
}
