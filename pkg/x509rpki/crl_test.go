package x509rpki

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crlDeviations lists the corpus CRLs whose verdict differs from
// EXPECTED.tsv on purpose ("" = accepted though expected rejected).
var crlDeviations = map[string]string{}

// TestParseCRLCorpus parses every .crl of the corpus, validates it against
// the issuing certificate of the same tree (found by AKI == SKI) when there
// is one, checks the verdict against EXPECTED.tsv and the CRL number,
// update times, entry count and AKI against rpki-client's reading.
func TestParseCRLCorpus(t *testing.T) {
	c := ccLoad(t)
	objs := c.ccSorted(".crl")
	if len(objs) < 80 {
		t.Fatalf("only %d CRLs in the corpus", len(objs))
	}
	chained := 0
	for _, o := range objs {
		t.Run(o.rel, func(t *testing.T) {
			err, didChain := c.crlVerdict(o)
			if didChain {
				chained++
			}
			ccCheckVerdict(t, c, o.rel, err, crlDeviations)
			if o.err == nil {
				c.compareCRLRef(t, o)
			}
		})
	}
	t.Logf("%d CRLs, %d validated against an issuer", len(objs), chained)
	if chained < 40 {
		t.Errorf("only %d CRLs chain-validated", chained)
	}
}

// crlVerdict parses and, when the issuer is in the corpus, validates.
func (c *ccCorpus) crlVerdict(o *ccObject) (error, bool) {
	if o.err != nil {
		return o.err, false
	}
	iss := c.issuerOf(o.rel, o.crl.AKI, "")
	if iss == nil {
		return nil, false
	}
	now := ccBBNNow
	if !isBBN(o.rel) {
		var ok bool
		now, ok = ccWindow([2]time.Time{o.crl.ThisUpdate, o.crl.NextUpdate}, [2]time.Time{iss.cert.NotBefore, iss.cert.NotAfter})
		if !ok {
			return nil, false
		}
	}
	return o.crl.Validate(iss.cert, now), true
}

// compareCRLRef compares with rpki-client's summary when it parsed the CRL.
func (c *ccCorpus) compareCRLRef(t *testing.T, o *ccObject) {
	t.Helper()
	row := c.summary[o.rel]
	if len(row) < 6 || row[3] != "parsed" {
		return
	}
	f := ccRefFields(row[5])
	crl := o.crl
	if n := ccRefHex(t, f["crlnum"]); n.Cmp(crl.Number) != 0 {
		t.Errorf("CRL number %X, rpki-client %s", crl.Number, f["crlnum"])
	}
	if got := strconv.FormatInt(crl.ThisUpdate.Unix(), 10); got != f["thisUpdate"] {
		t.Errorf("thisUpdate %s, rpki-client %s", got, f["thisUpdate"])
	}
	if got := strconv.FormatInt(crl.NextUpdate.Unix(), 10); got != f["nextUpdate"] {
		t.Errorf("nextUpdate %s, rpki-client %s", got, f["nextUpdate"])
	}
	if got := strconv.Itoa(len(crl.Revoked)); got != f["revoked"] {
		t.Errorf("revoked %s, rpki-client %s", got, f["revoked"])
	}
	if got := ccHexID(crl.AKI); got != f["aki"] {
		t.Errorf("AKI %s, rpki-client %s", got, f["aki"])
	}
}

// TestCRLIsRevoked checks every listed serial of a real CRL with 1200
// entries, and serials that are not listed.
func TestCRLIsRevoked(t *testing.T) {
	c := ccLoad(t)
	crl := ccBigCRL(t, c)
	for _, e := range crl.Revoked {
		if !crl.IsRevoked(e.Serial) {
			t.Fatalf("serial %X listed but not found", e.Serial)
		}
		if crl.IsRevoked(new(big.Int).Add(e.Serial, big.NewInt(1))) && !ccListed(crl, new(big.Int).Add(e.Serial, big.NewInt(1))) {
			t.Fatalf("serial %X+1 found but not listed", e.Serial)
		}
	}
	for _, s := range []*big.Int{nil, big.NewInt(0), big.NewInt(-5), new(big.Int).Lsh(big.NewInt(1), 170)} {
		if crl.IsRevoked(s) {
			t.Errorf("IsRevoked(%v) = true", s)
		}
	}
}

// ccListed reports by linear search whether serial is on the CRL.
func ccListed(crl *CRL, serial *big.Int) bool {
	for _, e := range crl.Revoked {
		if e.Serial.Cmp(serial) == 0 {
			return true
		}
	}
	return false
}

// ccBigCRL returns the largest real CRL of the corpus (AWS-hosted CA).
func ccBigCRL(t testing.TB, c *ccCorpus) *CRL {
	t.Helper()
	for rel, o := range c.objs {
		if strings.HasSuffix(rel, "26297.xml/rpki-rsync.us-east-2.amazonaws.com/volume/16f1ffee-7461-4674-bb05-fddefa9a02c6/JmLOFOkF4Y68t1IvkrNoS8SGW00.crl") {
			if o.crl == nil || len(o.crl.Revoked) < 1000 {
				t.Fatalf("%s: %v", rel, o.err)
			}
			return o.crl
		}
	}
	t.Fatal("large CRL missing from the corpus")
	return nil
}

// TestCRLValidateErrors checks the CRL validation failures and classes on
// the RIPE NCC TA CRL and certificate.
func TestCRLValidateErrors(t *testing.T) {
	c := ccLoad(t)
	ta := ccMustCert(t, c, "rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.cer").cert
	o := c.objs["rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.crl"]
	if o == nil || o.err != nil {
		t.Fatalf("RIPE TA CRL: %v", o)
	}
	crl := o.crl
	mid := crl.ThisUpdate.Add(time.Hour)
	if err := crl.Validate(ta, mid); err != nil {
		t.Fatalf("valid CRL: %v", err)
	}
	tamper := *crl
	tamper.Signature = append([]byte(nil), crl.Signature...)
	tamper.Signature[0] ^= 0x80
	bbnRoot := ccMustCert(t, c, bbnDir+"root.cer").cert
	for _, tc := range []struct {
		name   string
		crl    *CRL
		issuer *Cert
		now    time.Time
		class  error
		text   string
	}{
		{"stale", crl, ta, crl.NextUpdate.Add(time.Second), ErrStale, "past nextUpdate"},
		{"future", crl, ta, crl.ThisUpdate.Add(-time.Second), ErrStale, "in the future"},
		{"bad signature", &tamper, ta, mid, ErrSignature, "signature"},
		{"other issuer", crl, bbnRoot, mid, ErrSignature, "AKI does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.crl.Validate(tc.issuer, tc.now)
			if !errors.Is(err, tc.class) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("got %v, want %v containing %q", err, tc.class, tc.text)
			}
		})
	}
}

// TestParseCRLHostile feeds damaged versions of a real CRL.
func TestParseCRLHostile(t *testing.T) {
	c := ccLoad(t)
	der := c.objs["rpki-rrdp-tools-py/tests/data/ripe-ncc-ta.crl"].der
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"trailing byte", append(append([]byte(nil), der...), 0)},
		{"truncated", der[:len(der)-1]},
		{"header only", der[:4]},
		{"too large", make([]byte, MaxObjectSize+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseCRL(tc.in); !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}
