package inspect

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// typeNames names each object type as rpki-client's JSON "type" does, for
// reports of files rejected before their type could be rendered.
var typeNames = map[x509rpki.ObjectType]string{
	x509rpki.TypeCert: "cert", x509rpki.TypeCRL: "crl", x509rpki.TypeManifest: "manifest",
	x509rpki.TypeROA: "roa", x509rpki.TypeASPA: "aspa", x509rpki.TypeGBR: "gbr",
	x509rpki.TypeRSC: "rsc", x509rpki.TypeTAK: "tak", x509rpki.TypeSPL: "spl",
}

// objectType maps an extension without its dot ("roa") to the x509rpki
// type; TypeUnknown when it is none. As rpki-client -f, the type of an
// object is taken from its file name (RFC 6481 §2 fixes the extensions).
func objectType(ext string) x509rpki.ObjectType {
	return x509rpki.TypeFromName("x." + ext)
}

// decode parses der as an object of type t and returns the most specific
// value: *Cert, *RouterCert, *CRL, *Manifest, *ROA, *ASPA, *GBR, *RSC,
// *TAK or *SPL.
func decode(t x509rpki.ObjectType, der []byte) (any, error) {
	o, err := x509rpki.ParseAs(t, der)
	if err != nil {
		return nil, err
	}
	switch o.Type {
	case x509rpki.TypeCert:
		if o.Cert.Kind == x509rpki.KindRouter {
			// RFC 8209 §3.1: the router profile adds its own checks.
			return x509rpki.ParseRouterCert(der)
		}
		return o.Cert, nil
	case x509rpki.TypeCRL:
		return o.CRL, nil
	case x509rpki.TypeManifest:
		return o.Manifest, nil
	case x509rpki.TypeROA:
		return o.ROA, nil
	case x509rpki.TypeASPA:
		return o.ASPA, nil
	case x509rpki.TypeGBR:
		return o.GBR, nil
	case x509rpki.TypeRSC:
		return o.RSC, nil
	case x509rpki.TypeTAK:
		return o.TAK, nil
	case x509rpki.TypeSPL:
		return o.SPL, nil
	}
	return nil, fmt.Errorf("inspect: no decoder for %s", o.Type)
}

// TypeOf returns the object type of a file name: its extension without the
// dot, lower case ("roa", "mft", "tal", ...).
func TypeOf(name string) string {
	return strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
}

// KnownTypes lists the extensions that Inspect reads, without the dot.
func KnownTypes() []string {
	out := []string{"tal"}
	for t := range typeNames {
		out = append(out, strings.TrimPrefix(t.Extension(), "."))
	}
	sort.Strings(out)
	return out
}

// unknownType is the error for a file whose type cannot be told from its
// name.
func unknownType(typ string) error {
	return fmt.Errorf("inspect: RFC 6481 §2: unknown file type %q: want one of %s", typ, strings.Join(KnownTypes(), ", "))
}
