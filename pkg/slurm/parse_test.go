package slurm

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

// badFiles maps each file in testdata/bad to substrings its error must
// contain: the reason, and where useful the JSON path and the section.
var badFiles = map[string][]string{
	"rfc8416-example-verbatim":            {"$.validationOutputFilters.bgpsecFilters[1].SKI", "SKI is 3 bytes, want 20", "RFC 8416 §3.3.2"},
	"aspa-draft03-example-verbatim":       {"$.locallyAddedAssertions.bgpsecAssertions[0].SKI", `character '/'`, "RFC 8416 §3.4.2"},
	"missing-bgpsec-assertions":           {"$.locallyAddedAssertions", `required member "bgpsecAssertions" is missing`, "RFC 8416 §3.2"},
	"missing-version":                     {"$:", `required member "slurmVersion" is missing`},
	"missing-filters":                     {`required member "validationOutputFilters" is missing`},
	"unknown-member-top":                  {"$.extra", `unknown member "extra"`, "RFC 8416 §3.2"},
	"prefix-filter-maxlength":             {"prefixFilters[0].maxPrefixLength", `unknown member "maxPrefixLength"`, "RFC 8416 §3.3.1"},
	"case-folded-asn":                     {`unknown member "ASN"`},
	"case-folded-ski":                     {`unknown member "ski"`, "RFC 8416 §3.3.2"},
	"duplicate-member":                    {"$.slurmVersion", `duplicate member "slurmVersion"`},
	"duplicate-member-entry":              {"prefixFilters[0].asn", `duplicate member "asn"`},
	"null-asn":                            {"prefixFilters[0].asn", "null is not allowed"},
	"version-3":                           {"$.slurmVersion", "must be the number 1, or 2 for draft-ietf-sidrops-aspa-slurm-03, have number 3"},
	"version-string":                      {"$.slurmVersion", "have string 1"},
	"version-float":                       {"$.slurmVersion", "have number 1.0"},
	"v1-with-aspa-filters":                {"$.validationOutputFilters.aspaFilters", `unknown member "aspaFilters"`, "RFC 8416 §3.2"},
	"v2-missing-aspa-assertions":          {`required member "aspaAssertions" is missing`, "draft-ietf-sidrops-aspa-slurm-03 §2"},
	"prefix-host-bits":                    {"prefixFilters[0].prefix", "host bits set"},
	"prefix-leading-zero":                 {"prefixFilters[0].prefix", `invalid prefix "010.0.0.0/8"`},
	"prefix-short-form":                   {"prefixAssertions[0].prefix", `invalid prefix "173.139.139/24"`, "RFC 8416 §3.4.1"},
	"prefix-zone":                         {"invalid prefix", "fe80::%eth0/64"},
	"prefix-not-string":                   {"prefixFilters[0].prefix", "want a string, have a number"},
	"maxlen-shorter-than-prefix":          {"prefixAssertions[0].maxPrefixLength", "maxPrefixLength 8 is shorter than the prefix length 16", "RFC 8416 §3.4.1"},
	"maxlen-v4-33":                        {"maxPrefixLength", "33 is not an integer in 0..32"},
	"maxlen-v6-129":                       {"maxPrefixLength", "129 is not an integer in 0..128"},
	"maxlen-zero-explicit":                {"maxPrefixLength 0 is shorter than the prefix length 8"},
	"maxlen-fraction":                     {"24.0 is not an integer"},
	"asn-too-large":                       {"prefixFilters[0].asn", "4294967296 is not an integer in 0..4294967295"},
	"asn-negative":                        {"-1 is not an integer"},
	"asn-exponent":                        {"6.5e4 is not an integer"},
	"asn-string":                          {"want an AS number, have a string"},
	"asn-as-prefixed":                     {"want an AS number, have a string"},
	"assertion-missing-asn":               {"prefixAssertions[0]", `required member "asn" is missing`, "RFC 8416 §3.4.1"},
	"assertion-missing-prefix":            {`required member "prefix" is missing`},
	"prefix-filter-empty":                 {"prefixFilters[0]", "needs a prefix, an asn or both", "RFC 8416 §3.3.1"},
	"bgpsec-filter-empty":                 {"bgpsecFilters[0]", "needs an asn, an SKI or both", "RFC 8416 §3.3.2"},
	"ski-padding":                         {"bgpsecFilters[0].SKI", `character '='`, "RFC 4648 §5"},
	"ski-std-alphabet":                    {`character '/'`},
	"ski-short":                           {"SKI is 18 bytes, want 20"},
	"ski-newline":                         {`character '\n'`},
	"ski-trailing-bits":                   {"invalid base64url"},
	"bgpsec-assertion-missing-key":        {`required member "routerPublicKey" is missing`, "RFC 8416 §3.4.2"},
	"bgpsec-assertion-old-publickey-name": {"bgpsecAssertions[0].publicKey", `unknown member "publicKey"`},
	"routerkey-not-spki":                  {"routerPublicKey is not a SubjectPublicKeyInfo"},
	"routerkey-rsa":                       {"*rsa.PublicKey, want an ECDSA P-256 key", "RFC 8208 §3.1"},
	"routerkey-p384":                      {"*ecdsa.PublicKey, want an ECDSA P-256 key"},
	"routerkey-empty":                     {"routerPublicKey is 0 bytes"},
	"aspa-providers-unsorted":             {"aspaAssertions[0].providerAsns[1]", "AS2 after AS3: providers must be in ascending order", "draft-ietf-sidrops-aspa-slurm-03 §3.2"},
	"aspa-providers-duplicate":            {"providerAsns[1]", "provider AS2 appears twice"},
	"aspa-provider-is-customer":           {"providerAsns[0]", "provider AS1 is the customer"},
	"aspa-providers-empty":                {"0 providers, want 1..16380"},
	"aspa-assertion-missing-providers":    {`required member "providerAsns" is missing`},
	"aspa-assertion-old-providerset":      {"aspaAssertions[0].providerSet", `unknown member "providerSet"`},
	"aspa-filter-customerasid":            {`unknown member "customerAsid"`, "draft-ietf-sidrops-aspa-slurm-03 §3.1"},
	"aspa-filter-with-providers":          {"aspaFilters[0].providerAsns", `unknown member "providerAsns"`},
	"entry-not-object":                    {"prefixFilters[0]", "want an object, have a number"},
	"filters-not-array":                   {"$.validationOutputFilters.prefixFilters", "want an array, have a object"},
	"top-level-array":                     {"$:", "want an object, have a array"},
	"trailing-data":                       {"data after the top-level object"},
	"truncated":                           {"unexpected end of input"},
	"invalid-utf8":                        {"not valid UTF-8"},
	"bom":                                 {"invalid JSON at byte"},
	"deep-nesting":                        {"nesting deeper than 8 levels"},
	"empty":                               {"unexpected end of input"},
	"comment-js":                          {"invalid JSON at byte 1"},
}

