package fetch_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rrdp/rrdptest"
)

// lab is one RRDP repository on its own HTTPS server on loopback.
type lab struct {
	repo *rrdptest.Repo
	srv  *httptest.Server
}

// labs starts n RRDP servers that share one CA pool, each with objects
// objects under rsync://<name>.example.net/repo/.
func labs(t testing.TB, n, objects int) ([]*lab, *x509.CertPool) {
	t.Helper()
	pool := x509.NewCertPool()
	out := make([]*lab, n)
	for i := range out {
		repo := rrdptest.NewRepo()
		repo.ETag = true
		srv := httptest.NewUnstartedServer(repo)
		srv.EnableHTTP2 = true
		srv.StartTLS()
		t.Cleanup(srv.Close)
		repo.BaseURL = srv.URL
		for k := range objects {
			repo.Put(labURI(i, k), []byte(fmt.Sprintf("lab %d object %d", i, k)))
		}
		if err := repo.Commit(); err != nil {
			t.Fatal(err)
		}
		pool.AddCert(srv.Certificate())
		out[i] = &lab{repo: repo, srv: srv}
	}
	return out, pool
}

func labURI(i, k int) string {
	return fmt.Sprintf("rsync://lab%d.example.net/repo/ca%d/o%d.roa", i, k%4, k)
}

// fetchRepo is the Repo of lab i with rsync URI rsyncURI.
func (l *lab) fetchRepo(rsyncURI string) fetch.Repo {
	return fetch.Repo{Notify: l.repo.NotifyURI(), Rsync: rsyncURI}
}

// events records observer calls.
type events struct {
	mu  sync.Mutex
	all []string
}

// Attempted implements fetch.Observer.
func (e *events) Attempted(a fetch.Attempt) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, a.Transport+" "+string(a.Outcome))
}

// count returns how many events equal s.
func (e *events) count(s string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, x := range e.all {
		if x == s {
			n++
		}
	}
	return n
}

// scheduler returns a scheduler over a fresh cache with lab-friendly options.
func scheduler(t testing.TB, pool *x509.CertPool, mod func(*fetch.Options)) (*fetch.Scheduler, *cache.Store, *events) {
	t.Helper()
	store, err := cache.Open(t.TempDir(), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ev := &events{}
	o := fetch.Options{
		Cache:             store,
		HTTPClient:        rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: pool, ConnectTimeout: 2 * time.Second}),
		Observer:          ev,
		AllowDubiousHosts: true,
		RepoTimeout:       10 * time.Second,
		RunTimeout:        30 * time.Second,
		RsyncIOTimeout:    2 * time.Second,
		RRDP:              rrdp.Options{IdleTimeout: 2 * time.Second},
	}
	if mod != nil {
		mod(&o)
	}
	s, err := fetch.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s, store, ev
}

// runAll fetches repos in one bounded run.
func runAll(t testing.TB, s *fetch.Scheduler, repos ...fetch.Repo) []fetch.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return s.FetchAll(ctx, repos)
}

// mustFile reads one object through the result's source.
func mustFile(t *testing.T, store *cache.Store, res fetch.Result, uri string) string {
	t.Helper()
	if res.Source == "" {
		t.Fatalf("no source for %+v", res.Repo)
	}
	r, err := store.Repo(res.Source)
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.File(uri)
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	return string(b)
}

// failWith serves every request with status 500.
func failWith(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "down", http.StatusInternalServerError)
}
