package x509rpki

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ctOf maps a signed object type to its eContentType.
func ctOf(ty ObjectType) asn1.ObjectIdentifier {
	return map[ObjectType]asn1.ObjectIdentifier{
		TypeManifest: oidCTManifest, TypeROA: oidCTROA, TypeASPA: oidCTASPA,
		TypeGBR: oidCTGBR, TypeRSC: oidCTRSC, TypeTAK: oidCTTAK, TypeSPL: oidCTSPL,
	}[ty]
}

// --- DER surgery helpers: split an element into its children and build
// new elements, so hostile variants are made from real objects. ---

// derChildren splits the contents of the DER element der into its raw
// child elements.
func derChildren(t testing.TB, der []byte) (tag cbasn1.Tag, kids [][]byte) {
	t.Helper()
	s := cryptobyte.String(der)
	var body cryptobyte.String
	if !s.ReadAnyASN1(&body, &tag) || !s.Empty() {
		t.Fatalf("derChildren: bad element %x", der[:min(len(der), 8)])
	}
	for !body.Empty() {
		var kid cryptobyte.String
		var kt cbasn1.Tag
		if !body.ReadAnyASN1Element(&kid, &kt) {
			t.Fatal("derChildren: bad child")
		}
		kids = append(kids, kid)
	}
	return tag, kids
}

// derWrap encodes children under tag.
func derWrap(tag cbasn1.Tag, kids ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, k := range kids {
			b.AddBytes(k)
		}
	})
	return b.BytesOrPanic()
}

// cmsEdit holds the decomposed layers of a signed object.
type cmsEdit struct {
	sd     [][]byte // SignedData children: version, digestAlgs, eci, certs, [crls], signerInfos
	si     [][]byte // the first SignerInfo's children
	extra  [][]byte // further SignerInfos
	attrs  [][]byte // the signed attributes
	attrsT cbasn1.Tag
}

// splitCMS decomposes der.
func splitCMS(t testing.TB, der []byte) *cmsEdit {
	t.Helper()
	_, ci := derChildren(t, der)
	_, inner := derChildren(t, ci[1])
	_, sd := derChildren(t, inner[0])
	_, infos := derChildren(t, sd[len(sd)-1])
	_, si := derChildren(t, infos[0])
	tag, attrs := derChildren(t, si[3])
	return &cmsEdit{sd: sd, si: si, extra: infos[1:], attrs: attrs, attrsT: tag}
}

// join re-encodes the decomposed object.
func (e *cmsEdit) join() []byte {
	si := append([][]byte{}, e.si...)
	si[3] = derWrap(e.attrsT, e.attrs...)
	infos := append([][]byte{derWrap(cbasn1.SEQUENCE, si...)}, e.extra...)
	sd := append(append([][]byte{}, e.sd[:len(e.sd)-1]...), derWrap(cbasn1.SET, infos...))
	inner := derWrap(cbasn1.Tag(0).Constructed().ContextSpecific(), derWrap(cbasn1.SEQUENCE, sd...))
	oid := mustOID(oidSignedData)
	return derWrap(cbasn1.SEQUENCE, oid, inner)
}

// mustOID encodes an OID element.
func mustOID(oid asn1.ObjectIdentifier) []byte {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(oid)
	return b.BytesOrPanic()
}

// derInt encodes a small INTEGER element.
func derInt(n int64) []byte {
	var b cryptobyte.Builder
	b.AddASN1Int64(n)
	return b.BytesOrPanic()
}

// sampleROA is a small real ROA (Krill testbed, AS8587 185.49.140.0/23-32).
const sampleROA = "_derived/rrdp-extracted/krill/test-resources/migrations/v0_13_1_pubserver/repo/rrdp/41890b14-62ee-430f-b15d-c4bade57537e/382/78451657e95955cc/snapshot.xml/krill-ui-dev-testbed.krill.cloud/repo/NLnetLabs/0/3138352e34392e3134302e302f32332d3332203d3e2038353837.roa"

// TestParseCMSCorpus parses the envelope of every corpus signed object that
// rpki-client 8.2 parsed and checks the signer's SKI against its output.
func TestParseCMSCorpus(t *testing.T) {
	ref := loadReference(t, "REFERENCE-rpki-client-summary.tsv")
	n, ber := 0, 0
	for _, ty := range []ObjectType{TypeManifest, TypeROA, TypeASPA, TypeGBR, TypeRSC, TypeTAK, TypeSPL} {
		for _, f := range corpusFiles(t, ty) {
			r := ref[f]
			if r.status != "parsed" || r.field("ski") == "" {
				continue
			}
			der := readCorpus(t, f)
			so, err := parseCMS(der, ctOf(ty))
			if isBER(der) {
				// Deviation: rpki-client 8.2 (OpenSSL) accepts BER
				// indefinite lengths in old RIPE NCC objects; RFC 6488 §2
				// requires DER, and so do we.
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("%s: BER object not rejected: %v", f, err)
				}
				ber++
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			n++
			ski := strings.ReplaceAll(r.field("ski"), ":", "")
			if got := strings.ToUpper(hex.EncodeToString(so.SID)); got != ski {
				t.Errorf("%s: sid %s, rpki-client SKI %s", f, got, ski)
			}
			if len(so.RawSigned) == 0 || so.RawSigned[0] != 0x31 || len(so.Signature) == 0 {
				t.Errorf("%s: signed attributes or signature missing", f)
			}
		}
	}
	if n < 135 || ber != 4 {
		t.Errorf("%d envelopes parsed, %d BER rejected; want >= 135 and 4", n, ber)
	}
}

