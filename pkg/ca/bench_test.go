package ca

import (
	"fmt"
	"math/big"
	"net/netip"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// cpuMeter reports "cpu-ns/op", the process CPU time per operation, next
// to ns/op: on a shared 2-core machine the wall time of a CPU-bound
// benchmark says more about the neighbours than about the code.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
}

// meterCPU starts a cpuMeter; call stop after the loop.
func meterCPU(b *testing.B) *cpuMeter { return &cpuMeter{b: b, start: processCPU()} }

// stop reports the metric.
func (m *cpuMeter) stop() {
	if d := processCPU() - m.start; d > 0 && m.b.N > 0 {
		m.b.ReportMetric(float64(d.Nanoseconds())/float64(m.b.N), "cpu-ns/op")
	}
}

// BenchmarkNewKey measures RSA-2048 generation with crypto/rsa.
func BenchmarkNewKey(b *testing.B) {
	m := meterCPU(b)
	for b.Loop() {
		if _, err := NewKey(nil); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}

// BenchmarkDeterministicKey measures seeded RSA-2048 generation.
func BenchmarkDeterministicKey(b *testing.B) {
	i := 0
	m := meterCPU(b)
	for b.Loop() {
		i++
		if _, err := DeterministicKey(fmt.Appendf(nil, "bench-%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}

// BenchmarkIssueCert measures one CA certificate with IPv4, IPv6 and AS
// resources: encoding plus one RSA-2048 signature.
func BenchmarkIssueCert(b *testing.B) {
	l := buildLab(b)
	sub := pool(b).Get(keyOther)
	tmpl := &CertTemplate{Kind: x509rpki.KindCA, Serial: big.NewInt(1000), Issuer: l.ca.Name,
		NotBefore: l.now, NotAfter: l.now.AddDate(1, 0, 0), Resources: l.ca.Resources,
		CRLDP: l.ca.CRLURI, AIA: l.ca.CertURI, CARepository: l.ca.Repo + "x/", Manifest: l.ca.Repo + "x/x.mft"}
	b.ReportAllocs()
	m := meterCPU(b)
	for b.Loop() {
		if _, err := IssueCert(tmpl, sub, l.ca.Key); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}

// BenchmarkNewROA measures a complete ROA with a pooled EE key: EE
// certificate, eContent and CMS, so two RSA-2048 signatures.
func BenchmarkNewROA(b *testing.B) {
	l := buildLab(b)
	l.ca.EEKeys = pool(b)
	prefixes := []x509rpki.ROAPrefix{{Prefix: netip.MustParsePrefix("10.1.2.0/24"), MaxLength: 24},
		{Prefix: netip.MustParsePrefix("2001:db8:1::/48"), MaxLength: 48}}
	b.ReportAllocs()
	m := meterCPU(b)
	for b.Loop() {
		if _, err := l.ca.NewROA(64500, prefixes, ObjectParams{}); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}

// BenchmarkEncodeROA measures the eContent encoding alone (no signature).
func BenchmarkEncodeROA(b *testing.B) {
	prefixes := []x509rpki.ROAPrefix{{Prefix: netip.MustParsePrefix("10.1.2.0/24"), MaxLength: 24},
		{Prefix: netip.MustParsePrefix("2001:db8:1::/48"), MaxLength: 48}}
	b.ReportAllocs()
	m := meterCPU(b)
	for b.Loop() {
		if _, err := EncodeROA(64500, prefixes); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}

// BenchmarkNewROAParallel measures ROA throughput on all cores, the figure
// that sizes the lab generator (ns/op is per ROA across GOMAXPROCS).
func BenchmarkNewROAParallel(b *testing.B) {
	l := buildLab(b)
	l.ca.EEKeys = pool(b)
	prefixes := []x509rpki.ROAPrefix{{Prefix: netip.MustParsePrefix("10.1.2.0/24"), MaxLength: 24}}
	b.ReportAllocs()
	m := meterCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.ca.NewROA(64500, prefixes, ObjectParams{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	m.stop()
}

// BenchmarkNewManifest1000 measures a manifest of 1000 entries.
func BenchmarkNewManifest1000(b *testing.B) {
	l := buildLab(b)
	files := make([]x509rpki.ManifestFile, 1000)
	for i := range files {
		files[i] = FileEntry(fmt.Sprintf("AS%d-%d.roa", 64500, i), []byte{byte(i)})
	}
	ee := pool(b).Get(keyEE3)
	b.ReportAllocs()
	m := meterCPU(b)
	for b.Loop() {
		if _, err := l.ca.NewManifest(big.NewInt(1), l.now, l.now.Add(time.Hour), files, ObjectParams{EEKey: ee}); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}

// BenchmarkSign measures one RSA-2048 PKCS #1 v1.5 signature, the floor
// under every builder.
func BenchmarkSign(b *testing.B) {
	k := pool(b).Get(keyOther)
	msg := make([]byte, 1024)
	m := meterCPU(b)
	for b.Loop() {
		if _, err := k.sign(msg); err != nil {
			b.Fatal(err)
		}
	}
	m.stop()
}
