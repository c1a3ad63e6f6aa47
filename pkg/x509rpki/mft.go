package x509rpki

import (
	"math/big"
	"time"
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
