package x509rpki

// Shared DER helpers built on cryptobyte, in the style of crypto/x509's
// parser.go: every read is checked and every helper consumes exactly one
// element, so callers can reject trailing data with String.Empty.
//
// The helpers return plain errors without a class; callers wrap them with
// derError so that each error names its object and field.

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"math/big"
	"math/bits"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Context-specific tags used by the X.509 and RFC 3779 structures.
var (
	tagExplicit0 = cbasn1.Tag(0).Constructed().ContextSpecific()
	tagExplicit1 = cbasn1.Tag(1).Constructed().ContextSpecific()
	tagExplicit3 = cbasn1.Tag(3).Constructed().ContextSpecific()
	tagImplicit0 = cbasn1.Tag(0).ContextSpecific()
	tagImplicit1 = cbasn1.Tag(1).ContextSpecific()
	tagImplicit2 = cbasn1.Tag(2).ContextSpecific()
	tagURI       = cbasn1.Tag(6).ContextSpecific() // GeneralName uniformResourceIdentifier
)

// derError wraps a DER or profile problem found by a helper into an *Error
// naming the object and the field.
func derError(object string, class error, section, field string, err error) error {
	return newError(object, class, section, "%s: %v", field, err)
}

// readSequence reads one SEQUENCE and returns its contents.
func readSequence(s *cryptobyte.String) (cryptobyte.String, error) {
	var out cryptobyte.String
	if !s.ReadASN1(&out, cbasn1.SEQUENCE) {
		return nil, errors.New("want SEQUENCE")
	}
	return out, nil
}

// countElements returns how many DER elements s holds, up to limit+1, so
// that callers can size slices and maps before decoding (and refuse lists
// over a limit before allocating for them).
func countElements(s cryptobyte.String, limit int) int {
	n := 0
	for !s.Empty() && n <= limit {
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !s.ReadAnyASN1Element(&e, &tag) {
			break
		}
		n++
	}
	return n
}

// readOID reads one OBJECT IDENTIFIER and returns it in DER form, aliasing
// s. It accepts what cryptobyte's ReadASN1ObjectIdentifier accepts but
// decodes nothing (see validOIDContent).
func readOID(s *cryptobyte.String) (derOID, error) {
	var b cryptobyte.String
	if !s.ReadASN1(&b, cbasn1.OBJECT_IDENTIFIER) || !validOIDContent(b) {
		return nil, errors.New("malformed OBJECT IDENTIFIER")
	}
	return derOID(b), nil
}

// readOctetString reads one OCTET STRING and returns its contents.
func readOctetString(s *cryptobyte.String) ([]byte, error) {
	var out cryptobyte.String
	if !s.ReadASN1(&out, cbasn1.OCTET_STRING) {
		return nil, errors.New("want OCTET STRING")
	}
	return out, nil
}

// readBitString reads one BIT STRING. cryptobyte rejects unused bits that
// are not zero (X.690 §11.2.1), so the value is DER as far as a BIT STRING
// without named bits can be checked.
func readBitString(s *cryptobyte.String) (asn1.BitString, error) {
	var bs asn1.BitString
	if !s.ReadASN1BitString(&bs) {
		return bs, errors.New("malformed BIT STRING")
	}
	return bs, nil
}

// readOctetAlignedBitString reads a BIT STRING that must hold whole octets,
// such as a signature or a subject public key (RFC 5280 §4.1.1.3).
func readOctetAlignedBitString(s *cryptobyte.String) ([]byte, error) {
	bs, err := readBitString(s)
	if err != nil {
		return nil, err
	}
	if bs.BitLength%8 != 0 {
		return nil, errors.New("BIT STRING is not octet aligned")
	}
	return bs.Bytes, nil
}

// readNamedBits reads a BIT STRING with named bits (such as KeyUsage) and
// checks the DER rule of X.690 §11.2.2: trailing zero bits are removed.
func readNamedBits(s *cryptobyte.String) (asn1.BitString, error) {
	bs, err := readBitString(s)
	if err != nil {
		return bs, err
	}
	if bs.BitLength > 0 && bs.At(bs.BitLength-1) == 0 {
		return bs, errors.New("named bit list has trailing zero bits (X.690 §11.2.2)")
	}
	return bs, nil
}

