package x509rpki

// Shared loader for the certificate and CRL corpus tests: every .cer and
// .crl of the RPKI corpus (internal/testfiles), with rpki-client 8.2's reading
// (REFERENCE-rpki-client-summary.tsv) and the expected verdict
// (EXPECTED.tsv). Helpers are prefixed "cc" to stay apart from the
// signed-object tests in this package.

import (
	"bufio"
	"math/big"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// ccObject is one corpus file with its parse result.
type ccObject struct {
	rel  string // path relative to the corpus root
	der  []byte
	cert *Cert
	crl  *CRL
	err  error // parse error
}

// ccCorpus is the parsed corpus with its reference tables.
type ccCorpus struct {
	root     string
	objs     map[string]*ccObject   // by rel
	bySKI    map[string][]*ccObject // certificates by SKI
	expected map[string][]string    // EXPECTED.tsv row by file
	summary  map[string][]string    // REFERENCE-rpki-client-summary.tsv row by file
}

var (
	ccOnce   sync.Once
	ccLoaded *ccCorpus
	ccErr    error
)

// ccLoad parses the whole certificate/CRL corpus once.
func ccLoad(t testing.TB) *ccCorpus {
	t.Helper()
	root := corpusDir(t)
	ccOnce.Do(func() { ccLoaded, ccErr = ccBuild(root) })
	if ccErr != nil {
		t.Fatal(ccErr)
	}
	return ccLoaded
}

func ccBuild(root string) (*ccCorpus, error) {
	c := &ccCorpus{root: root, objs: map[string]*ccObject{}, bySKI: map[string][]*ccObject{}}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		ext := filepath.Ext(p)
		if ext != ".cer" && ext != ".crl" {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		der, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		o := &ccObject{rel: rel, der: der}
		if ext == ".cer" {
			o.cert, o.err = ParseCert(der)
			if o.err == nil {
				k := string(o.cert.SKI)
				c.bySKI[k] = append(c.bySKI[k], o)
			}
		} else {
			o.crl, o.err = ParseCRL(der)
		}
		c.objs[rel] = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.expected, err = ccReadTSV(filepath.Join(root, "EXPECTED.tsv")); err != nil {
		return nil, err
	}
	c.summary, err = ccReadTSV(filepath.Join(root, "REFERENCE-rpki-client-summary.tsv"))
	return c, err
}

// ccReadTSV reads a TSV file keyed by its first column.
func ccReadTSV(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		out[cols[0]] = cols
	}
	return out, sc.Err()
}

// ccSorted returns the objects with the given extension, sorted by path.
func (c *ccCorpus) ccSorted(ext string) []*ccObject {
	var out []*ccObject
	for rel, o := range c.objs {
		if filepath.Ext(rel) == ext {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

// bbnPrefix maps the BBN conformance rsync URIs onto the corpus.
const (
	bbnURI = "rsync://rpki.bbn.com/conformance/"
	bbnDir = "rpki-commons/src/test/resources/conformance/"
)

// ccBBNNow is the validation time of the BBN suite: its objects are valid
// from 2011 to 2046, "future" cases start in 2041, "past" ones end by 2006.
var ccBBNNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// isBBN reports whether rel is in the BBN conformance suite.
func isBBN(rel string) bool { return strings.HasPrefix(rel, bbnDir) }

// issuerOf finds the issuer of an object with the given AKI: the AIA target
// for BBN certificates (so that a wrong AKI is caught by Validate), else a
// parsed CA certificate whose SKI equals the AKI, preferring the one the
// BBN layout names (directory + ".cer").
func (c *ccCorpus) issuerOf(rel string, aki []byte, aia string) *ccObject {
	if strings.HasPrefix(aia, bbnURI) {
		if o := c.objs[bbnDir+strings.TrimPrefix(aia, bbnURI)]; o != nil && o.cert != nil && o.rel != rel {
			return o
		}
	}
	layout := filepath.Dir(rel) + ".cer"
	var found *ccObject
	for _, o := range c.bySKI[string(aki)] {
		if o.rel == rel || (o.cert.Kind != KindCA && o.cert.Kind != KindTA) {
			continue
		}
		if o.rel == layout {
			return o
		}
		if found == nil || o.rel < found.rel {
			found = o
		}
	}
	return found
}

// resolved returns the issuer certificate with its resources resolved up
// the chain, or false when an inherited family cannot be resolved from the
// corpus.
func (c *ccCorpus) resolved(o *ccObject, depth int) (*Cert, bool) {
	cert := o.cert
	if cert.Kind == KindTA || !cert.Resources.HasInherit() {
		return cert, true
	}
	if depth > MaxCertDepth {
		return nil, false
	}
	parent := c.issuerOf(o.rel, cert.AKI, cert.AIA)
	if parent == nil {
		return nil, false
	}
	pc, ok := c.resolved(parent, depth+1)
	if !ok {
		return nil, false
	}
	r := *cert
	r.Resources = cert.Resources.Resolve(pc.Resources)
	return &r, true
}

// ccWindow picks a validation time inside every given [from, to] window,
// or false when they do not overlap.
func ccWindow(windows ...[2]time.Time) (time.Time, bool) {
	var lo, hi time.Time
	for i, w := range windows {
		if i == 0 || w[0].After(lo) {
			lo = w[0]
		}
		if i == 0 || w[1].Before(hi) {
			hi = w[1]
		}
	}
	now := lo.Add(time.Minute)
	return now, !now.After(hi)
}

// ccRefFields parses rpki-client's summary column ("k=v; k=v ..." with
// fields separated by "; " or " ").
func ccRefFields(summary string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(summary, "; ") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		if k == "notBefore" || k == "notAfter" {
			out[k] = v
			continue
		}
		// "crlnum=01 thisUpdate=.. nextUpdate=.. revoked=0" share one part.
		fields := strings.Fields(part)
		for _, f := range fields {
			if k2, v2, ok := strings.Cut(f, "="); ok {
				out[k2] = v2
			}
		}
		_ = v
	}
	return out
}

// ccHexID formats a key identifier as rpki-client prints it.
func ccHexID(b []byte) string {
	const hx = "0123456789ABCDEF"
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = string([]byte{hx[c>>4], hx[c&15]})
	}
	return strings.Join(parts, ":")
}

// ccRefTime parses rpki-client's "Apr 11 18:57:28 2011 GMT".
func ccRefTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse("Jan _2 15:04:05 2006 MST", s)
	if err != nil {
		t.Fatalf("reference time %q: %v", s, err)
	}
	return tm.UTC()
}

// ccRefHex parses a hex number as printed by rpki-client.
func ccRefHex(t *testing.T, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		t.Fatalf("reference number %q", s)
	}
	return n
}

// ccExpectation returns "accept", "reject" or "" (gray or not listed) for
// a file, mapping the BBN "support" scaffolding to accept.
func (c *ccCorpus) ccExpectation(rel string) string {
	row := c.expected[rel]
	if len(row) < 2 {
		return ""
	}
	switch row[1] {
	case "accept", "support":
		return "accept"
	case "reject":
		return "reject"
	}
	return ""
}

// ccPrefix parses a prefix or fails the test.
func ccPrefix(t testing.TB, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
