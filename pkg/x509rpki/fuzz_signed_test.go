package x509rpki

import (
	"bytes"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// fuzzMaxInput bounds fuzz inputs. Real signed objects are a few KB; the
// 44 KB APNIC ROA (the largest in the corpus) is left out of the seeds,
// since minimizing inputs that large stalls the fuzzer for minutes while
// adding no code path that smaller ROAs do not reach.
const fuzzMaxInput = 16 << 10

// seedCount is what a fuzz target was seeded with from the corpus: whole
// objects, and the eContent of those whose CMS layer parses.
type seedCount struct{ objects, contents int }

// minSeeds is, per fuzz target, what the corpus provides today: every
// object of the target's types up to fuzzMaxInput (one ROA is larger), and
// the eContent of each that parses. Seeding skips what is too large or
// does not parse, so without this floor a missing corpus, or a CMS layer
// that starts rejecting good objects, would leave the fuzzer with nothing
// and the seed run passing.
var minSeeds = map[string]seedCount{
	"cms":  {objects: 307, contents: 259},
	"roa":  {objects: 205, contents: 162},
	"mft":  {objects: 91, contents: 87},
	"aspa": {objects: 11, contents: 10},
	"any":  {objects: 622, contents: 277},
}

// checkSeeds fails the target when it got fewer seeds than minSeeds.
func checkSeeds(f *testing.F, name string, got seedCount) {
	f.Helper()
	want, ok := minSeeds[name]
	if !ok {
		f.Fatalf("no minimum seed count for %q", name)
	}
	if got.objects < want.objects || got.contents < want.contents {
		f.Fatalf("%s: seeded %d objects and %d eContents from the corpus, want at least %d and %d",
			name, got.objects, got.contents, want.objects, want.contents)
	}
}

// seedSigned adds every corpus object of the given types, and the eContent
// of each, as fuzz seeds (at least minSeeds[name]); plus the named
// regression inputs in testdata/fuzz-regress/<name>/.
func seedSigned(f *testing.F, name string, types ...ObjectType) {
	var n seedCount
	for _, ty := range types {
		for _, file := range corpusFiles(f, ty) {
			der := readCorpus(f, file)
			if len(der) > fuzzMaxInput {
				continue
			}
			f.Add(der)
			n.objects++
			if so, err := parseCMS(der, ctOf(ty)); err == nil {
				f.Add(so.Content)
				n.contents++
			}
		}
	}
	checkSeeds(f, name, n)
	regress, _ := filepath.Glob(filepath.Join("testdata", "fuzz-regress", name, "*"))
	for _, r := range regress {
		b, err := os.ReadFile(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseSignedObject checks that the CMS layer never panics and that
// whatever it accepts is DER that re-encodes to the same bytes.
func FuzzParseSignedObject(f *testing.F) {
	seedSigned(f, "cms", TypeROA, TypeManifest, TypeASPA)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		so, err := parseCMS(data, oidCTROA)
		if err != nil {
			if Class(err) == nil {
				t.Fatalf("error without class: %v", err)
			}
			return
		}
		if so.RawSigned[0] != 0x31 || !bytes.Contains(data, so.Content) {
			t.Fatal("raw parts inconsistent")
		}
		if got := splitCMS(t, data).join(); !bytes.Equal(got, data) {
			t.Fatal("accepted input does not re-encode to itself")
		}
		_, _ = ParseSignedObject(data, oidCTROA)
	})
}

// FuzzParseROA fuzzes the ROA eContent decoder and the whole ROA parser.
// An accepted eContent re-encoded from the parsed value parses to the same
// value.
func FuzzParseROA(f *testing.F) {
	seedSigned(f, "roa", TypeROA)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		_, _ = ParseROA(data)
		roa, err := parseROAContent(data)
		if err != nil {
			if Class(err) == nil {
				t.Fatalf("error without class: %v", err)
			}
			return
		}
		again, err := parseROAContent(encodeROAContent(roa))
		if err != nil || again.ASID != roa.ASID || !slices.Equal(again.Prefixes, roa.Prefixes) {
			t.Fatalf("round trip: %v %+v vs %+v", err, again, roa)
		}
	})
}