// isBER reports whether der starts with an indefinite-length SEQUENCE.
func isBER(der []byte) bool {
	return len(der) > 1 && der[0] == 0x30 && der[1] == 0x80
}

// TestCMSHostile feeds variants of a real ROA and checks each is rejected
// with the right class and section.
func TestCMSHostile(t *testing.T) {
	der := readCorpus(t, sampleROA)
	if _, err := parseCMS(der, oidCTROA); err != nil {
		t.Fatalf("base object rejected: %v", err)
	}
	attrOID := func(e *cmsEdit, i int) asn1.ObjectIdentifier {
		_, kids := derChildren(t, e.attrs[i])
		var oid asn1.ObjectIdentifier
		s := cryptobyte.String(kids[0])
		s.ReadASN1ObjectIdentifier(&oid)
		return oid
	}
	edit := func(f func(e *cmsEdit)) []byte {
		e := splitCMS(t, der)
		f(e)
		return e.join()
	}
	cases := []struct {
		name    string
		der     []byte
		want    asn1.ObjectIdentifier
		class   error
		section string
	}{
		{"empty", nil, oidCTROA, ErrMalformed, ""},
		{"trailing garbage", append(append([]byte{}, der...), 0), oidCTROA, ErrMalformed, "trailing"},
		{"wrong content type", der, oidCTManifest, ErrProfile, "§2.1.3.1"},
		{"not DER", []byte{0x30, 0x80, 0, 0}, oidCTROA, ErrMalformed, "§2"},
		{"identity join", edit(func(e *cmsEdit) {}), oidCTROA, nil, ""},
		{"two signers", edit(func(e *cmsEdit) {
			e.extra = append(e.extra, derWrap(cbasn1.SEQUENCE, e.si...))
		}), oidCTROA, ErrProfile, "more than one SignerInfo"},
		{"version 1", edit(func(e *cmsEdit) { e.sd[0] = derInt(1) }), oidCTROA, ErrProfile, "§2.1.1"},
		{"two digest algorithms", edit(func(e *cmsEdit) {
			_, algs := derChildren(t, e.sd[1])
			e.sd[1] = derWrap(cbasn1.SET, algs[0], algs[0])
		}), oidCTROA, ErrProfile, "§2.1.2"},
		{"crls present", edit(func(e *cmsEdit) {
			crls := derWrap(cbasn1.Tag(1).Constructed().ContextSpecific())
			e.sd = append(e.sd[:4], crls, e.sd[4])
		}), oidCTROA, ErrProfile, "§2.1.5"},
		{"no certificates", edit(func(e *cmsEdit) { e.sd = append(e.sd[:3], e.sd[4]) }), oidCTROA, ErrProfile, "§2.1.4"},
		{"two certificates", edit(func(e *cmsEdit) {
			_, certs := derChildren(t, e.sd[3])
			e.sd[3] = derWrap(cbasn1.Tag(0).Constructed().ContextSpecific(), certs[0], certs[0])
		}), oidCTROA, ErrProfile, "more than one certificate"},
		{"signer version 1", edit(func(e *cmsEdit) { e.si[0] = derInt(1) }), oidCTROA, ErrProfile, "§2.1.6.1"},
		{"unsigned attributes", edit(func(e *cmsEdit) {
			e.si = append(e.si, derWrap(cbasn1.Tag(1).Constructed().ContextSpecific(), e.attrs[0]))
		}), oidCTROA, ErrProfile, "§2.1.6.7"},
		{"duplicate attribute", edit(func(e *cmsEdit) { e.attrs = append(e.attrs, e.attrs[0]) }), oidCTROA, ErrProfile, "twice"},
		{"missing message digest", edit(func(e *cmsEdit) {
			var keep [][]byte
			for i := range e.attrs {
				if !attrOID(e, i).Equal(oidMessageDigest) {
					keep = append(keep, e.attrs[i])
				}
			}
			e.attrs = keep
		}), oidCTROA, ErrProfile, "§2.1.6.4.2"},
		{"unknown attribute", edit(func(e *cmsEdit) {
			oid := mustOID(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 15})
			e.attrs = append(e.attrs, derWrap(cbasn1.SEQUENCE, oid, derWrap(cbasn1.SET, derWrap(cbasn1.SEQUENCE))))
		}), oidCTROA, ErrProfile, "not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseCMS(c.der, c.want)
			if c.class == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, c.class) || !strings.Contains(err.Error(), c.section) {
				t.Fatalf("got %v, want class %v containing %q", err, c.class, c.section)
			}
		})
	}
}

