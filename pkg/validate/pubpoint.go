package validate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/cache"
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
// copy when it passes RFC 9286 §6, else the last validated copy while it
// still passes (§6.6), else nil (a failed fetch: nothing of it is used).
// repo and ferr are what session.repoOf said of n's repository.
func (r *run) publicationPoint(n *caNode, repo *cache.Repo, ferr error) *checkedPoint {
	uri := n.cert.CARepository
	var f *fetched
	if repo != nil {
		if e := r.unchanged(n, repo); e != nil {
			r.pubPointDone(uri, "fresh", "")
			return &checkedPoint{uri: uri, memo: e}
		}
		f, ferr = r.se.fresh(repo, uri, ferr)
	}
	reason := "not fetched"
	if ferr != nil {
		reason = ferr.Error()
	}
	if f != nil {
		cp, err := r.useFresh(n, f)
		if err == nil {
			r.pubPointDone(uri, "fresh", "")
			return cp
		}
		if f.current {
			// The validated copy is this very copy: nothing to fall back to.
			r.pubPointDone(uri, "failed", err.Error())
			r.dropIfStale(uri, err)
			return nil
		}
		reason = err.Error()
	}
	if valid := r.se.valid(uri); valid != nil {
		cp, err := r.checkPoint(n, valid)
		if err == nil {
			r.pubPointDone(uri, "cached", reason)
			return cp
		}
		r.dropIfStale(uri, err)
		reason += "; cached copy: " + err.Error()
	}
	r.pubPointDone(uri, "failed", reason)
	return nil
}

// unchanged returns the remembered output of CA n when its repository has
// not changed since the point was validated from it (see pointMemo).
func (r *run) unchanged(n *caNode, repo *cache.Repo) *memoEntry {
	if r.e.memo.disabled {
		return nil // one-shot: no key to compute
	}
	return r.e.memo.unchanged(caKeyOf(n), repo.ID(), repo.Generation(), r.now)
}

// useFresh checks the fetched copy of a point and, when it is new, that its
// manifest number did not go back, then records it as validated.
func (r *run) useFresh(n *caNode, f *fetched) (*checkedPoint, error) {
	cp, err := r.checkPoint(n, f.point)
	if err != nil {
		return nil, err
	}
	cp.from = f
	if f.current {
		return cp, nil
	}
	if cp.memo == nil {
		if err := r.notBackwards(n, cp, r.se.valid(n.cert.CARepository)); err != nil {
			return nil, err
		}
	}
	if err := f.promote(); err != nil {
		r.e.log.Warn("promoting publication point", zap.String("uri", n.cert.CARepository), zap.Error(err))
	}
	return cp, nil
}

// dropIfStale forgets a validated copy that has expired (RFC 9286 §6.6:
// it is used only until then).
func (r *run) dropIfStale(uri string, err error) {
	if errors.Is(err, x509rpki.ErrStale) {
		r.se.src.Store.DropValid(uri)
	}
}

// checkPoint applies RFC 9286 §6.2–6.5 to one copy of a publication point.
func (r *run) checkPoint(n *caNode, pp *cache.PubPoint) (*checkedPoint, error) {
	mftName, err := nameIn(n.cert.Manifest, n.cert.CARepository)
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
			return &checkedPoint{uri: n.cert.CARepository, key: key, memo: e}, nil
		}
	}
	mft, err := x509rpki.ParseManifest(der)
	if err != nil {
		return nil, err
	}
	if err := mft.Validate(n.cert, r.now); err != nil {
		return nil, err
	}
	cp := &checkedPoint{uri: n.cert.CARepository, key: key, mft: mft, expires: n.expires}
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
	if err := crl.Validate(n.cert, now); err != nil {
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
	name, _ := nameIn(n.cert.Manifest, n.cert.CARepository)
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

// pubPointDone records a publication point outcome. The URI is copied: it
// is a slice of the CA certificate's one string of locations, which the
// report would otherwise keep (11 MB at global scale for 40,000 reports).
func (r *run) pubPointDone(uri, outcome, reason string) {
	r.e.o.Observer.PubPointDone(uri, outcome)
	uri = strings.Clone(uri)
	r.mu.Lock()
	r.res.PubPoints = append(r.res.PubPoints, PubPointReport{URI: uri, Outcome: outcome, Reason: reason})
	r.mu.Unlock()
}
