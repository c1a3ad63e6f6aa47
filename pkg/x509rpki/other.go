package x509rpki

import (
	"bytes"
	"encoding/asn1"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// This file recognises the signed objects that carry no routing payload:
// Ghostbusters records (RFC 6493), Signed Checklists (RFC 9323), Trust
// Anchor Keys (RFC 9691) and Signed Prefix Lists
// (draft-ietf-sidrops-rpki-prefixlist). Each is parsed far enough for
// `validator inspect` to report it; Validate checks only the CMS signature
// and the EE certificate.

// GBR is a Ghostbusters record (RFC 6493): a vCard naming a contact.
type GBR struct {
	Signed *SignedObject
	VCard  string // the eContent, CRLF line breaks as encoded
}

// RSCFile is one entry of a Signed Checklist.
type RSCFile struct {
	Name string // empty when the optional fileName is absent
	Hash []byte // SHA-256
}

// RSC is an RPKI Signed Checklist (RFC 9323).
type RSC struct {
	Signed *SignedObject
	AS     []ASRange
	IP     []IPRange // IPv4 first, as encoded
	Files  []RSCFile
}

// TAKey is one key of a Trust Anchor Key object (RFC 9691 §3).
type TAKey struct {
	Comments []string
	URIs     []string
	RawSPKI  []byte // SubjectPublicKeyInfo DER
}

// TAK is a Trust Anchor Key object (RFC 9691).
type TAK struct {
	Signed      *SignedObject
	Current     TAKey
	Predecessor *TAKey // nil when absent
	Successor   *TAKey // nil when absent
}

// SPL is a Signed Prefix List (draft-ietf-sidrops-rpki-prefixlist): every
// prefix that ASID may originate.
type SPL struct {
	Signed   *SignedObject
	ASID     uint32
	Prefixes []netip.Prefix // IPv4 first, ascending
}

// Validate checks the GBR's CMS signature and EE certificate.
func (g *GBR) Validate(issuer *Cert, now time.Time) error {
	return g.Signed.validateSigned("gbr", issuer, now)
}

// Validate checks the RSC's CMS signature and EE certificate.
func (r *RSC) Validate(issuer *Cert, now time.Time) error {
	return r.Signed.validateSigned("rsc", issuer, now)
}

// Validate checks the TAK's CMS signature and EE certificate.
func (t *TAK) Validate(issuer *Cert, now time.Time) error {
	return t.Signed.validateSigned("tak", issuer, now)
}

// Validate checks the SPL's CMS signature and EE certificate, and that the
// EE's AS resources hold asID (ErrResources otherwise).
func (s *SPL) Validate(issuer *Cert, now time.Time) error {
	if err := s.Signed.validateSigned("spl", issuer, now); err != nil {
		return err
	}
	if !s.Signed.EE.Resources.ContainsAS(s.ASID) {
		return newError("spl", ErrResources, "draft-ietf-sidrops-rpki-prefixlist §4", "AS%d not covered by the EE certificate", s.ASID)
	}
	return nil
}

// ParseGBR parses a Ghostbusters record (RFC 6493).
func ParseGBR(der []byte) (*GBR, error) {
	so, err := ParseSignedObject(der, oidCTGBR)
	if err != nil {
		return nil, err
	}
	vcard := string(so.Content)
	if err := gbrCheckVCard(vcard); err != nil {
		return nil, err
	}
	// As for manifests, rpki-client requires the EE resources to be
	// inherit; the BBN cases badGBR*NotInherit expect that.
	if !eeInheritsAll(so.EE) {
		return nil, newError("gbr", ErrProfile, "RFC 6493 §6", "EE certificate resources not set to inherit")
	}
	return &GBR{Signed: so, VCard: vcard}, nil
}

// gbrAllowed lists the vCard properties RFC 6493 §5 permits.
var gbrAllowed = map[string]bool{
	"BEGIN": true, "END": true, "VERSION": true, "FN": true, "N": true,
	"ORG": true, "ADR": true, "TEL": true, "EMAIL": true,
}

// gbrCheckVCard applies RFC 6493 §5: a vCard with BEGIN, VERSION, FN and
// END, at least one of ADR, TEL or EMAIL, and no other properties.
// Deviation: RFC 6493 asks for vCard 4.0, but VERSION:3.0 is accepted too,
// because real GBRs (RGnet's, which the BBN suite lists as
// goodRealGbrNothingIsWrong) use it and rpki-client accepts them.
//
// Lines end with LF or CRLF; trailing empty lines are ignored. The lines
// are cut from vcard in place, without copying.
func gbrCheckVCard(vcard string) error {
	seen := map[string]bool{}
	last := "" // the last non-empty line
	for i, rest := 0, vcard; rest != ""; i++ {
		line, after, ended := strings.Cut(rest, "\n")
		if ended {
			line = strings.TrimSuffix(line, "\r")
		}
		rest = after
		if line != "" {
			last = line
		}
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue // RFC 6350 §3.2 folded continuation
		}
		name, err := gbrProperty(i, line)
		if err != nil {
			return err
		}
		seen[name] = true
	}
	if !strings.EqualFold(last, "END:VCARD") || !seen["FN"] {
		return newError("gbr", ErrProfile, "RFC 6493 §5", "vCard lacks FN or END")
	}
	if !seen["ADR"] && !seen["TEL"] && !seen["EMAIL"] {
		return newError("gbr", ErrProfile, "RFC 6493 §5", "vCard has no ADR, TEL or EMAIL")
	}
	return nil
}

