package x509rpki

import (
	"encoding/asn1"
	"errors"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
)

const bbnRoot = "rpki-commons/src/test/resources/conformance/root/"

// TestGBRContentCorpus checks the vCard rules of RFC 6493 §5 on every
// corpus GBR whose failure (if any) lies in the vCard.
func TestGBRContentCorpus(t *testing.T) {
	want := map[string]string{
		"badGBRExtraProperty.gbr": `"TITLE" not allowed`,
		"badGBRNoContact.gbr":     "no ADR, TEL or EMAIL",
		"badGBRNotVCard.gbr":      "not allowed",
	}
	n := 0
	for _, f := range corpusFiles(t, TypeGBR) {
		so, err := parseCMS(readCorpus(t, f), oidCTGBR)
		if err != nil {
			if filepath.Base(f) != "badGBRWrongOID.gbr" || !errors.Is(err, ErrProfile) {
				t.Errorf("%s: %v", f, err)
			}
			continue
		}
		err = gbrCheckVCard(string(so.Content))
		w := want[filepath.Base(f)]
		switch {
		case w == "" && err != nil:
			t.Errorf("%s: %v", f, err)
		case w != "" && (err == nil || !strings.Contains(err.Error(), w)):
			t.Errorf("%s: got %v, want %q", f, err, w)
		}
		n++
	}
	if n != 11 {
		t.Errorf("%d GBRs checked, want 11", n)
	}
}

