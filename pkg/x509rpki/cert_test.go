package x509rpki

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// certDeviations lists the corpus certificates whose verdict differs from
// EXPECTED.tsv on purpose, with the error text we give ("" when we accept a
// file expected to be rejected). Each is explained in the report and in the
// code that decides it.
var certDeviations = map[string]string{
	// rpki-client (x509_get_aia, x509_get_crl) wants exactly one AIA
	// AccessDescription and one CRL DistributionPoint; BBN calls two good.
	bbnDir + "root/goodCertAIA2AccessDescHtRs.cer": "want exactly one AccessDescription",
	bbnDir + "root/goodCertAIA2AccessDescRsRs.cer": "want exactly one AccessDescription",
	bbnDir + "root/goodCertCRLDP2DistPt.cer":       "want exactly one DistributionPoint",
	// rpki-client x509_location: every accessLocation must be a URI.
	bbnDir + "root/goodCertSIAMFTHasNonURI.cer":  "accessLocation is not a URI",
	bbnDir + "root/goodCertSIARepoHasNonURI.cer": "accessLocation is not a URI",
	// rpki-client leaves the PrintableString check off (AFRINIC uses
	// UTF8String); see readAttribute.
	bbnDir + "root/badCertSubjectUtf.cer": "",
	// RFC 5280 §4.2: an unrecognised critical extension must be rejected
	// (id-pe 45 here); rpki-client 8.2 ignored it, current rpki-client
	// rejects it.
	"rpki-prover/test/data/extra_extensions.cer": "unknown critical extension 1.3.6.1.5.5.7.1.45",
	// Test objects with an http:// AIA (and an http rpkiNotify, which is
	// what rpki-client 8.2 reports): rejected by both.
	"_derived/rrdp-extracted/rpki-validator-3/rpki-validator/src/test/resources/rrdp/repo1/snapshot.xml/bandito.ripe.net/repo/671570f06499fbd2d6ab76c4f22566fe49d5de60.cer": "AIA: caIssuers is not an rsync URI",
	"_derived/rrdp-extracted/rpki-validator-3/rpki-validator/src/test/resources/rrdp/snapshot1.xml/bandito.ripe.net/repo/671570f06499fbd2d6ab76c4f22566fe49d5de60.cer":      "AIA: caIssuers is not an rsync URI",
}

// TestParseCertCorpus parses every .cer of the corpus, validates it
// against its issuer from the same tree when there is one (BBN at a fixed
// time, other trees at a time inside both validity windows), checks the
// verdict against EXPECTED.tsv and the fields against rpki-client's.
func TestParseCertCorpus(t *testing.T) {
	c := ccLoad(t)
	objs := c.ccSorted(".cer")
	if len(objs) < 200 {
		t.Fatalf("only %d certificates in the corpus", len(objs))
	}
	chained := 0
	for _, o := range objs {
		t.Run(o.rel, func(t *testing.T) {
			err, didChain := c.certVerdict(o)
			if didChain {
				chained++
			}
			ccCheckVerdict(t, c, o.rel, err, certDeviations)
			if o.err == nil {
				c.compareCertRef(t, o)
			}
		})
	}
	t.Logf("%d certificates, %d validated against an issuer", len(objs), chained)
	if chained < 90 {
		t.Errorf("only %d certificates chain-validated", chained)
	}
}

// certVerdict parses and, when the issuer is in the corpus, validates.
func (c *ccCorpus) certVerdict(o *ccObject) (error, bool) {
	if o.err != nil {
		return o.err, false
	}
	cert := o.cert
	if cert.Kind == KindTA {
		now := ccBBNNow
		if !isBBN(o.rel) {
			now, _ = ccWindow([2]time.Time{cert.NotBefore, cert.NotAfter})
		}
		return cert.Validate(cert, now), true
	}
	iss := c.issuerOf(o.rel, cert.AKI, cert.AIA)
	if iss == nil {
		return nil, false
	}
	issuer, ok := c.resolved(iss, 0)
	if !ok {
		return nil, false
	}
	now := ccBBNNow
	if !isBBN(o.rel) {
		if now, ok = ccWindow([2]time.Time{cert.NotBefore, cert.NotAfter}, [2]time.Time{issuer.NotBefore, issuer.NotAfter}); !ok {
			return nil, false
		}
	}
	return cert.Validate(issuer, now), true
}

