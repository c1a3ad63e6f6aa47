package ca

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/x509rpki"
	"golang.org/x/crypto/cryptobyte"
)

// unhex decodes hex with spaces, for DER literals.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	must(t, err)
	return b
}

// ipRange builds a range from two address literals.
func ipRange(lo, hi string) x509rpki.IPRange {
	return x509rpki.IPRange{Min: netip.MustParseAddr(lo), Max: netip.MustParseAddr(hi)}
}

// TestIPAddrBlocksRFC3779Example encodes the addresses of the RFC 3779
// §2.3 example (without its SAFI, which RFC 6487 §4.8.10 forbids) and
// compares with the element encodings the RFC gives.
func TestIPAddrBlocksRFC3779Example(t *testing.T) {
	r := ResourcesFor([]netip.Prefix{mp("10.0.32.0/20"), mp("10.0.64.0/24"), mp("10.1.0.0/16"), mp("10.3.0.0/16")}, nil)
	r.IPv4.Ranges = Canonical(x509rpki.Resources{IPv4: x509rpki.IPResources{
		Ranges: append(r.IPv4.Ranges, ipRange("10.2.48.0", "10.2.64.255"))}}).IPv4.Ranges
	r.IPv6 = x509rpki.IPResources{Present: true, Inherit: true}
	var b cryptobyte.Builder
	addIPAddrBlocks(&b, &r)
	got, err := b.Bytes()
	must(t, err)
	want := unhex(t, "30 34 30 2a 04 02 00 01 30 24"+
		"03 04 04 0a 00 20"+ // 10.0.32/20
		"03 04 00 0a 00 40"+ // 10.0.64/24
		"03 03 00 0a 01"+ // 10.1/16
		"30 0c 03 04 04 0a 02 30 03 04 00 0a 02 40"+ // 10.2.48.0 - 10.2.64.255
		"03 03 00 0a 03"+ // 10.3/16
		"30 06 04 02 00 02 05 00") // IPv6 inherit
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
}

// TestASIdentifiersRFC3779Example encodes the RFC 3779 §3.3 example
// without its rdi part (RFC 6487 §4.8.11 forbids rdi).
func TestASIdentifiersRFC3779Example(t *testing.T) {
	r := ResourcesFor(nil, []x509rpki.ASRange{{Min: 5001, Max: 5001}, {Min: 3000, Max: 3999}, {Min: 135, Max: 135}})
	var b cryptobyte.Builder
	addASIdentifiers(&b, &r.AS)
	got, err := b.Bytes()
	must(t, err)
	want := unhex(t, "30 16 a0 14 30 12 02 02 00 87 30 08 02 02 0b b8 02 02 0f 9f 02 02 13 89")
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
}

func TestIPRangeEncoding(t *testing.T) {
	cases := []struct {
		r    x509rpki.IPRange
		want string
	}{
		{ipRange("0.0.0.0", "255.255.255.255"), "03 01 00"},
		{ipRange("0.0.0.0", "127.255.255.255"), "03 02 07 00"},
		{ipRange("192.0.2.1", "192.0.2.1"), "03 05 00 c0 00 02 01"},
		{ipRange("192.0.2.0", "192.0.2.1"), "03 05 01 c0 00 02 00"},
		{ipRange("192.0.2.1", "192.0.2.2"), "30 0e 03 05 00 c0 00 02 01 03 05 00 c0 00 02 02"},
		{ipRange("0.0.0.0", "10.0.0.0"), "30 0a 03 01 00 03 05 00 0a 00 00 00"},
		{ipRange("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), "03 05 00 20 01 0d b8"},
		{ipRange("2001:db8::", "2001:db9:ffff:ffff:ffff:ffff:ffff:ffff"), "03 05 01 20 01 0d b8"}, // a /31
		{ipRange("10.0.0.0", "10.0.1.127"), "30 0b 03 02 01 0a 03 05 07 0a 00 01 00"},
	}
	for _, c := range cases {
		var b cryptobyte.Builder
		addIPRange(&b, c.r)
		got, err := b.Bytes()
		must(t, err)
		if want := unhex(t, c.want); !bytes.Equal(got, want) {
			t.Errorf("%v-%v: got %x, want %x", c.r.Min, c.r.Max, got, want)
		}
	}
}

func TestCanonical(t *testing.T) {
	in := x509rpki.Resources{
		IPv4: x509rpki.IPResources{Present: true, Ranges: []x509rpki.IPRange{
			ipRange("10.0.1.0", "10.0.1.255"), ipRange("10.0.0.0", "10.0.0.255"), // adjacent
			ipRange("10.0.5.0", "10.0.9.0"), ipRange("10.0.6.0", "10.0.7.0"), // contained
			ipRange("255.255.255.255", "255.255.255.255"),
		}},
		AS: x509rpki.ASResources{Present: true, Ranges: []x509rpki.ASRange{{Min: 10, Max: 20}, {Min: 21, Max: 21}, {Min: 1, Max: 2},
			{Min: 4294967295, Max: 4294967295}}},
	}
	got := Canonical(in)
	want := []x509rpki.IPRange{ipRange("10.0.0.0", "10.0.1.255"), ipRange("10.0.5.0", "10.0.9.0"),
		ipRange("255.255.255.255", "255.255.255.255")}
	if !reflect.DeepEqual(got.IPv4.Ranges, want) {
		t.Errorf("IPv4 %v, want %v", got.IPv4.Ranges, want)
	}
	wantAS := []x509rpki.ASRange{{Min: 1, Max: 2}, {Min: 10, Max: 21}, {Min: 4294967295, Max: 4294967295}}
	if !reflect.DeepEqual(got.AS.Ranges, wantAS) {
		t.Errorf("AS %v, want %v", got.AS.Ranges, wantAS)
	}
	if in.IPv4.Ranges[0].Min != netip.MustParseAddr("10.0.1.0") {
		t.Error("Canonical modified its input")
	}
}

func TestPrefixRange(t *testing.T) {
	r := PrefixRange(mp("2001:db8:1::/48"))
	if r != ipRange("2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff") {
		t.Fatalf("got %v-%v", r.Min, r.Max)
	}
	if r := PrefixRange(mp("10.1.2.3/8")); r != ipRange("10.0.0.0", "10.255.255.255") {
		t.Fatalf("unmasked prefix: got %v-%v", r.Min, r.Max)
	}
}

func TestCheckResourcesRejectsMixedFamilies(t *testing.T) {
	r := x509rpki.Resources{IPv4: x509rpki.IPResources{Present: true, Ranges: []x509rpki.IPRange{ipRange("2001:db8::", "2001:db8::1")}}}
	tmpl := &CertTemplate{Kind: x509rpki.KindCA, Serial: bigInt(1), Resources: r}
	if _, err := IssueCert(tmpl, pool(t).Get(keyOther), pool(t).Get(keyCA)); err == nil {
		t.Fatal("IPv6 range in the IPv4 family accepted")
	}
}