func TestGBRVCardHostile(t *testing.T) {
	ok := "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEMAIL:a@b\r\nEND:VCARD\r\n"
	if err := gbrCheckVCard(ok); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{
		"empty":      "",
		"no end":     "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEMAIL:a@b\r\n",
		"version 2":  "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:x\r\nEMAIL:a@b\r\nEND:VCARD\r\n",
		"no FN":      "BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:a@b\r\nEND:VCARD\r\n",
		"begin late": "VERSION:4.0\r\nBEGIN:VCARD\r\nFN:x\r\nEMAIL:a@b\r\nEND:VCARD\r\n",
		"photo":      "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nPHOTO:x\r\nEMAIL:a@b\r\nEND:VCARD\r\n",
		"no colon":   "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEMAIL\r\nEND:VCARD\r\n",
	} {
		if err := gbrCheckVCard(v); !errors.Is(err, ErrProfile) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestRSCContentCorpus decodes the corpus Signed Checklists.
func TestRSCContentCorpus(t *testing.T) {
	cases := []struct {
		file  string
		files int
		err   string
	}{
		{"rpki-prover/test/data/checklist.sig", 2, ""},
		{"rpki-commons/src/test/resources/interop/openbsd-regress/checklist-08.sig", 2, ""},
		{"rpki-commons/src/test/resources/interop/openbsd-regress/c6938fc00af6496d9d4e6e2d876e4b4811887b60f4f1bc9cd0b3cdb7c57c6d5e.sig", 1, ""},
		// Gray in EXPECTED.tsv; rpki-client rejects it too: the
		// addressesOrRanges SEQUENCE is missing.
		{"rpki-prover/test/data/checklist.sig.1", 0, "addressesOrRanges"},
	}
	for _, c := range cases {
		so, err := parseCMS(readCorpus(t, c.file), oidCTRSC)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		r, err := parseRSCContent(so.Content)
		if c.err != "" {
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: got %v, want %q", c.file, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if len(r.Files) != c.files || len(r.AS)+len(r.IP) == 0 {
			t.Errorf("%s: %d files, %d AS, %d IP", c.file, len(r.Files), len(r.AS), len(r.IP))
		}
	}
	so, _ := parseCMS(readCorpus(t, cases[0].file), oidCTRSC)
	r, _ := parseRSCContent(so.Content)
	want := IPRange{netip.MustParseAddr("2001:67c:208c::"), netip.MustParseAddr("2001:67c:208c:ffff:ffff:ffff:ffff:ffff")}
	if len(r.IP) != 1 || r.IP[0] != want || r.Files[0].Name != "b42_ipv6_loa.png" || r.Files[1].Name != "" {
		t.Errorf("checklist.sig: %+v", r)
	}
}

func TestBitStringRange(t *testing.T) {
	// RFC 3779 §2.2.3.9 example: 129.64.0.0 - 129.95.255.255 is min
	// 10000001 01 and max 10000001 010111.
	lo := bitsOf([]byte{0x81, 0x40}, 10)
	hi := bitsOf([]byte{0x81, 0x5c}, 14)
	r, ok := bitStringRange(lo, hi, afiIPv4)
	if !ok || r.Min != netip.MustParseAddr("129.64.0.0") || r.Max != netip.MustParseAddr("129.95.255.255") {
		t.Fatalf("got %v %v", r, ok)
	}
	if _, ok := bitStringRange(bitsOf([]byte{130}, 8), bitsOf([]byte{129}, 8), afiIPv4); ok {
		t.Fatal("inverted range accepted")
	}
}

// TestTAKContentCorpus decodes the three OpenBSD regress TAKs, whose keys
// rpki-client reports as current or current,successor.
func TestTAKContentCorpus(t *testing.T) {
	ref := loadReference(t, "REFERENCE-rpki-client-summary.tsv")
	files := corpusFiles(t, TypeTAK)
	for _, f := range files {
		so, err := parseCMS(readCorpus(t, f), oidCTTAK)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		tak, err := parseTAKContent(so.Content)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		keys := "current"
		if tak.Predecessor != nil {
			keys += ",predecessor"
		}
		if tak.Successor != nil {
			keys += ",successor"
		}
		if want := ref[f].field("keys"); keys != want {
			t.Errorf("%s: keys %s, rpki-client %s", f, keys, want)
		}
		if len(tak.Current.URIs) == 0 || len(tak.Current.RawSPKI) < 200 {
			t.Errorf("%s: current key %+v", f, tak.Current)
		}
	}
	if len(files) != 3 {
		t.Errorf("%d TAKs", len(files))
	}
}

// TestSPLContentCorpus decodes rpki-prover's SPL: AS15562, 23 prefixes.
func TestSPLContentCorpus(t *testing.T) {
	so, err := parseCMS(readCorpus(t, "rpki-prover/test/data/9X0AhXWTJDl8lJhfOwvnac-42CA.spl"), oidCTSPL)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseSPLContent(so.Content)
	if err != nil {
		t.Fatal(err)
	}
	if s.ASID != 15562 || len(s.Prefixes) != 23 || s.Prefixes[0] != netip.MustParsePrefix("67.221.245.0/24") ||
		!s.Prefixes[22].Addr().Is6() {
		t.Fatalf("got AS%d %v", s.ASID, s.Prefixes)
	}
}

// bitsOf builds a BIT STRING value of n bits.
func bitsOf(b []byte, n int) asn1.BitString {
	return asn1.BitString{Bytes: b, BitLength: n}
}

// gbrCheckVCardSplit is the former reading of gbrCheckVCard, which split a
// copy of the vCard into lines; TestGBRVCardLikeSplit holds the present
// one, which cuts lines in place, to the same verdicts and messages.
func gbrCheckVCardSplit(content []byte) error {
	text := strings.ReplaceAll(string(content), "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	seen := map[string]bool{}
	for i, line := range lines {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name := strings.ToUpper(line[:max(strings.IndexAny(line, ":;"), 0)])
		if j := strings.LastIndexByte(name, '.'); j >= 0 {
			name = name[j+1:]
		}
		if !gbrAllowed[name] {
			return newError("gbr", ErrProfile, "RFC 6493 §5", "vCard property %q not allowed", name)
		}
		if i == 0 && !strings.EqualFold(line, "BEGIN:VCARD") ||
			i == 1 && !strings.EqualFold(line, "VERSION:4.0") && !strings.EqualFold(line, "VERSION:3.0") {
			return newError("gbr", ErrProfile, "RFC 6493 §5", "not a vCard (BEGIN:VCARD, VERSION:4.0 or 3.0)")
		}
		seen[name] = true
	}
	if !strings.EqualFold(lines[len(lines)-1], "END:VCARD") || !seen["FN"] {
		return newError("gbr", ErrProfile, "RFC 6493 §5", "vCard lacks FN or END")
	}
	if !seen["ADR"] && !seen["TEL"] && !seen["EMAIL"] {
		return newError("gbr", ErrProfile, "RFC 6493 §5", "vCard has no ADR, TEL or EMAIL")
	}
	return nil
}

// TestGBRVCardLikeSplit compares gbrCheckVCard with the former reading on
// random vCards assembled from real and broken lines with every kind of
// line end (LF, CRLF, lone CR, CR CR LF, none).
func TestGBRVCardLikeSplit(t *testing.T) {
	lines := []string{"BEGIN:VCARD", "begin:vcard", "VERSION:4.0", "VERSION:3.0", "FN:x", "EMAIL:a@b",
		"item1.TEL:1", "ADR:;;x", "END:VCARD", "end:vcard", "", " folded", "\tfolded", "PHOTO:x", "EMAIL", "\r", ":"}
	ends := []string{"\n", "\r\n", "\r", "\r\r\n", "", "\n\n", "\r\n\r\n"}
	r := rand.New(rand.NewPCG(3, 4))
	accepted := 0
	check := func(v string) {
		got, want := gbrCheckVCard(v), gbrCheckVCardSplit([]byte(v))
		if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
			t.Fatalf("%q: got %v, former reading %v", v, got, want)
		}
		if got == nil {
			accepted++
		}
	}
	check("")
	check("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEMAIL:a@b\r\nEND:VCARD\r\n\r\n\n")
	for range 100_000 {
		var b strings.Builder
		// Mostly well-formed starts, so that both verdicts are common.
		start := []string{"BEGIN:VCARD", "VERSION:4.0", "FN:x", "EMAIL:a@b"}
		for i := range r.IntN(5) {
			b.WriteString(start[i] + ends[r.IntN(2)])
		}
		for range r.IntN(5) {
			b.WriteString(lines[r.IntN(len(lines))] + ends[r.IntN(len(ends))])
		}
		if r.IntN(2) == 0 {
			b.WriteString("END:VCARD" + ends[r.IntN(len(ends))])
		}
		check(b.String())
	}
	if accepted < 100 {
		t.Fatalf("only %d random vCards accepted: the sample does not test both verdicts", accepted)
	}
}
