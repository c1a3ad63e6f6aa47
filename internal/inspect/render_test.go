package inspect

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"math/big"
	"net/netip"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

func TestColonHex(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{0x0a}, "0A"},
		{[]byte{0xe8, 0x55, 0x2b}, "E8:55:2B"},
	} {
		if got := colonHex(tc.in); got != tc.want {
			t.Errorf("colonHex(%x) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// bnHex must print numbers as rpki-client (OpenSSL BN_bn2hex) does; the
// cases are values from the reference summaries.
func TestBNHex(t *testing.T) {
	max20, _ := new(big.Int).SetString("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", 16)
	for _, tc := range []struct {
		in   *big.Int
		want string
	}{
		{nil, ""},
		{big.NewInt(0), "0"},
		{big.NewInt(1), "01"},
		{big.NewInt(0xc0), "C0"},
		{big.NewInt(0x25e), "025E"},
		{big.NewInt(-1), "-01"},
		{max20, "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"},
	} {
		if got := bnHex(tc.in); got != tc.want {
			t.Errorf("bnHex(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRangePrefix(t *testing.T) {
	a := netip.MustParseAddr
	for _, tc := range []struct {
		lo, hi string
		want   string // "" when no single prefix covers the range exactly
	}{
		{"10.0.0.0", "10.0.0.255", "10.0.0.0/24"},
		{"10.0.0.7", "10.0.0.7", "10.0.0.7/32"},
		{"0.0.0.0", "255.255.255.255", "0.0.0.0/0"},
		{"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0"},
		{"2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32"},
		{"10.0.0.1", "10.0.0.2", ""},
		{"10.0.0.0", "10.0.1.254", ""},
		{"10.0.0.0", "::1", ""},
	} {
		p, ok := rangePrefix(a(tc.lo), a(tc.hi))
		got := ""
		if ok {
			got = p.String()
		}
		if got != tc.want {
			t.Errorf("rangePrefix(%s, %s) = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

// resourceViews lists AS, then IPv4, then IPv6, and prints inherit as such.
func TestResourceViews(t *testing.T) {
	a := netip.MustParseAddr
	r := &x509rpki.Resources{
		AS:   x509rpki.ASResources{Present: true, Ranges: []x509rpki.ASRange{{Min: 65000, Max: 65000}, {Min: 1, Max: 10}}},
		IPv4: x509rpki.IPResources{Present: true, Ranges: []x509rpki.IPRange{{Min: a("10.0.0.0"), Max: a("10.255.255.255")}, {Min: a("192.0.2.1"), Max: a("192.0.2.9")}}},
		IPv6: x509rpki.IPResources{Present: true, Inherit: true},
	}
	got := resourceViews(r)
	if len(got) != 5 {
		t.Fatalf("got %d entries, want 5: %+v", len(got), got)
	}
	if got[0].ASID == nil || *got[0].ASID != 65000 || got[1].ASRange == nil || got[1].ASRange.Max != uint32(10) {
		t.Errorf("AS entries: %+v %+v", got[0], got[1])
	}
	if got[2].Prefix != "10.0.0.0/8" || got[3].IPRange == nil || got[3].IPRange.Min != "192.0.2.1" {
		t.Errorf("IPv4 entries: %+v %+v", got[2], got[3])
	}
	if got[4].Inherit != "ipv6" {
		t.Errorf("IPv6 entry: %+v", got[4])
	}
}

// spkiKeyID hashes the subjectPublicKey bits, which for RSA are the PKCS #1
// public key.
func TestSPKIKeyID(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	want := sha1.Sum(x509.MarshalPKCS1PublicKey(&key.PublicKey))
	if got := spkiKeyID(spki); string(got) != string(want[:]) {
		t.Errorf("spkiKeyID = %x, want %x", got, want)
	}
	if spkiKeyID([]byte{0x30, 0x03, 0x02, 0x01}) != nil {
		t.Error("spkiKeyID accepted a truncated SPKI")
	}
}

func TestStaleReason(t *testing.T) {
	nb := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	na := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := &x509rpki.Cert{NotBefore: nb, NotAfter: na}
	mft := &x509rpki.Manifest{
		Signed:     &x509rpki.SignedObject{EE: c},
		ThisUpdate: nb, NextUpdate: nb.Add(24 * time.Hour),
	}
	for _, tc := range []struct {
		obj  any
		now  time.Time
		want string
	}{
		{c, nb.Add(time.Hour), ""},
		{c, nb.Add(-time.Second), "certificate not valid before 2023-01-01T00:00:00Z"},
		{c, na.Add(time.Second), "certificate expired at 2024-01-01T00:00:00Z"},
		{mft, nb.Add(time.Hour), ""},
		{mft, nb.Add(48 * time.Hour), "manifest thisUpdate/nextUpdate expired at 2023-01-02T00:00:00Z"},
	} {
		if got := staleReason(tc.obj, tc.now); got != tc.want {
			t.Errorf("staleReason(%T, %s) = %q, want %q", tc.obj, tc.now, got, tc.want)
		}
	}
}
