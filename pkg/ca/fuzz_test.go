package ca

import (
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// The builders are not parsers, so these fuzz targets check the write
// side's promise instead: whatever resources or prefixes go in, the DER
// that comes out is read back by pkg/x509rpki as the same values in
// canonical form. They are seeded with the shapes that are easy to get
// wrong (prefix-or-range, edges of the address space, adjacent ranges).

// fuzzResources turns fuzz bytes into resources: each 33-byte chunk is one
// IP range (first byte odd: IPv4, from the first 4 bytes of each half),
// and the tail in 8-byte chunks is AS ranges.
func fuzzResources(data []byte) x509rpki.Resources {
	var r x509rpki.Resources
	for len(data) >= 33 && len(r.IPv4.Ranges)+len(r.IPv6.Ranges) < 16 {
		var lo, hi netip.Addr
		fam := &r.IPv6
		if data[0]&1 == 1 {
			lo, hi, fam = netip.AddrFrom4([4]byte(data[1:5])), netip.AddrFrom4([4]byte(data[17:21])), &r.IPv4
		} else {
			lo, hi = netip.AddrFrom16([16]byte(data[1:17])), netip.AddrFrom16([16]byte(data[17:33]))
		}
		if hi.Less(lo) {
			lo, hi = hi, lo
		}
		fam.Present = true
		fam.Ranges = append(fam.Ranges, x509rpki.IPRange{Min: lo, Max: hi})
		data = data[33:]
	}
	for len(data) >= 8 && len(r.AS.Ranges) < 16 {
		a, b := binary.BigEndian.Uint32(data), binary.BigEndian.Uint32(data[4:])
		r.AS.Present = true
		r.AS.Ranges = append(r.AS.Ranges, x509rpki.ASRange{Min: min(a, b), Max: max(a, b)})
		data = data[8:]
	}
	return r
}

// ipSeed builds one IPv4 (v4 true) or IPv6 chunk for the seed corpus.
func ipSeed(v4 bool, lo, hi string) []byte {
	b := make([]byte, 33)
	if v4 {
		b[0] = 1
	}
	l, h := netip.MustParseAddr(lo).AsSlice(), netip.MustParseAddr(hi).AsSlice()
	copy(b[1:], l)
	copy(b[17:], h)
	return b
}

func FuzzResourcesRoundTrip(f *testing.F) {
	f.Add(ipSeed(true, "0.0.0.0", "255.255.255.255"))
	f.Add(append(ipSeed(true, "10.0.0.0", "10.0.1.127"), ipSeed(true, "10.0.1.128", "10.0.2.0")...))
	f.Add(append(ipSeed(false, "::", "::"), ipSeed(false, "2001:db8::", "2001:db9:ffff:ffff:ffff:ffff:ffff:ffff")...))
	f.Add([]byte{0, 0, 0, 1, 255, 255, 255, 255, 0, 0, 0, 5, 0, 0, 0, 5})
	issuer, subject := pool(f).Get(keyCA), pool(f).Get(keyOther)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		res := fuzzResources(data)
		if !res.IPv4.Present && !res.IPv6.Present && !res.AS.Present {
			return
		}
		der, err := IssueCert(&CertTemplate{Kind: x509rpki.KindCA, Serial: bigInt(1), NotBefore: now, NotAfter: now.Add(time.Hour),
			Resources: res, CARepository: "rsync://x.test/r/", Manifest: "rsync://x.test/r/m.mft",
			CRLDP: "rsync://x.test/p.crl", AIA: "rsync://x.test/p.cer"}, subject, issuer)
		if err != nil {
			t.Fatalf("IssueCert: %v", err)
		}
		c, err := x509rpki.ParseCert(der)
		if err != nil {
			t.Fatalf("ParseCert rejects what IssueCert wrote for %v: %v", res, err)
		}
		if want := Canonical(res); !reflect.DeepEqual(c.Resources, want) {
			t.Fatalf("resources read back as %v, want %v", c.Resources, want)
		}
	})
}

// fuzzPrefixes turns fuzz bytes into ROA prefixes, 18 bytes each: a
// family/length byte, a maxLength byte and 16 address bytes.
func fuzzPrefixes(data []byte) []x509rpki.ROAPrefix {
	var ps []x509rpki.ROAPrefix
	for len(data) >= 18 && len(ps) < 32 {
		var p netip.Prefix
		if data[0]&0x80 != 0 {
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte(data[2:6])), int(data[0]&0x7f)%33).Masked()
		} else {
			p = netip.PrefixFrom(netip.AddrFrom16([16]byte(data[2:18])), int(data[0])%129).Masked()
		}
		width := p.Addr().BitLen()
		ml := p.Bits() + int(data[1])%(width-p.Bits()+1)
		ps = append(ps, x509rpki.ROAPrefix{Prefix: p, MaxLength: ml})
		data = data[18:]
	}
	return ps
}

func FuzzROARoundTrip(f *testing.F) {
	f.Add(append([]byte{0x80 | 24, 2, 0, 192, 0, 2, 0}, make([]byte, 11)...))
	f.Add(append([]byte{48, 8, 0x20, 0x01, 0x0d, 0xb8}, make([]byte, 12)...))
	f.Add(append(append([]byte{0x80, 0}, make([]byte, 16)...), append([]byte{128, 0}, make([]byte, 16)...)...))
	l := buildLab(f)
	ee := pool(f).Get(keyEE1)
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := fuzzPrefixes(data)
		if len(ps) == 0 {
			return
		}
		all := x509rpki.Resources{
			IPv4: x509rpki.IPResources{Present: true, Ranges: []x509rpki.IPRange{PrefixRange(netip.MustParsePrefix("0.0.0.0/0"))}},
			IPv6: x509rpki.IPResources{Present: true, Ranges: []x509rpki.IPRange{PrefixRange(netip.MustParsePrefix("::/0"))}},
		}
		o, err := l.ca.NewROA(64500, ps, ObjectParams{EEKey: ee, EEResources: &all})
		if err != nil {
			t.Fatalf("NewROA: %v", err)
		}
		r, err := x509rpki.ParseROA(o.DER)
		if err != nil {
			t.Fatalf("ParseROA rejects what NewROA wrote for %v: %v", ps, err)
		}
		v4, v6, _ := splitROAPrefixes(ps)
		if want := append(v4, v6...); !reflect.DeepEqual(r.Prefixes, want) {
			t.Fatalf("prefixes read back as %v, want %v", r.Prefixes, want)
		}
	})
}
