package validate

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// caCert is what the engine keeps of an accepted CA certificate, while the
// CA waits for a worker and, between runs, in the memo of its parent's
// point: what locating its publication point, issuing its objects and
// limiting its children need. It holds none of the DER, which aliases the
// parent's whole point, and a fraction of a parsed certificate's size: the
// daemon keeps one per CA (40,000 at global scale).
type caCert struct {
	kind x509rpki.CertKind
	// ski is 20 bytes: x509rpki rejects any other (RFC 6487 §4.8.2).
	ski [20]byte
	// certSum is the SHA-256 of the certificate's DER.
	certSum [sha256.Size]byte
	// resources are resolved through the chain: no inherit.
	resources x509rpki.Resources
	// repository, manifest and notify are the SIA URIs (RFC 6487
	// §4.8.8.1, RFC 8182 §3.2).
	repository, manifest, notify string
	notBefore, notAfter          int64 // Unix seconds
	// signer is what checking the objects the CA issued takes. The daemon
	// drops it once the CA's point is validated (dropSigner): most points
	// stay the same for many runs, and 40,000 RSA keys were 10 MB. When
	// the point changes, issuer reads it again from the parent's point.
	signer atomic.Pointer[signer]
}

// signer is the part of a CA certificate that checking what it issued
// takes besides its resources.
type signer struct {
	publicKey  crypto.PublicKey
	rawSubject []byte
	subject    string
}

func signerOf(c *x509rpki.Cert) *signer {
	return &signer{publicKey: c.PublicKey, rawSubject: bytes.Clone(c.RawSubject), subject: c.Subject}
}

// keepCert is the kept form of CA certificate c, whose DER hashes to sum
// and whose resources resolve to res.
func keepCert(c *x509rpki.Cert, sum [sha256.Size]byte, res x509rpki.Resources) *caCert {
	// The parsed URIs are slices of one string that holds the CRL and
	// issuer URIs as well: the two kept get a string of their own.
	loc := c.CARepository + c.Manifest
	k := &caCert{
		kind: c.Kind, certSum: sum, resources: res,
		repository: loc[:len(c.CARepository)], manifest: loc[len(c.CARepository):], notify: notifyURIs.intern(c.Notify),
		notBefore: c.NotBefore.Unix(), notAfter: c.NotAfter.Unix(),
	}
	copy(k.ski[:], c.SKI)
	k.signer.Store(signerOf(c))
	return k
}

// issuer is the form x509rpki's checks take of the certificate that issued
// what they check, with signer s. It is built per publication point
// validated, not kept.
func (c *caCert) issuer(s *signer) *x509rpki.Cert {
	return &x509rpki.Cert{Kind: c.kind, SKI: c.ski[:], RawSubject: s.rawSubject, Subject: s.subject,
		PublicKey: s.publicKey, Resources: c.resources, CARepository: c.repository, Manifest: c.manifest, Notify: c.notify,
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
// it), its signer read again from the parent's point when dropped.
func (r *run) issuer(n *caNode) (*x509rpki.Cert, error) {
	if n.issuerCert != nil {
		return n.issuerCert, nil
	}
	s := n.cert.signer.Load()
	if s == nil {
		var err error
		if s, err = r.reloadSigner(n); err != nil {
			return nil, err
		}
	}
	n.issuerCert = n.cert.issuer(s)
	return n.issuerCert, nil
}

// dropSigner forgets CA n's signer once its point is done, when the engine
// remembers points (a one-shot engine frees the whole node anyway). A trust
// anchor's is kept: its node is made afresh at every run.
func (r *run) dropSigner(n *caNode) {
	if !r.e.memo.disabled && n.up != nil {
		n.cert.signer.Store(nil)
	}
}

// reloadSigner reads CA n's certificate again from its issuer's validated
// copy, which holds it: the issuer's point is the same as when n was
// accepted, or n would have been accepted again, with its signer.
func (r *run) reloadSigner(n *caNode) (*signer, error) {
	if n.up == nil {
		return nil, errors.New("trust anchor certificate without its key") // taNode always sets it
	}
	name, err := nameIn(n.uri, n.up.cert.repository)
	if err != nil {
		return nil, fmt.Errorf("reading the CA certificate again: %w", err)
	}
	pp := r.issuerPoints.get(r, n.up)
	if pp == nil {
		return nil, fmt.Errorf("reading the CA certificate again: the issuer's validated copy of %s is gone", n.up.cert.repository)
	}
	der, ok := pp.Get(name)
	if !ok || sha256.Sum256(der) != n.cert.certSum {
		return nil, fmt.Errorf("reading the CA certificate again: %s is no longer in the issuer's validated copy", n.uri)
	}
	c, err := x509rpki.ParseCert(der)
	if err != nil {
		return nil, fmt.Errorf("reading the CA certificate again: %w", err)
	}
	s := signerOf(c)
	n.cert.signer.Store(s)
	return s, nil
}

// pointCache holds, for one run, the validated copies of the issuers whose
// children's signers were read again: many children of one issuer change
// in a run. It holds at most pointCacheBytes of copies (dropping them all
// when full), so a run where most points changed reads an issuer's copy a
// few times rather than keeping every copy.
type pointCache struct {
	mu    sync.Mutex
	m     map[*caCert]*cache.PubPoint
	bytes int
}

const pointCacheBytes = 64 << 20

func (c *pointCache) get(r *run, n *caNode) *cache.PubPoint {
	c.mu.Lock()
	pp, ok := c.m[n.cert]
	c.mu.Unlock()
	if ok {
		return pp
	}
	pp = r.valid(n)
	size := pointBytes(pp)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.bytes+size > pointCacheBytes {
		c.m, c.bytes = map[*caCert]*cache.PubPoint{}, 0
	}
	c.m[n.cert] = pp
	c.bytes += size
	return pp
}

func pointBytes(pp *cache.PubPoint) int {
	if pp == nil {
		return 0
	}
	n := 0
	for _, f := range pp.Files {
		n += len(f.Data) + len(f.Name)
	}
	return n
}
