package x509rpki

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// TestManifestContentCorpus decodes the eContent of every corpus manifest
// that rpki-client 8.2 parsed and compares number, times and entry count.
func TestManifestContentCorpus(t *testing.T) {
	ref := loadReference(t, "REFERENCE-rpki-client-summary.tsv")
	n := 0
	for _, f := range corpusFiles(t, TypeManifest) {
		r := ref[f]
		der := readCorpus(t, f)
		if r.status != "parsed" || isBER(der) || r.field("mftnum") == "" {
			continue
		}
		so, err := parseCMS(der, oidCTManifest)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		m, err := parseManifestContent(so.Content)
		if err != nil {
			// BBN badMFTDuplicateFile*, badMFTNumTooBig: rpki-client 8.2
			// parses them; RFC 9286 §4.2 forbids them. TestBBNConformance
			// judges the bad* cases.
			if !strings.HasPrefix(filepath.Base(f), "badMFT") {
				t.Errorf("%s: %v", f, err)
			}
			continue
		}
		n++
		num := fmt.Sprintf("%X", m.Number.Bytes())
		if num == "" {
			num = "0" // rpki-client prints zero as "0", others as octets
		}
		got := fmt.Sprintf("%s %d %d %d", num, m.ThisUpdate.Unix(), m.NextUpdate.Unix(), len(m.Files))
		want := fmt.Sprintf("%s %s %s %s", r.field("mftnum"), r.field("thisUpdate"), r.field("nextUpdate"), r.field("entries"))
		if got != want {
			t.Errorf("%s: got %q, rpki-client %q", f, got, want)
		}
		for _, file := range m.Files {
			if len(file.Hash) != 32 {
				t.Errorf("%s: %s hash of %d bytes", f, file.Name, len(file.Hash))
			}
		}
	}
	if n < 60 {
		t.Errorf("only %d manifests compared", n)
	}
}

// mftSpec describes a hand-built Manifest eContent.
type mftSpec struct {
	version      int64 // < 0: absent
	number       []byte
	this, next   string
	alg          asn1.ObjectIdentifier
	files        []ManifestFile
	hashBits     int // 0: 256
	trailing     []byte
	thisTag      cbasn1.Tag
	omitFileList bool
}

// goodMft returns a valid spec to mutate.
func goodMft() mftSpec {
	return mftSpec{
		version: -1, number: []byte{0x01, 0x2c}, this: "20230101000000Z", next: "20230102000000Z",
		alg:   oidSHA256,
		files: []ManifestFile{{"a.roa", make([]byte, 32)}, {"B-_9.crl", make([]byte, 32)}},
	}
}

// build encodes the spec.
func (m mftSpec) build() []byte {
	var b cryptobyte.Builder
	tag := m.thisTag
	if tag == 0 {
		tag = cbasn1.GeneralizedTime
	}
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if m.version >= 0 {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddASN1Int64(m.version) })
		}
		b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(m.number) })
		b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.this)) })
		b.AddASN1(cbasn1.GeneralizedTime, func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.next)) })
		b.AddASN1ObjectIdentifier(m.alg)
		if m.omitFileList {
			return
		}
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, f := range m.files {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.IA5String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(f.Name)) })
					b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
						b.AddUint8(0)
						b.AddBytes(f.Hash)
					})
				})
			}
		})
	})
	return append(b.BytesOrPanic(), m.trailing...)
}

func TestManifestContentGood(t *testing.T) {
	m, err := parseManifestContent(goodMft().build())
	if err != nil {
		t.Fatal(err)
	}
	if m.Number.Int64() != 300 || len(m.Files) != 2 || m.Files[1].Name != "B-_9.crl" ||
		!m.ThisUpdate.Equal(time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("got %+v", m)
	}
	// 2^159-1, 20 content octets, is the largest allowed (BBN MFTNumMax).
	s := goodMft()
	s.number = bytes.Repeat([]byte{0xff}, 20)
	s.number[0] = 0x7f
	if _, err := parseManifestContent(s.build()); err != nil {
		t.Fatalf("20-octet manifestNumber: %v", err)
	}
}

