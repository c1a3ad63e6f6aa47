package x509rpki

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// roaVRPs renders the prefixes as rpki-client prints them, sorted.
func roaVRPs(r *ROA) string {
	var out []string
	for _, p := range r.Prefixes {
		out = append(out, fmt.Sprintf("%v-%d", p.Prefix, p.MaxLength))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

// vrpsField matches rpki-client's prefix list, which it truncates after
// about 50 entries with "(+N more)".
var vrpsField = regexp.MustCompile(`vrps=([^; ]*)(?: \(\+(\d+) more\))?`)

// compareVRPs compares the ROA's prefixes with rpki-client's summary: as
// sets when complete, else the printed head (in encoded order) and count.
func compareVRPs(roa *ROA, summary string) error {
	m := vrpsField.FindStringSubmatch(summary)
	if m == nil {
		return fmt.Errorf("no vrps in %q", summary)
	}
	want := strings.Split(m[1], ",")
	var got []string
	for _, p := range roa.Prefixes {
		got = append(got, fmt.Sprintf("%v-%d", p.Prefix, p.MaxLength))
	}
	if m[2] != "" {
		more, _ := strconv.Atoi(m[2])
		if len(got) != len(want)+more || !slices.Equal(got[:len(want)], want) {
			return fmt.Errorf("%d prefixes, rpki-client %d+%d; head differs: %v", len(got), len(want), more, !slices.Equal(got[:min(len(want), len(got))], want))
		}
		return nil
	}
	slices.Sort(want)
	if g := roaVRPs(roa); g != strings.Join(want, ",") {
		return fmt.Errorf("prefixes %s, rpki-client %s", g, strings.Join(want, ","))
	}
	return nil
}

// TestROAContentCorpus decodes the eContent of every corpus ROA that
// rpki-client 8.2 parsed and compares ASID and prefix list with its output.
func TestROAContentCorpus(t *testing.T) {
	ref := loadReference(t, "REFERENCE-rpki-client-summary.tsv")
	n := 0
	for _, f := range corpusFiles(t, TypeROA) {
		r := ref[f]
		der := readCorpus(t, f)
		if r.status != "parsed" || isBER(der) {
			continue
		}
		so, err := parseCMS(der, oidCTROA)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		roa, err := parseROAContent(so.Content)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if r.field("asid") == "" {
			continue // rpki-client printed no content (BBN EE-profile cases)
		}
		n++
		if got, want := fmt.Sprint(roa.ASID), r.field("asid"); got != want {
			t.Errorf("%s: ASID %s, rpki-client %s", f, got, want)
		}
		if err := compareVRPs(roa, r.summary); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if n < 45 {
		t.Errorf("only %d ROAs compared", n)
	}
}

// roaFam is one address family of a hand-built RouteOriginAttestation.
type roaFam struct {
	afi   []byte
	addrs []roaAddr
}

// roaAddr is one ROAIPAddress; maxLen < 0 means absent.
type roaAddr struct {
	bits   []byte
	unused byte
	maxLen int64
}

// buildROAContent encodes a RouteOriginAttestation; version < 0 omits it.
func buildROAContent(version, asid int64, fams []roaFam, trailing ...byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if version >= 0 {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(version) })
		}
		b.AddASN1Int64(asid)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, f := range fams {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(f.afi)
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for _, a := range f.addrs {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
									b.AddUint8(a.unused)
									b.AddBytes(a.bits)
								})
								if a.maxLen >= 0 {
									b.AddASN1Int64(a.maxLen)
								}
							})
						}
					})
				})
			}
		})
	})
	return append(b.BytesOrPanic(), trailing...)
}

var (
	afi4 = []byte{0, 1}
	afi6 = []byte{0, 2}
	// 10.0.0.0/8 up to /24, and 2001:db8::/32 exactly.
	v4fam = roaFam{afi4, []roaAddr{{[]byte{10}, 0, 24}}}
	v6fam = roaFam{afi6, []roaAddr{{[]byte{0x20, 0x01, 0x0d, 0xb8}, 0, -1}}}
)