// readIntegerBytes reads one INTEGER and returns its content octets after
// checking the minimal two's-complement encoding of X.690 §8.3.2.
func readIntegerBytes(s *cryptobyte.String) ([]byte, error) {
	var b cryptobyte.String
	if !s.ReadASN1(&b, cbasn1.INTEGER) {
		return nil, errors.New("want INTEGER")
	}
	if len(b) == 0 {
		return nil, errors.New("empty INTEGER")
	}
	if len(b) > 1 && (b[0] == 0 && b[1]&0x80 == 0 || b[0] == 0xff && b[1]&0x80 != 0) {
		return nil, errors.New("INTEGER not minimally encoded")
	}
	return b, nil
}

// readSerial reads a serial-number-like INTEGER: positive or, when allowZero,
// zero, and at most maxOctets content octets (RFC 5280 §4.1.2.2 and §5.2.3
// set 20 octets for serial and CRL numbers).
func readSerial(s *cryptobyte.String, maxOctets int, allowZero bool) (*big.Int, error) {
	return readSerialInto(s, new(bigSerial), maxOctets, allowZero)
}

// readSerialInto is readSerial storing the number in z.
func readSerialInto(s *cryptobyte.String, z *bigSerial, maxOctets int, allowZero bool) (*big.Int, error) {
	b, err := readIntegerBytes(s)
	if err != nil {
		return nil, err
	}
	if b[0]&0x80 != 0 {
		return nil, errors.New("negative INTEGER")
	}
	if len(b) > maxOctets {
		return nil, errors.New("INTEGER longer than 20 octets")
	}
	n := z.set(b)
	if !allowZero && n.Sign() == 0 {
		return nil, errors.New("INTEGER is zero")
	}
	return n, nil
}

// serialWords is how many words hold a serial number of 20 octets
// (RFC 5280 §4.1.2.2) with the leading zero octet its DER may carry.
const serialWords = (21*8 + bits.UintSize - 1) / bits.UintSize

// bigSerial is a big.Int with room for the words of a serial number, so
// that one allocation holds both.
type bigSerial struct {
	n     big.Int
	words [serialWords]big.Word
}

// set sets z to the big-endian unsigned b and returns it.
func (z *bigSerial) set(b []byte) *big.Int {
	return setBytesIn(&z.n, z.words[:], b)
}

// setBytesIn sets z to the big-endian unsigned b using words as its
// storage, when they are enough: SetBytes reuses the capacity it is given
// and allocates only beyond it.
func setBytesIn(z *big.Int, words []big.Word, b []byte) *big.Int {
	return z.SetBits(words[:0]).SetBytes(b)
}

// serialChunk bounds how many bigSerials serialSlab allocates at once, so
// that a hostile list cut short wastes little.
const serialChunk = 1024

// serialSlab hands out bigSerials from chunks: a CRL's serial numbers take
// one allocation per chunk rather than two per entry.
type serialSlab []bigSerial

// next returns a fresh bigSerial; want is how many the caller still needs.
func (s *serialSlab) next(want int) *bigSerial {
	if len(*s) == 0 {
		*s = make([]bigSerial, min(max(want, 1), serialChunk))
	}
	z := &(*s)[0]
	*s = (*s)[1:]
	return z
}

// readSmallInt reads a non-negative INTEGER that must fit in an int64.
func readSmallInt(s *cryptobyte.String) (int64, error) {
	var v int64
	if !s.ReadASN1Int64WithTag(&v, cbasn1.INTEGER) {
		return 0, errors.New("malformed INTEGER")
	}
	return v, nil
}

