package output

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseFilterErrors(t *testing.T) {
	long := strings.Repeat("select-asn=1&", MaxSelectors+1)
	for q, want := range map[string]string{
		"select-asm=AS1":               `unknown parameter "select-asm"`,
		"select-asn=ASX":               `select-asn: AS number "ASX"`,
		"select-asn=4294967296":        "32-bit",
		"select-asn=":                  `AS number ""`,
		"select-prefix=192.0.2.0":      `select-prefix "192.0.2.0": want an IPv4 or IPv6 prefix`,
		"select-prefix=192.0.2.1/24":   "host bits set (want 192.0.2.0/24)",
		"include=less-specifics":       `include "less-specifics": want more-specifics`,
		"exclude=roas":                 `exclude "roas": want aspas or routeOrigins or routerKeys`,
		"select-asn=1&format=json":     `unknown parameter "format"`,
		"select-asn=%zz":               "invalid URL escape",
		long[:len(long)-1]:             "at most 100",
		"filter-asn=1&filter-prefix=x": `filter-prefix "x"`,
	} {
		f, err := ParseFilter(q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40s: filter %v, error %v, want %q", q, f, err, want)
		}
	}
	if f, err := ParseFilter(""); f != nil || err != nil {
		t.Errorf("empty query: %v, %v", f, err)
	}
}

// TestFilterCanonical: filters that select the same print the same.
func TestFilterCanonical(t *testing.T) {
	a, err := ParseFilter("select-asn=AS2&select-prefix=10.0.0.0/8&select-asn=1&include=more-specifics&select-asn=as2")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseFilter("filter-prefix=10.0.0.0%2F8&include=more-specifics&filter-asn=1&select-asn=2")
	if err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() || a.String() != "asn=1;asn=2;prefix=10.0.0.0/8;more-specifics;" {
		t.Errorf("%q vs %q", a, b)
	}
}

// TestFilterSelects checks Routinator's selection rules on VRPs, router
// keys and ASPAs.
func TestFilterSelects(t *testing.T) {
	tb := testTable(t) // 192.0.2.0/24 AS65000, 198.51.100.0/22-24 AS65001, 198.51.100.0/24 AS65002, 2001:db8::/32-48 AS0
	for q, want := range map[string]string{
		"":                              "AS65000,AS65001,AS65002,AS0 keys=1 aspas=1",
		"select-asn=AS65000":            "AS65000 keys=0 aspas=1",
		"select-asn=65003":              " keys=1 aspas=0",
		"select-prefix=198.51.100.0/24": "AS65001,AS65002 keys=0 aspas=0", // covering and equal
		"select-prefix=198.51.100.0/23": "AS65001 keys=0 aspas=0",
		"select-prefix=198.51.0.0/16":   " keys=0 aspas=0",
		"select-prefix=198.51.0.0/16&include=more-specifics":           "AS65001,AS65002 keys=0 aspas=0",
		"select-prefix=2001:db8:1::/48":                                "AS0 keys=0 aspas=0",
		"select-asn=AS0&select-prefix=192.0.2.128/25":                  "AS65000,AS0 keys=0 aspas=0",
		"exclude=routeOrigins,aspas":                                   " keys=1 aspas=0",
		"select-asn=AS65000&exclude=aspas":                             "AS65000 keys=0 aspas=0",
		"select-prefix=0.0.0.0/0&include=more-specifics":               "AS65000,AS65001,AS65002 keys=0 aspas=0",
		"select-prefix=::/0&include=more-specifics&exclude=routerKeys": "AS0 keys=0 aspas=0",
	} {
		f, err := ParseFilter(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var asns []string
		for _, v := range tb.VRPs {
			if f.VRP(v.VRP) {
				asns = append(asns, "AS"+itoa(v.ASN))
			}
		}
		keys, aspas := 0, 0
		for _, k := range tb.RouterKeys {
			if f.RouterKey(&k.RouterKey) {
				keys++
			}
		}
		for _, a := range tb.ASPAs {
			if f.ASPA(&a.ASPA) {
				aspas++
			}
		}
		got := strings.Join(asns, ",") + " keys=" + itoa(uint32(keys)) + " aspas=" + itoa(uint32(aspas))
		if got != want {
			t.Errorf("%s: %s, want %s", q, got, want)
		}
	}
}

// TestFilterInOutput: a filter applies to the written document.
func TestFilterInOutput(t *testing.T) {
	f, _ := ParseFilter("select-asn=AS65001")
	out := render(t, "csv", testTable(t), f)
	if out != "ASN,IP Prefix,Max Length,Trust Anchor\nAS65001,198.51.100.0/22,24,lab\n" {
		t.Errorf("csv:\n%s", out)
	}
	rc := render(t, "rpki-client", testTable(t), f)
	if !strings.Contains(rc, "\"uniquevrps\": 1,") || strings.Count(rc, `"prefix"`) != 1 {
		t.Errorf("rpki-client:\n%s", rc)
	}
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
