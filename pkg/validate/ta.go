package validate

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// processTA fetches and checks a TA certificate against its TAL (RFC 8630
// §3) and returns it as the CA to process first.
func (r *run) processTA(t *tal.TAL, st *taState) []*caNode {
	rep := report.TA{Name: t.Name}
	node, err := r.taNode(t, st, &rep)
	if err != nil {
		rep.Error = err.Error()
		// DEBUG: the report carries it, and the daemon's logs and
		// validator vrps say it once, not at every run.
		r.e.log.Debug("trust anchor failed", "ta", t.Name, "error", err)
	}
	r.mu.Lock()
	r.rep.TAs = append(r.rep.TAs, rep)
	r.mu.Unlock()
	if node == nil {
		return nil
	}
	return []*caNode{node}
}

// taNode picks the TA certificate to use: the fetched one when it passes
// checkTA and is not older than the one accepted before, else the one
// accepted before. Quick runs use the accepted one without fetching.
func (r *run) taNode(t *tal.TAL, st *taState, rep *report.TA) (*caNode, error) {
	keptDER, keptErr := r.store.TACert(t.Name)
	var kept *x509rpki.Cert
	if keptErr == nil {
		if kept, keptErr = r.checkTA(t, keptDER); keptErr != nil {
			keptErr = fmt.Errorf("kept certificate: %w", keptErr)
		}
	}
	der, from, cert, err := r.fetchTA(t, kept)
	if err != nil {
		if kept == nil {
			return nil, errors.Join(err, keptErr)
		}
		if !r.quick {
			rep.Warning = err.Error() + "; using the certificate accepted before"
			r.e.log.Debug("trust anchor: using the certificate accepted before", "ta", t.Name, "error", err)
		}
		der, from, cert = keptDER, "cache", kept
	} else if !bytes.Equal(der, keptDER) {
		if err := r.store.KeepTACert(t.Name, der); err != nil {
			r.e.log.Warn("keeping the TA certificate", "ta", t.Name, "error", err)
		}
	}
	rep.From = from
	st.cas.Add(1)
	n := &caNode{cert: keepCert(cert, sha256.Sum256(der), cert.Resources), uri: from, ta: st, index: -1, expires: cert.NotAfter}
	return n, nil
}

// fetchTA fetches and checks the TA certificate, refusing one older than
// the certificate accepted before (kept): served after a newer one, an
// older certificate is a replay (rpki-client keeps the newest the same
// way). Quick runs fetch nothing.
func (r *run) fetchTA(t *tal.TAL, kept *x509rpki.Cert) ([]byte, string, *x509rpki.Cert, error) {
	if r.quick {
		return nil, "", nil, errors.New("quick run: not fetched")
	}
	der, from, err := r.se.TACert(t.FetchOrder())
	if err != nil {
		return nil, "", nil, fmt.Errorf("fetching TA certificate: %w", err)
	}
	cert, err := r.checkTA(t, der)
	if err != nil {
		return nil, "", nil, fmt.Errorf("TA certificate from %s: %w", from, err)
	}
	if kept != nil && cert.NotBefore.Before(kept.NotBefore) {
		r.e.o.Observer.TAReplayed(t.Name)
		return nil, "", nil, fmt.Errorf("TA certificate from %s is older (notBefore %s) than the one accepted before (%s): refused as a replay",
			from, cert.NotBefore.UTC().Format("2006-01-02T15:04:05Z"), kept.NotBefore.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return der, from, cert, nil
}

// checkTA checks a TA certificate against its TAL (RFC 8630 §3) and the
// clock.
func (r *run) checkTA(t *tal.TAL, der []byte) (*x509rpki.Cert, error) {
	cert, err := x509rpki.ParseCert(der)
	if err != nil {
		return nil, err
	}
	if cert.Kind != x509rpki.KindTA {
		return nil, errors.New("RFC 8630 §3: not a self-signed CA certificate")
	}
	if !bytes.Equal(cert.RawSPKI, t.SPKI) {
		return nil, errors.New("RFC 8630 §3: TA certificate key differs from the TAL's")
	}
	if cert.Resources.HasInherit() {
		return nil, errors.New("RFC 6487 §7.1: TA certificate uses inherit")
	}
	if err := cert.Validate(cert, r.now); err != nil {
		return nil, err
	}
	return cert, nil
}