// TestCMSDigestMismatch changes one byte of the eContent: the message
// digest then no longer matches (ErrSignature).
func TestCMSDigestMismatch(t *testing.T) {
	der := append([]byte{}, readCorpus(t, sampleROA)...)
	so, err := parseCMS(der, oidCTROA)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(der, so.Content)
	der[i+len(so.Content)-1] ^= 0x01
	_, err = parseCMS(der, oidCTROA)
	if !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), "message-digest") {
		t.Fatalf("got %v, want message-digest mismatch", err)
	}
}

// TestCMSTruncated checks every truncation of a real object is rejected as
// malformed, never accepted and never a panic.
func TestCMSTruncated(t *testing.T) {
	der := readCorpus(t, sampleROA)
	for n := 0; n < len(der); n++ {
		if _, err := parseCMS(der[:n], oidCTROA); !errors.Is(err, ErrMalformed) {
			t.Fatalf("truncated at %d/%d: %v", n, len(der), err)
		}
	}
}

// TestCMSTooLarge checks the MaxObjectSize limit applies before parsing.
func TestCMSTooLarge(t *testing.T) {
	_, err := parseCMS(make([]byte, MaxObjectSize+1), oidCTROA)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "exceeds limit") {
		t.Fatalf("got %v", err)
	}
}

// TestCMSSigningTime checks the DER time forms of the signing-time
// attribute (RFC 5652 §11.3): UTCTime through 2049, GeneralizedTime from
// 2050, seconds and Z always.
func TestCMSSigningTime(t *testing.T) {
	good := map[string]string{
		"\x17\x0d230102030405Z":   "2023-01-02T03:04:05Z",
		"\x17\x0d490102030405Z":   "2049-01-02T03:04:05Z",
		"\x17\x0d500102030405Z":   "1950-01-02T03:04:05Z",
		"\x18\x0f20500102030405Z": "2050-01-02T03:04:05Z",
	}
	for in, want := range good {
		var sa cmsSignedAttrs
		err := sa.add(derSigningTime, cryptobyte.String(in))
		if err != nil || sa.signingTime.Format(time.RFC3339) != want {
			t.Errorf("%q: got %v %v, want %s", in, sa.signingTime, err, want)
		}
	}
	for _, in := range []string{
		"\x17\x0b2301020304Z", "\x17\x11230102030405+0100", "\x18\x1120230102030405.5Z",
		"\x18\x0f20230102030405Z", "\x17\x0d231302030405Z", "\x04\x0d230102030405Z",
	} {
		var sa cmsSignedAttrs
		if err := sa.add(derSigningTime, cryptobyte.String(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// TestVerifyCorpus checks the CMS signature of every corpus signed object
// that parses: real objects and BBN "good" cases verify; a failure must be
// a BBN "bad" case.
func TestVerifyCorpus(t *testing.T) {
	n := 0
	for _, ty := range []ObjectType{TypeManifest, TypeROA, TypeASPA, TypeGBR, TypeRSC, TypeTAK, TypeSPL} {
		for _, f := range corpusFiles(t, ty) {
			parseEE := ParseCert
			if ty == TypeRSC {
				parseEE = parseEECertNoSIA
			}
			so, err := parseSignedObject(readCorpus(t, f), ctOf(ty), parseEE)
			if err != nil {
				continue
			}
			err = so.Verify()
			switch {
			case err == nil:
				n++
			case !errors.Is(err, ErrSignature) || !strings.HasPrefix(filepath.Base(f), "bad"):
				t.Errorf("%s: %v", f, err)
			}
			so.Signature = append([]byte{}, so.Signature...)
			so.Signature[len(so.Signature)/2] ^= 0x10
			if err := so.Verify(); !errors.Is(err, ErrSignature) {
				t.Errorf("%s: corrupted signature: %v", f, err)
			}
		}
	}
	if n < 250 {
		t.Errorf("only %d signatures verified", n)
	}
	t.Logf("%d CMS signatures verified", n)
}

// TestSignedObjectEEChecks replaces the embedded certificate by a CA
// certificate, and the sid by another key identifier.
func TestSignedObjectEEChecks(t *testing.T) {
	der := readCorpus(t, sampleROA)
	if _, err := ParseSignedObject(der, oidCTROA); err != nil {
		t.Fatal(err)
	}
	ca := readCorpus(t, krillDir+"testbed/0/B2F9D7A5A5A9D791BE2BB641C9AF19505D100C2F.cer")
	e := splitCMS(t, der)
	e.sd[3] = derWrap(cbasn1.Tag(0).Constructed().ContextSpecific(), ca)
	_, err := ParseSignedObject(e.join(), oidCTROA)
	if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "not an EE certificate") {
		t.Errorf("CA certificate: %v", err)
	}
	e = splitCMS(t, der)
	sid := append([]byte{}, e.si[1]...)
	sid[len(sid)-1] ^= 0xff
	e.si[1] = sid
	_, err = ParseSignedObject(e.join(), oidCTROA)
	if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "sid does not match") {
		t.Errorf("wrong sid: %v", err)
	}
}