// ccCheckVerdict compares a verdict with EXPECTED.tsv and the deviations.
func ccCheckVerdict(t *testing.T, c *ccCorpus, rel string, err error, deviations map[string]string) {
	t.Helper()
	if err != nil && Class(err) == nil {
		t.Errorf("error without class: %v", err)
	}
	if dev, ok := deviations[rel]; ok {
		switch {
		case dev == "" && err != nil:
			t.Fatalf("documented deviation: want accepted, got %v", err)
		case dev != "" && (err == nil || !strings.Contains(err.Error(), dev)):
			t.Fatalf("documented deviation: want error containing %q, got %v", dev, err)
		}
		return
	}
	switch c.ccExpectation(rel) {
	case "accept":
		if err != nil {
			t.Fatalf("expected accept, got %v", err)
		}
	case "reject":
		if err == nil {
			t.Fatalf("expected reject, accepted")
		}
	}
}

// compareCertRef compares SKI, AKI, validity and the resource count with
// rpki-client's reading, when rpki-client parsed the file.
func (c *ccCorpus) compareCertRef(t *testing.T, o *ccObject) {
	t.Helper()
	row := c.summary[o.rel]
	if len(row) < 6 || row[3] != "parsed" {
		return
	}
	f := ccRefFields(row[5])
	cert := o.cert
	if got := ccHexID(cert.SKI); got != f["ski"] {
		t.Errorf("SKI %s, rpki-client %s", got, f["ski"])
	}
	if want, ok := f["aki"]; ok != (cert.AKI != nil) || (ok && ccHexID(cert.AKI) != want) {
		t.Errorf("AKI %s, rpki-client %q", ccHexID(cert.AKI), want)
	}
	if nb := ccRefTime(t, f["notBefore"]); !nb.Equal(cert.NotBefore) {
		t.Errorf("notBefore %s, rpki-client %s", cert.NotBefore, nb)
	}
	if na := ccRefTime(t, f["notAfter"]); !na.Equal(cert.NotAfter) {
		t.Errorf("notAfter %s, rpki-client %s", cert.NotAfter, na)
	}
	if n, err := strconv.Atoi(f["resources"]); err != nil || n != ccResourceCount(cert.Resources) {
		t.Errorf("resources %d, rpki-client %q", ccResourceCount(cert.Resources), f["resources"])
	}
}

// ccResourceCount counts entries as rpki-client does: one per AS or IP
// entry, one per inherited family.
func ccResourceCount(r Resources) int {
	n := len(r.AS.Ranges) + len(r.IPv4.Ranges) + len(r.IPv6.Ranges)
	for _, inh := range []bool{r.AS.Inherit, r.IPv4.Inherit, r.IPv6.Inherit} {
		if inh {
			n++
		}
	}
	return n
}

// ccMustCert returns a parsed corpus certificate.
func ccMustCert(t testing.TB, c *ccCorpus, rel string) *ccObject {
	t.Helper()
	o := c.objs[rel]
	if o == nil || o.err != nil {
		t.Fatalf("%s: missing or unparsed", rel)
	}
	return o
}

