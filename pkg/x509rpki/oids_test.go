package x509rpki

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// derOIDTable lists every DER-form OID of oids.go with its dotted form,
// written out here rather than taken from oids.go.
var derOIDTable = map[string]struct {
	der    derOID
	dotted string
}{
	"derSHA256":            {derSHA256, "2.16.840.1.101.3.4.2.1"},
	"derRSAEncryption":     {derRSAEncryption, "1.2.840.113549.1.1.1"},
	"derSHA256WithRSA":     {derSHA256WithRSA, "1.2.840.113549.1.1.11"},
	"derECPublicKey":       {derECPublicKey, "1.2.840.10045.2.1"},
	"derNamedCurveP256":    {derNamedCurveP256, "1.2.840.10045.3.1.7"},
	"derSubjectKeyID":      {derSubjectKeyID, "2.5.29.14"},
	"derKeyUsage":          {derKeyUsage, "2.5.29.15"},
	"derBasicConstraints":  {derBasicConstraints, "2.5.29.19"},
	"derCRLNumber":         {derCRLNumber, "2.5.29.20"},
	"derCRLDistribution":   {derCRLDistribution, "2.5.29.31"},
	"derCertPolicies":      {derCertPolicies, "2.5.29.32"},
	"derAuthorityKeyID":    {derAuthorityKeyID, "2.5.29.35"},
	"derExtKeyUsage":       {derExtKeyUsage, "2.5.29.37"},
	"derAuthorityInfo":     {derAuthorityInfo, "1.3.6.1.5.5.7.1.1"},
	"derIPAddrBlocks":      {derIPAddrBlocks, "1.3.6.1.5.5.7.1.7"},
	"derASIdentifiers":     {derASIdentifiers, "1.3.6.1.5.5.7.1.8"},
	"derSubjectInfo":       {derSubjectInfo, "1.3.6.1.5.5.7.1.11"},
	"derIPAddrBlocksV2":    {derIPAddrBlocksV2, "1.3.6.1.5.5.7.1.28"},
	"derASIdentifiersV2":   {derASIdentifiersV2, "1.3.6.1.5.5.7.1.29"},
	"derCAIssuers":         {derCAIssuers, "1.3.6.1.5.5.7.48.2"},
	"derCARepository":      {derCARepository, "1.3.6.1.5.5.7.48.5"},
	"derRPKIManifest":      {derRPKIManifest, "1.3.6.1.5.5.7.48.10"},
	"derSignedObject":      {derSignedObject, "1.3.6.1.5.5.7.48.11"},
	"derRPKINotify":        {derRPKINotify, "1.3.6.1.5.5.7.48.13"},
	"derCertPolicyRPKI":    {derCertPolicyRPKI, "1.3.6.1.5.5.7.14.2"},
	"derCertPolicyRPKIV2":  {derCertPolicyRPKIV2, "1.3.6.1.5.5.7.14.3"},
	"derKPBGPsecRouter":    {derKPBGPsecRouter, "1.3.6.1.5.5.7.3.30"},
	"derSignedData":        {derSignedData, "1.2.840.113549.1.7.2"},
	"derContentType":       {derContentType, "1.2.840.113549.1.9.3"},
	"derMessageDigest":     {derMessageDigest, "1.2.840.113549.1.9.4"},
	"derSigningTime":       {derSigningTime, "1.2.840.113549.1.9.5"},
	"derBinarySigningTime": {derBinarySigningTime, "1.2.840.113549.1.9.16.2.46"},
	"derAttrCommonName":    {derAttrCommonName, "2.5.4.3"},
	"derAttrSerialNumber":  {derAttrSerialNumber, "2.5.4.5"},
	"derQualifierCPS":      {derQualifierCPS, "1.3.6.1.5.5.7.2.1"},
	"derIDCE":              {derIDCE, "2.5.29"},
}

// parseDotted turns "1.2.3" into an asn1.ObjectIdentifier.
func parseDotted(t *testing.T, dotted string) asn1.ObjectIdentifier {
	t.Helper()
	var oid asn1.ObjectIdentifier
	for _, f := range strings.Split(dotted, ".") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("bad dotted OID %q", dotted)
		}
		oid = append(oid, n)
	}
	return oid
}