// encodeROAContent encodes a parsed ROA in canonical family grouping, with
// maxLength always present.
func encodeROAContent(r *ROA) []byte {
	var fams []roaFam
	for _, p := range r.Prefixes {
		afi := afi6
		if p.Prefix.Addr().Is4() {
			afi = afi4
		}
		if len(fams) == 0 || !bytes.Equal(fams[len(fams)-1].afi, afi) {
			fams = append(fams, roaFam{afi: afi})
		}
		bits := p.Prefix.Bits()
		raw := p.Prefix.Addr().AsSlice()[:(bits+7)/8]
		fams[len(fams)-1].addrs = append(fams[len(fams)-1].addrs, roaAddr{raw, byte((8 - bits%8) % 8), int64(p.MaxLength)})
	}
	return buildROAContent(-1, int64(r.ASID), fams)
}

// FuzzParseManifest fuzzes the manifest eContent decoder and the whole
// manifest parser. Accepted eContent re-encodes to the same bytes.
func FuzzParseManifest(f *testing.F) {
	seedSigned(f, "mft", TypeManifest)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		_, _ = ParseManifest(data)
		m, err := parseManifestContent(data)
		if err != nil {
			if Class(err) == nil {
				t.Fatalf("error without class: %v", err)
			}
			return
		}
		if got := encodeManifestContent(m); !bytes.Equal(got, data) {
			t.Fatalf("accepted input does not re-encode to itself:\n%x\n%x", data, got)
		}
	})
}

// encodeManifestContent encodes a parsed manifest (version absent).
func encodeManifestContent(m *Manifest) []byte {
	num := m.Number.Bytes()
	if len(num) == 0 || num[0]&0x80 != 0 {
		num = append([]byte{0}, num...)
	}
	s := mftSpec{
		version: -1, number: num, alg: oidSHA256, files: m.Files,
		this: m.ThisUpdate.Format("20060102150405Z"), next: m.NextUpdate.Format("20060102150405Z"),
	}
	return s.build()
}

// FuzzParseASPA fuzzes the ASPA eContent decoder and the whole ASPA
// parser. Accepted eContent re-encodes to the same bytes.
func FuzzParseASPA(f *testing.F) {
	seedSigned(f, "aspa", TypeASPA)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > fuzzMaxInput {
			return
		}
		_, _ = ParseASPA(data)
		a, err := parseASPAContent(data)
		if err != nil {
			if Class(err) == nil {
				t.Fatalf("error without class: %v", err)
			}
			return
		}
		providers := make([]int64, len(a.Providers))
		for i, p := range a.Providers {
			providers[i] = int64(p)
		}
		if got := buildASPAContent(1, int64(a.Customer), providers); !bytes.Equal(got, data) {
			t.Fatalf("accepted input does not re-encode to itself")
		}
	})
}

// anyDecoders are the decoders FuzzParseAny selects by the first byte: the
// nine file types through ParseAs, then the eContent decoders alone.
var anyDecoders = []func([]byte) error{
	func(b []byte) error { _, err := ParseAs(TypeCert, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeCRL, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeManifest, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeROA, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeASPA, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeGBR, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeRSC, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeTAK, b); return err },
	func(b []byte) error { _, err := ParseAs(TypeSPL, b); return err },
	func(b []byte) error { _, err := parseROAContent(b); return err },
	func(b []byte) error { _, err := parseManifestContent(b); return err },
	func(b []byte) error { _, err := parseASPAContent(b); return err },
	func(b []byte) error { _, err := parseRSCContent(b); return err },
	func(b []byte) error { _, err := parseTAKContent(b); return err },
	func(b []byte) error { _, err := parseSPLContent(b); return err },
	func(b []byte) error { return gbrCheckVCard(string(b)) },
}