func TestROAContentGood(t *testing.T) {
	roa, err := parseROAContent(buildROAContent(-1, 64496, []roaFam{v4fam, v6fam}))
	if err != nil {
		t.Fatal(err)
	}
	want := []ROAPrefix{
		{netip.MustParsePrefix("10.0.0.0/8"), 24},
		{netip.MustParsePrefix("2001:db8::/32"), 32},
	}
	if roa.ASID != 64496 || !slices.Equal(roa.Prefixes, want) || !roa.Canonical {
		t.Fatalf("got %+v", roa)
	}
	// A /23 ending in a partial octet: 185.49.140.0/23 has 1 unused bit.
	roa, err = parseROAContent(buildROAContent(-1, 1, []roaFam{{afi4, []roaAddr{{[]byte{185, 49, 140}, 1, 32}}}}))
	if err != nil || roa.Prefixes[0].Prefix != netip.MustParsePrefix("185.49.140.0/23") {
		t.Fatalf("got %+v, %v", roa, err)
	}
	// 0.0.0.0/0 is an empty BIT STRING.
	roa, err = parseROAContent(buildROAContent(-1, 0, []roaFam{{afi4, []roaAddr{{nil, 0, -1}}}}))
	if err != nil || roa.Prefixes[0] != (ROAPrefix{netip.MustParsePrefix("0.0.0.0/0"), 0}) {
		t.Fatalf("got %+v, %v", roa, err)
	}
}

// TestROAContentNonCanonical: RFC 9582 §4.3.3 order is asked of issuers;
// other orders are accepted and flagged, and IPv4 is reported first.
func TestROAContentNonCanonical(t *testing.T) {
	cases := map[string][]roaFam{
		"IPv6 first":  {v6fam, v4fam},
		"descending":  {{afi4, []roaAddr{{[]byte{11}, 0, -1}, {[]byte{10}, 0, -1}}}},
		"duplicate":   {{afi4, []roaAddr{{[]byte{10}, 0, -1}, {[]byte{10}, 0, -1}}}},
		"maxlen desc": {{afi4, []roaAddr{{[]byte{10}, 0, 16}, {[]byte{10}, 0, 8}}}},
	}
	for name, fams := range cases {
		roa, err := parseROAContent(buildROAContent(-1, 1, fams))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if roa.Canonical {
			t.Errorf("%s: reported canonical", name)
		}
		if !roa.Prefixes[0].Prefix.Addr().Is4() {
			t.Errorf("%s: IPv4 not first: %v", name, roa.Prefixes)
		}
	}
}

func TestROAContentHostile(t *testing.T) {
	cases := []struct {
		name, want string
		der        []byte
		class      error
	}{
		{"explicit version 0", "DEFAULT", buildROAContent(0, 1, []roaFam{v4fam}), ErrMalformed},
		{"version 1", "version is 1", buildROAContent(1, 1, []roaFam{v4fam}), ErrProfile},
		{"negative ASID", "out of range", buildROAContent(-1, -1, []roaFam{v4fam}), ErrProfile},
		{"ASID 2^32", "out of range", buildROAContent(-1, 1<<32, []roaFam{v4fam}), ErrProfile},
		{"no families", "empty", buildROAContent(-1, 1, nil), ErrProfile},
		{"three families", "more than two", buildROAContent(-1, 1, []roaFam{v4fam, v6fam, v4fam}), ErrProfile},
		{"IPv4 twice", "IPv4 block appears twice", buildROAContent(-1, 1, []roaFam{v4fam, v4fam}), ErrProfile},
		{"SAFI", "addressFamily", buildROAContent(-1, 1, []roaFam{{[]byte{0, 1, 1}, v4fam.addrs}}), ErrProfile},
		{"AFI 3", "addressFamily", buildROAContent(-1, 1, []roaFam{{[]byte{0, 3}, v4fam.addrs}}), ErrProfile},
		{"empty addresses", "empty IPv4", buildROAContent(-1, 1, []roaFam{{afi4, nil}}), ErrProfile},
		{"maxLength below prefix", "maxLength 7", buildROAContent(-1, 1, []roaFam{{afi4, []roaAddr{{[]byte{10}, 0, 7}}}}), ErrProfile},
		{"maxLength 33", "maxLength 33", buildROAContent(-1, 1, []roaFam{{afi4, []roaAddr{{[]byte{10}, 0, 33}}}}), ErrProfile},
		{"IPv4 of 40 bits", "IPv4 address of 40 bits", buildROAContent(-1, 1, []roaFam{{afi4, []roaAddr{{[]byte{1, 2, 3, 4, 5}, 0, -1}}}}), ErrProfile},
		{"nonzero unused bits", "bad address", buildROAContent(-1, 1, []roaFam{{afi4, []roaAddr{{[]byte{0xff}, 1, -1}}}}), ErrMalformed},
		{"trailing garbage", "trailing", buildROAContent(-1, 1, []roaFam{v4fam}, 0), ErrMalformed},
		{"not a sequence", "not a DER SEQUENCE", []byte{0x31, 0}, ErrMalformed},
	}
	for _, c := range cases {
		_, err := parseROAContent(c.der)
		if !errors.Is(err, c.class) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %v containing %q", c.name, err, c.class, c.want)
		}
	}
}