// TestDEROIDsMatchEncodingASN1 checks each DER-form OID against
// encoding/asn1's encoding of its dotted form, and that the table above
// lists every one that oids.go declares.
func TestDEROIDsMatchEncodingASN1(t *testing.T) {
	for name, c := range derOIDTable {
		full, err := asn1.Marshal(parseDotted(t, c.dotted))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := cryptobyte.String(full)
		var want cryptobyte.String
		if !s.ReadASN1(&want, cbasn1.OBJECT_IDENTIFIER) || !s.Empty() {
			t.Fatalf("%s: encoding/asn1 gave %x", name, full)
		}
		if !bytes.Equal(c.der, want) {
			t.Errorf("%s = %x, encoding/asn1 encodes %s as %x", name, []byte(c.der), c.dotted, []byte(want))
		}
		if c.der.String() != c.dotted {
			t.Errorf("%s.String() = %s, want %s", name, c.der, c.dotted)
		}
	}
	f, err := parser.ParseFile(token.NewFileSet(), "oids.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := 0
	ast.Inspect(f, func(n ast.Node) bool {
		if v, ok := n.(*ast.ValueSpec); ok {
			for _, id := range v.Names {
				if strings.HasPrefix(id.Name, "der") {
					declared++
					if _, ok := derOIDTable[id.Name]; !ok {
						t.Errorf("%s is missing from derOIDTable", id.Name)
					}
				}
			}
		}
		return true
	})
	if declared != len(derOIDTable) {
		t.Errorf("oids.go declares %d DER OIDs, the table lists %d", declared, len(derOIDTable))
	}
}

// oidElement wraps content octets in an OBJECT IDENTIFIER tag and length.
func oidElement(content []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return b.BytesOrPanic()
}

// checkOIDLikeCryptobyte checks readOID against cryptobyte's
// ReadASN1ObjectIdentifier, which it replaces: the same verdict, and for
// an accepted OID the same arcs.
func checkOIDLikeCryptobyte(t *testing.T, content []byte) (accepted bool) {
	t.Helper()
	elem := oidElement(content)
	var want asn1.ObjectIdentifier
	ref := cryptobyte.String(elem)
	wantOK := ref.ReadASN1ObjectIdentifier(&want)
	s := cryptobyte.String(elem)
	got, err := readOID(&s)
	if (err == nil) != wantOK {
		t.Fatalf("content %x: readOID err %v, cryptobyte ok %v", content, err, wantOK)
	}
	if !wantOK {
		return false
	}
	if !s.Empty() || !bytes.Equal(got, content) {
		t.Fatalf("content %x: readOID returned %x, left %x", content, []byte(got), []byte(s))
	}
	if arcs := got.appendArcs(nil); !arcs.Equal(want) || got.String() != want.String() {
		t.Fatalf("content %x: arcs %v (%s), cryptobyte %v", content, arcs, got, want)
	}
	return true
}

// TestReadOIDMalformed checks that malformed encodings are refused as
// cryptobyte's ReadASN1ObjectIdentifier refused them, by the parsers'
// reader and in the verdict of a whole certificate.
func TestReadOIDMalformed(t *testing.T) {
	for _, c := range []struct {
		name    string
		content []byte
		ok      bool
	}{
		{"empty", nil, false},
		{"non-minimal first subidentifier", []byte{0x80, 0x01}, false},
		{"non-minimal later subidentifier", []byte{0x55, 0x80, 0x0e}, false},
		{"truncated", []byte{0x55, 0x1d, 0x8e}, false},
		{"truncated single octet", []byte{0x86}, false},
		{"overflow past 2^31-1", []byte{0x2a, 0x88, 0x80, 0x80, 0x80, 0x00}, false},
		{"six-octet subidentifier", []byte{0x2a, 0x80 | 1, 0x80, 0x80, 0x80, 0x80, 0x00}, false},
		{"largest subidentifier 2^31-1", []byte{0x2a, 0x87, 0xff, 0xff, 0xff, 0x7f}, true},
		{"first arcs 2.999", []byte{0x88, 0x37, 0x03}, true},
		{"first arcs 0.0", []byte{0x00}, true},
		{"1.39", []byte{0x4f}, true},
		{"id-ce", []byte{0x55, 0x1d}, true},
		{"zero octet inside", []byte{0x2a, 0x00, 0x00}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := checkOIDLikeCryptobyte(t, c.content); got != c.ok {
				t.Fatalf("accepted %v, want %v", got, c.ok)
			}
		})
	}

	// In a certificate: the SKI extension's OID 2.5.29.14 (55 1d 0e) made
	// malformed in place, so the DER around it stays valid.
	der := readCorpus(t, "krill/test-resources/migrations/v0_13_1_pubserver/repo/rsync/current/testbed/0/7DC1E81BCB69BE275046D337AB3FBEF76A62354C.cer")
	ski := []byte{0x06, 0x03, 0x55, 0x1d, 0x0e}
	i := bytes.Index(der, ski)
	if i < 0 {
		t.Fatal("no SKI extension OID in the certificate")
	}
	for name, bad := range map[string][]byte{
		"non-minimal": {0x55, 0x80, 0x0e},
		"truncated":   {0x55, 0x1d, 0x8e},
	} {
		mutated := bytes.Clone(der)
		copy(mutated[i+2:], bad)
		_, err := ParseCert(mutated)
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "extensions: malformed OBJECT IDENTIFIER") {
			t.Errorf("%s SKI OID: %v", name, err)
		}
	}
}