// contentDecoder is the index in anyDecoders of each type's eContent
// decoder.
var contentDecoder = map[ObjectType]byte{
	TypeROA: 9, TypeManifest: 10, TypeASPA: 11, TypeRSC: 12, TypeTAK: 13, TypeSPL: 14, TypeGBR: 15,
}

// FuzzParseAny is the umbrella target (as rpki-rs fuzz/decode_objects.rs):
// the first byte selects the decoder, the rest is its input. Every
// rejection carries an error class.
func FuzzParseAny(f *testing.F) {
	var n seedCount
	for i, ty := range []ObjectType{TypeCert, TypeCRL, TypeManifest, TypeROA, TypeASPA, TypeGBR, TypeRSC, TypeTAK, TypeSPL} {
		for _, file := range corpusFiles(f, ty) {
			der := readCorpus(f, file)
			if len(der) >= fuzzMaxInput {
				continue
			}
			f.Add(append([]byte{byte(i)}, der...))
			n.objects++
			if so, err := parseCMS(der, ctOf(ty)); err == nil && contentDecoder[ty] != 0 {
				f.Add(append([]byte{contentDecoder[ty]}, so.Content...))
				n.contents++
			}
		}
	}
	checkSeeds(f, "any", n)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > fuzzMaxInput {
			return
		}
		err := anyDecoders[int(data[0])%len(anyDecoders)](data[1:])
		if err != nil && Class(err) == nil {
			t.Fatalf("error without class: %v", err)
		}
	})
}

// TestFuzzEncodersRoundTrip checks the fuzz targets' encoders on corpus
// objects, so a failing fuzz property points at the parser, not them.
func TestFuzzEncodersRoundTrip(t *testing.T) {
	for _, f := range corpusFiles(t, TypeManifest) {
		so, err := parseCMS(readCorpus(t, f), oidCTManifest)
		if err != nil {
			continue
		}
		m, err := parseManifestContent(so.Content)
		if err != nil {
			continue
		}
		if !bytes.Equal(encodeManifestContent(m), so.Content) {
			t.Errorf("%s: manifest re-encoding differs", f)
		}
	}
	n := new(big.Int).SetBytes([]byte{0x80})
	if got := encodeManifestContent(&Manifest{Number: n}); !bytes.Contains(got, []byte{2, 2, 0, 0x80}) {
		t.Errorf("manifest number 128 encoded as %x", got)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(*cryptobyte.Builder) {})
	if _, err := parseROAContent(b.BytesOrPanic()); err == nil {
		t.Error("empty RouteOriginAttestation accepted")
	}
}

// TestAnyDecoderIndex checks FuzzParseAny's selector table: each type's
// eContent decoder accepts the eContent of a real object of that type.
func TestAnyDecoderIndex(t *testing.T) {
	samples := map[ObjectType]string{
		TypeROA:      sampleROA,
		TypeManifest: krillDir + "NLnetLabs/0/B2F9D7A5A5A9D791BE2BB641C9AF19505D100C2F.mft",
		TypeASPA:     aspaDir + "GOOD-profile-15-APNIC-rpki-aspa-demo-AS1000.asa",
		TypeRSC:      "rpki-prover/test/data/checklist.sig",
		TypeTAK:      "rpki-commons/src/test/resources/interop/openbsd-regress/42AE70A64DA711EDB37796549E174E93.tak",
		TypeSPL:      "rpki-prover/test/data/9X0AhXWTJDl8lJhfOwvnac-42CA.spl",
		TypeGBR:      "rpki-prover/test/data/ClF4YOBviAEnwFokhNG1NXBZjEA.gbr",
	}
	for ty, f := range samples {
		so, err := parseCMS(readCorpus(t, f), ctOf(ty))
		if err != nil {
			t.Fatalf("%v: %v", ty, err)
		}
		if err := anyDecoders[contentDecoder[ty]](so.Content); err != nil {
			t.Errorf("%v: decoder %d: %v", ty, contentDecoder[ty], err)
		}
	}
}
