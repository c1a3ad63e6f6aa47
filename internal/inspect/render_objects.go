package inspect

import (
	"encoding/base64"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// signedView fills the EE certificate and CMS fields of a signed object
// (RFC 6488) into r.
func signedView(r *Report, so *x509rpki.SignedObject) {
	if so == nil {
		return
	}
	if so.EE != nil {
		r.CertView = certView(so.EE)
	}
	r.Signed = &SignedView{
		ContentType: so.ContentType.String(),
		SigningTime: timeString(so.SigningTime),
	}
}

// roaView renders a ROA (RFC 9582): its ASID and one VRP per prefix.
func roaView(r *Report, roa *x509rpki.ROA) {
	r.Type = "roa"
	signedView(r, roa.Signed)
	asid := roa.ASID
	r.ASID = &asid
	r.VRPs = make([]VRPView, 0, len(roa.Prefixes))
	for _, p := range roa.Prefixes {
		r.VRPs = append(r.VRPs, VRPView{Prefix: p.Prefix.String(), ASID: roa.ASID, MaxLen: p.MaxLength})
	}
}

// manifestView renders a manifest (RFC 9286 §4.2).
func manifestView(r *Report, m *x509rpki.Manifest) {
	r.Type = "manifest"
	signedView(r, m.Signed)
	r.ManifestNumber = bnHex(m.Number)
	r.ThisUpdate = timeString(m.ThisUpdate)
	r.NextUpdate = timeString(m.NextUpdate)
	r.Files = make([]FileView, 0, len(m.Files))
	for _, f := range m.Files {
		r.Files = append(r.Files, FileView{Name: f.Name, Hash: base64.StdEncoding.EncodeToString(f.Hash)})
	}
	n := len(m.Files)
	r.Entries = &n
}

// crlView renders a CRL (RFC 6487 §5). A CRL has no certificate of its own;
// only its AKI is shown.
func crlView(r *Report, c *x509rpki.CRL) {
	r.Type = "crl"
	r.CertView = &CertView{AKI: colonHex(c.AKI), Issuer: c.Issuer}
	r.CRLNumber = bnHex(c.Number)
	r.ThisUpdate = timeString(c.ThisUpdate)
	r.NextUpdate = timeString(c.NextUpdate)
	r.Revoked = make([]RevokedView, 0, len(c.Revoked))
	for _, rc := range c.Revoked {
		r.Revoked = append(r.Revoked, RevokedView{Serial: bnHex(rc.Serial), Date: timeString(rc.Time)})
	}
	n := len(c.Revoked)
	r.RevokedCount = &n
}

// aspaView renders an ASPA: customer AS and provider set.
func aspaView(r *Report, a *x509rpki.ASPA) {
	r.Type = "aspa"
	signedView(r, a.Signed)
	c := a.Customer
	r.CustomerASID = &c
	r.Providers = append([]uint32{}, a.Providers...)
}

// routerView renders a BGPsec router certificate (RFC 8209).
func routerView(r *Report, rc *x509rpki.RouterCert) {
	r.Type = "router_key"
	if rc.Cert != nil {
		r.CertView = certView(rc.Cert)
		r.RouterKey = base64.StdEncoding.EncodeToString(rc.Cert.RawSPKI)
	}
	r.RouterASNs = append([]uint32{}, rc.ASNs...)
}
