package validate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// caOutput is what one publication point yields. The payload's
// Info.Object counts from 1 into objects, the point's own list: collect
// moves both to the run's numbering, so a remembered output serves any
// later run as it is.
type caOutput struct {
	vrps    []payload.VRPInfo
	aspas   []payload.ASPAInfo
	keys    []payload.KeyInfo
	objects []payload.ObjectSource // CA left 0: the run's index is set by collect
	// noSources records no objects (Options.NoSources).
	noSources bool
	children  []*caNode
	rejected  []report.Object
	counts    []verdictCount
	// until is the earliest time a verdict may change by time alone.
	until time.Time
	// own is the point's own expiry: its CRL's nextUpdate.
	own time.Time
}

// bound lowers until to t.
func (o *caOutput) bound(t time.Time) { o.until = earlierOf(o.until, t) }

// verdictCount counts the objects of one type with one verdict. A point
// has a handful, and the engine keeps them per publication point between
// runs: 8 bytes each, the pair of names numbered (verdicts).
type verdictCount struct {
	verdict uint32 // in verdicts
	n       uint32
}

func (o *caOutput) count(typ, verdict string) {
	id := verdicts.id(typ, verdict)
	for i := range o.counts {
		if c := &o.counts[i]; c.verdict == id {
			c.n++
			return
		}
	}
	o.counts = append(o.counts, verdictCount{id, 1})
}

// verdicts numbers the (object type, verdict) pairs met: both come from
// fixed sets (x509rpki's types and error classes), so it stays small.
var verdicts verdictNames

type verdictNames struct {
	mu    sync.RWMutex
	ids   map[[2]string]uint32
	pairs [][2]string
}

func (v *verdictNames) id(typ, verdict string) uint32 {
	k := [2]string{typ, verdict}
	v.mu.RLock()
	id, ok := v.ids[k]
	v.mu.RUnlock()
	if ok {
		return id
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if id, ok := v.ids[k]; ok {
		return id
	}
	if v.ids == nil {
		v.ids = map[[2]string]uint32{}
	}
	id = uint32(len(v.pairs))
	v.ids[k] = id
	v.pairs = append(v.pairs, k)
	return id
}

// names returns the object type and verdict numbered id.
func (v *verdictNames) names(id uint32) (typ, verdict string) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.pairs[id][0], v.pairs[id][1]
}

// objectSafely is object, with a panic (a bug met by some input) turned
// into the object's rejection, logged with its stack and counted.
func (r *run) objectSafely(n *caNode, cp *checkedPoint, name string, der []byte, out *caOutput) {
	defer func() {
		if p := recover(); p != nil {
			typ := x509rpki.TypeFromName(name).String()
			r.reject(n, out, cp.uri+name, typ, r.panicked("object "+cp.uri+name, p))
		}
	}()
	r.object(n, cp, name, der, out)
}

// object validates one file of a checked publication point.
func (r *run) object(n *caNode, cp *checkedPoint, name string, der []byte, out *caOutput) {
	typ := x509rpki.TypeFromName(name)
	if typ == x509rpki.TypeCRL || (typ == x509rpki.TypeManifest && cp.uri+name == n.cert.manifest) {
		out.count(typ.String(), "valid") // checked with the publication point
		return
	}
	if n.ta.objects.Add(1) > int64(r.e.o.MaxObjectsPerTA) {
		err := fmt.Errorf("trust anchor %s: more than %d objects", n.ta.name, r.e.o.MaxObjectsPerTA)
		r.taLimit(n.ta, limitObjects, err)
		r.reject(n, out, cp.uri+name, typ.String(), err)
		return
	}
	var err error
	switch typ {
	case x509rpki.TypeCert:
		err = r.certificate(n, cp, name, der, out)
	case x509rpki.TypeROA:
		err = r.roa(n, cp, name, der, out)
	case x509rpki.TypeASPA:
		err = r.aspa(n, cp, name, der, out)
	case x509rpki.TypeUnknown:
		err = fmt.Errorf("unknown file type")
	default:
		err = r.otherSigned(n, cp, typ, der)
	}
	if err != nil {
		r.reject(n, out, cp.uri+name, typ.String(), err)
		return
	}
	out.count(typ.String(), "valid")
}

