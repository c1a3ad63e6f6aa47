package slurm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// slurmJSON builds a version-2 SLURM file from the JSON array contents of
// its six members (empty strings for empty arrays).
func slurmJSON(pf, bf, af, pa, ba, aa string) string {
	return fmt.Sprintf(`{"slurmVersion":2,
  "validationOutputFilters":{"prefixFilters":[%s],"bgpsecFilters":[%s],"aspaFilters":[%s]},
  "locallyAddedAssertions":{"prefixAssertions":[%s],"bgpsecAssertions":[%s],"aspaAssertions":[%s]}}`,
		pf, bf, af, pa, ba, aa)
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const testKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgFcjQ_g__LAQerAH2Mpp-GucoDAGBbhIqD33wNPsXxnAGb-mtZ7XQrVO9DQ6UlAShtig5-QfEKpTtFgiqfiAFQ"

// TestLoadOverlap checks RFC 8416 §4.2 across files, and that the same
// entries within one file are accepted.
func TestLoadOverlap(t *testing.T) {
	key := func(asn int, ski string) string {
		return fmt.Sprintf(`{"asn":%d,"SKI":"%s","routerPublicKey":"%s"}`, asn, ski, testKey)
	}
	tests := []struct {
		name    string
		a, b    string
		wantErr []string // nil: the pair loads
	}{{
		name:    "filter contains assertion",
		a:       slurmJSON(`{"prefix":"10.0.0.0/8"}`, "", "", "", "", ""),
		b:       slurmJSON("", "", "", `{"prefix":"10.1.0.0/16","asn":1}`, "", ""),
		wantErr: []string{"b.json: $.locallyAddedAssertions.prefixAssertions[0]", "a.json $.validationOutputFilters.prefixFilters[0]", "prefix 10.0.0.0/8 overlaps 10.1.0.0/16", "RFC 8416 §4.2"},
	}, {
		name:    "assertion contains filter, different asn",
		a:       slurmJSON(`{"asn":5}`, "", "", `{"prefix":"2001:db8::/32","asn":1,"maxPrefixLength":48}`, "", ""),
		b:       slurmJSON(`{"prefix":"2001:db8:1::/48","asn":2}`, "", "", "", "", ""),
		wantErr: []string{"prefix 2001:db8::/32 overlaps 2001:db8:1::/48"},
	}, {
		name:    "equal prefixes",
		a:       slurmJSON("", "", "", `{"prefix":"192.0.2.0/24","asn":1}`, "", ""),
		b:       slurmJSON("", "", "", `{"prefix":"192.0.2.0/24","asn":2}`, "", ""),
		wantErr: []string{"prefix 192.0.2.0/24 overlaps 192.0.2.0/24"},
	}, {
		name:    "default route overlaps everything of its family",
		a:       slurmJSON(`{"prefix":"0.0.0.0/0","asn":0}`, "", "", "", "", ""),
		b:       slurmJSON(`{"prefix":"203.0.113.5/32"}`, "", "", "", "", ""),
		wantErr: []string{"prefix 0.0.0.0/0 overlaps 203.0.113.5/32"},
	}, {
		name: "disjoint prefixes and families load",
		a:    slurmJSON(`{"prefix":"10.0.0.0/9"},{"prefix":"::/0"}`, "", "", `{"prefix":"10.0.0.0/16","asn":1}`, "", ""),
		b:    slurmJSON(`{"prefix":"10.128.0.0/9"},{"asn":1}`, "", "", `{"prefix":"128.0.0.0/2","asn":1}`, "", ""),
	}, {
		name:    "bgpsec asn",
		a:       slurmJSON("", `{"asn":64496}`, "", "", "", ""),
		b:       slurmJSON("", "", "", "", key(64496, "UQ9IXSminTe1FfHEeNjtPLeqfSM"), ""),
		wantErr: []string{"bgpsecAssertions[0]", "the same asn 64496"},
	}, {
		name:    "bgpsec SKI",
		a:       slurmJSON("", `{"SKI":"UQ9IXSminTe1FfHEeNjtPLeqfSM"}`, "", "", "", ""),
		b:       slurmJSON("", `{"asn":7,"SKI":"UQ9IXSminTe1FfHEeNjtPLeqfSM"}`, "", "", "", ""),
		wantErr: []string{"the same SKI UQ9IXSminTe1FfHEeNjtPLeqfSM"},
	}, {
		name:    "aspa customer",
		a:       slurmJSON("", "", `{"customerAsn":65000}`, "", "", ""),
		b:       slurmJSON("", "", "", "", "", `{"customerAsn":65000,"providerAsns":[1]}`),
		wantErr: []string{"aspaAssertions[0]", "the same customerAsn 65000"},
	}, {
		name: "aspa provider equal to other file's customer is no overlap",
		a:    slurmJSON("", "", `{"customerAsn":65000}`, "", "", ""),
		b:    slurmJSON("", "", "", "", "", `{"customerAsn":65001,"providerAsns":[65000]}`),
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			a := writeFile(t, dir, "a.json", tc.a)
			b := writeFile(t, dir, "b.json", tc.b)
			for _, pair := range [][]string{{a}, {b}} {
				if _, err := Load(pair...); err != nil {
					t.Fatalf("single file %s: %v", pair[0], err)
				}
			}
			p, err := Load(a, b)
			if tc.wantErr == nil {
				if err != nil || len(p.Files()) != 2 {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if p != nil || !errors.Is(err, ErrOverlap) {
				t.Fatalf("Load = %v, %v; want nil and ErrOverlap", p, err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestLoadSameFileOverlapAllowed: §4.2 is about sets of files; one file
// may filter a prefix and assert inside it, or repeat a prefix.
func TestLoadSameFileOverlapAllowed(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.json", slurmJSON(`{"prefix":"10.0.0.0/8"},{"prefix":"10.0.0.0/8","asn":3}`, `{"asn":1}`,
		`{"customerAsn":9}`, `{"prefix":"10.1.0.0/16","asn":1}`, "", `{"customerAsn":9,"providerAsns":[1]}`))
	if _, err := Load(a, filepath.Join("testdata", "good", "rfc8416-empty.json")); err != nil {
		t.Fatal(err)
	}
}

// TestLoadAllOrNothing: one bad file among good ones fails the whole Load,
// naming the bad file, and yields no policy.
func TestLoadAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.json", slurmJSON(`{"asn":1}`, "", "", "", "", ""))
	bad := writeFile(t, dir, "bad.json", slurmJSON(`{"asn":1,"prefix":"10.0.0.1/8"}`, "", "", "", "", ""))
	p, err := Load(good, bad)
	if p != nil || err == nil || !strings.Contains(err.Error(), "bad.json: $.validationOutputFilters.prefixFilters[0].prefix") {
		t.Fatalf("Load(good, bad) = %v, %v", p, err)
	}
	p, err = Load(good, filepath.Join(dir, "missing.json"))
	var se *Error
	if p != nil || !errors.As(err, &se) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(se.File, "missing.json") {
		t.Fatalf("Load(good, missing) = %v, %v", p, err)
	}
	many := make([]string, MaxFiles+1)
	for i := range many {
		many[i] = good
	}
	if _, err := Load(many...); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Load of %d files: %v, want ErrTooLarge", len(many), err)
	}
}

// TestNewPolicyUnnamed: files from Parse are named by position in errors.
func TestNewPolicyUnnamed(t *testing.T) {
	a, err := ParseBytes([]byte(slurmJSON(`{"prefix":"10.0.0.0/8"}`, "", "", "", "", "")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewPolicy(a, a)
	if !errors.Is(err, ErrOverlap) || !strings.Contains(err.Error(), "file #2") || !strings.Contains(err.Error(), "file #1") {
		t.Errorf("NewPolicy(a, a) = %v", err)
	}
}
