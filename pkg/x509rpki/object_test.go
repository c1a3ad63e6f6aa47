package x509rpki

import (
	"bufio"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/testfiles"
)

// corpusDir returns the RPKI corpus (internal/testfiles), failing the test
// without it.
func corpusDir(t testing.TB) string { return testfiles.Corpus(t) }

// refRow is one row of a REFERENCE-rpki-client*-summary.tsv file.
type refRow struct {
	file, typ, status, validation, summary, errs string
}

// field returns the value of key=... in the summary column.
func (r refRow) field(key string) string {
	for _, part := range strings.Split(r.summary, "; ") {
		for _, kv := range strings.Split(part, " ") {
			if v, ok := strings.CutPrefix(kv, key+"="); ok {
				return v
			}
		}
	}
	return ""
}

// readTSV reads a corpus TSV file into rows of columns, without the header.
func readTSV(t testing.TB, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for first := true; sc.Scan(); first = false {
		if !first {
			rows = append(rows, strings.Split(sc.Text(), "\t"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// loadReference reads an rpki-client summary TSV keyed by file.
func loadReference(t testing.TB, name string) map[string]refRow {
	t.Helper()
	out := map[string]refRow{}
	for _, c := range readTSV(t, name) {
		if len(c) < 7 {
			t.Fatalf("%s: short row %q", name, c)
		}
		out[c[0]] = refRow{file: c[0], typ: c[2], status: c[3], validation: c[4], summary: c[5], errs: c[6]}
	}
	return out
}

// loadExpected reads EXPECTED.tsv: file -> expected verdict.
func loadExpected(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range readTSV(t, "EXPECTED.tsv") {
		out[c[0]] = c[1]
	}
	return out
}

// corpusFiles returns the corpus files (relative paths) of type typ.
func corpusFiles(t testing.TB, typ ObjectType) []string {
	t.Helper()
	root := corpusDir(t)
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if TypeFromName(p) == typ {
			rel, _ := filepath.Rel(root, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no %v files in the corpus", typ)
	}
	return files
}

// readCorpus reads one corpus file.
func readCorpus(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTypeFromName(t *testing.T) {
	cases := map[string]ObjectType{
		"a.cer": TypeCert, "dir/x.crl": TypeCRL, "rsync://h/p/m.mft": TypeManifest,
		"1.roa": TypeROA, "x.asa": TypeASPA, "g.gbr": TypeGBR, "c.sig": TypeRSC,
		"t.tak": TypeTAK, "s.spl": TypeSPL, "x.ROA": TypeUnknown, "roa": TypeUnknown,
		"x.roa.bak": TypeUnknown, "checklist.sig.1": TypeUnknown, "": TypeUnknown,
	}
	for name, want := range cases {
		if got := TypeFromName(name); got != want {
			t.Errorf("TypeFromName(%q) = %v, want %v", name, got, want)
		}
	}
	for ty := TypeCert; ty <= TypeSPL; ty++ {
		if got := TypeFromName("f" + ty.Extension()); got != ty {
			t.Errorf("round trip of %v via %q gave %v", ty, ty.Extension(), got)
		}
	}
	if ObjectType(99).String() != "unknown" || ObjectType(-1).Extension() != "" {
		t.Error("out-of-range ObjectType not handled")
	}
}

func TestParseUnknownType(t *testing.T) {
	_, err := Parse("file.txt", []byte{0x30, 0})
	if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "unsupported file type") {
		t.Fatalf("got %v, want unsupported file type", err)
	}
	if _, err := ParseAs(ObjectType(42), nil); !errors.Is(err, ErrProfile) {
		t.Fatalf("ParseAs(42) = %v", err)
	}
}

// TestParseDispatch checks that Parse routes each name to its decoder: the
// error comes from the decoder of the right object type, and a successful
// parse fills exactly the matching field.
func TestParseDispatch(t *testing.T) {
	for ty := TypeCert; ty <= TypeSPL; ty++ {
		_, err := Parse("x"+ty.Extension(), []byte{0x30, 0x00})
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%v: error %v is not *Error", ty, err)
		}
		want := ty.String()
		if ty >= TypeManifest {
			want = "cms" // every signed object fails in its envelope first
		}
		if e.Object != want {
			t.Errorf("%v: error from %q, want %q: %v", ty, e.Object, want, err)
		}
	}
}

// bbnNow is a time inside the BBN conformance objects' validity (2011 to
// 2046), after the thisUpdate of every good manifest.
var bbnNow = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// certIndex holds parsed certificates by SKI, for finding issuers.
type certIndex map[string]*Cert

// loadCerts parses every .cer under dir (relative to the corpus); those
// that fail to parse are left out.
func loadCerts(t testing.TB, dir string) certIndex {
	t.Helper()
	idx := certIndex{}
	for _, f := range corpusFiles(t, TypeCert) {
		if !strings.HasPrefix(f, dir) {
			continue
		}
		if c, err := ParseCert(readCorpus(t, f)); err == nil {
			idx[string(c.SKI)] = c
		}
	}
	return idx
}

// resolvedIssuer returns the issuer of c (by AKI) with its resources
// resolved up to the trust anchor, or nil.
func (idx certIndex) resolvedIssuer(c *Cert) *Cert {
	iss := idx[string(c.AKI)]
	if iss == nil {
		return nil
	}
	cp := *iss
	for up := iss; up.Kind != KindTA && cp.Resources.HasInherit(); {
		if up = idx[string(up.AKI)]; up == nil {
			return nil
		}
		cp.Resources = cp.Resources.Resolve(up.Resources)
	}
	return &cp
}

// validateObject parses an object by name and validates it against its
// issuer found in idx.
func validateObject(t testing.TB, idx certIndex, name string, now time.Time) error {
	o, err := Parse(name, readCorpus(t, name))
	if err != nil {
		return err
	}
	iss := idx.resolvedIssuer(o.Signed().EE)
	if iss == nil {
		return fmt.Errorf("issuer of %s not found", name)
	}
	switch o.Type {
	case TypeROA:
		return o.ROA.Validate(iss, now)
	case TypeManifest:
		return o.Manifest.Validate(iss, now)
	case TypeGBR:
		return o.GBR.Validate(iss, now)
	}
	return fmt.Errorf("unexpected type %v", o.Type)
}

// bbnDeviations are BBN conformance cases whose verdict here differs from
// the file name, with the error substring that explains why.
var bbnDeviations = map[string]string{
	// RFC 9582 §5 (and rpki-client since 8.x): a ROA's EE certificate
	// carries no AS resources. Every 2011 BBN ROA EE has them.
	"goodROA":   "EE certificate has AS resources",
	"goodEESIA": "EE certificate has AS resources|accessLocation is not a URI",
	// The RGnet GBR's issuing chain is not in the corpus.
	"goodRealGbrNothingIsWrong.gbr": "issuer of",
}

// TestBBNConformance checks the BBN "RPKI Syntax Conformance Test Cases":
// conformance/root/bad*.{roa,mft,gbr} must be rejected and good* accepted,
// validated against their issuer from the same tree.
func TestBBNConformance(t *testing.T) {
	idx := loadCerts(t, "rpki-commons/src/test/resources/conformance/")
	if len(idx) < 50 {
		t.Fatalf("only %d conformance certificates parsed", len(idx))
	}
	counts := map[string]int{}
	for _, ty := range []ObjectType{TypeROA, TypeManifest, TypeGBR} {
		for _, f := range corpusFiles(t, ty) {
			base := filepath.Base(f)
			if !strings.HasPrefix(f, bbnRoot) || !strings.HasPrefix(base, "bad") && !strings.HasPrefix(base, "good") {
				continue
			}
			err := validateObject(t, idx, f, bbnNow)
			dev := ""
			for k, v := range bbnDeviations {
				if strings.HasPrefix(base, k) {
					dev = v
				}
			}
			switch {
			case dev != "":
				if err == nil || !containsAny(err.Error(), strings.Split(dev, "|")) {
					t.Errorf("%s: got %v, want deviation %q", base, err, dev)
				}
				counts["deviation"]++
			case strings.HasPrefix(base, "bad") && err == nil:
				t.Errorf("%s: accepted", base)
			case strings.HasPrefix(base, "good") && err != nil:
				t.Errorf("%s: rejected: %v", base, err)
			default:
				counts[base[:3]]++
			}
		}
	}
	t.Logf("BBN: %v", counts)
}

// containsAny reports whether s contains one of subs.
func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// krillDir is a complete 2023 Krill publication tree (testbed CA and its
// children), whose CA certificates issue its ROAs and manifests.
const krillDir = "krill/test-resources/migrations/v0_13_1_pubserver/repo/rsync/current/"

// TestKrillChainValidate validates every ROA and manifest of the Krill tree
// against its issuing CA: signature, EE, resources, and freshness at a time
// inside the manifest's window.
func TestKrillChainValidate(t *testing.T) {
	idx := loadCerts(t, krillDir)
	n := 0
	for _, ty := range []ObjectType{TypeROA, TypeManifest} {
		for _, f := range corpusFiles(t, ty) {
			if !strings.HasPrefix(f, krillDir) {
				continue
			}
			o, err := Parse(f, readCorpus(t, f))
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			so := o.Signed()
			if filepath.Base(f) == "7B5FE8F755E6B83E280D0865A45EC2EAE3AD64BE.mft" {
				continue // the TA's manifest: the Krill TA certificate is not in the corpus
			}
			now := so.EE.NotBefore.Add(time.Minute)
			if err := validateObject(t, idx, f, now); err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			n++
			if err := validateObject(t, idx, f, so.EE.NotAfter.Add(time.Second)); !errors.Is(err, ErrStale) {
				t.Errorf("%s: after EE notAfter: %v", f, err)
			}
		}
	}
	if n != 8 {
		t.Errorf("%d objects validated, want 8", n)
	}
}

// TestROAValidateNegative changes a valid Krill ROA after parsing: a
// prefix outside the EE resources gives ErrResources, a broken signature
// ErrSignature, a missing issuer ErrSignature.
func TestROAValidateNegative(t *testing.T) {
	idx := loadCerts(t, krillDir)
	f := krillDir + "NLnetLabs/0/3138352e34392e3134302e302f32332d3332203d3e2038353837.roa"
	roa, err := ParseROA(readCorpus(t, f))
	if err != nil {
		t.Fatal(err)
	}
	iss := idx.resolvedIssuer(roa.Signed.EE)
	now := roa.Signed.EE.NotBefore.Add(time.Hour)
	if err := roa.Validate(iss, now); err != nil {
		t.Fatal(err)
	}
	bad := *roa
	bad.Prefixes = append([]ROAPrefix{}, roa.Prefixes...)
	bad.Prefixes = append(bad.Prefixes, ROAPrefix{netip.MustParsePrefix("185.49.142.0/24"), 24})
	if err := bad.Validate(iss, now); !errors.Is(err, ErrResources) || !strings.Contains(err.Error(), "185.49.142.0/24") {
		t.Errorf("uncovered prefix: %v", err)
	}
	so := *roa.Signed
	so.Signature = append([]byte{}, so.Signature...)
	so.Signature[10] ^= 1
	bad = *roa
	bad.Signed = &so
	if err := bad.Validate(iss, now); !errors.Is(err, ErrSignature) {
		t.Errorf("bad signature: %v", err)
	}
	if err := roa.Validate(nil, now); !errors.Is(err, ErrSignature) {
		t.Errorf("nil issuer: %v", err)
	}
}

// parseDeviations lists where ParseAs disagrees with rpki-client 8.2's
// parse-only verdict, keyed by a file path substring. The value is the
// error substring expected here, or "" when we accept what 8.2 rejected.
var parseDeviations = []struct{ path, want, why string }{
	{"g11HohjaKcA9vAJV9LrYPq1bKZQ.roa", "not a DER SEQUENCE", "BER indefinite lengths; RFC 6488 §2 requires DER"},
	{"snapshot2.xml/rpki.ripe.net/", "not a DER SEQUENCE", "BER indefinite lengths; RFC 6488 §2 requires DER"},
	{"badMFTDuplicateFile", "listed twice", "RFC 9286 §4.2.2"},
	{"badMFTNegNum", "negative", "RFC 9286 §4.2.1"},
	{"badMFTNumTooBig", "longer than 20 octets", "RFC 9286 §4.2.1"},
	{"badMFTStartCrossed", "outside the EE", "RFC 9286 §5.1"},
	{"badMFTEndCrossed", "outside the EE", "RFC 9286 §5.1"},
	{"badMFTNextUpdPast", "outside the EE", "RFC 9286 §5.1"},
	{"badEESIANoRsync.roa", "SIA without rsync", "RFC 6487 §4.8.8.2 (cert.go)"},
	{"BAD-profile-13-", "version absent", "draft-13 ASPA profile is obsolete"},
	{"aspa.1.asa", "version absent", "draft-13 ASPA profile is obsolete"},
	{"GOOD-profile-15-", "", "current ASPA profile; 8.2 implements draft-13"},
	{"AS204325.asa", "", "current ASPA profile; 8.2 implements draft-13"},
	{"badGBRExtraProperty", "not allowed", "RFC 6493 §5"},
	{"badGBRNoContact", "no ADR, TEL or EMAIL", "RFC 6493 §5"},
	{"badGBRNotVCard", "not allowed", "RFC 6493 §5"},
	{".spl", "", "8.2 predates SPL"},
}

// TestParseSignedCorpus parses every corpus signed object by file name and
// compares the verdict with rpki-client 8.2's parse-only pass.
func TestParseSignedCorpus(t *testing.T) {
	ref := loadReference(t, "REFERENCE-rpki-client-summary.tsv")
	agree, deviate, keyIDs := 0, 0, 0
	for _, ty := range []ObjectType{TypeManifest, TypeROA, TypeASPA, TypeGBR, TypeRSC, TypeTAK, TypeSPL} {
		for _, f := range corpusFiles(t, ty) {
			o, err := Parse(f, readCorpus(t, f))
			if err == nil && (o.Type != ty || o.Signed() == nil || o.Signed().EE == nil) {
				t.Errorf("%s: parsed as %v without envelope", f, o.Type)
			}
			if err == nil && ref[f].field("ski") != "" {
				ee := o.Signed().EE
				if got, want := hexColon(ee.SKI)+" "+hexColon(ee.AKI), ref[f].field("ski")+" "+ref[f].field("aki"); got != want {
					t.Errorf("%s: SKI AKI %s, rpki-client %s", f, got, want)
				}
				keyIDs++
			}
			if rcOK := ref[f].status == "parsed"; (err == nil) == rcOK {
				agree++
				continue
			}
			i := slices.IndexFunc(parseDeviations, func(d struct{ path, want, why string }) bool {
				return strings.Contains(f, d.path)
			})
			if i < 0 {
				t.Errorf("%s: rpki-client %s, here %v", f, ref[f].status, err)
				continue
			}
			d := parseDeviations[i]
			if d.want == "" && err != nil || d.want != "" && (err == nil || !strings.Contains(err.Error(), d.want)) {
				t.Errorf("%s: got %v, want %q (%s)", f, err, d.want, d.why)
			}
			deviate++
		}
	}
	t.Logf("agree with rpki-client 8.2: %d, documented deviations: %d, SKI/AKI compared: %d", agree, deviate, keyIDs)
	if agree < 300 || keyIDs < 100 {
		t.Errorf("only %d agreements", agree)
	}
}

// hexColon formats a key identifier as rpki-client prints it.
func hexColon(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}
