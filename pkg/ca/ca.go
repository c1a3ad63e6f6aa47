package ca

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// CA is an issuing certificate authority: its key, its certificate and
// where it publishes. It hands out serial numbers from a counter, so a
// repository built in the same order from the same keys is byte-identical.
// A CA is safe for concurrent use by the builders.
type CA struct {
	Key       *Key
	Cert      []byte // DER of the CA's own certificate
	Name      string // subject commonName of Cert
	Resources x509rpki.Resources
	NotBefore time.Time // validity of Cert, the default for what it issues
	NotAfter  time.Time

	CertURI     string // rsync URI of Cert (the AIA of its children)
	Repo        string // caRepository, an rsync directory URI ending in "/"
	ManifestURI string // rsync URI of its manifest
	CRLURI      string // rsync URI of its CRL (the CRLDP of its children)
	Notify      string // RRDP notification URI, optional

	// EEKeys, when set, supplies the EE keys of signed objects instead of
	// a fresh key each (see KeyPool for why that is safe only for EEs).
	EEKeys *KeyPool

	serial atomic.Uint64
}

// Params are the choices for a new TA or CA certificate. Zero fields take
// the defaults listed.
type Params struct {
	Key  *Key   // nil: a fresh NewKey (CA keys must be unique, see KeyPool)
	Name string // subject CN; default the key's SKI in hex
	// CertURI is where the certificate is published. TA default:
	// rsync://<host>/ta/<name>.cer; CA default: the parent's Repo plus
	// <name>.cer.
	CertURI string
	// Repo is the caRepository directory; default the parent's Repo plus
	// <name>/ (TA: rsync://<host>/repo/<name>/).
	Repo      string
	Notify    string
	Resources x509rpki.Resources // required: explicit resources, or inherit for a CA
	NotBefore time.Time          // default: the parent's (required for a TA)
	NotAfter  time.Time
	Serial    *big.Int // default: the parent's next serial (TA: 1)
	// Reconsidered uses the RFC 8360 OIDs.
	Reconsidered bool
	Fault        Fault
}

// NewTA makes a self-signed trust anchor publishing under
// rsync://host/ (RFC 6487 §4, RFC 8630 §2.3: no AKI, CRLDP or AIA).
func NewTA(host string, p Params) (*CA, error) {
	if host == "" || strings.ContainsAny(host, "/ ") {
		return nil, fmt.Errorf("ca: ta: bad host %q", host)
	}
	if p.NotBefore.IsZero() || p.NotAfter.IsZero() {
		return nil, errors.New("ca: ta: NotBefore and NotAfter are required")
	}
	key, err := keyOrNew(p.Key)
	if err != nil {
		return nil, err
	}
	name := nameOr(p.Name, key)
	c := &CA{Key: key, Name: name, Resources: p.Resources, NotBefore: p.NotBefore, NotAfter: p.NotAfter, Notify: p.Notify}
	c.CertURI = or(p.CertURI, "rsync://"+host+"/ta/"+name+".cer")
	c.setRepo(or(p.Repo, "rsync://"+host+"/repo/"+name+"/"))
	serial := p.Serial
	if serial == nil {
		serial = big.NewInt(1)
	}
	c.Cert, err = IssueCert(c.template(x509rpki.KindTA, serial, p), key, key)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// NewCA issues a child CA certificate under c.
func (c *CA) NewCA(p Params) (*CA, error) {
	key, err := keyOrNew(p.Key)
	if err != nil {
		return nil, err
	}
	name := nameOr(p.Name, key)
	child := &CA{Key: key, Name: name, Resources: p.Resources, Notify: p.Notify, EEKeys: c.EEKeys}
	child.NotBefore, child.NotAfter = c.validity(p.NotBefore, p.NotAfter)
	p.NotBefore, p.NotAfter = child.NotBefore, child.NotAfter
	child.CertURI = or(p.CertURI, c.Repo+name+".cer")
	child.setRepo(or(p.Repo, c.Repo+name+"/"))
	serial := p.Serial
	if serial == nil {
		serial = c.NextSerial()
	}
	t := child.template(x509rpki.KindCA, serial, p)
	t.Issuer, t.CRLDP, t.AIA = c.Name, c.CRLURI, c.CertURI
	child.Cert, err = IssueCert(t, key, c.Key)
	if err != nil {
		return nil, err
	}
	return child, nil
}

// template returns the certificate template of c itself.
func (c *CA) template(kind x509rpki.CertKind, serial *big.Int, p Params) *CertTemplate {
	return &CertTemplate{
		Kind: kind, Serial: serial, Subject: c.Name, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		Resources: c.Resources, CARepository: c.Repo, Manifest: c.ManifestURI, Notify: c.Notify,
		Reconsidered: p.Reconsidered, Fault: p.Fault,
	}
}

// setRepo sets the publication point and the manifest and CRL URIs in it,
// named after the CA as Krill and rpkid do.
func (c *CA) setRepo(repo string) {
	if !strings.HasSuffix(repo, "/") {
		repo += "/"
	}
	c.Repo = repo
	c.ManifestURI = repo + c.Name + ".mft"
	c.CRLURI = repo + c.Name + ".crl"
}

// NextSerial returns the next serial number this CA issues (1, 2, ...).
func (c *CA) NextSerial() *big.Int {
	return new(big.Int).SetUint64(c.serial.Add(1))
}

// validity returns the given window, or c's own when a bound is zero.
func (c *CA) validity(notBefore, notAfter time.Time) (time.Time, time.Time) {
	if notBefore.IsZero() {
		notBefore = c.NotBefore
	}
	if notAfter.IsZero() {
		notAfter = c.NotAfter
	}
	return notBefore, notAfter
}

// TAL returns the Trust Anchor Locator of c (RFC 8630): the given URIs,
// or c.CertURI when none are given, and c's public key.
func (c *CA) TAL(uris ...string) *tal.TAL {
	if len(uris) == 0 {
		uris = []string{c.CertURI}
	}
	return &tal.TAL{URIs: uris, SPKI: c.Key.SPKI(), PublicKey: &c.Key.Private.PublicKey}
}

// keyOrNew returns k, or a fresh key when k is nil.
func keyOrNew(k *Key) (*Key, error) {
	if k != nil {
		return k, nil
	}
	return NewKey(nil)
}

// nameOr returns name, or the key's hex SKI when name is empty.
func nameOr(name string, k *Key) string {
	if name != "" {
		return name
	}
	return k.Name()
}

// or returns s, or def when s is empty.
func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// FileName returns the last path element of an rsync URI, the name a file
// has on its CA's manifest.
func FileName(uri string) string {
	return uri[strings.LastIndexByte(uri, '/')+1:]
}
