package x509rpki

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// rtBits is a BIT STRING value for the DER builders below.
type rtBits struct {
	b []byte
	n int
}

// rtAddBits appends a BIT STRING.
func rtAddBits(b *cryptobyte.Builder, v rtBits) {
	b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
		b.AddUint8(uint8(len(v.b)*8 - v.n))
		b.AddBytes(v.b)
	})
}

// rtEntry is one IPAddressOrRange: a prefix (hi.n < 0) or a range.
type rtEntry struct{ lo, hi rtBits }

func rtPrefix(b []byte, n int) rtEntry        { return rtEntry{lo: rtBits{b, n}, hi: rtBits{n: -1}} }
func rtRange(lo, hi rtBits) rtEntry           { return rtEntry{lo: lo, hi: hi} }
func rtB(n int, b ...byte) rtBits             { return rtBits{b, n} }
func rtFam(afi []byte, e ...rtEntry) rtFamily { return rtFamily{afi: afi, entries: e} }

// rtFamily is one IPAddressFamily; inherit when entries is nil and
// inherit is set.
type rtFamily struct {
	afi     []byte
	inherit bool
	entries []rtEntry
}

// rtIPDER encodes an IPAddrBlocks extension value.
func rtIPDER(fams ...rtFamily) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, f := range fams {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(f.afi)
				if f.inherit {
					b.AddASN1NULL()
					return
				}
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, e := range f.entries {
						if e.hi.n < 0 {
							rtAddBits(b, e.lo)
							continue
						}
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							rtAddBits(b, e.lo)
							rtAddBits(b, e.hi)
						})
					}
				})
			})
		}
	})
	return b.BytesOrPanic()
}

var (
	v4 = []byte{0, 1}
	v6 = []byte{0, 2}
)

