package x509rpki

import (
	"net/netip"
	"testing"
)

func ipr(lo, hi string) IPRange {
	return IPRange{Min: netip.MustParseAddr(lo), Max: netip.MustParseAddr(hi)}
}

func TestIntersect(t *testing.T) {
	child := Resources{
		IPv4: IPResources{Present: true, Ranges: []IPRange{ipr("10.0.0.0", "10.255.255.255"), ipr("192.0.2.0", "192.0.2.255")}},
		AS:   ASResources{Present: true, Ranges: []ASRange{{Min: 1, Max: 10}, {Min: 20, Max: 30}}},
	}
	parent := Resources{
		IPv4: IPResources{Present: true, Ranges: []IPRange{ipr("10.1.0.0", "10.1.255.255"), ipr("10.3.0.0", "11.0.0.255")}},
		IPv6: IPResources{Present: true, Ranges: []IPRange{ipr("2001:db8::", "2001:db8::ffff")}},
		AS:   ASResources{Present: true, Ranges: []ASRange{{Min: 5, Max: 25}}},
	}
	got := child.Intersect(parent)
	want := "AS5-AS10, AS20-AS25, 10.1.0.0/16, 10.3.0.0-10.255.255.255"
	if s := got.String(); s != want || got.IPv6.Present {
		t.Fatalf("intersection %q (IPv6 present %v), want %q", s, got.IPv6.Present, want)
	}
	if !parent.Covers(got) {
		t.Fatal("the intersection is not covered by the issuer")
	}
}
