package x509rpki

import (
	"encoding/asn1"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ManifestFile is one entry of a manifest's fileList.
type ManifestFile struct {
	Name string
	Hash []byte // SHA-256
}

// Manifest is an RPKI manifest (RFC 9286).
type Manifest struct {
	Signed     *SignedObject
	Number     *big.Int
	ThisUpdate time.Time
	NextUpdate time.Time
	Files      []ManifestFile
}

// mftErr builds a manifest error.
func mftErr(class error, section, format string, args ...any) error {
	return newError("mft", class, section, format, args...)
}

// ParseManifest parses a manifest (RFC 9286) and checks its profile,
// including the RFC 6488 envelope.
func ParseManifest(der []byte) (*Manifest, error) {
	so, err := ParseSignedObject(der, oidCTManifest)
	if err != nil {
		return nil, err
	}
	m, err := parseManifestContent(so.Content)
	if err != nil {
		return nil, err
	}
	m.Signed = so
	// RFC 9286 §5.1 item 3 / RFC 6487 §4.8.10: the manifest's EE certificate
	// uses inherit for its resources. rpki-client rejects anything else
	// ("RFC 3779 extension not set to inherit"), and so do we.
	if !eeInheritsAll(so.EE) {
		return nil, mftErr(ErrProfile, "RFC 9286 §5.1", "EE certificate resources not set to inherit")
	}
	// RFC 9286 §5.1 item 3: the EE validity coincides with thisUpdate and
	// nextUpdate. A window outside the EE's is rejected (BBN
	// MFTStartCrossed, MFTEndCrossed); rpki-client 8.2 does not check this.
	if m.ThisUpdate.Before(so.EE.NotBefore) || m.NextUpdate.After(so.EE.NotAfter) {
		return nil, mftErr(ErrProfile, "RFC 9286 §5.1", "thisUpdate..nextUpdate lies outside the EE certificate's validity")
	}
	return m, nil
}

// eeInheritsAll reports whether the EE certificate has at least one RFC
// 3779 extension and every present resource set is inherit.
func eeInheritsAll(ee *Cert) bool {
	r := ee.Resources
	any := false
	for _, f := range []IPResources{r.IPv4, r.IPv6} {
		if f.Present {
			any = true
			if !f.Inherit {
				return false
			}
		}
	}
	if r.AS.Present {
		any = true
		if !r.AS.Inherit {
			return false
		}
	}
	return any
}

// parseManifestContent parses the Manifest eContent (RFC 9286 §4.2).
func parseManifestContent(b []byte) (*Manifest, error) {
	input := cryptobyte.String(b)
	var seq cryptobyte.String
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return nil, mftErr(ErrMalformed, "RFC 9286 §4.2", "Manifest: not a DER SEQUENCE")
	}
	if !input.Empty() {
		return nil, mftErr(ErrMalformed, "RFC 9286 §4.2", "%d bytes of trailing data in eContent", len(input))
	}
	if err := sigobjVersion(&seq, 0, "mft", "RFC 9286 §4.2.1"); err != nil {
		return nil, err
	}
	m := &Manifest{}
	if err := m.parseHeader(&seq); err != nil {
		return nil, err
	}
	var list cryptobyte.String
	if !seq.ReadASN1(&list, cbasn1.SEQUENCE) || !seq.Empty() {
		return nil, mftErr(ErrMalformed, "RFC 9286 §4.2", "fileList: bad encoding or trailing data")
	}
	if err := m.parseFileList(list); err != nil {
		return nil, err
	}
	return m, nil
}

// parseHeader reads manifestNumber, thisUpdate, nextUpdate and fileHashAlg
// (RFC 9286 §4.2.1).
func (m *Manifest) parseHeader(seq *cryptobyte.String) error {
	var num cryptobyte.String
	if !seq.ReadASN1(&num, cbasn1.INTEGER) || len(num) == 0 {
		return mftErr(ErrMalformed, "RFC 9286 §4.2.1", "manifestNumber: bad INTEGER")
	}
	n := new(bigSerial)
	if err := mftCheckNumber(num, n); err != nil {
		return err
	}
	m.Number = &n.n
	var err error
	if m.ThisUpdate, err = readGeneralizedTime(seq); err != nil {
		return mftErr(ErrMalformed, "RFC 9286 §4.2.1", "thisUpdate: %v", err)
	}
	if m.NextUpdate, err = readGeneralizedTime(seq); err != nil {
		return mftErr(ErrMalformed, "RFC 9286 §4.2.1", "nextUpdate: %v", err)
	}
	if !m.ThisUpdate.Before(m.NextUpdate) {
		return mftErr(ErrProfile, "RFC 9286 §4.2.1", "thisUpdate %v is not before nextUpdate %v", m.ThisUpdate, m.NextUpdate)
	}
	alg, err := readOID(seq)
	if err != nil {
		return mftErr(ErrMalformed, "RFC 9286 §4.2.1", "fileHashAlg: bad OID")
	}
	if !alg.Equal(derSHA256) {
		return mftErr(ErrProfile, "RFC 9286 §4.2.1", "fileHashAlg %v, want SHA-256", alg)
	}
	return nil
}

