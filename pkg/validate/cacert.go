package validate

import (
	"bytes"
	"crypto"
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/x509rpki"
)

// caCert is what the engine keeps of an accepted CA certificate, while the
// CA waits for a worker and, between runs, in the memo of its parent's
// point: what locating its publication point, issuing its objects and
// limiting its children need. It holds none of the DER, which aliases the
// parent's whole point, and a third of a parsed certificate's size: the
// daemon keeps one per CA (40,000 at global scale).
type caCert struct {
	kind       x509rpki.CertKind
	ski        []byte
	rawSubject []byte
	subject    string
	publicKey  crypto.PublicKey
	// resources are resolved through the chain: no inherit.
	resources x509rpki.Resources
	// repository, manifest and notify are the SIA URIs (RFC 6487
	// §4.8.8.1, RFC 8182 §3.2).
	repository, manifest, notify string
	notBefore, notAfter          int64 // Unix seconds
}

// keepCert is the kept form of CA certificate c, whose resources resolve to
// res.
func keepCert(c *x509rpki.Cert, res x509rpki.Resources) *caCert {
	// The parsed URIs are slices of one string that holds the CRL and
	// issuer URIs as well: the two kept get a string of their own.
	loc := c.CARepository + c.Manifest
	return &caCert{
		kind: c.Kind, ski: bytes.Clone(c.SKI), rawSubject: bytes.Clone(c.RawSubject), subject: c.Subject,
		publicKey: c.PublicKey, resources: res,
		repository: loc[:len(c.CARepository)], manifest: loc[len(c.CARepository):], notify: notifyURIs.intern(c.Notify),
		notBefore: c.NotBefore.Unix(), notAfter: c.NotAfter.Unix(),
	}
}

// issuer is the form x509rpki's checks take of the certificate that issued
// what they check. It is built per publication point validated, not kept.
func (c *caCert) issuer() *x509rpki.Cert {
	return &x509rpki.Cert{Kind: c.kind, SKI: c.ski, RawSubject: c.rawSubject, Subject: c.subject,
		PublicKey: c.publicKey, Resources: c.resources, CARepository: c.repository, Manifest: c.manifest, Notify: c.notify,
		NotBefore: time.Unix(c.notBefore, 0), NotAfter: time.Unix(c.notAfter, 0)}
}

// notifyURIs shares the RRDP notification URI strings: tens of thousands of
// CAs name a few dozen repositories.
var notifyURIs = interned{m: map[string]string{}}

// interned is a set of shared strings, bounded: past maxInterned it stops
// adding (a hostile CA naming a new URI per certificate gains nothing).
type interned struct {
	mu sync.Mutex
	m  map[string]string
}

const maxInterned = 4096

func (in *interned) intern(s string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}

// issuer returns CA n's certificate as x509rpki's checks take it, built
// the first time n's point needs it (only the worker processing n calls
// it).
func (n *caNode) issuer() *x509rpki.Cert {
	if n.issuerCert == nil {
		n.issuerCert = n.cert.issuer()
	}
	return n.issuerCert
}