// gbrProperty returns the property name of line i of a vCard, checking
// that RFC 6493 §5 allows it and that the vCard starts with BEGIN:VCARD and
// VERSION.
func gbrProperty(i int, line string) (string, error) {
	name := strings.ToUpper(line[:max(strings.IndexAny(line, ":;"), 0)])
	if j := strings.LastIndexByte(name, '.'); j >= 0 {
		name = name[j+1:] // RFC 6350 §3.3 group prefix
	}
	if !gbrAllowed[name] {
		return "", newError("gbr", ErrProfile, "RFC 6493 §5", "vCard property %q not allowed", name)
	}
	if i == 0 && !strings.EqualFold(line, "BEGIN:VCARD") ||
		i == 1 && !strings.EqualFold(line, "VERSION:4.0") && !strings.EqualFold(line, "VERSION:3.0") {
		return "", newError("gbr", ErrProfile, "RFC 6493 §5", "not a vCard (BEGIN:VCARD, VERSION:4.0 or 3.0)")
	}
	return name, nil
}

// ParseRSC parses a Signed Checklist (RFC 9323 §4). Its EE certificate
// has no SIA, since an RSC is not published in a repository.
func ParseRSC(der []byte) (*RSC, error) {
	so, err := parseSignedObject(der, oidCTRSC, parseEECertNoSIA)
	if err != nil {
		return nil, err
	}
	r, err := parseRSCContent(so.Content)
	if err != nil {
		return nil, err
	}
	r.Signed = so
	return r, nil
}

// parseRSCContent parses RpkiSignedChecklist (RFC 9323 §4, EXPLICIT tags).
func parseRSCContent(b []byte) (*RSC, error) {
	input := cryptobyte.String(b)
	var seq, resources, list cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, newError("rsc", ErrMalformed, "RFC 9323 §4", "RpkiSignedChecklist: bad encoding or trailing data")
	}
	if err := sigobjVersion(&seq, 0, "rsc", "RFC 9323 §4.1"); err != nil {
		return nil, err
	}
	if !seq.ReadASN1(&resources, cbasn1.SEQUENCE) {
		return nil, newError("rsc", ErrMalformed, "RFC 9323 §4.2", "resources: bad encoding")
	}
	r := &RSC{}
	if err := r.parseResources(resources); err != nil {
		return nil, err
	}
	alg, err := cmsAlgorithm(&seq, "rsc digestAlgorithm")
	if err != nil {
		return nil, err
	}
	if !alg.Equal(derSHA256) {
		return nil, newError("rsc", ErrProfile, "RFC 9323 §4.3", "digestAlgorithm %v, want SHA-256", alg)
	}
	if !seq.ReadASN1(&list, cbasn1.SEQUENCE) || !seq.Empty() || list.Empty() {
		return nil, newError("rsc", ErrMalformed, "RFC 9323 §4.4", "checkList: bad encoding, empty or trailing data")
	}
	return r, r.parseCheckList(list)
}