// reject records an object of CA n's point as rejected.
func (r *run) reject(n *caNode, out *caOutput, uri, typ string, err error) {
	class := "invalid"
	if errors.Is(err, errInternal) {
		class = errInternal.Error()
	} else if c := x509rpki.Class(err); c != nil {
		class = c.Error()
		if c == x509rpki.ErrStale {
			out.bound(r.now) // may become valid: check again next run
		}
	}
	out.count(typ, class)
	out.rejected = append(out.rejected, report.Object{URI: uri, Type: typ, TA: n.ta.name, CA: n.uri, Class: class, Reason: err.Error()})
}

// issued checks what every certificate issued by CA n must pass besides its
// own Validate: not revoked, and its CRLDP names the point's CRL.
func issued(c *x509rpki.Cert, cp *checkedPoint) error {
	if c.CRLDP != cp.crlURI {
		return fmt.Errorf("RFC 6487 §4.8.6: CRLDP %s is not the publication point's CRL %s", c.CRLDP, cp.crlURI)
	}
	return c.CheckRevoked(cp.crl)
}

// certificate validates a CA or BGPsec router certificate.
func (r *run) certificate(n *caNode, cp *checkedPoint, name string, der []byte, out *caOutput) error {
	c, err := x509rpki.ParseCert(der)
	if err != nil {
		return err
	}
	if c.Kind == x509rpki.KindRouter {
		return r.routerCert(n, cp, name, der, out)
	}
	if c.Kind != x509rpki.KindCA {
		return fmt.Errorf("RFC 6487 §4: a %s certificate is not published in a repository", c.Kind)
	}
	overClaims := false
	if err := c.Validate(n.issuerCert, r.now); err != nil {
		// Validate checks resources last: ErrResources means all else
		// passed, and RFC 8360 keeps the certificate with what the
		// issuer holds.
		if !r.e.o.Reconsidered || !errors.Is(err, x509rpki.ErrResources) {
			return err
		}
		overClaims = true
	}
	if err := issued(c, cp); err != nil {
		return err
	}
	if err := r.childLimits(n, c.SKI, cp.uri+name); err != nil {
		return err
	}
	res := c.Resources.Resolve(n.cert.resources)
	if overClaims {
		res = res.Intersect(n.cert.resources)
	}
	out.bound(c.NotAfter)
	child := &caNode{cert: keepCert(c, sha256.Sum256(der), res),
		uri: cp.uri + name, ta: n.ta, up: n, index: -1, depth: n.depth + 1, expires: earlierOf(cp.expires, c.NotAfter)}
	if !r.e.memo.disabled {
		// Keyed now, before another worker may take it (handOffBatch):
		// the memo entry of this point reads the key afterwards.
		caKeyOf(child)
	}
	out.children = append(out.children, child)
	return nil
}

// childLimits applies the depth, loop and per-TA limits to a new CA. A
// chain too deep or a loop is what a hostile CA builds: it is logged,
// naming the issuing CA.
func (r *run) childLimits(n *caNode, ski []byte, uri string) error {
	if n.depth+1 > r.e.o.MaxDepth {
		return r.refusedCA(n, uri, fmt.Errorf("certificate chain deeper than %d", r.e.o.MaxDepth))
	}
	for a := n; a != nil; a = a.up {
		if bytes.Equal(a.cert.ski[:], ski) {
			return r.refusedCA(n, uri, fmt.Errorf("RFC 6487 §7.2: certificate loop: SKI already on the chain at %s", a.uri))
		}
	}
	if n.ta.cas.Add(1) > int64(r.e.o.MaxCAsPerTA) {
		err := fmt.Errorf("trust anchor %s: more than %d CAs", n.ta.name, r.e.o.MaxCAsPerTA)
		r.taLimit(n.ta, limitCAs, err)
		return err
	}
	return nil
}