func TestManifestContentHostile(t *testing.T) {
	cases := []struct {
		name, want string
		edit       func(*mftSpec)
		class      error
	}{
		{"explicit version 0", "DEFAULT", func(m *mftSpec) { m.version = 0 }, ErrMalformed},
		{"version 1", "version is 1", func(m *mftSpec) { m.version = 1 }, ErrProfile},
		{"negative number", "negative", func(m *mftSpec) { m.number = []byte{0xff} }, ErrProfile},
		{"non-minimal number", "non-minimal", func(m *mftSpec) { m.number = []byte{0, 1} }, ErrMalformed},
		{"21-octet number", "longer than 20", func(m *mftSpec) { m.number = append([]byte{1}, make([]byte, 20)...) }, ErrProfile},
		{"2^159", "longer than 20", func(m *mftSpec) { m.number = append([]byte{0, 0x80}, make([]byte, 19)...) }, ErrProfile},
		{"empty number", "manifestNumber", func(m *mftSpec) { m.number = nil }, ErrMalformed},
		{"next before this", "not before", func(m *mftSpec) { m.next = "20221231000000Z" }, ErrProfile},
		{"next equals this", "not before", func(m *mftSpec) { m.next = m.this }, ErrProfile},
		{"fractional time", "thisUpdate", func(m *mftSpec) { m.this = "20230101000000.5Z" }, ErrMalformed},
		{"local time", "thisUpdate", func(m *mftSpec) { m.this = "20230101000000" }, ErrMalformed},
		{"UTCTime", "thisUpdate", func(m *mftSpec) { m.this = "230101000000Z"; m.thisTag = cbasn1.UTCTime }, ErrMalformed},
		{"SHA-1", "fileHashAlg", func(m *mftSpec) { m.alg = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26} }, ErrProfile},
		{"duplicate file", "listed twice", func(m *mftSpec) { m.files = append(m.files, m.files[0]) }, ErrProfile},
		{"short hash", "want 256", func(m *mftSpec) { m.files[0].Hash = make([]byte, 20) }, ErrProfile},
		{"no dot", "invalid file name", func(m *mftSpec) { m.files[0].Name = "abcroa" }, ErrProfile},
		{"two dots", "invalid file name", func(m *mftSpec) { m.files[0].Name = "a.b.roa" }, ErrProfile},
		{"slash", "invalid file name", func(m *mftSpec) { m.files[0].Name = "../a.roa" }, ErrProfile},
		{"long extension", "invalid file name", func(m *mftSpec) { m.files[0].Name = "a.roas" }, ErrProfile},
		{"digit extension", "invalid file name", func(m *mftSpec) { m.files[0].Name = "a.r0a" }, ErrProfile},
		{"empty base", "invalid file name", func(m *mftSpec) { m.files[0].Name = ".roa" }, ErrProfile},
		{"space", "invalid file name", func(m *mftSpec) { m.files[0].Name = "a b.roa" }, ErrProfile},
		{"no fileList", "fileList", func(m *mftSpec) { m.omitFileList = true }, ErrMalformed},
		{"trailing garbage", "trailing", func(m *mftSpec) { m.trailing = []byte{0} }, ErrMalformed},
	}
	for _, c := range cases {
		s := goodMft()
		c.edit(&s)
		_, err := parseManifestContent(s.build())
		if !errors.Is(err, c.class) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %v containing %q", c.name, err, c.class, c.want)
		}
	}
}

func TestManifestEntryLimit(t *testing.T) {
	s := goodMft()
	s.files = make([]ManifestFile, MaxManifestEntries+1)
	for i := range s.files {
		s.files[i] = ManifestFile{fmt.Sprintf("f%d.roa", i), make([]byte, 32)}
	}
	_, err := parseManifestContent(s.build())
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("got %v", err)
	}
}

// TestManifestFreshness checks the time part of Validate without an
// issuer chain: the time checks follow the signature, so they are checked
// here on their own through a manifest whose window is known.
func TestManifestFreshness(t *testing.T) {
	m := &Manifest{
		ThisUpdate: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		NextUpdate: time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC),
	}
	for _, c := range []struct {
		now   time.Time
		stale bool
	}{
		{m.ThisUpdate.Add(-time.Second), true},
		{m.ThisUpdate, false},
		{m.NextUpdate, false},
		{m.NextUpdate.Add(time.Second), true},
	} {
		err := m.checkFreshness(c.now)
		if c.stale != errors.Is(err, ErrStale) || !c.stale && err != nil {
			t.Errorf("now %v: %v", c.now, err)
		}
	}
}

func BenchmarkParseManifest(b *testing.B) {
	for name, f := range map[string]string{
		"3entries":   krillDir + "NLnetLabs/0/B2F9D7A5A5A9D791BE2BB641C9AF19505D100C2F.mft",
		"344entries": bbnRoot + "root.mft",
	} {
		der := readCorpus(b, f)
		if _, err := ParseManifest(der); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(der)))
			for b.Loop() {
				if _, err := ParseManifest(der); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkManifestValidate parses a Krill manifest and validates it
// against its issuer (two RSA-2048 checks, freshness).
func BenchmarkManifestValidate(b *testing.B) {
	idx := loadCerts(b, krillDir)
	der := readCorpus(b, krillDir+"NLnetLabs/0/B2F9D7A5A5A9D791BE2BB641C9AF19505D100C2F.mft")
	m, err := ParseManifest(der)
	if err != nil {
		b.Fatal(err)
	}
	iss := idx.resolvedIssuer(m.Signed.EE)
	now := m.ThisUpdate.Add(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		m, err := ParseManifest(der)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Validate(iss, now); err != nil {
			b.Fatal(err)
		}
	}
}