// TestCertFields checks the fields of known certificates of each kind.
func TestCertFields(t *testing.T) {
	c := ccLoad(t)
	ta := ccMustCert(t, c, "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer").cert
	if ta.Kind != KindTA || ta.AKI != nil || ta.CRLDP != "" || ta.AIA != "" {
		t.Errorf("RIPE TA: kind %v AKI %x CRLDP %q AIA %q", ta.Kind, ta.AKI, ta.CRLDP, ta.AIA)
	}
	if ta.CARepository != "rsync://rpki.ripe.net/repository/" || !strings.HasSuffix(ta.Manifest, ".mft") ||
		ta.Notify != "https://rrdp.ripe.net/notification.xml" {
		t.Errorf("RIPE TA SIA: %q %q %q", ta.CARepository, ta.Manifest, ta.Notify)
	}
	if k := ta.RSAKey(); k == nil || k.N.BitLen() != 2048 || k.E != 65537 {
		t.Errorf("RIPE TA key: %#v", ta.PublicKey)
	}
	if !ta.Resources.ContainsAS(3333) || !ta.Resources.ContainsPrefix(ccPrefix(t, "193.0.0.0/21")) {
		t.Errorf("RIPE TA resources: %s", ta.Resources)
	}
	root := ccMustCert(t, c, bbnDir+"root.cer").cert
	if got := root.Resources.String(); got != "AS1-AS65536, 1.0.0.0/8, 102::/16" {
		t.Errorf("BBN root resources %q", got)
	}
	ca := ccMustCert(t, c, bbnDir+"root/goodCertResourcesAllInherit.cer").cert
	if ca.Kind != KindCA || !ca.Resources.IPv4.Inherit || !ca.Resources.IPv6.Inherit || !ca.Resources.AS.Inherit {
		t.Errorf("AllInherit: kind %v resources %s", ca.Kind, ca.Resources)
	}
	if ca.AIA != bbnURI+"root.cer" || !bytes.Equal(ca.AKI, root.SKI) || ca.Issuer != root.Subject {
		t.Errorf("AllInherit issuer fields: %q %x %q", ca.AIA, ca.AKI, ca.Issuer)
	}
	if got := ca.Resources.Resolve(root.Resources).String(); got != root.Resources.String() {
		t.Errorf("resolved AllInherit %q", got)
	}
	if _, ok := ca.PublicKey.(*rsa.PublicKey); !ok {
		t.Errorf("CA key type %T", ca.PublicKey)
	}
}

// TestCertValidateErrors checks each Validate failure with its class.
func TestCertValidateErrors(t *testing.T) {
	c := ccLoad(t)
	root := ccMustCert(t, c, bbnDir+"root.cer").cert
	good := ccMustCert(t, c, bbnDir+"root/goodCertResourcesAllInherit.cer").cert
	other := ccMustCert(t, c, bbnDir+"root/NAMSeqNameSer.cer").cert
	router := ccMustCert(t, c, "rpki-prover/test/data/bgp_router_cert.cer").cert
	if err := good.Validate(root, ccBBNNow); err != nil {
		t.Fatalf("good chain: %v", err)
	}
	tamper := *good
	tamper.Signature = append([]byte(nil), good.Signature...)
	tamper.Signature[10] ^= 1
	shrunk := *root
	shrunk.Resources = Resources{AS: ASResources{Present: true, Ranges: []ASRange{{1, 2}}}}
	child := *good
	child.Resources = Resources{AS: ASResources{Present: true, Ranges: []ASRange{{1, 9}}}}
	for _, tc := range []struct {
		name   string
		cert   *Cert
		issuer *Cert
		now    time.Time
		class  error
		text   string
	}{
		{"bad signature", &tamper, root, ccBBNNow, ErrSignature, "signature"},
		{"wrong issuer", good, other, ccBBNNow, ErrSignature, "AKI does not match"},
		{"issuer not CA", good, router, ccBBNNow, ErrSignature, "not a CA"},
		{"nil issuer", good, nil, ccBBNNow, ErrSignature, "no issuer"},
		{"not yet valid", good, root, good.NotBefore.Add(-time.Second), ErrStale, "not valid before"},
		{"expired", good, root, good.NotAfter.Add(time.Second), ErrStale, "expired"},
		{"overclaim", &child, &shrunk, ccBBNNow, ErrResources, "AS1-AS9"},
		{"TA against other", root, good, ccBBNNow, ErrSignature, "validates against itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cert.Validate(tc.issuer, tc.now)
			if !errors.Is(err, tc.class) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %v, want %v containing %q", err, tc.class, tc.text)
			}
		})
	}
}

// TestCertResourcesNotCovered validates a real CA against an issuer whose
// resources were cut down, which must fail with ErrResources.
func TestCertResourcesNotCovered(t *testing.T) {
	c := ccLoad(t)
	root := ccMustCert(t, c, bbnDir+"root.cer").cert
	ca := ccMustCert(t, c, bbnDir+"root/goodCertResourcesIP4Inherit.cer").cert
	if err := ca.Validate(root, ccBBNNow); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	cut := *root
	cut.Resources.AS.Ranges = []ASRange{{Min: 1, Max: 10}}
	err := ca.Validate(&cut, ccBBNNow)
	if !errors.Is(err, ErrResources) || !strings.Contains(err.Error(), "AS") {
		t.Fatalf("got %v, want ErrResources naming the AS range", err)
	}
}