// refusedCA logs a CA certificate that CA n issued and a limit refused,
// and returns err.
func (r *run) refusedCA(n *caNode, uri string, err error) error {
	r.e.log.Warn("CA certificate refused", "issuer", n.uri, "uri", uri, "ta", n.ta.name, "error", err)
	return err
}

// routerCert validates a BGPsec router certificate (RFC 8209) and emits its key.
func (r *run) routerCert(n *caNode, cp *checkedPoint, name string, der []byte, out *caOutput) error {
	rc, err := x509rpki.ParseRouterCert(der)
	if err != nil {
		return err
	}
	if err := rc.Validate(n.issuerCert, r.now); err != nil {
		return err
	}
	if err := issued(rc.Cert, cp); err != nil {
		return err
	}
	var ski [20]byte
	if len(rc.Cert.SKI) != len(ski) {
		return errors.New("RFC 6487 §4.8.2: SKI is not 20 bytes")
	}
	copy(ski[:], rc.Cert.SKI)
	exp := earlierOf(cp.expires, rc.Cert.NotAfter)
	out.bound(rc.Cert.NotAfter) // the chain's expiry aside (see memoEntry.chain)
	info := out.source(n, name, rc.Cert, exp)
	for _, asn := range rc.ASNs {
		// The key is cloned: the DER aliases the whole publication
		// point, which the output outlives.
		out.keys = append(out.keys, payload.KeyInfo{RouterKey: payload.RouterKey{SKI: ski, ASN: asn, SPKI: bytes.Clone(rc.Cert.RawSPKI)},
			Info: info})
	}
	return nil
}

// roa validates a ROA and emits its VRPs.
func (r *run) roa(n *caNode, cp *checkedPoint, name string, der []byte, out *caOutput) error {
	roa, err := x509rpki.ParseROA(der)
	if err != nil {
		return err
	}
	if err := roa.Validate(n.issuerCert, r.now); err != nil {
		return err
	}
	if err := issued(roa.Signed.EE, cp); err != nil {
		return err
	}
	exp := earlierOf(cp.expires, roa.Signed.EE.NotAfter)
	out.bound(roa.Signed.EE.NotAfter) // the chain's expiry aside (see memoEntry.chain)
	first := len(out.vrps)
	for _, p := range roa.Prefixes {
		v, err := payload.NewVRP(p.Prefix, uint8(p.MaxLength), roa.ASID)
		if err != nil {
			out.vrps = out.vrps[:first]
			return err
		}
		out.vrps = append(out.vrps, payload.VRPInfo{VRP: v})
	}
	info := out.source(n, name, roa.Signed.EE, exp)
	for i := first; i < len(out.vrps); i++ {
		out.vrps[i].Info = info
	}
	return nil
}

// aspa validates an ASPA and emits it.
func (r *run) aspa(n *caNode, cp *checkedPoint, name string, der []byte, out *caOutput) error {
	a, err := x509rpki.ParseASPA(der)
	if err != nil {
		return err
	}
	if err := a.Validate(n.issuerCert, r.now); err != nil {
		return err
	}
	if err := issued(a.Signed.EE, cp); err != nil {
		return err
	}
	exp := earlierOf(cp.expires, a.Signed.EE.NotAfter)
	out.bound(a.Signed.EE.NotAfter) // the chain's expiry aside (see memoEntry.chain)
	out.aspas = append(out.aspas, payload.ASPAInfo{ASPA: payload.ASPA{Customer: a.Customer, Providers: a.Providers},
		Info: out.source(n, name, a.Signed.EE, exp)})
	return nil
}

// otherSigned validates objects that carry no payload (GBR, RSC, TAK,
// SPL, and manifests other than the point's own), for the report only.
func (r *run) otherSigned(n *caNode, cp *checkedPoint, typ x509rpki.ObjectType, der []byte) error {
	o, err := x509rpki.ParseAs(typ, der)
	if err != nil {
		return err
	}
	if err := validateOther(o, n.issuerCert, r.now); err != nil {
		return err
	}
	if s := o.Signed(); s != nil {
		return issued(s.EE, cp)
	}
	return nil
}

