package slurm

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

func policyOf(t testing.TB, files ...string) *Policy {
	t.Helper()
	p, err := Load(files...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFilterVRP checks RFC 8416 §3.3.1 matching with the §3.5 example's
// filters: prefix only, asn only, prefix and asn.
func TestFilterVRP(t *testing.T) {
	p := policyOf(t, "testdata/good/rfc8416-example-conformant.json")
	tests := []struct {
		prefix string
		maxLen uint8
		asn    uint32
		drop   bool
	}{
		{"192.0.2.0/24", 24, 1, true},       // equal to the filter prefix
		{"192.0.2.128/25", 25, 1, true},     // more specific
		{"192.0.0.0/16", 24, 1, false},      // less specific: covers, is not covered
		{"192.0.3.0/24", 24, 1, false},      // adjacent
		{"203.0.113.0/24", 24, 64496, true}, // asn-only filter
		{"2001:db8::/48", 48, 64496, true},  // asn-only filter, IPv6
		{"198.51.100.0/24", 24, 64497, true},
		{"198.51.100.7/32", 32, 64497, true},
		{"198.51.100.0/24", 24, 64498, false},   // prefix matches, asn does not
		{"198.51.0.0/16", 24, 64497, false},     // asn matches, prefix not covered
		{"::ffff:192.0.2.0/120", 128, 1, false}, // IPv6 is not IPv4
	}
	for _, tc := range tests {
		v := mustVRP(t, tc.prefix, tc.maxLen, tc.asn)
		if got := p.FilterVRP(v); got != tc.drop {
			t.Errorf("FilterVRP(%v) = %v, want %v", v, got, tc.drop)
		}
	}
}

func TestFilterKeyAndASPA(t *testing.T) {
	p := policyOf(t, "testdata/good/aspa-draft03-example-conformant.json")
	f := p.Files()[0]
	ski1 := f.BGPsecFilters[1].SKI // SKI-only filter
	ski2 := f.BGPsecFilters[2].SKI // SKI and asn 64497
	tests := []struct {
		k    payload.RouterKey
		drop bool
	}{
		{payload.RouterKey{ASN: 64496}, true},
		{payload.RouterKey{ASN: 1, SKI: ski1}, true},
		{payload.RouterKey{ASN: 64497, SKI: ski2}, true},
		{payload.RouterKey{ASN: 64498, SKI: ski2}, false},
		{payload.RouterKey{ASN: 64497}, false},
	}
	for _, tc := range tests {
		if got := p.FilterKey(tc.k); got != tc.drop {
			t.Errorf("FilterKey(%v) = %v, want %v", tc.k, got, tc.drop)
		}
	}
	if !p.FilterASPA(payload.ASPA{Customer: 64496, Providers: []uint32{1}}) {
		t.Error("ASPA of customer 64496 not filtered")
	}
	if p.FilterASPA(payload.ASPA{Customer: 64497, Providers: []uint32{64496}}) {
		t.Error("ASPA naming 64496 as a provider was filtered: draft §3.1 matches customers only")
	}
}

// TestApplyOrder checks RFC 8416 §4: filters apply to validated payload
// only, and assertions are added after filtering, so an assertion inside a
// filtered prefix survives.
func TestApplyOrder(t *testing.T) {
	p := policyOf(t, "testdata/good/apply-stayrtr.json")
	in := payload.Set{VRPs: []payload.VRP{
		mustVRP(t, "1.0.4.0/24", 24, 38803),
		mustVRP(t, "1.0.8.0/24", 24, 38803),
	}}
	out := p.Apply(in)
	want := []payload.VRP{
		mustVRP(t, "1.0.8.0/24", 24, 38803),
		mustVRP(t, "1.0.4.0/23", 24, 38803),
		mustVRP(t, "198.51.100.0/24", 24, 64511),
	}
	if !slices.Equal(out.VRPs, want) {
		t.Errorf("Apply VRPs = %v, want %v", out.VRPs, want)
	}
	if len(in.VRPs) != 2 || in.VRPs[0] != mustVRP(t, "1.0.4.0/24", 24, 38803) {
		t.Error("Apply modified its input")
	}
}

// TestApplyASPAUnion checks draft §3.2: an assertion "does not act as an
// implicit filter", so the snapshot holds the union of validated and
// asserted providers; with a filter for the customer, the assertion
// replaces them.
func TestApplyASPAUnion(t *testing.T) {
	p := policyOf(t, "testdata/good/apply-stayrtr.json")
	in := payload.Set{ASPAs: []payload.ASPA{
		{Customer: 64496, Providers: []uint32{1299, 6939}},
		{Customer: 15562, Providers: []uint32{2914}},
	}}
	snap := payload.NewSnapshot(p.Apply(in))
	want := []payload.ASPA{
		{Customer: 64496, Providers: []uint32{174, 1299, 6939}},
		{Customer: 65551, Providers: []uint32{65552, 65553}},
	}
	if !slices.EqualFunc(snap.ASPAs, want, func(a, b payload.ASPA) bool { return payload.CompareASPA(a, b) == 0 }) {
		t.Errorf("ASPAs = %v, want %v", snap.ASPAs, want)
	}
}

func TestCounts(t *testing.T) {
	p := policyOf(t, "testdata/good/aspa-draft03-example-conformant.json", "testdata/good/rfc8416-empty.json")
	if f, a := p.Counts(); f != 7 || a != 4 {
		t.Errorf("Counts = %d filters, %d assertions; want 7, 4", f, a)
	}
	var nilp *Policy
	if f, a := nilp.Counts(); f != 0 || a != 0 {
		t.Errorf("nil Counts = %d, %d", f, a)
	}
}

func TestNilAndEmptyPolicy(t *testing.T) {
	var nilp *Policy
	empty := policyOf(t)
	in := payload.Set{VRPs: []payload.VRP{mustVRP(t, "10.0.0.0/8", 8, 1)}}
	for name, p := range map[string]*Policy{"nil": nilp, "empty": empty} {
		out := p.Apply(in)
		if !slices.Equal(out.VRPs, in.VRPs) || len(out.ASPAs) != 0 || len(out.RouterKeys) != 0 {
			t.Errorf("%s policy changed the payload: %+v", name, out)
		}
	}
}

func TestSpanSet(t *testing.T) {
	ss := newSpanSet([]span{
		prefixSpan(mustPrefix("10.0.0.0/8")),
		prefixSpan(mustPrefix("10.1.0.0/16")), // inside 10/8: dropped
		prefixSpan(mustPrefix("192.0.2.0/24")),
		prefixSpan(mustPrefix("192.0.2.0/25")), // same start, inside
		prefixSpan(mustPrefix("0.0.0.0/32")),
		prefixSpan(mustPrefix("255.255.255.255/32")),
	})
	if len(ss) != 4 {
		t.Errorf("maximal spans: %d, want 4", len(ss))
	}
	for p, want := range map[string]bool{
		"10.0.0.0/8": true, "10.255.255.0/24": true, "10.0.0.0/7": false, "11.0.0.0/8": false,
		"192.0.2.128/25": true, "192.0.2.0/23": false, "192.0.3.0/24": false,
		"0.0.0.0/32": true, "0.0.0.0/31": false, "255.255.255.255/32": true, "0.0.0.0/0": false,
	} {
		if got := ss.covers(prefixSpan(mustPrefix(p))); got != want {
			t.Errorf("covers(%s) = %v, want %v", p, got, want)
		}
	}
	v6 := newSpanSet([]span{prefixSpan(mustPrefix("2001:db8::/32")), prefixSpan(mustPrefix("::/0"))})
	if len(v6) != 1 || !v6.covers(prefixSpan(mustPrefix("2001:db8::1/128"))) {
		t.Errorf("::/0 set = %v", v6)
	}
}

// TestApplyTable applies a policy to a table with provenance: what stays
// keeps its trust anchor, expiry and source; assertions come with the
// trust anchor "slurm", no expiry and no source; the input is untouched.
func TestApplyTable(t *testing.T) {
	p := policyOf(t, "testdata/good/apply-stayrtr.json")
	tas := payload.NewTANames()
	info := payload.Info{TA: tas.Of("ripe"), Expires: 1_900_000_000, Object: 7}
	in := &payload.Table{TAs: tas, VRPs: []payload.VRPInfo{
		{VRP: mustVRP(t, "1.0.4.0/24", 24, 38803), Info: info},
		{VRP: mustVRP(t, "1.0.8.0/24", 24, 38803), Info: info},
	}}
	out := p.ApplyTable(in)
	if len(in.VRPs) != 2 || in.VRPs[0].VRP != mustVRP(t, "1.0.4.0/24", 24, 38803) {
		t.Fatal("ApplyTable modified its input")
	}
	got := map[string]string{}
	for _, v := range out.VRPs {
		got[v.VRP.String()] = out.TAName(v.TA)
		if (out.TAName(v.TA) == TA) != (v.Info == payload.Info{TA: v.TA}) {
			t.Errorf("%v: provenance %+v", v.VRP, v.Info)
		}
	}
	want := map[string]string{"1.0.8.0/24-24 AS38803": "ripe", "1.0.4.0/23-24 AS38803": TA, "198.51.100.0/24-24 AS64511": TA}
	if len(got) != len(want) {
		t.Fatalf("VRPs %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: trust anchor %q, want %q", k, got[k], v)
		}
	}
	if (*Policy)(nil).ApplyTable(in) != in {
		t.Error("a nil policy changed the table")
	}
}

// TestLoadReportsEveryFile loads two broken files and a good one: the
// error names both broken files, and no policy comes back.
func TestLoadReportsEveryFile(t *testing.T) {
	bad, err := filepath.Glob("testdata/bad/*.json")
	if err != nil || len(bad) < 2 {
		t.Fatalf("bad files: %v %v", bad, err)
	}
	p, err := Load(bad[0], "testdata/good/rfc8416-example-conformant.json", bad[1])
	if p != nil || err == nil || !strings.Contains(err.Error(), bad[0]) || !strings.Contains(err.Error(), bad[1]) {
		t.Fatalf("policy %v, error %v; want both %s and %s named", p, err, bad[0], bad[1])
	}
}