// parseResources reads ResourceBlock: [0] asID and [1] ipAddrBlocks, at
// least one present (RFC 9323 §4.2).
func (r *RSC) parseResources(res cryptobyte.String) error {
	var as, ip cryptobyte.String
	var hasAS, hasIP bool
	if !res.ReadOptionalASN1(&as, &hasAS, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!res.ReadOptionalASN1(&ip, &hasIP, cbasn1.Tag(1).Constructed().ContextSpecific()) || !res.Empty() {
		return newError("rsc", ErrMalformed, "RFC 9323 §4.2", "ResourceBlock: bad encoding")
	}
	if !hasAS && !hasIP {
		return newError("rsc", ErrProfile, "RFC 9323 §4.2", "ResourceBlock is empty")
	}
	if hasAS {
		if err := r.parseAS(as); err != nil {
			return err
		}
	}
	if hasIP {
		return r.parseIP(ip)
	}
	return nil
}

// parseAS reads ConstrainedASIdentifiers ::= SEQUENCE { asnum [0] SEQUENCE
// (SIZE(1..MAX)) OF ASIdOrRange }.
func (r *RSC) parseAS(as cryptobyte.String) error {
	var seq, tagged, ids cryptobyte.String
	if !as.ReadASN1(&seq, cbasn1.SEQUENCE) || !as.Empty() ||
		!seq.ReadASN1(&tagged, cbasn1.Tag(0).Constructed().ContextSpecific()) || !seq.Empty() ||
		!tagged.ReadASN1(&ids, cbasn1.SEQUENCE) || !tagged.Empty() || ids.Empty() {
		return newError("rsc", ErrMalformed, "RFC 9323 §4.2", "asID: bad encoding")
	}
	for !ids.Empty() {
		if len(r.AS) >= MaxASBlocks {
			return newError("rsc", ErrMalformed, "", "more than %d AS entries", MaxASBlocks)
		}
		var rng ASRange
		var err error
		if ids.PeekASN1Tag(cbasn1.SEQUENCE) {
			var pair cryptobyte.String
			if !ids.ReadASN1(&pair, cbasn1.SEQUENCE) {
				return newError("rsc", ErrMalformed, "RFC 9323 §4.2", "bad AS range")
			}
			if rng.Min, err = sigobjASID(&pair, "rsc", "RFC 9323 §4.2", "AS range min"); err == nil {
				rng.Max, err = sigobjASID(&pair, "rsc", "RFC 9323 §4.2", "AS range max")
			}
			if err == nil && (!pair.Empty() || rng.Min > rng.Max) {
				err = newError("rsc", ErrMalformed, "RFC 9323 §4.2", "bad AS range")
			}
		} else {
			rng.Min, err = sigobjASID(&ids, "rsc", "RFC 9323 §4.2", "AS id")
			rng.Max = rng.Min
		}
		if err != nil {
			return err
		}
		r.AS = append(r.AS, rng)
	}
	return nil
}

// parseIP reads ConstrainedIPAddrBlocks: families of IPAddressOrRange.
func (r *RSC) parseIP(ip cryptobyte.String) error {
	var fams cryptobyte.String
	if !ip.ReadASN1(&fams, cbasn1.SEQUENCE) || !ip.Empty() || fams.Empty() {
		return newError("rsc", ErrMalformed, "RFC 9323 §4.2", "ipAddrBlocks: bad encoding")
	}
	var seen [3]bool
	for !fams.Empty() {
		var fam, items cryptobyte.String
		if !fams.ReadASN1(&fam, cbasn1.SEQUENCE) {
			return newError("rsc", ErrMalformed, "RFC 9323 §4.2", "ConstrainedIPAddressFamily: bad encoding")
		}
		afi, err := sigobjAFI(&fam, "rsc", "RFC 9323 §4.2")
		if err != nil {
			return err
		}
		if seen[afi] {
			return newError("rsc", ErrProfile, "RFC 9323 §4.2", "%s block appears twice", afiName(afi))
		}
		seen[afi] = true
		if !fam.ReadASN1(&items, cbasn1.SEQUENCE) || !fam.Empty() || items.Empty() {
			return newError("rsc", ErrMalformed, "RFC 9323 §4.2", "addressesOrRanges: bad encoding")
		}
		if err := r.parseIPItems(items, afi); err != nil {
			return err
		}
	}
	return nil
}

// parseIPItems reads IPAddressOrRange entries (RFC 3779 §2.2.3.7).
func (r *RSC) parseIPItems(items cryptobyte.String, afi int) error {
	for !items.Empty() {
		if len(r.IP) >= MaxIPBlocks {
			return newError("rsc", ErrMalformed, "", "more than %d IP entries", MaxIPBlocks)
		}
		var rng IPRange
		var ok bool
		if items.PeekASN1Tag(cbasn1.SEQUENCE) {
			var pair cryptobyte.String
			var lo, hi asn1.BitString
			ok = items.ReadASN1(&pair, cbasn1.SEQUENCE) && pair.ReadASN1BitString(&lo) &&
				pair.ReadASN1BitString(&hi) && pair.Empty()
			if ok {
				rng, ok = bitStringRange(lo, hi, afi)
			}
		} else {
			var bs asn1.BitString
			ok = items.ReadASN1BitString(&bs)
			if ok {
				rng, ok = bitStringRange(bs, bs, afi)
			}
		}
		if !ok {
			return newError("rsc", ErrMalformed, "RFC 3779 §2.2.3.7", "bad IPAddressOrRange")
		}
		r.IP = append(r.IP, rng)
	}
	return nil
}

// bitStringRange turns RFC 3779 §2.2.3.9 min and max BIT STRINGs into an
// inclusive range: min padded with zeros, max padded with ones.
func bitStringRange(lo, hi asn1.BitString, afi int) (IPRange, bool) {
	size := 4
	if afi == afiIPv6 {
		size = 16
	}
	if len(lo.Bytes) > size || len(hi.Bytes) > size {
		return IPRange{}, false
	}
	minB := make([]byte, size)
	maxB := bytes.Repeat([]byte{0xff}, size)
	copy(minB, lo.Bytes)
	copy(maxB, hi.Bytes)
	if hi.BitLength%8 != 0 {
		maxB[hi.BitLength/8] |= byte(1<<(8-hi.BitLength%8)) - 1
	}
	a, _ := netip.AddrFromSlice(minB)
	b, _ := netip.AddrFromSlice(maxB)
	if a.Compare(b) > 0 {
		return IPRange{}, false
	}
	return IPRange{Min: a, Max: b}, true
}

// parseCheckList reads FileNameAndHash entries (RFC 9323 §4.4).
func (r *RSC) parseCheckList(list cryptobyte.String) error {
	for !list.Empty() {
		if len(r.Files) >= MaxManifestEntries {
			return newError("rsc", ErrMalformed, "", "more than %d checkList entries", MaxManifestEntries)
		}
		var entry, name, hash cryptobyte.String
		var hasName bool
		if !list.ReadASN1(&entry, cbasn1.SEQUENCE) ||
			!entry.ReadOptionalASN1(&name, &hasName, cbasn1.IA5String) ||
			!entry.ReadASN1(&hash, cbasn1.OCTET_STRING) || !entry.Empty() {
			return newError("rsc", ErrMalformed, "RFC 9323 §4.4", "FileNameAndHash: bad encoding")
		}
		if hasName && !rscValidName(name) {
			return newError("rsc", ErrProfile, "RFC 9323 §4.4", "invalid file name %q", string(name))
		}
		if len(hash) != 32 {
			return newError("rsc", ErrProfile, "RFC 9323 §4.4", "hash of %d bytes, want 32", len(hash))
		}
		r.Files = append(r.Files, RSCFile{Name: string(name), Hash: hash})
	}
	return nil
}

// rscValidName checks a PortableFilename: [a-zA-Z0-9._-]+ (RFC 9323 §4.4).
func rscValidName(name []byte) bool {
	if len(name) == 0 || len(name) > MaxFileNameLength {
		return false
	}
	for _, c := range name {
		if c != '.' && !portableFileChar(c) {
			return false
		}
	}
	return true
}

// ParseTAK parses a Trust Anchor Key object (RFC 9691 §3).
func ParseTAK(der []byte) (*TAK, error) {
	so, err := ParseSignedObject(der, oidCTTAK)
	if err != nil {
		return nil, err
	}
	t, err := parseTAKContent(so.Content)
	if err != nil {
		return nil, err
	}
	t.Signed = so
	return t, nil
}

// parseTAKContent parses TAK ::= SEQUENCE { version INTEGER DEFAULT 0,
// current TAKey, predecessor [0] TAKey OPTIONAL, successor [1] TAKey
// OPTIONAL } (RFC 9691 §3, EXPLICIT tags).
func parseTAKContent(b []byte) (*TAK, error) {
	input := cryptobyte.String(b)
	var seq cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, newError("tak", ErrMalformed, "RFC 9691 §3", "TAK: bad encoding or trailing data")
	}
	// Version 0 is the only one and DEFAULT, so DER never encodes it.
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		return nil, newError("tak", ErrProfile, "RFC 9691 §3.1", "version encoded")
	}
	t := &TAK{}
	var err error
	if t.Current, err = parseTAKey(&seq); err != nil {
		return nil, err
	}
	if t.Predecessor, err = parseOptionalTAKey(&seq, 0); err != nil {
		return nil, err
	}
	if t.Successor, err = parseOptionalTAKey(&seq, 1); err != nil {
		return nil, err
	}
	if !seq.Empty() {
		return nil, newError("tak", ErrMalformed, "RFC 9691 §3", "trailing data in TAK")
	}
	return t, nil
}

