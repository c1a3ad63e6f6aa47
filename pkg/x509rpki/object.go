package x509rpki

import (
	"path"
	"strings"
)

// ObjectType is the type of an RPKI repository object, as told by its file
// name extension (RFC 6481 §2 and the IANA "RPKI Repository Name Schemes"
// registry).
type ObjectType int

// Object types. TypeUnknown is the zero value.
const (
	TypeUnknown  ObjectType = iota
	TypeCert                // .cer: CA, TA or BGPsec router certificate
	TypeCRL                 // .crl
	TypeManifest            // .mft, RFC 9286
	TypeROA                 // .roa, RFC 9582
	TypeASPA                // .asa, draft-ietf-sidrops-aspa-profile
	TypeGBR                 // .gbr, RFC 6493
	TypeRSC                 // .sig, RFC 9323
	TypeTAK                 // .tak, RFC 9691
	TypeSPL                 // .spl, draft-ietf-sidrops-rpki-prefixlist
)

// typeNames maps each type to its short name and file extension.
var typeNames = [...]struct{ name, ext string }{
	TypeUnknown:  {"unknown", ""},
	TypeCert:     {"cert", ".cer"},
	TypeCRL:      {"crl", ".crl"},
	TypeManifest: {"mft", ".mft"},
	TypeROA:      {"roa", ".roa"},
	TypeASPA:     {"aspa", ".asa"},
	TypeGBR:      {"gbr", ".gbr"},
	TypeRSC:      {"rsc", ".sig"},
	TypeTAK:      {"tak", ".tak"},
	TypeSPL:      {"spl", ".spl"},
}

// String returns the short name used in errors and metrics labels.
func (t ObjectType) String() string {
	if t < 0 || int(t) >= len(typeNames) {
		return "unknown"
	}
	return typeNames[t].name
}

// Extension returns the file name extension of the type, with the dot, or
// "" for TypeUnknown.
func (t ObjectType) Extension() string {
	if t < 0 || int(t) >= len(typeNames) {
		return ""
	}
	return typeNames[t].ext
}

// TypeFromName returns the type of a file from its name's extension. The
// match is exact and lower case, as the registry spells the extensions
// and rpki-client matches them.
func TypeFromName(name string) ObjectType {
	ext := path.Ext(name)
	if ext == "" {
		return TypeUnknown
	}
	for t := TypeCert; int(t) < len(typeNames); t++ {
		if typeNames[t].ext == ext {
			return t
		}
	}
	return TypeUnknown
}

// Object is one parsed repository object. Type says which one of the
// pointers is set; the others are nil.
type Object struct {
	Type     ObjectType
	Cert     *Cert
	CRL      *CRL
	Manifest *Manifest
	ROA      *ROA
	ASPA     *ASPA
	GBR      *GBR
	RSC      *RSC
	TAK      *TAK
	SPL      *SPL
}

// Signed returns the CMS envelope of a signed object, or nil for
// certificates, CRLs and unknown objects.
func (o *Object) Signed() *SignedObject {
	switch o.Type {
	case TypeManifest:
		return o.Manifest.Signed
	case TypeROA:
		return o.ROA.Signed
	case TypeASPA:
		return o.ASPA.Signed
	case TypeGBR:
		return o.GBR.Signed
	case TypeRSC:
		return o.RSC.Signed
	case TypeTAK:
		return o.TAK.Signed
	case TypeSPL:
		return o.SPL.Signed
	}
	return nil
}

// Parse parses der as the type its file name tells (see TypeFromName).
// Only the base name's extension matters; the directory is ignored. An
// unknown extension is an ErrProfile error.
func Parse(name string, der []byte) (*Object, error) {
	t := TypeFromName(name)
	if t == TypeUnknown {
		return nil, newError("object", ErrProfile, "RFC 6481 §2", "unsupported file type %q", strings.TrimPrefix(path.Ext(name), "."))
	}
	return ParseAs(t, der)
}

// ParseAs parses der as an object of type t.
func ParseAs(t ObjectType, der []byte) (*Object, error) {
	o := &Object{Type: t}
	var err error
	switch t {
	case TypeCert:
		o.Cert, err = ParseCert(der)
	case TypeCRL:
		o.CRL, err = ParseCRL(der)
	case TypeManifest:
		o.Manifest, err = ParseManifest(der)
	case TypeROA:
		o.ROA, err = ParseROA(der)
	case TypeASPA:
		o.ASPA, err = ParseASPA(der)
	case TypeGBR:
		o.GBR, err = ParseGBR(der)
	case TypeRSC:
		o.RSC, err = ParseRSC(der)
	case TypeTAK:
		o.TAK, err = ParseTAK(der)
	case TypeSPL:
		o.SPL, err = ParseSPL(der)
	default:
		return nil, newError("object", ErrProfile, "", "unknown object type %d", int(t))
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}