// readAlgorithm reads an AlgorithmIdentifier and returns its element bytes
// and OID. Parameters, when present, must be NULL: RFC 4055 §5 and RFC 7935
// §2 allow NULL or absent parameters for sha256WithRSAEncryption, and
// RFC 3279 §2.3.1 requires NULL for rsaEncryption.
func readAlgorithm(s *cryptobyte.String) (raw []byte, oid derOID, hasNull bool, err error) {
	var elem cryptobyte.String
	if !s.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
		return nil, nil, false, errors.New("want AlgorithmIdentifier SEQUENCE")
	}
	raw = elem
	var body cryptobyte.String
	elem.ReadASN1(&body, cbasn1.SEQUENCE)
	if oid, err = readOID(&body); err != nil {
		return nil, nil, false, err
	}
	if body.Empty() {
		return raw, oid, false, nil
	}
	var null cryptobyte.String
	if !body.ReadASN1(&null, cbasn1.NULL) || len(null) != 0 || !body.Empty() {
		return nil, nil, false, errors.New("AlgorithmIdentifier parameters are not NULL")
	}
	return raw, oid, true, nil
}

// readSignatureAlgorithm reads an AlgorithmIdentifier that must be
// sha256WithRSAEncryption (RFC 7935 §2) and returns its element bytes.
func readSignatureAlgorithm(s *cryptobyte.String) ([]byte, error) {
	raw, oid, _, err := readAlgorithm(s)
	if err != nil {
		return nil, err
	}
	if !oid.Equal(derSHA256WithRSA) {
		return nil, errors.New("signature algorithm " + oid.String() + " is not sha256WithRSAEncryption")
	}
	return raw, nil
}

// readTime reads a certificate or CRL time (RFC 5280 §4.1.2.5, §5.1.2.4):
// UTCTime for years up to 2049, GeneralizedTime from 2050 on, both in
// the exact form YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ.
func readTime(s *cryptobyte.String) (time.Time, error) {
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		var b cryptobyte.String
		s.ReadASN1(&b, cbasn1.UTCTime)
		return parseUTCTime(b)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		t, err := readGeneralizedTime(s)
		if err != nil {
			return t, err
		}
		if t.Year() < 2050 {
			return t, errors.New("GeneralizedTime used for a year before 2050 (RFC 5280 §4.1.2.5)")
		}
		return t, nil
	}
	return time.Time{}, errors.New("want UTCTime or GeneralizedTime")
}

// readGeneralizedTime reads a GeneralizedTime in the DER form
// YYYYMMDDHHMMSSZ, without fractional seconds (RFC 5280 §4.1.2.5.2,
// RFC 9286 §4.2.1 for manifests).
func readGeneralizedTime(s *cryptobyte.String) (time.Time, error) {
	var b cryptobyte.String
	if !s.ReadASN1(&b, cbasn1.GeneralizedTime) {
		return time.Time{}, errors.New("want GeneralizedTime")
	}
	if len(b) != 15 || b[14] != 'Z' {
		return time.Time{}, errors.New("GeneralizedTime not in the form YYYYMMDDHHMMSSZ")
	}
	year, ok := digits(b[0:4])
	if !ok {
		return time.Time{}, errors.New("GeneralizedTime has non-digits")
	}
	return civilTime(year, b[4:14])
}

// parseUTCTime parses the content of a UTCTime in the form YYMMDDHHMMSSZ,
// with YY >= 50 meaning 19YY (RFC 5280 §4.1.2.5.1).
func parseUTCTime(b []byte) (time.Time, error) {
	if len(b) != 13 || b[12] != 'Z' {
		return time.Time{}, errors.New("UTCTime not in the form YYMMDDHHMMSSZ")
	}
	year, ok := digits(b[0:2])
	if !ok {
		return time.Time{}, errors.New("UTCTime has non-digits")
	}
	if year >= 50 {
		year += 1900
	} else {
		year += 2000
	}
	return civilTime(year, b[2:12])
}

// civilTime builds a UTC time from a year and MMDDHHMMSS, rejecting values
// out of range (time.Date would normalise them).
func civilTime(year int, b []byte) (time.Time, error) {
	var f [5]int
	for i := range f {
		v, ok := digits(b[2*i : 2*i+2])
		if !ok {
			return time.Time{}, errors.New("time has non-digits")
		}
		f[i] = v
	}
	t := time.Date(year, time.Month(f[0]), f[1], f[2], f[3], f[4], 0, time.UTC)
	if t.Year() != year || int(t.Month()) != f[0] || t.Day() != f[1] ||
		t.Hour() != f[2] || t.Minute() != f[3] || t.Second() != f[4] {
		return time.Time{}, errors.New("time field out of range")
	}
	return t, nil
}

