package x509rpki

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const aspaDir = "rpki-commons/src/test/resources/interop/aspa/"

// aspaCorpus lists every corpus ASPA with the verdict of the current
// profile. Where EXPECTED.tsv and this table differ, the comment says why.
var aspaCorpus = []struct {
	file      string
	customer  uint32
	providers []uint32 // nil: rejected
	errWant   string
}{
	{aspaDir + "GOOD-profile-15-APNIC-rpki-aspa-demo-AS1000.asa", 1000, []uint32{1025}, ""},
	{aspaDir + "GOOD-profile-15-draft-ietf-sidrops-profile-15-sample.asa", 15562, []uint32{2914, 8283, 51088, 206238}, ""},
	{"rpki-rrdp-tools-py/tests/data/GOOD-profile-15-draft-ietf-sidrops-profile-15-sample.asa", 15562, []uint32{2914, 8283, 51088, 206238}, ""},
	{aspaDir + "GOOD-profile-15-rpki-commons-propertytest-sample.asa", 3681266052, nil, ""}, // 82 providers, checked below
	{"rpki-prover/test/data/AS204325.asa", 204325, []uint32{65000, 65002, 65003}, ""},
	{aspaDir + "BAD-profile-13-AS211321-profile-13.asa", 0, nil, "version absent"},
	{aspaDir + "BAD-profile-13-no-signingtime-aspa-rpkimancer.asa", 0, nil, "version absent"},
	{aspaDir + "BAD-profile-15-APNIC-rpki-aspa-demo-AS1000.asa", 0, nil, "version absent"},
	{aspaDir + "BAD-profile-15-rpki-commons-propertytest-sample-implicit-tag.asa", 0, nil, "version absent"},
	// Deviation from EXPECTED.tsv ("accept", no negative expectation): a
	// real 2022 ASPA in the draft-13 form (afiLimit); the current profile
	// has no such field, and rpki-client 9 rejects it too.
	{"rpki-prover/test/data/aspa.1.asa", 0, nil, "version absent"},
}

// aspaContent parses the envelope and eContent of a corpus ASPA.
func aspaContent(t *testing.T, der []byte) (*ASPA, error) {
	t.Helper()
	so, err := parseCMS(der, oidCTASPA)
	if err != nil {
		return nil, err
	}
	return parseASPAContent(so.Content)
}

func TestASPAContentCorpus(t *testing.T) {
	exp := loadExpected(t)
	for _, c := range aspaCorpus {
		a, err := aspaContent(t, readCorpus(t, c.file))
		name := filepath.Base(c.file)
		if c.errWant != "" {
			if err == nil || !strings.Contains(err.Error(), c.errWant) {
				t.Errorf("%s: got %v, want error %q", name, err, c.errWant)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if exp[c.file] != "accept" {
			t.Errorf("%s: EXPECTED.tsv says %q", name, exp[c.file])
		}
		if c.providers == nil {
			if a.Customer != c.customer || len(a.Providers) != 82 || a.Providers[0] != 0x12cb8e69 {
				t.Errorf("%s: AS%d with %d providers", name, a.Customer, len(a.Providers))
			}
			continue
		}
		if a.Customer != c.customer || !slices.Equal(a.Providers, c.providers) {
			t.Errorf("%s: AS%d %v, want AS%d %v", name, a.Customer, a.Providers, c.customer, c.providers)
		}
	}
}

// TestASPAWithHeader: rpki-rrdp-tools-py's AS203635.asa carries 32 bytes
// before the DER (EXPECTED.tsv says accept; rpki-client 8.2 rejects it as
// a failed CMS parse). It is not a DER object and is rejected; the DER
// after the prefix is a valid ASPA.
func TestASPAWithHeader(t *testing.T) {
	der := readCorpus(t, "rpki-rrdp-tools-py/tests/data/AS203635.asa")
	if _, err := parseCMS(der, oidCTASPA); !errors.Is(err, ErrMalformed) {
		t.Fatalf("prefixed object: %v", err)
	}
	a, err := aspaContent(t, der[32:])
	if err != nil {
		t.Fatal(err)
	}
	if a.Customer != 203635 || len(a.Providers) == 0 {
		t.Fatalf("got AS%d %v", a.Customer, a.Providers)
	}
}

// buildASPAContent encodes an ASProviderAttestation; version < 0 omits it.
func buildASPAContent(version, customer int64, providers []int64) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if version >= 0 {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(version) })
		}
		b.AddASN1Int64(customer)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, p := range providers {
				b.AddASN1Int64(p)
			}
		})
	})
	return b.BytesOrPanic()
}

func TestASPAContentHostile(t *testing.T) {
	good := buildASPAContent(1, 64496, []int64{1, 2, 4294967295})
	if a, err := parseASPAContent(good); err != nil || a.Customer != 64496 || len(a.Providers) != 3 {
		t.Fatalf("good: %+v %v", a, err)
	}
	cases := []struct {
		name, want string
		der        []byte
		class      error
	}{
		{"version absent", "version absent", buildASPAContent(-1, 1, []int64{2}), ErrProfile},
		{"version 0", "DEFAULT", buildASPAContent(0, 1, []int64{2}), ErrMalformed},
		{"version 2", "version is 2", buildASPAContent(2, 1, []int64{2}), ErrProfile},
		{"no providers", "empty provider set", buildASPAContent(1, 1, nil), ErrProfile},
		{"customer is provider", "own provider", buildASPAContent(1, 5, []int64{1, 5}), ErrProfile},
		{"duplicate", "listed twice", buildASPAContent(1, 1, []int64{2, 2}), ErrProfile},
		{"descending", "ascending", buildASPAContent(1, 1, []int64{3, 2}), ErrProfile},
		{"provider 2^32", "out of range", buildASPAContent(1, 1, []int64{1 << 32}), ErrProfile},
		{"negative customer", "out of range", buildASPAContent(1, -1, []int64{2}), ErrProfile},
		{"trailing", "trailing", append(good, 0), ErrMalformed},
	}
	for _, c := range cases {
		_, err := parseASPAContent(c.der)
		if !errors.Is(err, c.class) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %v containing %q", c.name, err, c.class, c.want)
		}
	}
	many := make([]int64, MaxASPAProviders+1)
	for i := range many {
		many[i] = int64(i + 2)
	}
	if _, err := parseASPAContent(buildASPAContent(1, 1, many)); !errors.Is(err, ErrMalformed) {
		t.Errorf("provider limit: %v", err)
	}
}

func BenchmarkParseASPA(b *testing.B) {
	der := readCorpus(b, aspaDir+"GOOD-profile-15-draft-ietf-sidrops-profile-15-sample.asa")
	if _, err := ParseASPA(der); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(der)))
	for b.Loop() {
		if _, err := ParseASPA(der); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkASPAValidate parses an ASPA and checks its CMS signature. The
// corpus has no issuer for any ASPA, so the EE check against an issuer
// (one more RSA verification, see BenchmarkROAValidate) is not included.
func BenchmarkASPAValidate(b *testing.B) {
	der := readCorpus(b, aspaDir+"GOOD-profile-15-draft-ietf-sidrops-profile-15-sample.asa")
	b.ReportAllocs()
	for b.Loop() {
		a, err := ParseASPA(der)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Signed.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}
