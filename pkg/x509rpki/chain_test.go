package x509rpki

// A small RPKI built here with crypto/x509 and fresh keys (TA, CA with
// inherited resources, BGPsec router certificate, CRL), so that the
// positive and negative paths of Validate, CRL.Validate and CheckRevoked
// run on real signatures that the corpus cannot provide (its router
// certificates have no issuer in the corpus). crypto/x509 is used only in
// tests, to produce; the package under test never imports it.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	ctKeysOnce sync.Once
	ctKeys     [3]*rsa.PrivateKey
	ctKeysErr  error
)

// ctRSA returns one of three RSA-2048 keys generated once per test binary.
func ctRSA(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	ctKeysOnce.Do(func() {
		for j := range ctKeys {
			if ctKeys[j], ctKeysErr = rsa.GenerateKey(rand.Reader, 2048); ctKeysErr != nil {
				return
			}
		}
	})
	if ctKeysErr != nil {
		t.Fatal(ctKeysErr)
	}
	return ctKeys[i]
}

// ctSKI is the RFC 6487 §4.8.2 key identifier of a public key.
func ctSKI(t testing.TB, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	s := cryptobyte.String(der)
	var spki, alg cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&spki, cbasn1.SEQUENCE) || !spki.ReadASN1(&alg, cbasn1.SEQUENCE) || !spki.ReadASN1BitString(&bits) {
		t.Fatal("bad SPKI")
	}
	sum := sha1.Sum(bits.Bytes)
	return sum[:]
}

// ctExt builds an extension whose value is built by f.
func ctExt(oid asn1.ObjectIdentifier, critical bool, f func(*cryptobyte.Builder)) pkix.Extension {
	var b cryptobyte.Builder
	f(&b)
	return pkix.Extension{Id: oid, Critical: critical, Value: b.BytesOrPanic()}
}

// ctPolicy is the critical RPKI certificate policy extension.
func ctPolicy() pkix.Extension {
	return ctExt(oidCertPolicies, true, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidCertPolicyRPKI) })
		})
	})
}

// ctCASIA is a CA SIA with caRepository, rpkiManifest and rpkiNotify.
func ctCASIA(repo string) pkix.Extension {
	return ctExt(oidSubjectInfo, false, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, ad := range []struct {
				m   asn1.ObjectIdentifier
				uri string
			}{{oidCARepository, repo}, {oidRPKIManifest, repo + "m.mft"}, {oidRPKINotify, "https://rrdp.example/n.xml"}} {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(ad.m)
					b.AddASN1(tagURI, func(b *cryptobyte.Builder) { b.AddBytes([]byte(ad.uri)) })
				})
			}
		})
	})
}

// ctSpec describes one certificate to issue.
type ctSpec struct {
	cn       string
	serial   int64
	pub      crypto.PublicKey
	ca       bool
	router   bool
	ip, as   []byte // extnValue of the resource extensions; nil omits
	aia, dp  string
	from, to time.Time
}

// ctIssue signs spec with the parent (nil: self-signed with key).
func ctIssue(t testing.TB, spec ctSpec, parent *x509.Certificate, key *rsa.PrivateKey) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(spec.serial),
		Subject:         pkix.Name{CommonName: spec.cn},
		NotBefore:       spec.from,
		NotAfter:        spec.to,
		SubjectKeyId:    ctSKI(t, spec.pub),
		ExtraExtensions: []pkix.Extension{ctPolicy()},
	}
	if spec.ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, ctCASIA("rsync://repo.example/"+spec.cn+"/"))
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	if spec.router {
		tmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{oidKPBGPsecRouter}
	}
	if spec.aia != "" {
		tmpl.IssuingCertificateURL = []string{spec.aia}
		tmpl.CRLDistributionPoints = []string{spec.dp}
	}
	if spec.ip != nil {
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidIPAddrBlocks, Critical: true, Value: spec.ip})
	}
	if spec.as != nil {
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidASIdentifiers, Critical: true, Value: spec.as})
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, spec.pub, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ctTree is the test RPKI: TA -> CA (inherits everything) -> router.
type ctTree struct {
	taDER, caDER, routerDER []byte
	ta, ca                  *Cert
	router                  *RouterCert
	caX509                  *x509.Certificate
	caKey                   *rsa.PrivateKey
	now                     time.Time
}