func TestParseBad(t *testing.T) {
	names, err := filepath.Glob("testdata/bad/*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("no bad test files: %v", err)
	}
	seen := map[string]bool{}
	for _, name := range names {
		base := strings.TrimSuffix(filepath.Base(name), ".json")
		seen[base] = true
		t.Run(base, func(t *testing.T) {
			want, ok := badFiles[base]
			if !ok {
				t.Fatalf("%s has no entry in badFiles", name)
			}
			_, err := Load(name)
			if err == nil {
				t.Fatalf("Load(%s) succeeded, want error with %q", name, want)
			}
			var se *Error
			if !errors.As(err, &se) || se.File != name {
				t.Errorf("error %v is not an *Error naming %s", err, name)
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	for base := range badFiles {
		if !seen[base] {
			t.Errorf("badFiles lists %s, which is not in testdata/bad", base)
		}
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func mustVRP(t testing.TB, p string, maxLen uint8, asn uint32) payload.VRP {
	t.Helper()
	v, err := payload.NewVRP(mustPrefix(p), maxLen, asn)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parseFile(t testing.TB, name string) *File {
	t.Helper()
	fh, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := Parse(fh)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return f
}

func TestParseGoodEmpty(t *testing.T) {
	for name, version := range map[string]int{
		"testdata/good/rfc8416-empty.json":      1,
		"testdata/good/aspa-draft03-empty.json": 2,
	} {
		f := parseFile(t, name)
		if f.Version != version || f.entries() != 0 {
			t.Errorf("%s: version %d, %d entries; want %d, 0", name, f.Version, f.entries(), version)
		}
	}
}

func TestParseRFC8416Example(t *testing.T) {
	f := parseFile(t, "testdata/good/rfc8416-example-conformant.json")
	if f.Version != 1 || len(f.PrefixFilters) != 3 || len(f.BGPsecFilters) != 3 ||
		len(f.PrefixAssertions) != 2 || len(f.BGPsecAssertions) != 1 {
		t.Fatalf("counts: %+v", f)
	}
	want := []PrefixFilter{
		{Prefix: mustPrefix("192.0.2.0/24"), Comment: "All VRPs encompassed by prefix"},
		{ASN: 64496, HasASN: true, Comment: "All VRPs matching ASN"},
		{Prefix: mustPrefix("198.51.100.0/24"), ASN: 64497, HasASN: true, Comment: "All VRPs encompassed by prefix, matching ASN"},
	}
	if !slices.Equal(f.PrefixFilters, want) {
		t.Errorf("prefix filters %+v, want %+v", f.PrefixFilters, want)
	}
	if got := f.PrefixAssertions[1].VRP; got != mustVRP(t, "2001:db8::/32", 48, 64496) {
		t.Errorf("assertion 1 = %v", got)
	}
	if got := f.PrefixAssertions[0].VRP; got.MaxLen != 24 {
		t.Errorf("absent maxPrefixLength gave %d, want the prefix length 24", got.MaxLen)
	}
	bf := f.BGPsecFilters[2]
	if !bf.HasASN || bf.ASN != 64497 || !bf.HasSKI || slurmBase64.EncodeToString(bf.SKI[:]) != "XgyOYIfSGjHmDTaCNQtGYubfJTM" {
		t.Errorf("bgpsec filter 2 = %+v", bf)
	}
	k := f.BGPsecAssertions[0].Key
	if k.ASN != 64496 || len(k.SPKI) != 91 || slurmBase64.EncodeToString(k.SKI[:]) != "UQ9IXSminTe1FfHEeNjtPLeqfSM" {
		t.Errorf("bgpsec assertion = %v (SPKI %d bytes)", k, len(k.SPKI))
	}
}

func TestParseASPADraftExample(t *testing.T) {
	f := parseFile(t, "testdata/good/aspa-draft03-example-conformant.json")
	if f.Version != 2 || len(f.ASPAFilters) != 1 || len(f.ASPAAssertions) != 1 {
		t.Fatalf("version %d, %d ASPA filters, %d ASPA assertions", f.Version, len(f.ASPAFilters), len(f.ASPAAssertions))
	}
	if f.ASPAFilters[0].Customer != 64496 {
		t.Errorf("ASPA filter %+v", f.ASPAFilters[0])
	}
	a := f.ASPAAssertions[0].ASPA
	if a.Customer != 64496 || !slices.Equal(a.Providers, []uint32{64497, 64498}) {
		t.Errorf("ASPA assertion %v", a)
	}
}

func TestParseEdgeValues(t *testing.T) {
	f := parseFile(t, "testdata/good/edge-values.json")
	if pf := f.PrefixFilters[0]; pf.Prefix != mustPrefix("0.0.0.0/0") || !pf.HasASN || pf.ASN != 0 {
		t.Errorf("AS0 filter = %+v", pf)
	}
	if pf := f.PrefixFilters[1]; pf.Prefix.IsValid() || pf.ASN != 4294967295 {
		t.Errorf("max ASN filter = %+v", pf)
	}
	if v := f.PrefixAssertions[0].VRP; v != mustVRP(t, "2001:db8::1/128", 128, 0) {
		t.Errorf("/128 assertion = %v", v)
	}
	if v := f.PrefixAssertions[2]; v.VRP != mustVRP(t, "::/0", 0, 65000) || v.Comment != "été 😀 unicode" {
		t.Errorf("::/0 assertion = %v %q", v.VRP, v.Comment)
	}
	if a := f.ASPAAssertions[0].ASPA; !slices.Equal(a.Providers, []uint32{0, 1, 4294967294}) {
		t.Errorf("providers %v", a.Providers)
	}
}

func TestParseLimits(t *testing.T) {
	big := strings.Repeat(" ", MaxFileBytes+1)
	_, err := Parse(strings.NewReader(big))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized input: %v, want ErrTooLarge", err)
	}
	var b strings.Builder
	b.WriteString(`{"slurmVersion":1,"validationOutputFilters":{"prefixFilters":[`)
	for i := 0; i <= MaxEntries; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"asn":1}`)
	}
	b.WriteString(`],"bgpsecFilters":[]},"locallyAddedAssertions":{"prefixAssertions":[],"bgpsecAssertions":[]}}`)
	_, err = Parse(strings.NewReader(b.String()))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 100000 elements") {
		t.Errorf("too many entries: %v, want ErrTooLarge", err)
	}
	// Many arrays, each below MaxEntries, together above MaxValues.
	inner := "[" + strings.Repeat("1,", MaxEntries-2) + "1]"
	many := `{"x":[` + strings.Repeat(inner+",", MaxValues/MaxEntries) + inner + "]}"
	_, err = Parse(strings.NewReader(many))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 1000000 JSON values") {
		t.Errorf("too many values: %v, want ErrTooLarge", err)
	}
	var w strings.Builder
	for i := 0; i <= MaxMembers; i++ {
		fmt.Fprintf(&w, `,"m%d":1`, i)
	}
	wide := "{" + w.String()[1:] + "}"
	_, err = Parse(strings.NewReader(wide))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 16 members") {
		t.Errorf("wide object: %v, want ErrTooLarge", err)
	}
}