// parseOptionalTAKey reads an optional [tag] EXPLICIT TAKey.
func parseOptionalTAKey(seq *cryptobyte.String, tag uint8) (*TAKey, error) {
	var inner cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&inner, &present, cbasn1.Tag(tag).Constructed().ContextSpecific()) {
		return nil, newError("tak", ErrMalformed, "RFC 9691 §3", "bad [%d] TAKey", tag)
	}
	if !present {
		return nil, nil
	}
	k, err := parseTAKey(&inner)
	if err == nil && !inner.Empty() {
		err = newError("tak", ErrMalformed, "RFC 9691 §3", "trailing data after [%d] TAKey", tag)
	}
	return &k, err
}

// parseTAKey reads TAKey ::= SEQUENCE { comments SEQUENCE OF UTF8String,
// certificateURIs SEQUENCE (SIZE(1..MAX)) OF IA5String,
// subjectPublicKeyInfo SubjectPublicKeyInfo }.
func parseTAKey(s *cryptobyte.String) (TAKey, error) {
	var k TAKey
	var key, comments, uris, spki cryptobyte.String
	if !s.ReadASN1(&key, cbasn1.SEQUENCE) || !key.ReadASN1(&comments, cbasn1.SEQUENCE) ||
		!key.ReadASN1(&uris, cbasn1.SEQUENCE) || !key.ReadASN1Element(&spki, cbasn1.SEQUENCE) || !key.Empty() {
		return k, newError("tak", ErrMalformed, "RFC 9691 §3.2", "TAKey: bad encoding")
	}
	for !comments.Empty() {
		var c cryptobyte.String
		if !comments.ReadASN1(&c, cbasn1.UTF8String) {
			return k, newError("tak", ErrMalformed, "RFC 9691 §3.2", "comments: bad UTF8String")
		}
		k.Comments = append(k.Comments, string(c))
	}
	for !uris.Empty() {
		var u cryptobyte.String
		if !uris.ReadASN1(&u, cbasn1.IA5String) || len(u) > MaxURILength {
			return k, newError("tak", ErrMalformed, "RFC 9691 §3.2", "certificateURIs: bad IA5String")
		}
		if !strings.HasPrefix(string(u), "rsync://") && !strings.HasPrefix(string(u), "https://") {
			return k, newError("tak", ErrProfile, "RFC 9691 §3.2", "certificate URI %q is not rsync or https", string(u))
		}
		k.URIs = append(k.URIs, string(u))
	}
	if len(k.URIs) == 0 {
		return k, newError("tak", ErrProfile, "RFC 9691 §3.2", "no certificate URI")
	}
	k.RawSPKI = spki
	return k, nil
}

