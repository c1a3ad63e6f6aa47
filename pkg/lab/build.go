package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/ca"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// Validity periods of what the lab issues, counted from the lab's clock.
const (
	backdate        = time.Hour            // notBefore and thisUpdate lie this far back
	certLifetime    = 365 * 24 * time.Hour // CA, EE and router certificates
	mftLifetime     = 7 * 24 * time.Hour   // manifest and CRL nextUpdate
	taMftLifetime   = 30 * 24 * time.Hour  // a trust anchor's
	eeSlackPerCA    = 8                    // spare EE keys per CA for objects added later
	childSerialBase = 500_000              // CA certificate serials, apart from EE serials
	serialsPerGen   = 1_000_000            // serials of one re-issue generation of a CA
)

// file is one published object: its name in its publication point and DER.
type file struct {
	Name string
	DER  []byte
}

// builder signs the objects of a plan. CA i uses key i of the factory; the
// EE certificates of CA i use keys from eeBase[i] on, one per object, so
// every key in the lab is distinct and rebuilding an object gives the same
// bytes (RSA PKCS#1 v1.5 signatures are deterministic).
type builder struct {
	plan      *Plan
	ep        Endpoints
	t0        time.Time
	keys      *KeyFactory
	keyMu     sync.Mutex
	caKeys    []*ca.Key // made on first use: serving a lab needs none
	caKeyIdx  []int     // key factory index of each CA's key (moves on rollover)
	children  [][]int
	eeBase    []int
	gen       []int                    // re-issue generation of each CA's publication point
	revoked   [][]x509rpki.RevokedCert // per CA: what its CRL lists
	ipInherit func(i int) bool
	faults    map[int]faultSpec // CA index → the fault it carries
	revokedCA []bool            // CA certificates their parent revoked
	// backwards marks CAs whose manifest number went back (fault
	// mft-number-backwards); frozen keeps the ROAs a relying party that
	// rejected that manifest still outputs.
	backwards map[int]bool
	frozen    map[int][]ROA
	attacks   attackState // see attacks.go

	rolloverBase, rollovers int // spare keys for key rollovers, and how many used
}

// fault returns the name of the fault CA i carries, or "".
func (b *builder) fault(i int) string { return b.faults[i].name }

// keysNeeded is how many RSA keys a plan uses.
func keysNeeded(pl *Plan) int {
	n := len(pl.CAs)
	for _, c := range pl.CAs {
		n += 1 + len(c.ROAs) + len(c.ASPAs) + eeSlackPerCA
	}
	return n + rolloverKeys
}

func newBuilder(pl *Plan, ep Endpoints, t0 time.Time, keys *KeyFactory) (*builder, error) {
	b := &builder{plan: pl, ep: ep, t0: t0, keys: keys,
		caKeys: make([]*ca.Key, len(pl.CAs)), caKeyIdx: make([]int, len(pl.CAs)), children: make([][]int, len(pl.CAs)),
		eeBase: make([]int, len(pl.CAs)), gen: make([]int, len(pl.CAs)),
		revoked:   make([][]x509rpki.RevokedCert, len(pl.CAs)),
		ipInherit: func(int) bool { return false }}
	next := len(pl.CAs)
	for i, c := range pl.CAs {
		if c.Parent >= 0 {
			b.children[c.Parent] = append(b.children[c.Parent], i)
		}
		b.eeBase[i] = next
		next += 1 + len(c.ROAs) + len(c.ASPAs) + eeSlackPerCA
	}
	b.rolloverBase = next
	next += rolloverKeys
	b.revokedCA = make([]bool, len(pl.CAs))
	b.backwards, b.frozen = map[int]bool{}, map[int][]ROA{}
	if next > keys.Cap() {
		return nil, fmt.Errorf("lab: plan needs %d keys, factory has %d", next, keys.Cap())
	}
	for i := range pl.CAs {
		b.caKeyIdx[i] = i
	}
	return b, nil
}

// caKey returns CA i's key, making it on first use.
func (b *builder) caKey(i int) *ca.Key {
	b.keyMu.Lock()
	defer b.keyMu.Unlock()
	if b.caKeys[i] == nil {
		k, err := b.key(b.caKeyIdx[i])
		if err != nil {
			panic("lab: key factory: " + err.Error()) // capacity is checked in newBuilder
		}
		b.caKeys[i] = k
	}
	return b.caKeys[i]
}

