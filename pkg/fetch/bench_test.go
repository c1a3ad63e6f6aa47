package fetch_test

import (
	"crypto/x509"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rrdp/rrdptest"
)

// The benchmark stands in for the `medium` lab until the lab exists: 20
// RRDP repositories on real HTTPS servers (one per repository, as distinct
// hosts would be), 100 publication points each (2,000 in all) and 12 to 13
// objects of 1-3 KB per point (25,000 files in all).
const (
	benchRepos         = 20
	benchPointsPerRepo = 100
	benchFiles         = 25_000
)

// benchLab is built once and shared by the benchmarks.
type benchLab struct {
	repos []fetch.Repo
	pool  *x509.CertPool
	srvs  []*httptest.Server
	bytes int64
}

// newBenchLab generates and serves the repositories.
func newBenchLab(b *testing.B) *benchLab {
	b.Helper()
	bl := &benchLab{pool: x509.NewCertPool()}
	for r := range benchRepos {
		repo := rrdptest.NewRepo()
		repo.ETag = true
		srv := httptest.NewUnstartedServer(repo)
		srv.EnableHTTP2 = true
		srv.StartTLS()
		b.Cleanup(srv.Close)
		repo.BaseURL = srv.URL
		for f := r; f < benchFiles; f += benchRepos {
			point := (f / benchRepos) % benchPointsPerRepo
			data := make([]byte, 1024+(f*37)%2048)
			for i := range data {
				data[i] = byte(f + i)
			}
			bl.bytes += int64(len(data))
			repo.Put(fmt.Sprintf("rsync://rpki%d.example.net/repo/ca%d/obj%d.roa", r, point, f), data)
		}
		if err := repo.Commit(); err != nil {
			b.Fatal(err)
		}
		bl.pool.AddCert(srv.Certificate())
		bl.srvs = append(bl.srvs, srv)
		bl.repos = append(bl.repos, fetch.Repo{Notify: repo.NotifyURI(), Rsync: fmt.Sprintf("rsync://rpki%d.example.net/repo/", r)})
	}
	return bl
}

// newBenchScheduler opens a cache in dir and a scheduler on it.
func (bl *benchLab) scheduler(b *testing.B, dir string) (*fetch.Scheduler, *cache.Store) {
	store, err := cache.Open(dir, cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := fetch.New(fetch.Options{Cache: store, AllowDubiousHosts: true, NoRsync: true,
		HTTPClient: rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: bl.pool})})
	if err != nil {
		b.Fatal(err)
	}
	return s, store
}

// run fetches every repository and fails on any error.
func (bl *benchLab) run(b *testing.B, s *fetch.Scheduler, want fetch.Outcome) {
	for _, res := range runAll(b, s, bl.repos...) {
		if res.Err != nil || res.Outcome != want {
			b.Fatalf("%s: %s %v", res.Repo.Notify, res.Outcome, res.Err)
		}
	}
}

// cpuTime returns the process's user plus system CPU time and peak RSS.
func cpuTime() (time.Duration, int64) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss << 10
}

// filesUnder counts the regular files under dir.
func filesUnder(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// report adds the harness's metrics. CPU and RSS are the whole process,
// HTTPS servers included: an upper bound on the client's share.
func report(b *testing.B, cpu0 time.Duration, dir string) {
	cpu, rss := cpuTime()
	b.ReportMetric(float64(cpu-cpu0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(filesUnder(dir)), "files-on-disk")
}

// BenchmarkFetchCold fetches the whole lab into an empty cache.
func BenchmarkFetchCold(b *testing.B) {
	bl := newBenchLab(b)
	b.SetBytes(bl.bytes)
	var dir string
	cpu0, _ := cpuTime()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir = b.TempDir()
		s, store := bl.scheduler(b, dir)
		b.StartTimer()
		bl.run(b, s, fetch.Updated)
		b.StopTimer()
		store.Close()
		b.StartTimer()
	}
	b.StopTimer()
	report(b, cpu0, dir)
}

// BenchmarkFetchWarm fetches the lab again with nothing changed: one
// conditional notification request per repository, answered 304.
func BenchmarkFetchWarm(b *testing.B) {
	bl := newBenchLab(b)
	dir := b.TempDir()
	s, store := bl.scheduler(b, dir)
	defer store.Close()
	bl.run(b, s, fetch.Updated)
	cpu0, _ := cpuTime()
	b.ResetTimer()
	for range b.N {
		bl.run(b, s, fetch.Unchanged)
	}
	b.StopTimer()
	report(b, cpu0, dir)
}
