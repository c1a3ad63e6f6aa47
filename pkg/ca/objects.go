package ca

import (
	"encoding/asn1"
	"fmt"
	"math/big"
	"net/netip"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// Object is a signed object or end-entity certificate built under a CA,
// with what the lab needs to publish it.
type Object struct {
	Name   string // file name in the CA's publication point
	URI    string // rsync URI: the CA's Repo plus Name
	DER    []byte
	EEKey  *Key   // the EE key of a signed object; nil for a router cert
	EECert []byte // DER of the EE certificate inside a signed object
}

// ObjectParams are the choices common to the one-call builders. Zero fields
// take the defaults listed.
type ObjectParams struct {
	Name string // file name; default depends on the type
	// EEKey signs the object; default the CA's EEKeys pool, else a fresh
	// key.
	EEKey *Key
	// EEResources overrides the EE certificate's resources (for example
	// to put a ROA prefix outside its EE certificate); nil means the
	// type's default.
	EEResources *x509rpki.Resources
	// NotBefore and NotAfter bound the EE certificate; default the CA's
	// (for a manifest: its thisUpdate and nextUpdate).
	NotBefore, NotAfter time.Time
	// SigningTime is the CMS signing-time; default NotBefore.
	SigningTime time.Time
	Fault       Fault // defects of the CMS object
	EEFault     Fault // defects of the EE certificate
}

// NewROA builds a ROA (RFC 9582) for asID and prefixes, signed by a new EE
// certificate whose resources are, by default, exactly the ROA's prefixes
// (explicit, no inherit) and no AS numbers, which is what rpki-client asks
// of a ROA EE certificate. Default name: AS<asID>-<serial>.roa.
func (c *CA) NewROA(asID uint32, prefixes []x509rpki.ROAPrefix, p ObjectParams) (*Object, error) {
	content, err := EncodeROA(asID, prefixes)
	if err != nil {
		return nil, err
	}
	serial := c.NextSerial()
	if p.EEResources == nil {
		ps := make([]netip.Prefix, len(prefixes))
		for i, rp := range prefixes {
			ps[i] = rp.Prefix
		}
		res := ResourcesFor(ps, nil)
		p.EEResources = &res
	}
	p.Name = or(p.Name, fmt.Sprintf("AS%d-%s.roa", asID, serial))
	return c.signedObject(OIDContentROA, content, serial, p)
}

// NewASPA builds an ASPA (current draft-ietf-sidrops-aspa-profile) whose EE
// certificate holds exactly the customer AS and no IP resources (§4 of the
// profile). Default name: AS<customer>.asa.
func (c *CA) NewASPA(customer uint32, providers []uint32, p ObjectParams) (*Object, error) {
	content, err := EncodeASPA(customer, providers)
	if err != nil {
		return nil, err
	}
	if p.EEResources == nil {
		res := ResourcesFor(nil, []x509rpki.ASRange{{Min: customer, Max: customer}})
		p.EEResources = &res
	}
	p.Name = or(p.Name, fmt.Sprintf("AS%d.asa", customer))
	return c.signedObject(OIDContentASPA, content, c.NextSerial(), p)
}

// NewManifest builds the CA's manifest (RFC 9286). Its EE certificate
// inherits all resources and is valid from thisUpdate to nextUpdate unless
// p says otherwise (RFC 9286 §5.1 ties the two together). The name is
// always that of c.ManifestURI.
func (c *CA) NewManifest(number *big.Int, thisUpdate, nextUpdate time.Time, files []x509rpki.ManifestFile, p ObjectParams) (*Object, error) {
	content, err := EncodeManifest(number, thisUpdate, nextUpdate, files)
	if err != nil {
		return nil, err
	}
	if p.EEResources == nil {
		res := InheritAll()
		p.EEResources = &res
	}
	if p.NotBefore.IsZero() {
		p.NotBefore = thisUpdate
	}
	if p.NotAfter.IsZero() {
		p.NotAfter = nextUpdate
	}
	p.Name = FileName(c.ManifestURI)
	return c.signedObject(OIDContentManifest, content, c.NextSerial(), p)
}

// NewCRL builds the CA's CRL, named after c.CRLURI.
func (c *CA) NewCRL(number *big.Int, thisUpdate, nextUpdate time.Time, revoked []x509rpki.RevokedCert, f Fault) ([]byte, error) {
	return IssueCRL(&CRLTemplate{Issuer: c.Name, Number: number, ThisUpdate: thisUpdate, NextUpdate: nextUpdate,
		Revoked: revoked, Fault: f}, c.Key)
}

// signedObject issues the EE certificate and signs content with its key.
func (c *CA) signedObject(ct asn1.ObjectIdentifier, content []byte, serial *big.Int, p ObjectParams) (*Object, error) {
	ee, err := c.eeKey(p.EEKey)
	if err != nil {
		return nil, err
	}
	o := &Object{Name: p.Name, URI: c.Repo + p.Name, EEKey: ee}
	nb, na := c.validity(p.NotBefore, p.NotAfter)
	o.EECert, err = IssueCert(&CertTemplate{
		Kind: x509rpki.KindEE, Serial: serial, Issuer: c.Name, NotBefore: nb, NotAfter: na,
		Resources: *p.EEResources, CRLDP: c.CRLURI, AIA: c.CertURI, SignedObject: o.URI, Fault: p.EEFault,
	}, ee, c.Key)
	if err != nil {
		return nil, err
	}
	st := p.SigningTime
	if st.IsZero() {
		st = nb
	}
	o.DER, err = SignObject(&SignedObjectTemplate{ContentType: ct, Content: content, SigningTime: st, Fault: p.Fault}, ee, o.EECert)
	if err != nil {
		return nil, err
	}
	return o, nil
}

// eeKey returns k, else the next pooled key, else a fresh one.
func (c *CA) eeKey(k *Key) (*Key, error) {
	switch {
	case k != nil:
		return k, nil
	case c.EEKeys != nil:
		return c.EEKeys.Next(), nil
	}
	return NewKey(nil)
}

// NewRouterCert issues a BGPsec router certificate (RFC 8209 §3.1) for key
// and the given AS numbers: an EE certificate with the BGPsec router key
// purpose, AS resources only and no SIA. Its subject is "ROUTER-" and the
// first AS number in 8 hex digits (§3.1.1). Default name: the key's SKI in
// hex plus ".cer".
func (c *CA) NewRouterCert(key *ECKey, asns []uint32, p ObjectParams) (*Object, error) {
	if key == nil || len(asns) == 0 {
		return nil, fmt.Errorf("ca: router: RFC 8209 §3.1: a key and at least one AS number are required")
	}
	as := make([]x509rpki.ASRange, len(asns))
	for i, a := range asns {
		as[i] = x509rpki.ASRange{Min: a, Max: a}
	}
	res := ResourcesFor(nil, as)
	if p.EEResources != nil {
		res = *p.EEResources
	}
	name := or(p.Name, hexName(key.SKI())+".cer")
	nb, na := c.validity(p.NotBefore, p.NotAfter)
	der, err := IssueCert(&CertTemplate{
		Kind: x509rpki.KindRouter, Serial: c.NextSerial(), Subject: fmt.Sprintf("ROUTER-%08X", asns[0]),
		Issuer: c.Name, NotBefore: nb, NotAfter: na, Resources: res, CRLDP: c.CRLURI, AIA: c.CertURI, Fault: p.EEFault,
	}, key, c.Key)
	if err != nil {
		return nil, err
	}
	return &Object{Name: name, URI: c.Repo + name, DER: der}, nil
}
