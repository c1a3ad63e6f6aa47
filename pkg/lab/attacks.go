package lab

import (
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/openrpki/validator/pkg/ca"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// attackCatalogue lists the faults of an attacker inside the RPKI: a CA
// that shadows another CA's publication point or certifies a key above
// itself, and trust anchor servers that stall or replay an older
// certificate (`--faults attacks` or by name). The trust anchor faults take
// the last trust anchors (never the first, which carries the CA faults):
// they need a preset with several, such as multi.
var attackCatalogue = []faultSpec{
	{"shadow-repo", scopeNone, false, false,
		"a member CA issues itself a certificate whose SIA names another member's publication point and manifest, " +
			"with its own rpkiNotify: that RRDP server (module shadow-<CA>) publishes at the victim's URIs a validly signed " +
			"manifest numbered 2^150 and a CRL; at the first publish the victim re-issues its manifest. A relying party " +
			"that keeps what it remembers of a point per owning CA validates each on its own: every VRP stays (expected " +
			"output unchanged)"},
	{"ta-stall", scopeCA, false, false,
		"the last trust anchor's certificate server sends its headers, then nothing (its TAL lists that HTTPS URI " +
			"alone): the fetch is cut off by its deadline and that trust anchor's payload is absent; the others are whole"},
	{"ta-replay", scopeNone, false, false,
		"at the first publish, the last trust anchor's certificate is replaced (HTTPS and rsync) by an older one " +
			"(notBefore 30 days earlier) that lacks the trust anchor's IPv6 space: a relying party that accepted the " +
			"newer one refuses it as a replay and keeps the newer, so the expected output is unchanged (one that " +
			"accepted it would drop every CA below, as they all hold IPv6 space)"},
	{"ca-loop", scopeNone, true, false,
		"a child CA certifies its parent's key again, with the parent's SIA: the certificate loop is refused " +
			"(RFC 6487 §7.2), that one certificate is rejected and the rest is unchanged"},
}

// replayAge is how much older than the current certificate the one
// replayed by fault ta-replay is.
const replayAge = 30 * 24 * time.Hour

// shadowNumber is the manifest number of fault shadow-repo: far above any
// the victim will reach, so that a relying party that compared the
// victim's manifests with it would refuse every one as going backwards.
var shadowNumber = new(big.Int).Lsh(big.NewInt(1), 150)

// The spare EE keys of an attacking CA (see spareKey) used by its shadow
// CA: a CA that carries a fault gets no new objects, so they stay free.
const (
	shadowCAKey  = eeSlackPerCA - 2
	shadowMftKey = eeSlackPerCA - 1
)

// attackState is what the attacks need beyond the fault of each CA.
type attackState struct {
	// victims maps a CA carrying shadow-repo to the CA whose
	// publication point it shadows.
	victims map[int]int
	// replayed holds the trust anchors (root CA indices) that serve
	// their older certificate now (ta-replay, from the first publish).
	replayed map[int]bool
}

// isTAFault tells the faults that target a trust anchor.
func isTAFault(name string) bool { return name == "ta-stall" || name == "ta-replay" }

// planAttacks gives each trust anchor fault its trust anchor (in targets,
// under the index of its root CA) and each shadowing CA its victim.
func planAttacks(pl *Plan, faults []faultSpec, targets map[int]faultSpec) (attackState, error) {
	st := attackState{victims: map[int]int{}, replayed: map[int]bool{}}
	next := len(pl.TARoots) - 1
	for _, f := range faults {
		if !isTAFault(f.name) {
			continue
		}
		if next < 1 {
			return st, fmt.Errorf("lab: no trust anchor left to carry fault %s: use a preset with more (multi)", f.name)
		}
		targets[pl.TARoots[next]] = f
		next--
	}
	return st, pickVictims(pl, targets, st.victims)
}

// pickVictims chooses, for each CA carrying shadow-repo, a distinct member
// CA of the same trust anchor without children or fault.
func pickVictims(pl *Plan, targets map[int]faultSpec, victims map[int]int) error {
	parents := make([]bool, len(pl.CAs))
	for _, c := range pl.CAs {
		if c.Parent >= 0 {
			parents[c.Parent] = true
		}
	}
	var attackers []int
	for i, f := range targets {
		if f.name == "shadow-repo" {
			attackers = append(attackers, i)
		}
	}
	slices.Sort(attackers)
	taken := map[int]bool{}
	for _, a := range attackers {
		v := -1
		for i, c := range pl.CAs {
			member := c.Parent >= 0 && pl.CAs[c.Parent].Parent >= 0 && !isChild(pl, i)
			if member && c.TA == pl.CAs[a].TA && !parents[i] && len(c.ROAs) > 0 && targets[i].name == "" && !taken[i] {
				v = i
				break
			}
		}
		if v < 0 {
			return fmt.Errorf("lab: no member CA left to be shadowed by %s: use a larger preset", pl.CAs[a].Name)
		}
		victims[a], taken[v] = v, true
	}
	return nil
}

// attacksAtFirstPublish applies what the attacks do at the first publish:
// a shadowed CA re-issues its manifest (a routine one, with the next
// number) and a replaying trust anchor goes back to its older certificate.
// It returns the CAs to re-sign.
func (l *Lab) attacksAtFirstPublish() []int {
	var dirty []int
	for i, f := range l.b.faults {
		switch f.name {
		case "shadow-repo":
			v := l.b.attacks.victims[i]
			l.b.gen[v]++
			dirty = append(dirty, v)
		case "ta-replay":
			l.b.attacks.replayed[i] = true
			dirty = append(dirty, i)
		}
	}
	slices.Sort(dirty)
	return dirty
}

// olderTA makes t the certificate a trust anchor had before its current
// one: issued replayAge earlier, before its IPv6 space was added.
func olderTA(t *ca.CertTemplate) {
	t.NotBefore = t.NotBefore.Add(-replayAge)
	t.Resources.IPv6 = x509rpki.IPResources{}
}

// taURIs are the URIs of trust anchor i's TAL: HTTPS first (RFC 8630
// §2.2 lets the relying party choose), then rsync; HTTPS alone for a
// stalling server, whose relying party then has nothing else to try.
func (l *Lab) taURIs(i int, path string) []string {
	ep := l.Config.Endpoints
	if l.b.fault(i) == "ta-stall" {
		return []string{ep.https(path)}
	}
	return []string{ep.https(path), ep.rsync(path)}
}

// stalledTA tells whether an HTTPS path is the certificate of a trust
// anchor carrying ta-stall.
func (l *Lab) stalledTA(path string) bool {
	for _, root := range l.Plan.TARoots {
		if l.b.fault(root) == "ta-stall" && path == "/"+l.Plan.certPath(root) {
			return true
		}
	}
	return false
}

// maxStall bounds how long a stalled request is held open when neither
// the client nor the server ends it first.
const maxStall = 10 * time.Minute

// stall sends the headers of a certificate of plausible length, then
// nothing, until the client gives up, the server shuts down or maxStall.
func stall(w http.ResponseWriter, r *http.Request, stop <-chan struct{}) {
	w.Header().Set("Content-Type", "application/pkix-cert")
	w.Header().Set("Content-Length", strconv.Itoa(1500))
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	select {
	case <-r.Context().Done():
	case <-stop:
	case <-time.After(maxStall):
	}
}

// attackCerts returns the certificates an attacking CA i issues besides
// its children: a shadow CA certificate (shadow-repo) or its parent's key
// certified again (ca-loop).
func (b *builder) attackCerts(i int) ([]file, error) {
	var f file
	var err error
	switch b.fault(i) {
	case "shadow-repo":
		f, err = b.shadowCert(i)
	case "ca-loop":
		f, err = b.loopCert(i)
	default:
		return nil, nil
	}
	return []file{f}, err
}

// extraSerial is the serial of the one certificate an attacking CA i
// issues besides its children's (which use caSerial).
func (b *builder) extraSerial(i int) *big.Int {
	return big.NewInt(int64(b.gen[i]*serialsPerGen + childSerialBase + len(b.plan.CAs) + 1))
}

// spareKey is the key factory index of CA i's k-th spare EE key.
func (b *builder) spareKey(i, k int) int {
	c := b.plan.CAs[i]
	return b.eeBase[i] + 1 + len(c.ROAs) + len(c.ASPAs) + k
}

// shadowCertName is the file name of attacker a's shadow CA certificate.
func (pl *Plan) shadowCertName(a int) string { return pl.CAs[a].Name + "-shadow.cer" }

// shadowModule is the HTTPS path of attacker a's own RRDP repository.
func (pl *Plan) shadowModule(a int) string { return "shadow-" + pl.CAs[a].Name }

// shadowCert issues attacker a's certificate to its shadow CA: a's own
// resources, and an SIA naming the victim's publication point and
// manifest with a's own RRDP repository.
func (b *builder) shadowCert(a int) (file, error) {
	pl := b.plan
	c, v := pl.CAs[a], b.attacks.victims[a]
	key, err := b.key(b.spareKey(a, shadowCAKey))
	if err != nil {
		return file{}, err
	}
	t := &ca.CertTemplate{Kind: x509rpki.KindCA, Serial: b.extraSerial(a),
		NotBefore: b.t0.Add(-backdate), NotAfter: b.t0.Add(certLifetime),
		Resources:    resources(c.OwnV4, c.OwnV6, c.OwnAS),
		CARepository: pl.ppURI(b.ep, v), Manifest: pl.ppURI(b.ep, v) + pl.mftName(v),
		Notify: b.ep.https(pl.shadowModule(a) + "/notification.xml")}
	b.issuedBy(t, a)
	der, err := ca.IssueCert(t, key, b.caKey(a))
	return file{Name: pl.shadowCertName(a), DER: der}, err
}

// shadowPoint builds what attacker a's shadow CA publishes at its victim's
// URIs: a CRL under the victim's CRL name and a manifest numbered
// shadowNumber under the victim's manifest name, both validly signed by
// the shadow CA.
func (b *builder) shadowPoint(a int) ([]file, error) {
	pl := b.plan
	v := b.attacks.victims[a]
	caKey, err := b.key(b.spareKey(a, shadowCAKey))
	if err != nil {
		return nil, err
	}
	eeKey, err := b.key(b.spareKey(a, shadowMftKey))
	if err != nil {
		return nil, err
	}
	this, next := b.t0.Add(-backdate), b.t0.Add(mftLifetime)
	crl, err := ca.IssueCRL(&ca.CRLTemplate{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next}, caKey)
	if err != nil {
		return nil, err
	}
	content, err := ca.EncodeManifest(shadowNumber, this, next,
		[]x509rpki.ManifestFile{ca.FileEntry(pl.crlName(v), crl)})
	if err != nil {
		return nil, err
	}
	pp := pl.ppURI(b.ep, v)
	t := &ca.CertTemplate{Kind: x509rpki.KindEE, Serial: big.NewInt(1), NotBefore: this, NotAfter: next,
		Resources: ca.InheritAll(), SignedObject: pp + pl.mftName(v), CRLDP: pp + pl.crlName(v),
		AIA: pl.ppURI(b.ep, a) + pl.shadowCertName(a)}
	ee, err := ca.IssueCert(t, eeKey, caKey)
	if err != nil {
		return nil, err
	}
	mft, err := ca.SignObject(&ca.SignedObjectTemplate{ContentType: ca.OIDContentManifest, Content: content,
		SigningTime: b.t0}, eeKey, ee)
	return []file{{Name: pl.crlName(v), DER: crl}, {Name: pl.mftName(v), DER: mft}}, err
}

// publishShadows publishes the RRDP repository of every shadow CA.
func (l *Lab) publishShadows(ann *announcements) error {
	var attackers []int
	for a := range l.b.attacks.victims {
		attackers = append(attackers, a)
	}
	slices.Sort(attackers)
	for _, a := range attackers {
		files, err := l.b.shadowPoint(a)
		if err != nil {
			return fmt.Errorf("lab: shadow of %s: %w", l.Plan.CAs[a].Name, err)
		}
		pp := l.Plan.ppURI(l.Config.Endpoints, l.b.attacks.victims[a])
		objects := make([]rrdp.Publish, len(files))
		for k, f := range files {
			objects[k] = rrdp.Publish{URI: pp + f.Name, Data: f.DER}
		}
		if err := l.publishModule(l.Plan.shadowModule(a), objects, false, ann); err != nil {
			return fmt.Errorf("lab: shadow of %s: %w", l.Plan.CAs[a].Name, err)
		}
	}
	return nil
}

// loopCert issues, as child CA c, a certificate for its parent's key with
// the parent's SIA and c's resources: a loop in the certification path.
func (b *builder) loopCert(c int) (file, error) {
	pl := b.plan
	p := pl.CAs[c].Parent
	own := pl.CAs[c]
	t := &ca.CertTemplate{Kind: x509rpki.KindCA, Serial: b.extraSerial(c),
		NotBefore: b.t0.Add(-backdate), NotAfter: b.t0.Add(certLifetime),
		Resources: resources(own.OwnV4, own.OwnV6, own.OwnAS)}
	b.issuedBy(t, c)
	b.setSIA(t, p)
	der, err := ca.IssueCert(t, b.caKey(p), b.caKey(c))
	return file{Name: pl.CAs[p].Name + "-again.cer", DER: der}, err
}