// TestReadOIDLikeCryptobyte compares readOID with cryptobyte on every
// content of one and two octets and on random longer ones built from the
// octets that matter (0x00, 0x7f, 0x80, 0xff and a few others).
func TestReadOIDLikeCryptobyte(t *testing.T) {
	for a := range 256 {
		checkOIDLikeCryptobyte(t, []byte{byte(a)})
		for b := range 256 {
			checkOIDLikeCryptobyte(t, []byte{byte(a), byte(b)})
		}
	}
	octets := []byte{0x00, 0x01, 0x07, 0x0f, 0x7f, 0x80, 0x81, 0x87, 0x88, 0x8f, 0xff}
	r := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for range 200_000 {
		content := make([]byte, 1+r.IntN(12))
		for i := range content {
			content[i] = octets[r.IntN(len(octets))]
		}
		if checkOIDLikeCryptobyte(t, content) {
			accepted++
		}
	}
	if accepted < 1000 || accepted > 199_000 {
		t.Fatalf("%d random contents accepted: the sample does not test both verdicts", accepted)
	}
}

// FuzzReadOID compares readOID with cryptobyte's reader on any content.
func FuzzReadOID(f *testing.F) {
	for _, c := range derOIDTable {
		f.Add([]byte(c.der))
	}
	f.Add([]byte{0x2a, 0x88, 0x80, 0x80, 0x80, 0x00})
	f.Fuzz(func(t *testing.T, content []byte) {
		checkOIDLikeCryptobyte(t, content)
	})
}

// TestDEROIDUnder checks the arc test used for the id-ce extensions.
func TestDEROIDUnder(t *testing.T) {
	for _, c := range []struct {
		oid  derOID
		want bool
	}{
		{derKeyUsage, true},
		{derOf(asn1.ObjectIdentifier{2, 5, 29, 200000}), true},
		{derIDCE, false}, // the arc itself is not below it
		{derOf(asn1.ObjectIdentifier{2, 5, 28, 1}), false},
		{derAuthorityInfo, false},
	} {
		if got := c.oid.under(derIDCE); got != c.want {
			t.Errorf("%s under id-ce: %v, want %v", c.oid, got, c.want)
		}
	}
}

// TestSignedObjectOIDFields checks the exported OID fields filled from
// the arcs buffer of SignedObject: right values, and each capped so that
// appending to one cannot overwrite the other.
func TestSignedObjectOIDFields(t *testing.T) {
	so, err := ParseSignedObject(readCorpus(t, sampleROA), oidCTROA)
	if err != nil {
		t.Fatal(err)
	}
	if !so.ContentType.Equal(oidCTROA) {
		t.Errorf("ContentType %v", so.ContentType)
	}
	if !so.SignatureAlgorithm.Equal(oidRSAEncryption) && !so.SignatureAlgorithm.Equal(oidSHA256WithRSA) {
		t.Errorf("SignatureAlgorithm %v", so.SignatureAlgorithm)
	}
	alg := so.SignatureAlgorithm.String()
	_ = append(so.ContentType, 7, 7, 7, 7, 7, 7, 7, 7)
	if so.SignatureAlgorithm.String() != alg {
		t.Errorf("appending to ContentType changed SignatureAlgorithm to %v", so.SignatureAlgorithm)
	}
}

// TestOIDHelpersDoNotAllocate guards the point of derOID: reading and
// comparing OIDs, and reading extensions into a caller's array, allocate
// nothing.
func TestOIDHelpersDoNotAllocate(t *testing.T) {
	elem := oidElement(derSubjectInfo)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, oid := range []asn1.ObjectIdentifier{oidSubjectKeyID, oidAuthorityKeyID} {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oid)
				b.AddASN1OctetString([]byte{1})
			})
		}
	})
	exts := b.BytesOrPanic()
	allocs := testing.AllocsPerRun(100, func() {
		s := cryptobyte.String(elem)
		oid, err := readOID(&s)
		if err != nil || !oid.Equal(derSubjectInfo) || oid.Equal(derAuthorityInfo) {
			t.Fatal("readOID")
		}
		var buf [inlineExtensions]extension
		es := cryptobyte.String(exts)
		list, err := readExtensions(&es, buf[:0])
		if err != nil || len(list) != 2 || !list[1].ID.Equal(derAuthorityKeyID) {
			t.Fatal("readExtensions", err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}