// rollKey moves CA i to key factory index k.
func (b *builder) rollKey(i, k int) {
	b.keyMu.Lock()
	defer b.keyMu.Unlock()
	b.caKeyIdx[i], b.caKeys[i] = k, nil
}

func (b *builder) key(i int) (*ca.Key, error) {
	priv, err := b.keys.Key(i)
	if err != nil {
		return nil, err
	}
	return ca.KeyFromRSA(priv)
}

// taCert issues the self-signed certificate of trust anchor root CA i.
func (b *builder) taCert(i int) ([]byte, error) {
	c := b.plan.CAs[i]
	t := &ca.CertTemplate{Kind: x509rpki.KindTA, Serial: big.NewInt(1),
		NotBefore: b.t0.Add(-backdate), NotAfter: b.t0.Add(10 * certLifetime),
		Resources: c.Resources}
	b.setSIA(t, i)
	if b.attacks.replayed[i] {
		olderTA(t)
	}
	return ca.IssueCert(t, b.caKey(i), b.caKey(i))
}

// setSIA fills the SIA of CA i's certificate.
func (b *builder) setSIA(t *ca.CertTemplate, i int) {
	pl := b.plan
	t.CARepository = pl.ppURI(b.ep, i)
	t.Manifest = t.CARepository + pl.mftName(i)
	t.Notify = b.ep.https(notifyPath(pl.CAs[i].Repo))
}

// issuedBy fills what a certificate issued by CA i says of its issuer.
func (b *builder) issuedBy(t *ca.CertTemplate, i int) {
	t.CRLDP = b.plan.ppURI(b.ep, i) + b.plan.crlName(i)
	t.AIA = b.ep.rsync(b.plan.certPath(i))
}

// childCert issues CA c's certificate, signed by its parent.
func (b *builder) childCert(c int) ([]byte, error) {
	pl := b.plan
	p := pl.CAs[c].Parent
	res := pl.CAs[c].Resources
	if b.ipInherit(c) {
		res.IPv4 = x509rpki.IPResources{Present: true, Inherit: true}
		res.IPv6 = x509rpki.IPResources{Present: true, Inherit: true}
	}
	t := &ca.CertTemplate{Kind: x509rpki.KindCA, Serial: b.caSerial(c),
		NotBefore: b.t0.Add(-backdate), NotAfter: b.t0.Add(certLifetime), Resources: res}
	switch b.fault(c) {
	case "over-claiming-ca":
		extra := prefixRange(netip.MustParsePrefix("10.0.0.0/8"))
		t.Resources.IPv4.Ranges = append([]x509rpki.IPRange{extra}, t.Resources.IPv4.Ranges...)
	case "expired-ca":
		t.NotBefore, t.NotAfter = b.t0.Add(-20*24*time.Hour), b.t0.Add(-10*24*time.Hour)
	}
	b.issuedBy(t, p)
	b.setSIA(t, c)
	return ca.IssueCert(t, b.caKey(c), b.caKey(p))
}

// caSerial is the serial of CA c's certificate (unique per issuer).
func (b *builder) caSerial(c int) *big.Int {
	return big.NewInt(int64(b.gen[c]*serialsPerGen + childSerialBase + c + 1))
}

// eeSerial is the serial of the EE certificate of CA i's object j.
func (b *builder) eeSerial(i, j int) *big.Int {
	return big.NewInt(int64(b.gen[i]*serialsPerGen + j + 1))
}

// signed builds a signed object of CA i: object j of the CA (its EE key and
// serial), with the given EE resources, content type and eContent.
func (b *builder) signed(i, j int, name string, res x509rpki.Resources, notAfter time.Time,
	ct asn1.ObjectIdentifier, content []byte, fault ca.Fault) (file, error) {
	ee, err := b.key(b.eeBase[i] + j)
	if err != nil {
		return file{}, err
	}
	defer b.keys.Forget(b.eeBase[i] + j) // each EE key signs once: do not keep 300k keys
	t := &ca.CertTemplate{Kind: x509rpki.KindEE,
		Serial:    b.eeSerial(i, j),
		NotBefore: b.t0.Add(-backdate), NotAfter: notAfter, Resources: res,
		SignedObject: b.plan.ppURI(b.ep, i) + name}
	b.issuedBy(t, i)
	eeCert, err := ca.IssueCert(t, ee, b.caKey(i))
	if err != nil {
		return file{}, err
	}
	if notAfter.Before(t.NotBefore) {
		t.NotBefore = notAfter.Add(-mftLifetime)
	}
	der, err := ca.SignObject(&ca.SignedObjectTemplate{ContentType: ct, Content: content,
		SigningTime: b.t0, Fault: fault}, ee, eeCert)
	return file{Name: name, DER: der}, err
}