// digits parses a short run of ASCII digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// readName reads an issuer or subject Name and checks RFC 6487 §4.4/§4.5:
// exactly one commonName, at most one serialNumber, no other attribute.
// Both may share one RDN SET or sit in two (the BBN NAMSetNameSer and
// NAMSeqNameSer cases). It returns the element bytes and a printable form
// "/CN=x/serialNumber=y".
func readName(s *cryptobyte.String) (raw []byte, text string, err error) {
	var elem cryptobyte.String
	if !s.ReadASN1Element(&elem, cbasn1.SEQUENCE) {
		return nil, "", errors.New("want Name SEQUENCE")
	}
	raw = elem
	var rdns cryptobyte.String
	elem.ReadASN1(&rdns, cbasn1.SEQUENCE)
	var cn, sn []byte
	var nCN, nSN int
	for !rdns.Empty() {
		var set cryptobyte.String
		if !rdns.ReadASN1(&set, cbasn1.SET) || set.Empty() {
			return nil, "", errors.New("malformed RelativeDistinguishedName")
		}
		for !set.Empty() {
			oid, val, err := readAttribute(&set)
			if err != nil {
				return nil, "", err
			}
			switch {
			case oid.Equal(derAttrCommonName):
				cn, nCN = val, nCN+1
			case oid.Equal(derAttrSerialNumber):
				sn, nSN = val, nSN+1
			default:
				return nil, "", errors.New("attribute " + oid.String() + " not allowed")
			}
		}
	}
	if nCN != 1 || nSN > 1 {
		return nil, "", errors.New("want exactly one commonName and at most one serialNumber")
	}
	// One concatenation, so one allocation for the whole text.
	if nSN == 1 {
		return raw, "/CN=" + string(cn) + "/serialNumber=" + string(sn), nil
	}
	return raw, "/CN=" + string(cn), nil
}

// readAttribute reads one AttributeTypeAndValue. RFC 6487 §4.5 asks for
// PrintableString, but rpki-client (x509.c, x509_valid_name) leaves that
// check disabled because AFRINIC CA certificates use UTF8String, and real
// objects in the corpus (an ASPA sample, APNIC RSC checklists) carry
// UTF8String names. We follow rpki-client: PrintableString with its strict
// character set, or UTF8String that is valid UTF-8 without control
// characters. The BBN *Utf cases are therefore accepted.
func readAttribute(s *cryptobyte.String) (derOID, []byte, error) {
	atv, err := readSequence(s)
	if err != nil {
		return nil, nil, err
	}
	oid, err := readOID(&atv)
	if err != nil {
		return nil, nil, err
	}
	var v cryptobyte.String
	var ok bool
	// Peek first: a failed ReadASN1 still consumes the element.
	switch {
	case atv.PeekASN1Tag(cbasn1.PrintableString):
		atv.ReadASN1(&v, cbasn1.PrintableString)
		ok = isPrintable(v)
	case atv.PeekASN1Tag(cbasn1.UTF8String):
		atv.ReadASN1(&v, cbasn1.UTF8String)
		ok = utf8.Valid(v) && !hasControl(v)
	default:
		return nil, nil, errors.New("attribute " + oid.String() + " is not a PrintableString or UTF8String")
	}
	if !atv.Empty() || len(v) == 0 || !ok {
		return nil, nil, errors.New("attribute " + oid.String() + " has a malformed string value")
	}
	return oid, v, nil
}