// TestParseIPAddrBlocks covers the canonical-form rules of RFC 3779 §2.2.3.
func TestParseIPAddrBlocks(t *testing.T) {
	for _, tc := range []struct {
		name string
		der  []byte
		want string // resources String(), or the error text
		err  error
	}{
		{"prefixes and range", rtIPDER(
			rtFam(v4, rtPrefix([]byte{10}, 8), rtRange(rtB(32, 11, 0, 0, 1), rtB(31, 11, 0, 0, 4))),
			rtFam(v6, rtPrefix([]byte{0x20, 0x01, 0x0d, 0xb8}, 32))),
			"10.0.0.0/8, 11.0.0.1-11.0.0.5, 2001:db8::/32", nil},
		{"zero-length prefix", rtIPDER(rtFam(v4, rtPrefix(nil, 0))), "0.0.0.0/0", nil},
		{"host prefix", rtIPDER(rtFam(v4, rtPrefix([]byte{192, 0, 2, 1}, 32))), "192.0.2.1/32", nil},
		{"full range bounds", rtIPDER(rtFam(v4, rtRange(rtB(8, 1), rtB(0)))), "1.0.0.0-255.255.255.255", nil},
		{"inherit", rtIPDER(rtFamily{afi: v6, inherit: true}), "IPv6 inherit", nil},
		{"unsorted", rtIPDER(rtFam(v4, rtPrefix([]byte{11}, 8), rtPrefix([]byte{10}, 8))), "out of order", ErrProfile},
		{"overlap", rtIPDER(rtFam(v4, rtPrefix([]byte{10}, 8), rtPrefix([]byte{10, 1}, 16))), "overlapping", ErrProfile},
		{"adjacent", rtIPDER(rtFam(v4, rtPrefix([]byte{10}, 8), rtPrefix([]byte{11}, 8))), "must be merged", ErrProfile},
		{"range is a prefix", rtIPDER(rtFam(v4, rtRange(rtB(7, 10), rtB(6, 8)))), "10.0.0.0/7 must be encoded as a prefix", ErrProfile},
		{"min trailing zero", rtIPDER(rtFam(v4, rtRange(rtB(32, 10, 0, 0, 2), rtB(31, 10, 0, 0, 4)))), "trailing zero", ErrProfile},
		{"max trailing one", rtIPDER(rtFam(v4, rtRange(rtB(32, 10, 0, 0, 1), rtB(32, 10, 0, 0, 5)))), "trailing one", ErrProfile},
		{"min above max", rtIPDER(rtFam(v4, rtRange(rtB(32, 10, 0, 0, 9), rtB(31, 10, 0, 0, 4)))), "min above max", ErrProfile},
		{"empty list", rtIPDER(rtFam(v4)), "empty addressesOrRanges", ErrProfile},
		{"SAFI", rtIPDER(rtFam([]byte{0, 1, 1}, rtPrefix([]byte{10}, 8))), "SAFI", ErrProfile},
		{"AFI 3", rtIPDER(rtFam([]byte{0, 3}, rtPrefix([]byte{10}, 8))), "family 3", ErrProfile},
		{"family twice", rtIPDER(rtFam(v4, rtPrefix([]byte{10}, 8)), rtFam(v4, rtPrefix([]byte{12}, 8))), "duplicated or out of order", ErrProfile},
		{"IPv6 before IPv4", rtIPDER(rtFam(v6, rtPrefix([]byte{0x20}, 8)), rtFam(v4, rtPrefix([]byte{10}, 8))), "duplicated or out of order", ErrProfile},
		{"prefix too long", rtIPDER(rtFam(v4, rtPrefix([]byte{10, 0, 0, 0, 0}, 33))), "33 bits", ErrProfile},
		{"unused bits set", rtIPDER(rtFam(v4, rtPrefix([]byte{0x0b}, 7))), "malformed IPAddress", ErrMalformed},
		{"no family", rtIPDER(), "without address family", ErrProfile},
		{"trailing data", append(rtIPDER(rtFam(v4, rtPrefix([]byte{10}, 8))), 0), "malformed IPAddrBlocks", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Resources
			err := parseIPAddrBlocks(cryptobyte.String(tc.der), &r)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want %v containing %q", err, tc.err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.String(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// rtASDER encodes an ASIdentifiers value with asnum entries (int64 for an
// id, [2]int64 for a range) or inherit when entries is nil.
func rtASDER(rdi bool, entries ...any) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(tagExplicit0, func(b *cryptobyte.Builder) {
			if entries == nil {
				b.AddASN1NULL()
				return
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range entries {
					switch v := e.(type) {
					case int64:
						b.AddASN1Int64(v)
					case [2]int64:
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1Int64(v[0])
							b.AddASN1Int64(v[1])
						})
					}
				}
			})
		})
		if rdi {
			b.AddASN1(tagExplicit1, func(b *cryptobyte.Builder) { b.AddASN1NULL() })
		}
	})
	return b.BytesOrPanic()
}