// pubPoint builds every file of CA i's publication point, manifest last.
func (b *builder) pubPoint(i int) ([]file, error) {
	var files []file
	for _, c := range b.children[i] {
		der, err := b.childCert(c)
		if err != nil {
			return nil, err
		}
		files = append(files, file{Name: b.plan.CAs[c].Name + ".cer", DER: der})
	}
	attack, err := b.attackCerts(i)
	if err != nil {
		return nil, err
	}
	files = append(files, attack...)
	objs, err := b.objects(i)
	if err != nil {
		return nil, err
	}
	files = append(files, objs...)
	crl, err := b.crl(i)
	if err != nil {
		return nil, err
	}
	files = append(files, crl)
	mft, err := b.manifest(i, files)
	if err != nil {
		return nil, err
	}
	if b.fault(i) == "missing-file" {
		files = slices.DeleteFunc(files, func(f file) bool { return f.Name == roaName(0) })
	}
	return append(files, mft), nil
}

// objects builds CA i's ROAs, ASPAs and router certificates.
func (b *builder) objects(i int) ([]file, error) {
	c := b.plan.CAs[i]
	var files []file
	for k, r := range c.ROAs {
		content, err := ca.EncodeROA(r.ASN, r.Prefixes)
		if err != nil {
			return nil, err
		}
		res, fault := roaResources(r), ca.Fault(0)
		if k == 0 {
			switch b.fault(i) {
			case "bad-cms-signature":
				fault = ca.FaultBadSignature
			case "roa-outside-ee":
				res = roaResources(ROA{Prefixes: r.Prefixes[:len(r.Prefixes)-1]})
			}
		}
		f, err := b.signed(i, 1+k, roaName(k), res, b.t0.Add(certLifetime), ca.OIDContentROA, content, fault)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	aspas, names := c.ASPAs, make([]string, 0, len(c.ASPAs))
	for _, a := range c.ASPAs {
		names = append(names, fmt.Sprintf("aspa-%d.asa", a.Customer))
	}
	if customer, ok := b.overflowCustomer(i); ok {
		aspas = slices.Clone(aspas)
		for k := range overflowASPAs {
			aspas = append(aspas, overflowASPA(customer, k))
			names = append(names, fmt.Sprintf("aspa-%d-overflow-%d.asa", customer, k))
		}
	}
	for k, a := range aspas {
		f, err := b.aspaFile(i, 1+len(c.ROAs)+k, names[k], a)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	for _, rk := range c.RouterKeys {
		f, err := b.routerCert(i, rk)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// aspaFile signs one ASPA of CA i with EE key j.
func (b *builder) aspaFile(i, j int, name string, a ASPA) (file, error) {
	content, err := ca.EncodeASPA(a.Customer, a.Providers)
	if err != nil {
		return file{}, err
	}
	res := x509rpki.Resources{AS: x509rpki.ASResources{Present: true,
		Ranges: []x509rpki.ASRange{{Min: a.Customer, Max: a.Customer}}}}
	return b.signed(i, j, name, res, b.t0.Add(certLifetime), ca.OIDContentASPA, content, 0)
}

// roaName is the file name of a CA's k-th ROA.
func roaName(k int) string { return fmt.Sprintf("roa-%d.roa", k) }

// roaResources gives a ROA's EE certificate exactly the ROA's prefixes:
// rpki-client rejects "inherit" in the EE certificate of a ROA, reading
// RFC 9582 §4 as requiring the prefixes to be listed.
func roaResources(r ROA) x509rpki.Resources {
	var res x509rpki.Resources
	for _, p := range r.Prefixes {
		fam := &res.IPv4
		if p.Prefix.Addr().Is6() {
			fam = &res.IPv6
		}
		fam.Present = true
		fam.Ranges = append(fam.Ranges, prefixRange(p.Prefix))
	}
	return ca.Canonical(res)
}

// routerCert issues a BGPsec router certificate (RFC 8209) for rk.
func (b *builder) routerCert(i int, rk RouterKey) (file, error) {
	k, err := b.routerKey(i, rk)
	if err != nil {
		return file{}, err
	}
	t := &ca.CertTemplate{Kind: x509rpki.KindRouter,
		Serial:    big.NewInt(int64(b.gen[i]*serialsPerGen + childSerialBase - 1 - int(rk.ASN%1000))),
		Subject:   fmt.Sprintf("ROUTER-%08X", rk.ASN),
		NotBefore: b.t0.Add(-backdate), NotAfter: b.t0.Add(certLifetime),
		Resources: x509rpki.Resources{AS: x509rpki.ASResources{Present: true,
			Ranges: []x509rpki.ASRange{{Min: rk.ASN, Max: rk.ASN}}}}}
	b.issuedBy(t, i)
	der, err := ca.IssueCert(t, k, b.caKey(i))
	return file{Name: fmt.Sprintf("router-%d.cer", rk.ASN), DER: der}, err
}

// routerKey derives the P-256 key of a router certificate from the plan's
// seed, so rebuilding gives the same key and expected output.
func (b *builder) routerKey(i int, rk RouterKey) (*ca.ECKey, error) {
	var seed [16]byte
	binary.BigEndian.PutUint64(seed[:8], b.plan.Seed)
	binary.BigEndian.PutUint32(seed[8:12], uint32(i))
	binary.BigEndian.PutUint32(seed[12:], rk.ASN)
	for ctr := byte(0); ; ctr++ {
		d := sha256.Sum256(append(seed[:], ctr))
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
		if err == nil {
			return ca.ECKeyFromECDSA(priv)
		}
		if ctr == 255 {
			return nil, err
		}
	}
}

// nextUpdate is the nextUpdate of CA i's CRL and manifest: a minute later
// at each reissue, as a real CA's, which reissues them some time later with
// the same lifetime. CAs keep different schedules (up to a day apart) and
// a trust anchor's lasts longest, as an offline TA's does: the CRL of the
// CA below it bounds the chains of most CAs under that CA, which then
// expire later at each of its reissues.
func (b *builder) nextUpdate(i int) time.Time {
	lifetime := mftLifetime + time.Duration(i%24)*time.Hour
	if b.plan.CAs[i].Parent < 0 {
		lifetime = taMftLifetime
	}
	return b.t0.Add(lifetime + time.Duration(b.gen[i])*time.Minute)
}

// crl issues CA i's CRL.
func (b *builder) crl(i int) (file, error) {
	t := &ca.CRLTemplate{Number: big.NewInt(int64(b.gen[i] + 1)),
		ThisUpdate: b.t0.Add(-backdate), NextUpdate: b.nextUpdate(i),
		Revoked: b.revoked[i]}
	switch b.fault(i) {
	case "stale-crl":
		t.ThisUpdate, t.NextUpdate = b.t0.Add(-10*24*time.Hour), b.t0.Add(-3*24*time.Hour)
	case "revoked-ee":
		t.Revoked = append(slices.Clone(t.Revoked), x509rpki.RevokedCert{Serial: b.eeSerial(i, 1), Time: b.t0.Add(-backdate)})
	}
	der, err := ca.IssueCRL(t, b.caKey(i))
	return file{Name: b.plan.crlName(i), DER: der}, err
}

// manifest issues CA i's manifest listing files (RFC 9286), with an EE
// certificate that inherits its resources (RFC 9286 §5.1).
func (b *builder) manifest(i int, files []file) (file, error) {
	entries := make([]x509rpki.ManifestFile, 0, len(files))
	for _, f := range files {
		e := ca.FileEntry(f.Name, f.DER)
		if f.Name == roaName(0) && b.fault(i) == "mft-hash-mismatch" {
			e = ca.FileEntry(f.Name, append(slices.Clone(f.DER), 0))
		}
		entries = append(entries, e)
	}
	this, next := b.t0.Add(-backdate), b.nextUpdate(i)
	if b.fault(i) == "expired-manifest" {
		this, next = b.t0.Add(-10*24*time.Hour), b.t0.Add(-3*24*time.Hour)
	}
	slices.SortFunc(entries, func(a, b x509rpki.ManifestFile) int { return strings.Compare(a.Name, b.Name) })
	number := big.NewInt(int64(b.gen[i] + 1))
	if b.backwards[i] {
		number = big.NewInt(1)
	}
	content, err := ca.EncodeManifest(number, this, next, entries)
	if err != nil {
		return file{}, err
	}
	return b.signed(i, 0, b.plan.mftName(i), ca.InheritAll(), next, ca.OIDContentManifest, content, 0)
}