// TestParseCertHostile feeds damaged versions of a real certificate.
func TestParseCertHostile(t *testing.T) {
	c := ccLoad(t)
	der := ccMustCert(t, c, bbnDir+"root.cer").der
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"trailing byte", append(append([]byte(nil), der...), 0)},
		{"truncated", der[:len(der)-1]},
		{"header only", der[:4]},
		{"indefinite length", append([]byte{0x30, 0x80}, der[4:]...)},
		{"wrong outer tag", append([]byte{0x31}, der[1:]...)},
		{"too large", make([]byte, MaxObjectSize+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseCert(tc.in); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

// TestCertCheckRevoked uses the BBN root CRL (no entries) and a CRL whose
// revocation list is edited in memory.
func TestCertCheckRevoked(t *testing.T) {
	c := ccLoad(t)
	cert := ccMustCert(t, c, bbnDir+"root/goodCertResourcesAllInherit.cer").cert
	crl := c.objs[bbnDir+"root/root.crl"].crl
	if crl == nil {
		t.Fatal("root.crl did not parse")
	}
	if err := cert.CheckRevoked(crl); err != nil {
		t.Fatalf("not revoked: %v", err)
	}
	revoked := *crl
	revoked.revoked = map[serialKey]struct{}{keyOf(cert.SerialNumber): {}}
	if err := cert.CheckRevoked(&revoked); !errors.Is(err, ErrRevoked) {
		t.Fatalf("got %v, want ErrRevoked", err)
	}
	other := *crl
	other.AKI = cert.SKI
	if err := cert.CheckRevoked(&other); !errors.Is(err, ErrProfile) {
		t.Fatalf("CRL of another issuer: got %v", err)
	}
}

// ccEmbeddedCert finds the first DER certificate inside a CMS object that
// parse accepts, by trying each SEQUENCE in turn.
func ccEmbeddedCert(der []byte, parse func([]byte) (*Cert, error)) *Cert {
	for i := range der {
		if der[i] != 0x30 {
			continue
		}
		s := cryptobyte.String(der[i:])
		var e cryptobyte.String
		if !s.ReadASN1Element(&e, cbasn1.SEQUENCE) {
			continue
		}
		if c, err := parse(e); err == nil {
			return c
		}
	}
	return nil
}

// TestParseEECertNoSIA checks the RSC EE profile (RFC 9323 §4): the EE of
// a real RSC has no SIA, which ParseCert refuses and parseEECertNoSIA
// accepts; a ROA's EE, which has SIA, is refused by parseEECertNoSIA.
func TestParseEECertNoSIA(t *testing.T) {
	root := corpusDir(t)
	rsc, err := os.ReadFile(filepath.Join(root, "rpki-commons/src/test/resources/interop/openbsd-regress/checklist-08.sig"))
	if err != nil {
		t.Fatal(err)
	}
	ee := ccEmbeddedCert(rsc, parseEECertNoSIA)
	if ee == nil || ee.Kind != KindEE || ee.SignedObject != "" {
		t.Fatalf("RSC EE: %+v", ee)
	}
	if _, err := ParseCert(ee.Raw); !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "signedObject") {
		t.Errorf("ParseCert of the RSC EE: %v", err)
	}
	roa, err := os.ReadFile(filepath.Join(root, "rpki-rrdp-tools-py/tests/data/GOOD-profile-15-draft-ietf-sidrops-profile-15-sample.asa"))
	if err != nil {
		t.Fatal(err)
	}
	withSIA := ccEmbeddedCert(roa, ParseCert)
	if withSIA == nil || withSIA.SignedObject == "" {
		t.Fatalf("ASPA EE: %+v", withSIA)
	}
	if _, err := parseEECertNoSIA(withSIA.Raw); !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "RFC 9323") {
		t.Errorf("parseEECertNoSIA with SIA: %v", err)
	}
}