// mftCheckNumber checks manifestNumber: minimal DER, non-negative, at most
// 20 octets (RFC 9286 §4.2.1). As for CRL numbers (RFC 5280 §5.2.3) the
// limit applies to the DER content octets, so the largest value is
// 2^159-1; BBN MFTNumTooBig (2^159, 21 octets) is rejected. rpki-client
// counts magnitude octets and accepts 2^159.
func mftCheckNumber(raw []byte, n *bigSerial) error {
	if len(raw) > 1 && (raw[0] == 0 && raw[1]&0x80 == 0 || raw[0] == 0xff && raw[1]&0x80 != 0) {
		return mftErr(ErrMalformed, "RFC 9286 §4.2.1", "manifestNumber: non-minimal INTEGER")
	}
	if raw[0]&0x80 != 0 {
		return mftErr(ErrProfile, "RFC 9286 §4.2.1", "manifestNumber is negative")
	}
	if len(raw) > MaxManifestNumberOctets {
		return mftErr(ErrProfile, "RFC 9286 §4.2.1", "manifestNumber longer than %d octets", MaxManifestNumberOctets)
	}
	n.set(raw)
	return nil
}

// parseFileList reads the FileAndHash entries (RFC 9286 §4.2.2): valid
// file names, 32-byte hashes, no name twice. Files, the set of names seen
// and the names themselves are each allocated once, sized by a first pass.
func (m *Manifest) parseFileList(list cryptobyte.String) error {
	n, nameBytes := countFileList(list)
	m.Files = make([]ManifestFile, 0, n)
	seen := make(map[string]struct{}, n)
	var names stringArena
	names.Grow(nameBytes)
	for !list.Empty() {
		if len(m.Files) >= MaxManifestEntries {
			return mftErr(ErrMalformed, "", "more than %d fileList entries", MaxManifestEntries)
		}
		f, err := parseFileAndHash(&list, &names)
		if err != nil {
			return err
		}
		if _, dup := seen[f.Name]; dup {
			return mftErr(ErrProfile, "RFC 9286 §4.2.2", "file %q listed twice", f.Name)
		}
		seen[f.Name] = struct{}{}
		m.Files = append(m.Files, f)
	}
	return nil
}

// countFileList returns how many FileAndHash entries list holds, at most
// MaxManifestEntries, and the length of their names. It stops at what it
// cannot read: parseFileList reports it.
func countFileList(list cryptobyte.String) (n, nameBytes int) {
	for n < MaxManifestEntries {
		var entry, name cryptobyte.String
		if !list.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1(&name, cbasn1.IA5String) {
			break
		}
		n, nameBytes = n+1, nameBytes+len(name)
	}
	return n, nameBytes
}

// stringArena makes strings that share one growing buffer: once it has
// grown to their total length, n strings take one allocation.
type stringArena struct{ strings.Builder }

// add returns b as a string.
func (a *stringArena) add(b []byte) string {
	start := a.Len()
	a.Write(b)
	return a.String()[start:]
}

// parseFileAndHash reads one FileAndHash, its name into names.
func parseFileAndHash(list *cryptobyte.String, names *stringArena) (ManifestFile, error) {
	var entry, name cryptobyte.String
	var hash asn1.BitString
	if !list.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1(&name, cbasn1.IA5String) ||
		!entry.ReadASN1BitString(&hash) || !entry.Empty() {
		return ManifestFile{}, mftErr(ErrMalformed, "RFC 9286 §4.2", "FileAndHash: bad encoding")
	}
	if !validManifestFileName(name) {
		return ManifestFile{}, mftErr(ErrProfile, "RFC 9286 §4.2.2", "invalid file name %q", string(name))
	}
	if hash.BitLength != 256 {
		return ManifestFile{}, mftErr(ErrProfile, "RFC 9286 §4.2.1", "hash of %q has %d bits, want 256", string(name), hash.BitLength)
	}
	return ManifestFile{Name: names.add(name), Hash: hash.Bytes}, nil
}

// validManifestFileName applies RFC 9286 §4.2.2: one or more characters of
// [a-zA-Z0-9_-], one '.', and a three-letter extension. Whether the
// extension is a known type is left to the caller (TypeFromName), as in
// rpki-client's valid_filename: an unknown type is ignored, not fatal.
func validManifestFileName(name []byte) bool {
	if len(name) < 5 || len(name) > MaxFileNameLength {
		return false
	}
	dot := len(name) - 4
	if name[dot] != '.' {
		return false
	}
	for i, c := range name {
		switch {
		case i == dot:
		case i > dot && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
		case i < dot && portableFileChar(c):
		default:
			return false
		}
	}
	return true
}

// portableFileChar reports whether c is in the portable file name set of
// RFC 9286 §4.2.2, without the dot.
func portableFileChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// Validate checks the manifest against its issuer at time now: the CMS
// signature, the EE certificate, and freshness: a manifest whose
// nextUpdate has passed, or whose thisUpdate is in the future, is stale
// (RFC 9286 §4.2.1, §6.3), ErrStale.
func (m *Manifest) Validate(issuer *Cert, now time.Time) error {
	if err := m.Signed.validateSigned("mft", issuer, now); err != nil {
		return err
	}
	return m.checkFreshness(now)
}

// checkFreshness reports ErrStale unless thisUpdate <= now <= nextUpdate.
func (m *Manifest) checkFreshness(now time.Time) error {
	if now.Before(m.ThisUpdate) {
		return mftErr(ErrStale, "RFC 9286 §6.3", "thisUpdate %v is in the future", m.ThisUpdate)
	}
	if now.After(m.NextUpdate) {
		return mftErr(ErrStale, "RFC 9286 §6.3", "past nextUpdate %v", m.NextUpdate)
	}
	return nil
}