// ParseSPL parses a Signed Prefix List (draft-ietf-sidrops-rpki-prefixlist).
func ParseSPL(der []byte) (*SPL, error) {
	so, err := ParseSignedObject(der, oidCTSPL)
	if err != nil {
		return nil, err
	}
	s, err := parseSPLContent(so.Content)
	if err != nil {
		return nil, err
	}
	s.Signed = so
	if err := asOnlyEE(so.EE, "spl", "draft-ietf-sidrops-rpki-prefixlist §4"); err != nil {
		return nil, err
	}
	return s, nil
}

// splSection is the draft section defining the SPL eContent.
const splSection = "draft-ietf-sidrops-rpki-prefixlist §3"

// parseSPLContent parses SignedPrefixList ::= SEQUENCE { version [0]
// INTEGER DEFAULT 0, asID ASID, prefixBlock SEQUENCE OF
// AddressFamilyPrefixes }.
func parseSPLContent(b []byte) (*SPL, error) {
	input := cryptobyte.String(b)
	var seq, block cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) || !input.Empty() {
		return nil, newError("spl", ErrMalformed, splSection, "SignedPrefixList: bad encoding or trailing data")
	}
	if err := sigobjVersion(&seq, 0, "spl", splSection); err != nil {
		return nil, err
	}
	s := &SPL{}
	var err error
	if s.ASID, err = sigobjASID(&seq, "spl", splSection, "asID"); err != nil {
		return nil, err
	}
	if !seq.ReadASN1(&block, cbasn1.SEQUENCE) || !seq.Empty() {
		return nil, newError("spl", ErrMalformed, splSection, "prefixBlock: bad encoding or trailing data")
	}
	return s, s.parseBlock(block)
}

