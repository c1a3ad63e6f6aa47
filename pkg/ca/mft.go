package ca

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// FileEntry returns the manifest entry of a file: its name and the SHA-256
// of its content (RFC 9286 §4.2.1).
func FileEntry(name string, content []byte) x509rpki.ManifestFile {
	sum := sha256.Sum256(content)
	return x509rpki.ManifestFile{Name: name, Hash: sum[:]}
}

// EncodeManifest returns the DER Manifest eContent (RFC 9286 §4.2): version
// absent (DEFAULT 0), manifestNumber, thisUpdate and nextUpdate as
// GeneralizedTime, fileHashAlg SHA-256, then fileList in the order given.
// Names and hashes are written as given, so the lab can list bad ones.
func EncodeManifest(number *big.Int, thisUpdate, nextUpdate time.Time, files []x509rpki.ManifestFile) ([]byte, error) {
	if number == nil || number.Sign() < 0 || (number.BitLen()+8)/8 > maxSerialBytes {
		return nil, errors.New("ca: mft: RFC 9286 §4.2.1: manifestNumber must be 0..2^159-1")
	}
	if len(files) > x509rpki.MaxManifestEntries {
		return nil, fmt.Errorf("ca: mft: more than %d files", x509rpki.MaxManifestEntries)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(number)
		addGeneralizedTime(b, thisUpdate)
		addGeneralizedTime(b, nextUpdate)
		b.AddASN1ObjectIdentifier(oidSHA256)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for _, f := range files {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.IA5String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(f.Name)) })
					b.AddASN1BitString(f.Hash)
				})
			}
		})
	})
	return b.Bytes()
}
