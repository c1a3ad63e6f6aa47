package validate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// checkedPoint is a publication point whose manifest, CRL and file hashes
// passed RFC 9286 §6: the files listed on the manifest, in manifest order.
type checkedPoint struct {
	uri     string
	key     memoKey
	memo    *memoEntry // set when the point is unchanged since a run that validated it
	mft     *x509rpki.Manifest
	crl     *x509rpki.CRL
	crlURI  string
	files   []namedFile
	expires time.Time // the issuing chain's expiry and the CRL's nextUpdate
	// from is the fetched copy the point was validated from; nil for the
	// last validated copy.
	from *fetched
}

type namedFile struct {
	name string
	data []byte
}

// publicationPoint returns the publication point of CA n to use: the fresh
// copy when it passes RFC 9286 §6, else the last copy n validated while it
// still passes (§6.6), else nil (a failed fetch: nothing of it is used).
// repo and ferr are what the session said of n's repository.
func (r *run) publicationPoint(n *caNode, repo *cache.Repo, ferr error) *checkedPoint {
	var f *fetched
	if repo != nil {
		f, ferr = r.fresh(n, repo, ferr)
	}
	reason := "not fetched"
	if ferr != nil {
		reason = ferr.Error()
	}
	if f != nil {
		cp, err := r.useFresh(n, f)
		if err == nil {
			r.pointDone(n, report.Point{Outcome: report.Fresh})
			return cp
		}
		if f.current {
			// The validated copy is this very copy: nothing to fall back to.
			r.pointDone(n, report.Point{Outcome: report.Failed, Reason: err.Error()})
			r.dropIfStale(n, err)
			return nil
		}
		reason = err.Error()
	}
	if valid := r.valid(n); valid != nil {
		cp, err := r.checkPointSafely(n, valid)
		if err == nil {
			r.pointDone(n, report.Point{Outcome: report.Cached, Reason: reason, Until: cp.until()})
			return cp
		}
		r.dropIfStale(n, err)
		reason += "; cached copy: " + err.Error()
	}
	r.pointDone(n, report.Point{Outcome: report.Failed, Reason: reason})
	return nil
}

// unchanged returns the remembered output of CA n when its repository has
// not changed since the point was validated from it (see memoSlot).
func (r *run) unchanged(n *caNode, repo *cache.Repo) *memoEntry {
	if repo == nil || r.e.memo.disabled {
		return nil // one-shot: no key to compute
	}
	return r.e.memo.unchanged(caKeyOf(n), repo.ID(), repo.Generation(), r.now)
}

// useFresh checks the fetched copy of a point and, when it is new, that its
// manifest number did not go back, then records it as n's validated copy.
func (r *run) useFresh(n *caNode, f *fetched) (*checkedPoint, error) {
	cp, err := r.checkPointSafely(n, f.point)
	if err != nil {
		return nil, err
	}
	cp.from = f
	if f.current {
		return cp, nil
	}
	if cp.memo == nil {
		if err := r.notBackwards(n, cp, r.valid(n)); err != nil {
			return nil, err
		}
	}
	if err := r.store.Promote(f.repo, n.cert.ski[:], n.cert.repository); err != nil {
		r.e.log.Warn("promoting publication point", "uri", n.cert.repository, "error", err)
	}
	return cp, nil
}

// dropIfStale forgets n's validated copy once it has expired (RFC 9286
// §6.6: it is used only until then).
func (r *run) dropIfStale(n *caNode, err error) {
	if errors.Is(err, x509rpki.ErrStale) {
		r.store.DropValid(n.cert.ski[:], n.cert.repository)
	}
}

// checkPointSafely is checkPoint, with a panic (a bug met by some input)
// turned into the point's failure, logged with its stack and counted.
func (r *run) checkPointSafely(n *caNode, pp *cache.PubPoint) (cp *checkedPoint, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = r.panicked("publication point "+n.cert.repository, p)
		}
	}()
	return r.checkPoint(n, pp)
}

// checkPoint applies RFC 9286 §6.2–6.5 to one copy of a publication point.
func (r *run) checkPoint(n *caNode, pp *cache.PubPoint) (*checkedPoint, error) {
	mftName, err := nameIn(n.cert.manifest, n.cert.repository)
	if err != nil {
		return nil, fmt.Errorf("RFC 6487 §4.8.8.1: manifest URI: %w", err)
	}
	der, ok := pp.Get(mftName)
	if !ok {
		return nil, fmt.Errorf("RFC 9286 §6.2: manifest %s missing", mftName)
	}
	var key memoKey
	if !r.e.memo.disabled {
		key = keyOf(n, der)
		if e := r.e.memo.get(key, r.now); e != nil {
			return &checkedPoint{uri: n.cert.repository, key: key, memo: e}, nil
		}
	}
	mft, err := x509rpki.ParseManifest(der)
	if err != nil {
		return nil, err
	}
	issuer, err := r.issuer(n)
	if err != nil {
		return nil, err
	}
	if err := mft.Validate(issuer, r.now); err != nil {
		return nil, err
	}
	cp := &checkedPoint{uri: n.cert.repository, key: key, mft: mft, expires: n.expires}
	if err := cp.loadFiles(pp); err != nil {
		return nil, err
	}
	if err := cp.checkCRL(n, r.now); err != nil {
		return nil, err
	}
	if err := mft.Signed.EE.CheckRevoked(cp.crl); err != nil {
		return nil, fmt.Errorf("manifest EE certificate: %w", err)
	}
	return cp, nil
}