// parseBlock reads the AddressFamilyPrefixes: IPv4 before IPv6, each at
// most once, each with ascending unique prefixes (the draft's canonical
// form, which rpki-client enforces for SPLs).
func (s *SPL) parseBlock(block cryptobyte.String) error {
	last := 0
	for !block.Empty() {
		var fam, addrs cryptobyte.String
		if !block.ReadASN1(&fam, cbasn1.SEQUENCE) {
			return newError("spl", ErrMalformed, splSection, "AddressFamilyPrefixes: bad encoding")
		}
		afi, err := sigobjAFI(&fam, "spl", splSection)
		if err != nil {
			return err
		}
		if afi <= last {
			return newError("spl", ErrProfile, splSection, "address families repeated or out of order")
		}
		last = afi
		if !fam.ReadASN1(&addrs, cbasn1.SEQUENCE) || !fam.Empty() || addrs.Empty() {
			return newError("spl", ErrMalformed, splSection, "addressPrefixes: bad encoding or empty")
		}
		if err := s.parsePrefixes(addrs, afi); err != nil {
			return err
		}
	}
	return nil
}

// parsePrefixes reads the IPAddress entries of one family.
func (s *SPL) parsePrefixes(addrs cryptobyte.String, afi int) error {
	first := len(s.Prefixes)
	for !addrs.Empty() {
		if len(s.Prefixes) >= MaxROAPrefixes {
			return newError("spl", ErrMalformed, "", "more than %d prefixes", MaxROAPrefixes)
		}
		var bs asn1.BitString
		if !addrs.ReadASN1BitString(&bs) {
			return newError("spl", ErrMalformed, splSection, "bad IPAddress")
		}
		p, err := sigobjPrefix(bs, afi, "spl", splSection)
		if err != nil {
			return err
		}
		if n := len(s.Prefixes); n > first {
			prev := ROAPrefix{Prefix: s.Prefixes[n-1]}
			if roaPrefixCompare(prev, ROAPrefix{Prefix: p}) >= 0 {
				return newError("spl", ErrProfile, splSection, "prefix %v out of order or duplicate", p)
			}
		}
		s.Prefixes = append(s.Prefixes, p)
	}
	return nil
}