func ctBuild(t testing.TB) *ctTree {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	from, to := now.Add(-time.Hour), now.Add(24*time.Hour)
	taKey, caKey := ctRSA(t, 0), ctRSA(t, 1)
	routerKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tr := &ctTree{caKey: caKey, now: now}
	tr.taDER = ctIssue(t, ctSpec{cn: "TA", serial: 1, pub: &taKey.PublicKey, ca: true, from: from, to: to,
		ip: rtIPDER(rtFam(v4, rtPrefix([]byte{10}, 8)), rtFam(v6, rtPrefix([]byte{0x20, 0x01, 0x0d, 0xb8}, 32))),
		as: rtASDER(false, [2]int64{64496, 64511})}, nil, taKey)
	taX509, err := x509.ParseCertificate(tr.taDER)
	if err != nil {
		t.Fatal(err)
	}
	inherit := rtIPDER(rtFamily{afi: v4, inherit: true}, rtFamily{afi: v6, inherit: true})
	tr.caDER = ctIssue(t, ctSpec{cn: "CA", serial: 2, pub: &caKey.PublicKey, ca: true, from: from, to: to,
		ip: inherit, as: rtASDER(false), aia: "rsync://repo.example/TA.cer", dp: "rsync://repo.example/TA/TA.crl"}, taX509, taKey)
	if tr.caX509, err = x509.ParseCertificate(tr.caDER); err != nil {
		t.Fatal(err)
	}
	tr.routerDER = ctIssue(t, ctSpec{cn: "ROUTER-0000FBF0", serial: 3, pub: &routerKey.PublicKey, router: true, from: from, to: to,
		as: rtASDER(false, int64(64496)), aia: "rsync://repo.example/TA/CA.cer", dp: "rsync://repo.example/CA/CA.crl"}, tr.caX509, caKey)
	if tr.ta, err = ParseCert(tr.taDER); err != nil {
		t.Fatalf("TA: %v", err)
	}
	if tr.ca, err = ParseCert(tr.caDER); err != nil {
		t.Fatalf("CA: %v", err)
	}
	if tr.router, err = ParseRouterCert(tr.routerDER); err != nil {
		t.Fatalf("router: %v", err)
	}
	return tr
}

// TestSignedChain validates TA, CA and router certificate built here.
func TestSignedChain(t *testing.T) {
	tr := ctBuild(t)
	if tr.ta.Kind != KindTA || tr.ca.Kind != KindCA || tr.router.Cert.Kind != KindRouter {
		t.Fatalf("kinds %v %v %v", tr.ta.Kind, tr.ca.Kind, tr.router.Cert.Kind)
	}
	if err := tr.ta.Validate(tr.ta, tr.now); err != nil {
		t.Fatalf("TA: %v", err)
	}
	if err := tr.ca.Validate(tr.ta, tr.now); err != nil {
		t.Fatalf("CA: %v", err)
	}
	resolved := *tr.ca
	resolved.Resources = tr.ca.Resources.Resolve(tr.ta.Resources)
	if err := tr.router.Validate(&resolved, tr.now); err != nil {
		t.Fatalf("router: %v", err)
	}
	if len(tr.router.ASNs) != 1 || tr.router.ASNs[0] != 64496 {
		t.Errorf("router ASNs %v", tr.router.ASNs)
	}
	// Unresolved inherit in the issuer covers nothing.
	if err := tr.router.Validate(tr.ca, tr.now); !errors.Is(err, ErrResources) || !strings.Contains(err.Error(), "not resolved") {
		t.Errorf("unresolved issuer: %v", err)
	}
	if err := tr.router.Validate(&resolved, tr.now.Add(48*time.Hour)); !errors.Is(err, ErrStale) {
		t.Errorf("expired router: %v", err)
	}
}