// hasControl reports whether b holds an ASCII control character.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// isPrintable reports whether b holds only the PrintableString characters
// of X.680 §41.4 (no '*' or '&', unlike crypto/x509's lenient reading).
func isPrintable(b []byte) bool {
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(" '()+,-./:=?", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// extension is one X.509 Extension with its value still encoded.
type extension struct {
	ID       derOID
	Critical bool
	Value    cryptobyte.String // contents of extnValue
}

// inlineExtensions is how many extensions the callers of readExtensions
// hold in an array of their own (on the stack); a resource certificate has
// about ten.
const inlineExtensions = 16

// readExtensions reads an Extensions SEQUENCE (RFC 5280 §4.1.2.9): at
// least one extension, no OID twice (RFC 5280 §4.2), critical encoded only
// when TRUE (DEFAULT FALSE must be omitted in DER, X.690 §11.5). It
// appends them to buf, so that a caller's array spares an allocation.
func readExtensions(s *cryptobyte.String, buf []extension) ([]extension, error) {
	exts, err := readSequence(s)
	if err != nil {
		return nil, err
	}
	if exts.Empty() {
		return nil, errors.New("empty Extensions")
	}
	out := buf[:0]
	for !exts.Empty() {
		if len(out) == MaxCertExtensions {
			return nil, errors.New("more than MaxCertExtensions extensions")
		}
		e, err := readExtension(&exts)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].ID.Equal(e.ID) {
				return nil, errors.New("duplicate extension " + e.ID.String() + " (RFC 5280 §4.2)")
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// readExtension reads one Extension.
func readExtension(s *cryptobyte.String) (extension, error) {
	var e extension
	body, err := readSequence(s)
	if err != nil {
		return e, err
	}
	if e.ID, err = readOID(&body); err != nil {
		return e, err
	}
	if body.PeekASN1Tag(cbasn1.BOOLEAN) {
		if !body.ReadASN1Boolean(&e.Critical) {
			return e, errors.New("malformed critical flag")
		}
		if !e.Critical {
			return e, errors.New("extension " + e.ID.String() + " encodes critical FALSE (not DER)")
		}
	}
	if !body.ReadASN1((*cryptobyte.String)(&e.Value), cbasn1.OCTET_STRING) || !body.Empty() {
		return e, errors.New("malformed extension " + e.ID.String())
	}
	return e, nil
}

// readKeyIdentifier reads a KeyIdentifier OCTET STRING that must be a
// 20-byte SHA-1 hash (RFC 6487 §4.8.2, §4.8.3). It aliases s.
func readKeyIdentifier(s *cryptobyte.String) ([]byte, error) {
	id, err := readOctetString(s)
	if err != nil {
		return nil, err
	}
	if len(id) != 20 {
		return nil, errors.New("key identifier is not a 20-byte SHA-1 hash")
	}
	return id, nil
}

// readGeneralNameURIs reads GeneralNames (RFC 5280 §4.2.1.6) and returns
// the first rsync URI, or nil when none is; any other form of name is an
// error, since the RPKI profile locates objects by URI only (RFC 6487
// §4.8.6-§4.8.8). Each URI must pass checkURI.
func readGeneralNameURIs(names cryptobyte.String) ([]byte, error) {
	if names.Empty() {
		return nil, errors.New("empty GeneralNames")
	}
	var rsync []byte
	for !names.Empty() {
		if !names.PeekASN1Tag(tagURI) {
			return nil, errors.New("GeneralName is not a URI")
		}
		var u cryptobyte.String
		names.ReadASN1(&u, tagURI)
		if err := checkURI(u); err != nil {
			return nil, err
		}
		if rsync == nil && hasScheme(u, "rsync") {
			rsync = u
		}
	}
	return rsync, nil
}

// checkURI checks a URI's length and characters: visible ASCII only
// (rpki-client valid_uri), at most MaxURILength bytes.
func checkURI(b []byte) error {
	if len(b) == 0 || len(b) > MaxURILength {
		return errors.New("URI empty or longer than MaxURILength")
	}
	for _, c := range b {
		if c <= 0x20 || c >= 0x7f {
			return errors.New("URI has a character outside visible ASCII")
		}
	}
	return nil
}

// hasScheme reports whether uri starts with scheme followed by "://" and a
// non-empty remainder, case-insensitively for the scheme (RFC 3986 §3.1).
func hasScheme(uri []byte, scheme string) bool {
	p := len(scheme) + 3
	return len(uri) > p && bytes.EqualFold(uri[:len(scheme)], []byte(scheme)) && string(uri[len(scheme):p]) == "://"
}
