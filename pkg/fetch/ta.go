package fetch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// MaxTACertSize bounds a trust anchor certificate (rpki-client
// MAX_FILE_SIZE, as for every object).
const MaxTACertSize = 8_000_000

// TACert fetches a trust anchor certificate from the first of uris that
// answers (the caller orders them, HTTPS first: RFC 8630 §3), each under
// the same rules as a repository: the dubious-host rule, backoff after
// failures, the TA deadline (Options.TATimeout) within the run's, a size
// cap, and an Attempt for the observer and the health record. A server
// that stalls costs at most the deadline, never the run.
func (r *Run) TACert(uris []string) (der []byte, from string, err error) {
	var errs []error
	for _, uri := range uris {
		der, err := r.taCert(uri)
		if err == nil {
			return der, uri, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, "", errors.New("fetch: trust anchor: no URI")
	}
	return nil, "", errors.Join(errs...)
}

// taCert fetches one TA certificate URI.
func (r *Run) taCert(uri string) ([]byte, error) {
	transport, sem := "https", r.s.httpSem
	if strings.HasPrefix(uri, "rsync://") {
		transport, sem = "rsync", r.s.rsyncSem
	}
	key := "ta:" + uri
	scheme := transport
	if err := checkDubious(uri, scheme, r.s.o.AllowDubiousHosts); err != nil {
		r.s.record(key, Attempt{URI: uri, Transport: transport, Start: r.s.o.Now(), Outcome: Refused, Err: err})
		return nil, err
	}
	if transport == "rsync" && r.s.rsync == nil {
		return nil, fmt.Errorf("fetch: %s: rsync disabled", uri)
	}
	var der []byte
	res := r.attempt(key, uri, transport, sem, func(ctx context.Context) (Result, error) {
		ctx, cancel := context.WithTimeout(ctx, r.s.o.TATimeout)
		defer cancel()
		var err error
		if transport == "https" {
			der, err = r.s.rrdp.GetFile(ctx, uri, MaxTACertSize)
		} else {
			der, err = r.taRsync(ctx, uri)
		}
		return Result{Outcome: Updated, Bytes: int64(len(der))}, err
	})
	if res.Err != nil {
		return nil, fmt.Errorf("%s: %w", uri, res.Err)
	}
	return der, nil
}

// taRsync mirrors the directory of a TA certificate's rsync URI (rsync is
// not trusted with a single-file target) and reads the certificate.
func (r *Run) taRsync(ctx context.Context, uri string) ([]byte, error) {
	dirURI, name := path.Split(uri)
	if name == "" || !strings.HasSuffix(name, ".cer") {
		return nil, fmt.Errorf("fetch: %s: not a certificate URI", uri)
	}
	work, err := r.s.o.Cache.WorkDir("ta:" + dirURI)
	if err != nil {
		return nil, err
	}
	if _, err := r.s.rsync.Run(ctx, dirURI, work); err != nil {
		return nil, err
	}
	p := filepath.Join(work, name)
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: %w", uri, err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > MaxTACertSize {
		return nil, fmt.Errorf("fetch: %s: not a regular file of at most %d bytes", uri, MaxTACertSize)
	}
	return os.ReadFile(p)
}