// loadFiles collects every file the manifest lists, with its hash checked:
// a missing file or a hash mismatch fails the point (RFC 9286 §6.4, §6.5).
func (cp *checkedPoint) loadFiles(pp *cache.PubPoint) error {
	cp.files = make([]namedFile, 0, len(cp.mft.Files))
	for _, f := range cp.mft.Files {
		data, ok := pp.Get(f.Name)
		if !ok {
			return fmt.Errorf("RFC 9286 §6.4: %s listed on the manifest but missing", f.Name)
		}
		sum := sha256.Sum256(data)
		if !bytes.Equal(sum[:], f.Hash) {
			return fmt.Errorf("RFC 9286 §6.5: %s does not match its manifest hash", f.Name)
		}
		cp.files = append(cp.files, namedFile{f.Name, data})
	}
	return nil
}

// checkCRL finds the one CRL on the manifest, which must be the one the
// manifest's EE certificate names, and validates it (RFC 9286 §6.4).
func (cp *checkedPoint) checkCRL(n *caNode, now time.Time) error {
	var crlFile *namedFile
	for i := range cp.files {
		if strings.HasSuffix(cp.files[i].name, ".crl") {
			if crlFile != nil {
				return errors.New("RFC 9286 §6.4: more than one CRL on the manifest")
			}
			crlFile = &cp.files[i]
		}
	}
	if crlFile == nil {
		return errors.New("RFC 9286 §6.4: no CRL on the manifest")
	}
	cp.crlURI = cp.uri + crlFile.name
	if cp.mft.Signed.EE.CRLDP != cp.crlURI {
		return fmt.Errorf("RFC 6487 §4.8.6: manifest EE CRLDP %s is not the manifest's CRL %s", cp.mft.Signed.EE.CRLDP, cp.crlURI)
	}
	crl, err := x509rpki.ParseCRL(crlFile.data)
	if err != nil {
		return err
	}
	if err := crl.Validate(n.issuerCert, now); err != nil {
		return err
	}
	cp.crl = crl
	cp.expires = earlierOf(cp.expires, crl.NextUpdate)
	return nil
}

// notBackwards rejects a fresh manifest whose number is lower than that of
// the last validated one (RFC 9286 §4.2.1: numbers only increase).
func (r *run) notBackwards(n *caNode, fresh *checkedPoint, valid *cache.PubPoint) error {
	if valid == nil {
		return nil
	}
	name, _ := nameIn(n.cert.manifest, n.cert.repository)
	der, ok := valid.Get(name)
	if !ok {
		return nil
	}
	old, err := x509rpki.ParseManifest(der)
	if err != nil || bytes.Equal(old.Signed.Raw, fresh.mft.Signed.Raw) {
		return nil
	}
	if fresh.mft.Number.Cmp(old.Number) < 0 {
		return fmt.Errorf("RFC 9286 §4.2.1: manifest number %s is lower than the validated %s", fresh.mft.Number, old.Number)
	}
	return nil
}

// nameIn returns the file name of uri when it lies directly in directory
// dir (an rsync URI ending in "/").
func nameIn(uri, dir string) (string, error) {
	if !strings.HasPrefix(uri, dir) {
		return "", fmt.Errorf("%s is not in %s", uri, dir)
	}
	name := uri[len(dir):]
	if name == "" || strings.Contains(name, "/") || name != path.Base(name) {
		return "", fmt.Errorf("%s is not directly in %s", uri, dir)
	}
	return name, nil
}

// pointDone records the outcome of CA n's publication point. Its URI is
// the kept certificate's own (see keepCert): a report per CA at every poll
// copies none.
func (r *run) pointDone(n *caNode, p report.Point) {
	r.e.o.Observer.PubPointDone(n.cert.repository, p.Outcome)
	r.e.progress.points.Add(1)
	n.ta.points.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.Outcome == report.Fresh {
		r.rep.FreshPoints++ // counted only (see report.Run.Points)
		return
	}
	p.URI, p.CA, p.TA = n.cert.repository, n.uri, n.ta.name
	r.rep.Points = append(r.rep.Points, p)
}

// until is when a checked copy stops being usable: its manifest's
// nextUpdate or the expiry of its chain and CRL, whichever comes first.
func (cp *checkedPoint) until() time.Time {
	if cp.memo != nil {
		return cp.memo.validUntil
	}
	return earlierOf(cp.mft.NextUpdate, cp.expires)
}
