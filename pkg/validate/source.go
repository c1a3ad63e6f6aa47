package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rsync"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// Source is where the engine gets repository content: the fetch scheduler
// (nil for an offline run over the cache alone), the cache it fills, and
// what it needs to fetch TA certificates (HTTPS first, then rsync, RFC
// 8630 §3), which it keeps in the cache too.
type Source struct {
	Scheduler *fetch.Scheduler
	Store     *cache.Store
	HTTP      *http.Client
	Rsync     *rsync.Runner
	// TADir holds the last fetched certificate of each TA; empty means
	// "ta-certs" inside the cache work root.
	TADir string
	// RsyncOnly ignores the RRDP notification URIs of CA certificates.
	RsyncOnly bool
}

// session is a Source for one run: it fetches each repository once.
type session struct {
	src *Source
	run *fetch.Run // nil when offline
	// quick re-checks RRDP repositories only: rsync repositories and TA
	// certificates are taken from the cache (see Engine.Poll).
	quick bool
}

func (s *Source) begin(ctx context.Context, quick bool) *session {
	se := &session{src: s, quick: quick}
	if s.Scheduler != nil {
		se.run = s.Scheduler.NewRun(ctx)
	}
	return se
}

func (se *session) close() {
	if se.run != nil {
		se.run.Close()
	}
}

// fetched is the fetched copy of a publication point.
type fetched struct {
	point *cache.PubPoint
	// repo held it at commit generation gen.
	repo *cache.Repo
	gen  uint64
	// promote records the copy as validated.
	promote func() error
	// current is set when the copy already is the validated one.
	current bool
}

// repoOf fetches the repository of a CA (once per run) and returns its
// raw store, or nil when the cache holds nothing for it. A store comes
// with the fetch's error when it holds an older copy.
func (se *session) repoOf(notify, caRepository string) (*cache.Repo, error) {
	if se.run == nil {
		return nil, nil
	}
	if se.src.RsyncOnly {
		notify = ""
	}
	var res fetch.Result
	if se.quick && notify == "" {
		res.Source, res.Err = cachedModule(caRepository)
	} else {
		res = se.run.Fetch(fetch.Repo{Notify: notify, Rsync: caRepository})
	}
	if res.Source == "" {
		return nil, res.Err
	}
	repo, err := se.src.Store.Repo(res.Source)
	if err != nil {
		return nil, err
	}
	return repo, res.Err
}

// fresh returns the fetched copy of a publication point from its
// repository's store; fetchErr is what repoOf said of the fetch.
func (se *session) fresh(repo *cache.Repo, caRepository string, fetchErr error) (*fetched, error) {
	gen := repo.Generation()
	pp, err := repo.PubPoint(caRepository)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, fmt.Errorf("publication point not in repository %s (%v)", repo.ID(), fetchErr)
	}
	if err != nil {
		return nil, err
	}
	return &fetched{point: pp, repo: repo, gen: gen, current: se.src.Store.IsValid(repo, caRepository),
		promote: func() error { return se.src.Store.Promote(repo, caRepository) }}, nil
}

// cachedModule names the cache repository an rsync publication point was
// last fetched into: its module.
func cachedModule(caRepository string) (string, error) {
	u, err := rsync.ParseURI(caRepository)
	if err != nil {
		return "", err
	}
	return u.ModuleURI(), nil
}

// valid returns the last validated copy of a publication point, or nil.
func (se *session) valid(caRepository string) *cache.PubPoint {
	pp, err := se.src.Store.Valid(caRepository)
	if err != nil {
		return nil
	}
	return pp
}

// taCert returns a TA's certificate: fetched from the TAL's URIs in order
// (HTTPS first), or the copy kept from an earlier run when none answers.
func (se *session) taCert(ctx context.Context, t *tal.TAL) ([]byte, string, error) {
	var errs []error
	if se.quick {
		if der, err := os.ReadFile(se.taPath(t.Name)); err == nil {
			return der, "cache", nil
		}
	}
	if se.run != nil {
		for _, uri := range t.FetchOrder() {
			der, err := se.fetchTA(ctx, uri)
			if err == nil {
				se.keepTA(t.Name, der)
				return der, uri, nil
			}
			errs = append(errs, fmt.Errorf("%s: %w", uri, err))
		}
	}
	der, err := os.ReadFile(se.taPath(t.Name))
	if err == nil {
		return der, "cache", nil
	}
	errs = append(errs, err)
	return nil, "", errors.Join(errs...)
}