// source records the signed object a payload item comes from (name, with
// its EE or router certificate ee) and returns the item's provenance.
func (o *caOutput) source(n *caNode, name string, ee *x509rpki.Cert, exp time.Time) payload.Info {
	if o.noSources {
		return payload.Info{TA: n.ta.id, Expires: payload.ExpiryOf(exp)}
	}
	o.objects = append(o.objects, payload.ObjectSource{Name: strings.Clone(name),
		NotBefore: payload.ExpiryOf(ee.NotBefore), NotAfter: payload.ExpiryOf(ee.NotAfter)})
	return payload.Info{TA: n.ta.id, Expires: payload.ExpiryOf(exp), Object: uint32(len(o.objects))}
}

// collectRejected records one rejected object outside a publication point's
// own output (a remembered child CA over a limit).
func (r *run) collectRejected(n *caNode, uri string, err error) {
	var out caOutput
	r.reject(n, &out, uri, x509rpki.TypeCert.String(), err)
	r.mu.Lock()
	r.rep.Rejected = append(r.rep.Rejected, out.rejected...)
	r.mu.Unlock()
}

// collect gathers a publication point's output into the run's: its
// counts and rejections now, its objects and payload for the table, which
// numbers them at the end (assemble). entry is the point's memo entry (nil
// for a one-shot engine), reused when the output is the entry's.
func (r *run) collect(n *caNode, out *caOutput, entry *memoEntry, reused bool) {
	vrps := len(out.vrps)
	if reused {
		vrps = entry.vrps
	}
	n.ta.vrps.Add(int64(vrps))
	n.ta.aspas.Add(int64(len(out.aspas)))
	n.ta.keys.Add(int64(len(out.keys)))
	for _, c := range out.counts {
		typ, verdict := verdicts.names(c.verdict)
		r.e.o.Observer.ObjectsDone(typ, verdict, int(c.n))
		r.e.progress.objects.Add(int64(c.n))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g := gathered{ca: uint32(n.index), reused: reused, entry: entry, chain: payload.ExpiryOf(n.expires)}
	if !reused {
		// Its payload only: the children and the rest are done with.
		g.fresh = &caOutput{objects: out.objects, vrps: out.vrps, aspas: out.aspas, keys: out.keys}
	}
	r.gathered = append(r.gathered, g)
	r.rep.Rejected = append(r.rep.Rejected, out.rejected...)
	for _, c := range out.counts {
		typ, verdict := verdicts.names(c.verdict)
		m := r.rep.Objects[typ]
		if m == nil {
			m = map[string]int{}
			r.rep.Objects[typ] = m
		}
		m[verdict] += int(c.n)
	}
}

// panicked logs a recovered panic with its stack, counts it, and returns
// it as the error that rejects what was being processed.
func (r *run) panicked(what string, p any) error {
	r.e.log.Error("panic while validating: rejected", "what", what, "panic", p,
		"stack", string(debug.Stack()))
	r.e.o.Observer.Panicked("validate")
	return fmt.Errorf("%w: internal error while validating: %v", errInternal, p)
}

// errInternal classes the rejection of what met a bug (a recovered panic).
var errInternal = errors.New("internal")

// validateOther calls Validate on whichever payload-free object o holds.
func validateOther(o *x509rpki.Object, issuer *x509rpki.Cert, now time.Time) error {
	switch {
	case o.GBR != nil:
		return o.GBR.Validate(issuer, now)
	case o.RSC != nil:
		return o.RSC.Validate(issuer, now)
	case o.TAK != nil:
		return o.TAK.Validate(issuer, now)
	case o.SPL != nil:
		return o.SPL.Validate(issuer, now)
	case o.Manifest != nil:
		return o.Manifest.Validate(issuer, now)
	case o.CRL != nil:
		return o.CRL.Validate(issuer, now)
	}
	return nil
}