// TestSignedChainNegative issues certificates that parse but must fail
// validation: over-claiming resources, and a signature by the wrong key.
func TestSignedChainNegative(t *testing.T) {
	tr := ctBuild(t)
	from, to := tr.now.Add(-time.Hour), tr.now.Add(time.Hour)
	key := ctRSA(t, 2)
	over := ctIssue(t, ctSpec{cn: "OVER", serial: 7, pub: &key.PublicKey, ca: true, from: from, to: to,
		ip: rtIPDER(rtFam(v4, rtPrefix([]byte{11}, 8))), aia: "rsync://repo.example/TA.cer", dp: "rsync://repo.example/TA/TA.crl"},
		ctMustX509(t, tr.taDER), ctRSA(t, 0))
	c, err := ParseCert(over)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(tr.ta, tr.now); !errors.Is(err, ErrResources) || !strings.Contains(err.Error(), "IPv4 11.0.0.0/8") {
		t.Errorf("over-claim: %v", err)
	}
	// Signed by the CA key while naming the TA as issuer (AKI set by hand).
	forged := ctIssue(t, ctSpec{cn: "FORGED", serial: 8, pub: &key.PublicKey, ca: true, from: from, to: to,
		as: rtASDER(false), aia: "rsync://repo.example/TA.cer", dp: "rsync://repo.example/TA/TA.crl"},
		ctWithKey(ctMustX509(t, tr.taDER), tr.ta.SKI), ctRSA(t, 1))
	if c, err = ParseCert(forged); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(tr.ta, tr.now); !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), "signature") {
		t.Errorf("forged: %v", err)
	}
}

// ctMustX509 parses DER with crypto/x509.
func ctMustX509(t testing.TB, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ctWithKey returns parent with its SubjectKeyId replaced, so that
// crypto/x509 writes that AKI whatever key signs.
func ctWithKey(parent *x509.Certificate, ski []byte) *x509.Certificate {
	p := *parent
	p.SubjectKeyId = ski
	p.PublicKey = nil
	return &p
}

// TestSignedCRL issues a CRL revoking the router certificate and checks
// ParseCRL, CRL.Validate and CheckRevoked on it.
func TestSignedCRL(t *testing.T) {
	tr := ctBuild(t)
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(42),
		ThisUpdate: tr.now.Add(-time.Minute),
		NextUpdate: tr.now.Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{
			{SerialNumber: tr.router.Cert.SerialNumber, RevocationTime: tr.now.Add(-time.Minute)},
			{SerialNumber: big.NewInt(99), RevocationTime: tr.now.Add(-time.Minute)},
		},
	}, tr.caX509, tr.caKey)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ParseCRL(der)
	if err != nil {
		t.Fatal(err)
	}
	if crl.Number.Int64() != 42 || len(crl.Revoked) != 2 || crl.Issuer != tr.ca.Subject {
		t.Errorf("CRL fields: %v %d %q", crl.Number, len(crl.Revoked), crl.Issuer)
	}
	if err := crl.Validate(tr.ca, tr.now); err != nil {
		t.Fatalf("CRL: %v", err)
	}
	if err := crl.Validate(tr.ta, tr.now); !errors.Is(err, ErrSignature) {
		t.Errorf("CRL against the TA: %v", err)
	}
	if err := tr.router.Cert.CheckRevoked(crl); !errors.Is(err, ErrRevoked) {
		t.Errorf("router not revoked: %v", err)
	}
	if err := tr.ca.CheckRevoked(crl); !errors.Is(err, ErrProfile) {
		t.Errorf("CA checked against its own CRL: %v", err)
	}
}
