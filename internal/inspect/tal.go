package inspect

import (
	"crypto/sha1"
	"encoding/asn1"
	"errors"
	"path"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/openrpki/validator/pkg/tal"
)

// inspectTAL reads a trust anchor locator (RFC 8630). A TAL has no validity
// window and no issuer: parsing it is the whole check.
func inspectTAL(r *Report, data []byte) {
	r.Type = "tal"
	t, err := tal.Parse(data)
	if err != nil {
		reject(r, err, talClass(err))
		return
	}
	r.TAL = &TALView{
		Name: talName(r.File),
		URIs: t.FetchOrder(),
		SKI:  colonHex(spkiKeyID(t.SPKI)),
	}
	r.Status = StatusOK
}

// talName names a TAL after its file, up to ".tal" (so that
// "apnic-testbed.tal.disabled" is "apnic-testbed", as rpki-client names it
// when run on a copy named ".tal").
func talName(file string) string {
	name := path.Base(file)
	if i := strings.Index(name, tal.Extension); i > 0 {
		name = name[:i]
	}
	return name
}

// talClass classes a TAL error: a syntax error is "malformed".
func talClass(err error) string {
	if errors.Is(err, tal.ErrInvalid) {
		return "malformed"
	}
	return "io"
}

// ReadTALKey reads a TAL file and returns its DER SubjectPublicKeyInfo.
func ReadTALKey(name string) ([]byte, error) {
	t, err := tal.LoadFile(name)
	if err != nil {
		return nil, err
	}
	return t.SPKI, nil
}

// spkiKeyID is the key identifier of a SubjectPublicKeyInfo: the SHA-1 of
// the subjectPublicKey bits (RFC 6487 §4.8.2, method 1 of RFC 5280
// §4.2.1.2), which is what rpki-client prints as a TAL's ski. It returns nil
// when spki cannot be read.
func spkiKeyID(spki []byte) []byte {
	in := cryptobyte.String(spki)
	var seq, alg cryptobyte.String
	var bits asn1.BitString
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!seq.ReadASN1BitString(&bits) {
		return nil
	}
	sum := sha1.Sum(bits.Bytes)
	return sum[:]
}