// TestROAContentLimit checks MaxROAPrefixes is enforced while reading.
func TestROAContentLimit(t *testing.T) {
	addrs := make([]roaAddr, MaxROAPrefixes+1)
	for i := range addrs {
		addrs[i] = roaAddr{[]byte{byte(i >> 16), byte(i >> 8), byte(i)}, 0, -1}
	}
	_, err := parseROAContent(buildROAContent(-1, 1, []roaFam{{afi4, addrs}}))
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("got %v", err)
	}
}

func TestPrefixCompare(t *testing.T) {
	a := ROAPrefix{netip.MustParsePrefix("10.0.0.0/8"), 8}
	b := ROAPrefix{netip.MustParsePrefix("10.0.0.0/16"), 16}
	if roaPrefixCompare(a, b) >= 0 || roaPrefixCompare(b, a) <= 0 || roaPrefixCompare(a, a) != 0 {
		t.Fatal("order by prefix length wrong")
	}
	var oid asn1.ObjectIdentifier = oidCTROA
	if oid.String() != "1.2.840.113549.1.9.16.1.24" {
		t.Fatal(oid)
	}
}

// bigROA is a real APNIC ROA with 796 prefixes (44 KB).
const bigROA = "rpki-validator-3/rpki-validator/src/test/resources/557B4C46969B11E681906146C4F9AE02.roa"

func BenchmarkParseROA(b *testing.B) {
	for name, f := range map[string]string{"small": sampleROA, "796prefixes": bigROA} {
		der := readCorpus(b, f)
		if _, err := ParseROA(der); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(der)))
			for b.Loop() {
				if _, err := ParseROA(der); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkROAValidate parses a Krill ROA and validates it against its
// issuer: two RSA-2048 signature checks (CMS and EE) and containment.
func BenchmarkROAValidate(b *testing.B) {
	idx := loadCerts(b, krillDir)
	der := readCorpus(b, krillDir+"NLnetLabs/0/3138352e34392e3134302e302f32332d3332203d3e2038353837.roa")
	roa, err := ParseROA(der)
	if err != nil {
		b.Fatal(err)
	}
	iss := idx.resolvedIssuer(roa.Signed.EE)
	now := roa.Signed.EE.NotBefore.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		r, err := ParseROA(der)
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Validate(iss, now); err != nil {
			b.Fatal(err)
		}
	}
}

// TestROAErrorText pins the error format: package, object, RFC section.
func TestROAErrorText(t *testing.T) {
	_, err := parseROAContent(buildROAContent(-1, 1, []roaFam{v4fam, v4fam}))
	if want := "x509rpki: roa: RFC 9582 §4.3.1: IPv4 block appears twice"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Object != "roa" || Class(err) != ErrProfile {
		t.Fatalf("error fields: %+v", e)
	}
}

// TestROAContentIPv6FirstOrder: with IPv6 encoded first, IPv4 is moved
// ahead and each family keeps its encoded order; Prefixes is allocated to
// its exact size.
func TestROAContentIPv6FirstOrder(t *testing.T) {
	v6 := roaFam{afi6, []roaAddr{{[]byte{0x20, 0x01, 0x0d, 0xb9}, 0, -1}, {[]byte{0x20, 0x01, 0x0d, 0xb8}, 0, -1}}}
	v4 := roaFam{afi4, []roaAddr{{[]byte{11}, 0, -1}, {[]byte{10}, 0, -1}, {[]byte{12}, 0, -1}}}
	roa, err := parseROAContent(buildROAContent(-1, 1, []roaFam{v6, v4}))
	if err != nil {
		t.Fatal(err)
	}
	want := []ROAPrefix{
		{netip.MustParsePrefix("11.0.0.0/8"), 8},
		{netip.MustParsePrefix("10.0.0.0/8"), 8},
		{netip.MustParsePrefix("12.0.0.0/8"), 8},
		{netip.MustParsePrefix("2001:db9::/32"), 32},
		{netip.MustParsePrefix("2001:db8::/32"), 32},
	}
	if !slices.Equal(roa.Prefixes, want) || roa.Canonical {
		t.Fatalf("got %v canonical %v", roa.Prefixes, roa.Canonical)
	}
	if cap(roa.Prefixes) != len(want) {
		t.Errorf("Prefixes capacity %d for %d prefixes", cap(roa.Prefixes), len(want))
	}
}
