package ca

import (
	"bytes"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// TestEncodeROA checks the RFC 9582 layout byte for byte: no version,
// IPv4 family first, prefixes sorted, duplicates dropped, and maxLength
// written only when it differs from the prefix length.
func TestEncodeROA(t *testing.T) {
	got, err := EncodeROA(65536, []x509rpki.ROAPrefix{
		{Prefix: mp("2001:db8::/32")},
		{Prefix: mp("192.0.2.0/24"), MaxLength: 24},
		{Prefix: mp("10.0.0.0/8"), MaxLength: 16},
		{Prefix: mp("192.0.2.0/24")}, // duplicate of the second
	})
	must(t, err)
	want := unhex(t, "30 31 02 03 01 00 00 30 2a"+
		"30 17 04 02 00 01 30 11"+ // IPv4 family
		"30 07 03 02 00 0a 02 01 10"+ // 10.0.0.0/8 maxLength 16
		"30 06 03 04 00 c0 00 02"+ // 192.0.2.0/24, no maxLength
		"30 0f 04 02 00 02 30 09 30 07 03 05 00 20 01 0d b8") // IPv6 family: 2001:db8::/32
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	if _, err := EncodeROA(1, nil); err == nil {
		t.Fatal("ROA without prefixes accepted")
	}
}

// TestEncodeASPA checks the current profile's layout: explicit version 1,
// no AFI, providers sorted and unique.
func TestEncodeASPA(t *testing.T) {
	got, err := EncodeASPA(64496, []uint32{65000, 64497, 65000})
	must(t, err)
	want := unhex(t, "30 16 a0 03 02 01 01 02 03 00 fb f0 30 0a 02 03 00 fb f1 02 03 00 fd e8")
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	if _, err := EncodeASPA(1, nil); err == nil {
		t.Fatal("ASPA without providers accepted")
	}
}

// TestEncodeManifest checks the RFC 9286 §4.2 layout: no version, times as
// GeneralizedTime, SHA-256 as fileHashAlg, entries as IA5String and BIT
// STRING.
func TestEncodeManifest(t *testing.T) {
	this := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := FileEntry("a.roa", []byte("x"))
	got, err := EncodeManifest(big.NewInt(0), this, this.Add(time.Hour), []x509rpki.ManifestFile{e})
	must(t, err)
	want := unhex(t, "30 5e 02 01 00"+
		"18 0f 32 30 32 36 30 31 30 32 30 33 30 34 30 35 5a"+
		"18 0f 32 30 32 36 30 31 30 32 30 34 30 34 30 35 5a"+
		"06 09 60 86 48 01 65 03 04 02 01"+
		"30 2c 30 2a 16 05 61 2e 72 6f 61 03 21 00") // then the 32-byte hash
	want = append(want, e.Hash...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
	if _, err := EncodeManifest(big.NewInt(-1), this, this, nil); err == nil {
		t.Fatal("negative manifest number accepted")
	}
}

// TestDeterministic builds the same TA and ROA twice from the same keys and
// inputs and expects identical bytes: the lab relies on it for
// reproducible repositories.
func TestDeterministic(t *testing.T) {
	build := func() ([]byte, []byte) {
		nb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		ta, err := NewTA("det.test", Params{Key: pool(t).Get(keyTA), NotBefore: nb, NotAfter: nb.AddDate(1, 0, 0),
			Resources: ResourcesFor(nil, []x509rpki.ASRange{{Min: 1, Max: 10}})})
		must(t, err)
		roa, err := ta.NewROA(5, []x509rpki.ROAPrefix{{Prefix: mp("10.0.0.0/8")}}, ObjectParams{EEKey: pool(t).Get(keyEE1)})
		must(t, err)
		return ta.Cert, roa.DER
	}
	ta1, roa1 := build()
	ta2, roa2 := build()
	if !bytes.Equal(ta1, ta2) || !bytes.Equal(roa1, roa2) {
		t.Fatal("same inputs gave different bytes")
	}
}

// TestTAL writes the lab TA's TAL with pkg/tal and reads it back.
func TestTAL(t *testing.T) {
	l := buildLab(t)
	https := "https://lab.test/ta/LAB-TA.cer"
	got, err := tal.Parse(l.ta.TAL(https, l.ta.CertURI).Marshal())
	must(t, err)
	if !bytes.Equal(got.SPKI, l.ta.Key.SPKI()) || len(got.URIs) != 2 || got.URIs[0] != https || got.URIs[1] != l.ta.CertURI {
		t.Fatalf("TAL read back as %q %x", got.URIs, got.SPKI)
	}
}

func TestTemplateErrors(t *testing.T) {
	k, other := pool(t).Get(keyCA), pool(t).Get(keyOther)
	now := time.Now()
	cases := []struct {
		name    string
		tmpl    CertTemplate
		subject PublicKey
		want    string
	}{
		{"no serial", CertTemplate{Kind: x509rpki.KindCA}, other, "positive"},
		{"zero serial", CertTemplate{Kind: x509rpki.KindCA, Serial: big.NewInt(0)}, other, "positive"},
		{"huge serial", CertTemplate{Kind: x509rpki.KindCA, Serial: new(big.Int).Lsh(big.NewInt(1), 160)}, other, "20 octets"},
		{"bad kind", CertTemplate{Kind: 99, Serial: big.NewInt(1)}, other, "unknown kind"},
		{"TA not self-signed", CertTemplate{Kind: x509rpki.KindTA, Serial: big.NewInt(1)}, other, "self-signed"},
		{"bad name", CertTemplate{Kind: x509rpki.KindCA, Serial: big.NewInt(1), Subject: "a_b"}, other, "PrintableString"},
		{"bad AS range", CertTemplate{Kind: x509rpki.KindCA, Serial: big.NewInt(1),
			Resources: x509rpki.Resources{AS: x509rpki.ASResources{Present: true, Ranges: []x509rpki.ASRange{{Min: 5, Max: 4}}}}}, other, "AS range"},
		{"UTCTime year out of range", CertTemplate{Kind: x509rpki.KindCA, Serial: big.NewInt(1), NotBefore: now,
			NotAfter: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, other, "ca: cert"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := IssueCert(&c.tmpl, c.subject, k)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}