func (se *session) fetchTA(ctx context.Context, uri string) ([]byte, error) {
	if tal.IsHTTPS(uri) {
		return se.fetchTAHTTPS(ctx, uri)
	}
	return se.fetchTARsync(ctx, uri)
}

func (se *session) fetchTAHTTPS(ctx context.Context, uri string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	resp, err := se.src.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	der, err := io.ReadAll(io.LimitReader(resp.Body, x509rpki.MaxObjectSize+1))
	if err == nil && len(der) > x509rpki.MaxObjectSize {
		err = fmt.Errorf("larger than %d bytes", x509rpki.MaxObjectSize)
	}
	return der, err
}

// fetchTARsync mirrors the directory of the TA certificate's rsync URI
// (rsync cannot be trusted with a single-file target path) and reads it.
func (se *session) fetchTARsync(ctx context.Context, uri string) ([]byte, error) {
	if se.src.Rsync == nil {
		return nil, errors.New("rsync disabled")
	}
	dirURI, name := path.Split(uri)
	if name == "" || !strings.HasSuffix(name, ".cer") {
		return nil, errors.New("not a certificate URI")
	}
	work, err := se.src.Store.WorkDir("ta:" + dirURI)
	if err != nil {
		return nil, err
	}
	if _, err := se.src.Rsync.Run(ctx, dirURI, work); err != nil {
		return nil, err
	}
	return readCapped(filepath.Join(work, name))
}

func readCapped(p string) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if fi.Size() > x509rpki.MaxObjectSize {
		return nil, fmt.Errorf("%s larger than %d bytes", p, x509rpki.MaxObjectSize)
	}
	return os.ReadFile(p)
}

func (se *session) taPath(name string) string {
	dir := se.src.TADir
	if dir == "" {
		dir = filepath.Join(se.src.Store.WorkRoot(), "ta-certs")
	}
	return filepath.Join(dir, name+".cer")
}

// keepTA saves a fetched TA certificate through a temp file and a rename.
func (se *session) keepTA(name string, der []byte) {
	p := se.taPath(name)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	tmp := p + ".tmp"
	if os.WriteFile(tmp, der, 0o644) == nil {
		os.Rename(tmp, p)
	}
}

// SourceOptions configure NewSource.
type SourceOptions struct {
	Logger *zap.Logger
	Now    func() time.Time
	// CACert is a PEM file of TLS roots replacing the system's (a lab).
	CACert string
	// AllowDubiousHosts accepts localhost, IP literals and ports (labs).
	AllowDubiousHosts bool
	// RsyncOnly ignores RRDP; NoRsync never runs rsync.
	RsyncOnly, NoRsync bool
	// Offline fetches nothing: validation runs over the cache alone.
	Offline bool
	// Fallback is the RRDP to rsync fallback policy (fetch.Policy).
	Fallback fetch.Policy
	// Observer receives fetch outcomes; nil means none.
	Observer fetch.Observer
	// RepoTimeout bounds one repository's fetch; zero means the
	// scheduler's default.
	RepoTimeout time.Duration
}

// NewSource opens the cache in dir and builds the fetchers over it. Close
// releases the cache.
func NewSource(dir string, o SourceOptions) (*Source, error) {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	store, err := cache.Open(dir, cache.Options{Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	src := &Source{Store: store, RsyncOnly: o.RsyncOnly}
	if o.Offline {
		return src, nil
	}
	var hopt rrdp.HTTPOptions
	if o.CACert != "" {
		if hopt.RootCAs, err = rrdp.LoadRootCAs(o.CACert); err != nil {
			store.Close()
			return nil, err
		}
	}
	src.HTTP = rrdp.NewHTTPClient(hopt)
	if !o.NoRsync {
		if src.Rsync, err = rsync.New(rsync.Options{Logger: o.Logger, Root: store.WorkRoot()}); err != nil {
			store.Close()
			return nil, err
		}
	}
	src.Scheduler, err = fetch.New(fetch.Options{Logger: o.Logger, HTTPClient: src.HTTP, Now: o.Now,
		Observer: o.Observer, Cache: store, NoRsync: o.NoRsync, Fallback: o.Fallback,
		AllowDubiousHosts: o.AllowDubiousHosts, RepoTimeout: o.RepoTimeout})
	if err != nil {
		store.Close()
		return nil, err
	}
	return src, nil
}

// Close releases the cache.
func (s *Source) Close() error { return s.Store.Close() }
