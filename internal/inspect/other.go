package inspect

import (
	"encoding/base64"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// gbrView renders a Ghostbusters record (RFC 6493).
func gbrView(r *Report, g *x509rpki.GBR) {
	r.Type = "gbr"
	signedView(r, g.Signed)
	r.VCard = g.VCard
}

// rscView renders a Signed Checklist (RFC 9323): the resources it is signed
// with and the files it lists.
func rscView(r *Report, c *x509rpki.RSC) {
	r.Type = "rsc"
	signedView(r, c.Signed)
	for _, a := range c.AS {
		r.RSCResources = appendAS(r.RSCResources, &x509rpki.ASResources{Ranges: []x509rpki.ASRange{a}})
	}
	for _, ip := range c.IP {
		r.RSCResources = appendIP(r.RSCResources, &x509rpki.IPResources{Ranges: []x509rpki.IPRange{ip}}, "")
	}
	r.RSCFiles = make([]FileView, 0, len(c.Files))
	for _, f := range c.Files {
		r.RSCFiles = append(r.RSCFiles, FileView{Name: f.Name, Hash: base64.StdEncoding.EncodeToString(f.Hash)})
	}
}

// takView renders a Trust Anchor Key object (RFC 9691): current key, then
// predecessor and successor when present.
func takView(r *Report, t *x509rpki.TAK) {
	r.Type = "tak"
	signedView(r, t.Signed)
	r.TAKeys = append(r.TAKeys, takeyView("current", &t.Current))
	if t.Predecessor != nil {
		r.TAKeys = append(r.TAKeys, takeyView("predecessor", t.Predecessor))
	}
	if t.Successor != nil {
		r.TAKeys = append(r.TAKeys, takeyView("successor", t.Successor))
	}
}

func takeyView(name string, k *x509rpki.TAKey) TAKeyView {
	return TAKeyView{
		Name: name, Comments: k.Comments, URIs: k.URIs,
		SPKI: base64.StdEncoding.EncodeToString(k.RawSPKI),
	}
}

// splView renders a Signed Prefix List: the AS and every prefix it may
// originate.
func splView(r *Report, s *x509rpki.SPL) {
	r.Type = "spl"
	signedView(r, s.Signed)
	asid := s.ASID
	r.ASID = &asid
	r.SPLPrefixes = make([]string, 0, len(s.Prefixes))
	for _, p := range s.Prefixes {
		r.SPLPrefixes = append(r.SPLPrefixes, p.String())
	}
}