// TestParseASIdentifiers covers RFC 3779 §3.2.3 and RFC 6487 §4.8.11.
func TestParseASIdentifiers(t *testing.T) {
	for _, tc := range []struct {
		name string
		der  []byte
		want string
		err  error
	}{
		{"ids and ranges", rtASDER(false, int64(0), [2]int64{64496, 64511}, int64(4294967295)), "AS0, AS64496-AS64511, AS4294967295", nil},
		{"inherit", rtASDER(false), "AS inherit", nil},
		{"empty list", []byte{0x30, 0x04, 0xa0, 0x02, 0x30, 0x00}, "empty asIdsOrRanges", ErrProfile},
		{"unsorted", rtASDER(false, int64(5), int64(3)), "out of order", ErrProfile},
		{"adjacent", rtASDER(false, [2]int64{1, 4}, int64(5)), "must be merged", ErrProfile},
		{"overlap", rtASDER(false, [2]int64{1, 9}, [2]int64{5, 20}), "overlapping", ErrProfile},
		{"singular range", rtASDER(false, [2]int64{7, 7}), "not ascending", ErrProfile},
		{"reversed range", rtASDER(false, [2]int64{9, 7}), "not ascending", ErrProfile},
		{"negative", rtASDER(false, int64(-1)), "out of range", ErrMalformed},
		{"too big", rtASDER(false, int64(1)<<32), "out of range", ErrMalformed},
		{"rdi", rtASDER(true, int64(1)), "rdi not allowed", ErrProfile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Resources
			err := parseASIdentifiers(cryptobyte.String(tc.der), &r)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want %v containing %q", err, tc.err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.String(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	var r Resources
	if err := parseASIdentifiers(cryptobyte.String([]byte{0x30, 0x00}), &r); !errors.Is(err, ErrProfile) {
		t.Errorf("asnum missing: %v", err)
	}
}

// rtRes builds resources from prefix/range strings and AS ranges.
func rtRes(t *testing.T, ips []string, as ...ASRange) Resources {
	t.Helper()
	var r Resources
	for _, s := range ips {
		var rng IPRange
		if lo, hi, ok := strings.Cut(s, "-"); ok {
			rng = IPRange{Min: netip.MustParseAddr(lo), Max: netip.MustParseAddr(hi)}
		} else {
			lo, hi := prefixBounds(ccPrefix(t, s))
			rng = IPRange{Min: lo, Max: hi}
		}
		fam := &r.IPv6
		if rng.Min.Is4() {
			fam = &r.IPv4
		}
		fam.Present = true
		fam.Ranges = append(fam.Ranges, rng)
	}
	if as != nil {
		r.AS = ASResources{Present: true, Ranges: as}
	}
	return r
}

// TestResourcesCovers checks containment, including ranges that straddle
// two parent ranges and inherited families.
func TestResourcesCovers(t *testing.T) {
	parent := rtRes(t, []string{"10.0.0.0/8", "12.0.0.0/8", "2001:db8::/32"}, ASRange{1, 10}, ASRange{20, 30})
	for _, tc := range []struct {
		name  string
		child Resources
		want  string // "" when covered
	}{
		{"inside", rtRes(t, []string{"10.1.0.0/16", "12.0.0.0-12.0.0.5", "2001:db8:1::/48"}, ASRange{2, 3}, ASRange{30, 30}), ""},
		{"equal", parent, ""},
		{"straddles", rtRes(t, []string{"10.255.0.0-12.0.0.1"}), "IPv4 10.255.0.0-12.0.0.1"},
		{"outside", rtRes(t, []string{"11.0.0.0/8"}), "IPv4 11.0.0.0/8"},
		{"v6 outside", rtRes(t, []string{"2001:db9::/32"}), "IPv6 2001:db9::/32"},
		{"AS gap", rtRes(t, nil, ASRange{9, 21}), "AS9-AS21"},
		{"AS beyond", rtRes(t, nil, ASRange{31, 31}), "AS31"},
		{"inherit", Resources{IPv4: IPResources{Present: true, Inherit: true}, AS: ASResources{Present: true, Inherit: true}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := parent.Uncovered(tc.child)
			if ok != (tc.want == "") || d != tc.want || parent.Covers(tc.child) != ok {
				t.Fatalf("Uncovered = %q, %v; want %q", d, ok, tc.want)
			}
		})
	}
	unresolved := Resources{IPv4: IPResources{Present: true, Inherit: true}}
	if d, ok := unresolved.Uncovered(rtRes(t, []string{"10.0.0.0/8"})); ok || !strings.Contains(d, "not resolved") {
		t.Errorf("unresolved issuer: %q %v", d, ok)
	}
}

// TestResourcesResolveContains checks Resolve, ContainsPrefix and
// ContainsAS.
func TestResourcesResolveContains(t *testing.T) {
	parent := rtRes(t, []string{"10.0.0.0/8", "192.0.2.0-192.0.2.200", "2001:db8::/32"}, ASRange{64496, 64511})
	child := Resources{
		IPv4: IPResources{Present: true, Inherit: true},
		IPv6: IPResources{Present: true, Ranges: parent.IPv6.Ranges[:1]},
		AS:   ASResources{Present: true, Inherit: true},
	}
	if child.ContainsPrefix(ccPrefix(t, "10.0.0.0/8")) || child.ContainsAS(64496) {
		t.Error("unresolved inherit must contain nothing")
	}
	r := child.Resolve(parent)
	if r.HasInherit() || r.String() != parent.String() {
		t.Fatalf("resolved %q, want %q", r, parent)
	}
	for _, tc := range []struct {
		p    string
		want bool
	}{
		{"10.0.0.0/8", true}, {"10.20.0.0/16", true}, {"10.20.0.0/7", false}, {"11.0.0.0/24", false},
		{"192.0.2.0/25", true}, {"192.0.2.128/26", true}, {"192.0.2.192/28", false}, {"192.0.2.201/32", false},
		{"2001:db8:ffff::/48", true}, {"2001:db9::/48", false}, {"0.0.0.0/0", false}, {"::ffff:10.0.0.0/104", false},
	} {
		if got := r.ContainsPrefix(ccPrefix(t, tc.p)); got != tc.want {
			t.Errorf("ContainsPrefix(%s) = %v", tc.p, got)
		}
	}
	for asn, want := range map[uint32]bool{64495: false, 64496: true, 64500: true, 64511: true, 64512: false, 0: false} {
		if got := r.ContainsAS(asn); got != want {
			t.Errorf("ContainsAS(%d) = %v", asn, got)
		}
	}
}

// TestIPRangeString checks prefix detection in formatting.
func TestIPRangeString(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"10.0.0.0", "10.255.255.255"}:                    "10.0.0.0/8",
		{"10.0.0.0", "10.0.0.0"}:                          "10.0.0.0/32",
		{"10.0.0.1", "10.0.0.2"}:                          "10.0.0.1-10.0.0.2",
		{"10.0.0.0", "10.0.1.254"}:                        "10.0.0.0-10.0.1.254",
		{"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}: "::/0",
		{"2001:db8::", "2001:db8::ffff"}:                  "2001:db8::/112",
	} {
		r := IPRange{Min: netip.MustParseAddr(in[0]), Max: netip.MustParseAddr(in[1])}
		if got := r.String(); got != want {
			t.Errorf("%v: got %q, want %q", in, got, want)
		}
	}
}

// TestResourceLimits checks that MaxIPBlocks and MaxASBlocks are enforced
// before the entries are decoded, and that a list at the limit is read.
func TestResourceLimits(t *testing.T) {
	// Host prefixes two apart: canonical, neither overlapping nor adjacent.
	entries := make([]rtEntry, MaxIPBlocks+1)
	for i := range entries {
		j := 2 * i
		entries[i] = rtPrefix([]byte{10, byte(j >> 16), byte(j >> 8), byte(j)}, 32)
	}
	var r Resources
	err := parseIPAddrBlocks(cryptobyte.String(rtIPDER(rtFam(v4, entries...))), &r)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "MaxIPBlocks") {
		t.Errorf("IP over the limit: %v", err)
	}
	r = Resources{}
	if err := parseIPAddrBlocks(cryptobyte.String(rtIPDER(rtFam(v4, entries[:MaxIPBlocks]...))), &r); err != nil || len(r.IPv4.Ranges) != MaxIPBlocks {
		t.Errorf("IP at the limit: %v, %d ranges", err, len(r.IPv4.Ranges))
	}
	ids := make([]any, MaxASBlocks+1)
	for i := range ids {
		ids[i] = int64(2 * i)
	}
	err = parseASIdentifiers(cryptobyte.String(rtASDER(false, ids...)), &Resources{})
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "MaxASBlocks") {
		t.Errorf("AS over the limit: %v", err)
	}
}
