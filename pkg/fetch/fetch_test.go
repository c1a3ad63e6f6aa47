package fetch_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rsync/rsynctest"
)

func TestRRDPSnapshotDeltasThenWarm(t *testing.T) {
	ls, pool := labs(t, 1, 40)
	l := ls[0]
	s, store, ev := scheduler(t, pool, nil)
	repo := l.fetchRepo("rsync://lab0.example.net/repo/ca0/")
	res := runAll(t, s, repo)[0]
	if res.Err != nil || res.Outcome != fetch.Updated || res.Transport != "rrdp" || res.Source != l.repo.NotifyURI() || res.Serial != 1 {
		t.Fatalf("cold: %+v", res)
	}
	if got := mustFile(t, store, res, labURI(0, 7)); got != "lab 0 object 7" {
		t.Errorf("object 7 = %q", got)
	}
	l.repo.Put(labURI(0, 7), []byte("changed"))
	l.repo.Commit()
	res = runAll(t, s, repo)[0]
	if res.Err != nil || res.Outcome != fetch.Updated || res.Serial != 2 {
		t.Fatalf("delta: %+v", res)
	}
	if got := mustFile(t, store, res, labURI(0, 7)); got != "changed" {
		t.Errorf("object 7 after delta = %q", got)
	}
	requests := l.repo.Requests("/notification.xml")
	res = runAll(t, s, repo)[0]
	if res.Err != nil || res.Outcome != fetch.Unchanged {
		t.Fatalf("warm: %+v", res)
	}
	if l.repo.Requests("/notification.xml") != requests+1 {
		t.Errorf("warm run made %d notification requests", l.repo.Requests("/notification.xml")-requests)
	}
	if ev.count("rrdp updated") != 2 || ev.count("rrdp unchanged") != 1 {
		t.Errorf("observer saw %v", ev.all)
	}
}

func TestDeduplicatesRepositories(t *testing.T) {
	ls, pool := labs(t, 1, 10)
	s, _, _ := scheduler(t, pool, nil)
	var repos []fetch.Repo
	for i := range 20 {
		repos = append(repos, ls[0].fetchRepo(fmt.Sprintf("rsync://lab0.example.net/repo/ca%d/", i)))
	}
	for _, res := range runAll(t, s, repos...) {
		if res.Outcome != fetch.Updated {
			t.Fatalf("%+v", res)
		}
	}
	if n := ls[0].repo.Requests("/notification.xml"); n != 1 {
		t.Errorf("%d notification requests for 20 CAs of one repository", n)
	}
}

func TestRsyncOnly(t *testing.T) {
	d := rsynctest.Start(t)
	d.Write(t, "ca/a.cer", []byte("cert"))
	d.Write(t, "ca/child/b.roa", []byte("roa"))
	s, store, _ := scheduler(t, nil, nil)
	repo := fetch.Repo{Rsync: d.URI("ca/")}
	res := runAll(t, s, repo)[0]
	module := d.URI("")
	if res.Err != nil || res.Outcome != fetch.Updated || res.Transport != "rsync" || res.Source != module {
		t.Fatalf("cold: %+v", res)
	}
	if got := mustFile(t, store, res, d.URI("ca/child/b.roa")); got != "roa" {
		t.Errorf("b.roa = %q", got)
	}
	res = runAll(t, s, repo)[0]
	if res.Err != nil || res.Outcome != fetch.Unchanged {
		t.Fatalf("warm: %+v", res)
	}
	d.Write(t, "ca/a.cer", []byte("cert v2"))
	res = runAll(t, s, repo)[0]
	if res.Outcome != fetch.Updated || mustFile(t, store, res, d.URI("ca/a.cer")) != "cert v2" {
		t.Fatalf("update: %+v", res)
	}
}

func TestFallbackPolicies(t *testing.T) {
	d := rsynctest.Start(t)
	d.Write(t, "ca/a.cer", []byte("from rsync"))
	for _, tc := range []struct {
		policy    fetch.Policy
		wantRsync bool
	}{{fetch.FallbackStale, true}, {fetch.FallbackNew, true}, {fetch.FallbackNever, false}} {
		t.Run(string(tc.policy), func(t *testing.T) {
			ls, pool := labs(t, 1, 3)
			ls[0].repo.Override("/notification.xml", failWith)
			s, store, ev := scheduler(t, pool, func(o *fetch.Options) { o.Fallback = tc.policy })
			res := runAll(t, s, ls[0].fetchRepo(d.URI("ca/")))[0]
			if got := ev.count("rsync updated") == 1; got != tc.wantRsync {
				t.Fatalf("rsync used: %v, want %v (%v)", got, tc.wantRsync, ev.all)
			}
			if tc.wantRsync && mustFile(t, store, res, d.URI("ca/a.cer")) != "from rsync" {
				t.Errorf("fallback data missing")
			}
			if !tc.wantRsync && (res.Outcome != fetch.Failed || res.Source != "") {
				t.Errorf("never: %+v", res)
			}
		})
	}
}

func TestStalePolicyKeepsRRDPDataUntilFallbackTime(t *testing.T) {
	d := rsynctest.Start(t)
	d.Write(t, "ca/a.cer", []byte("from rsync"))
	ls, pool := labs(t, 1, 3)
	now := time.Now()
	clock := func() time.Time { return now }
	s, store, ev := scheduler(t, pool, func(o *fetch.Options) { o.Now = clock; o.BackoffBase = time.Minute })
	repo := ls[0].fetchRepo(d.URI("ca/"))
	runAll(t, s, repo)
	ls[0].repo.Override("/notification.xml", failWith)
	now = now.Add(10 * time.Minute)
	res := runAll(t, s, repo)[0]
	if ev.count("rsync updated") != 0 || res.Outcome != fetch.Failed || res.Source != ls[0].repo.NotifyURI() {
		t.Fatalf("within fallback time: %+v, events %v", res, ev.all)
	}
	if mustFile(t, store, res, labURI(0, 1)) != "lab 0 object 1" {
		t.Errorf("cached RRDP data not served")
	}
	now = now.Add(2 * time.Hour)
	res = runAll(t, s, repo)[0]
	if ev.count("rsync updated") != 1 || res.Source != d.URI("") {
		t.Fatalf("after fallback time: %+v, events %v", res, ev.all)
	}
}

func TestBackoffSkipsFailingRepository(t *testing.T) {
	ls, pool := labs(t, 1, 3)
	ls[0].repo.Override("/notification.xml", failWith)
	now := time.Now()
	s, _, ev := scheduler(t, pool, func(o *fetch.Options) {
		o.Now = func() time.Time { return now }
		o.Fallback = fetch.FallbackNever
		o.BackoffBase, o.BackoffMax = time.Minute, 10*time.Minute
	})
	repo := ls[0].fetchRepo("rsync://lab0.example.net/repo/ca0/")
	runAll(t, s, repo)
	res := runAll(t, s, repo)[0]
	if res.Outcome != fetch.Backoff || !errors.Is(res.Err, fetch.ErrBackoff) {
		t.Fatalf("second run: %+v", res)
	}
	if n := ls[0].repo.Requests("/notification.xml"); n != 1 {
		t.Errorf("%d requests during backoff", n)
	}
	// The health says why it backs off (the failure), not that it does.
	if h := s.Health(); len(h) != 1 || h[0].Outcome != "backoff" || !h[0].Failing || h[0].LastError == "" ||
		strings.Contains(h[0].LastError, "backoff") || h[0].NextTry.IsZero() {
		t.Errorf("health in backoff: %+v", h)
	}
	now = now.Add(61 * time.Second)
	runAll(t, s, repo) // second failure: backoff doubles to 2 minutes
	now = now.Add(61 * time.Second)
	if res := runAll(t, s, repo)[0]; res.Outcome != fetch.Backoff {
		t.Errorf("backoff did not double: %+v (%v)", res, ev.all)
	}
}

func TestDubiousURIsRefusedByDefault(t *testing.T) {
	ls, pool := labs(t, 1, 3)
	s, _, _ := scheduler(t, pool, func(o *fetch.Options) { o.AllowDubiousHosts = false })
	res := runAll(t, s, fetch.Repo{Notify: ls[0].repo.NotifyURI()})[0]
	if res.Outcome != fetch.Refused || !errors.Is(res.Err, fetch.ErrDubious) {
		t.Fatalf("%+v", res)
	}
	if ls[0].repo.Requests("/notification.xml") != 0 {
		t.Errorf("a request reached the dubious host")
	}
}

func TestCheckDubiousTable(t *testing.T) {
	_, pool := labs(t, 1, 1)
	s, _, _ := scheduler(t, pool, func(o *fetch.Options) { o.AllowDubiousHosts = false; o.NoRsync = true })
	for _, u := range []string{"https://localhost/n.xml", "https://rrdp.localhost/n.xml", "https://192.0.2.1/n.xml",
		"https://[2001:db8::1]/n.xml", "https://rrdp.example.net:8443/n.xml", "http://rrdp.example.net/n.xml"} {
		res := runAll(t, s, fetch.Repo{Notify: u})[0]
		if res.Outcome != fetch.Refused {
			t.Errorf("%s: %+v", u, res)
		}
	}
}

// slowDrip serves one byte per second for up to a minute.
func slowDrip(done <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for range 60 {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-done:
				return
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
		}
	}
}

func TestStallorisDoesNotDelayOthers(t *testing.T) {
	ls, pool := labs(t, 5, 20)
	done := make(chan struct{})
	defer close(done)
	ls[0].repo.Override("/notification.xml", slowDrip(done))
	s, _, _ := scheduler(t, pool, func(o *fetch.Options) {
		o.RepoTimeout, o.MaxHTTPS, o.NoRsync = 2*time.Second, 2, true
		o.RRDP.IdleTimeout = 5 * time.Second
	})
	var repos []fetch.Repo
	for i, l := range ls {
		repos = append(repos, l.fetchRepo(fmt.Sprintf("rsync://lab%d.example.net/repo/ca0/", i)))
	}
	start := time.Now()
	res := runAll(t, s, repos...)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("run took %v with a 2 s repository deadline", el)
	}
	if res[0].Outcome != fetch.Failed {
		t.Errorf("slow repository: %+v", res[0])
	}
	for _, r := range res[1:] {
		if r.Outcome != fetch.Updated || r.Duration > 2*time.Second {
			t.Errorf("good repository delayed or failed: %+v", r)
		}
	}
}

func TestRunDeadlineBoundsTheRun(t *testing.T) {
	ls, pool := labs(t, 2, 5)
	done := make(chan struct{})
	defer close(done)
	ls[0].repo.Override("/notification.xml", slowDrip(done))
	s, _, _ := scheduler(t, pool, func(o *fetch.Options) {
		o.RepoTimeout, o.RunTimeout, o.NoRsync = 30*time.Second, 1500*time.Millisecond, true
	})
	start := time.Now()
	res := runAll(t, s, ls[0].fetchRepo("rsync://lab0.example.net/repo/ca0/"), ls[1].fetchRepo("rsync://lab1.example.net/repo/ca0/"))
	if el := time.Since(start); el > 4*time.Second {
		t.Errorf("run took %v with a 1.5 s run deadline", el)
	}
	if res[0].Outcome != fetch.Failed || res[1].Outcome != fetch.Updated {
		t.Errorf("results %+v / %+v", res[0], res[1])
	}
}

func TestHangingRsyncDoesNotDelayOthers(t *testing.T) {
	d := rsynctest.Start(t)
	d.Write(t, "ca/a.cer", []byte("ok"))
	hang := hangingServer(t)
	s, store, _ := scheduler(t, nil, func(o *fetch.Options) {
		o.RepoTimeout, o.RsyncIOTimeout = 2*time.Second, 30*time.Second
	})
	start := time.Now()
	res := runAll(t, s, fetch.Repo{Rsync: hang + "ca/"}, fetch.Repo{Rsync: d.URI("ca/")})
	if el := time.Since(start); el > 6*time.Second {
		t.Errorf("run took %v with a 2 s repository deadline", el)
	}
	if res[0].Outcome != fetch.Failed || res[1].Outcome != fetch.Updated || mustFile(t, store, res[1], d.URI("ca/a.cer")) != "ok" {
		t.Errorf("results %+v / %+v", res[0], res[1])
	}
}

// hangingServer accepts rsync connections, sends a byte now and then so
// that rsync's own I/O timeout never fires, and never speaks the protocol.
func hangingServer(t *testing.T) string {
	t.Helper()
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { close(done); l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				for range 120 {
					select {
					case <-done:
						return
					case <-time.After(500 * time.Millisecond):
					}
					c.Write([]byte("@"))
				}
			}()
		}
	}()
	return "rsync://" + l.Addr().String() + "/repo/"
}

func TestCrashedImportIsRedone(t *testing.T) {
	d := rsynctest.Start(t)
	d.Write(t, "ca/a.cer", []byte("v1"))
	s, store, _ := scheduler(t, nil, nil)
	repo := fetch.Repo{Rsync: d.URI("ca/")}
	runAll(t, s, repo)
	d.Write(t, "ca/a.cer", []byte("v2"))
	// Simulate a crash between rsync and the import: the work tree already
	// has v2, the cache still v1, and the marker says an import was running.
	dir, _ := store.WorkDir(d.URI(""))
	os.WriteFile(filepath.Join(dir, "ca", "a.cer"), []byte("v2"), 0o644)
	os.Chtimes(filepath.Join(dir, "ca", "a.cer"), time.Now(), mustStat(t, filepath.Join(d.Dir, "ca", "a.cer")).ModTime())
	os.WriteFile(dir+".dirty", nil, 0o644)
	res := runAll(t, s, repo)[0]
	if got := mustFile(t, store, res, d.URI("ca/a.cer")); got != "v2" {
		t.Fatalf("after crashed import: %q (%+v)", got, res)
	}
}

func mustStat(t *testing.T, p string) os.FileInfo {
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestParsePolicy(t *testing.T) {
	for _, p := range []string{"never", "stale", "new"} {
		if _, err := fetch.ParsePolicy(p); err != nil {
			t.Error(err)
		}
	}
	if _, err := fetch.ParsePolicy("sometimes"); err == nil || !strings.Contains(err.Error(), "sometimes") {
		t.Errorf("bad policy: %v", err)
	}
}

func TestHTTPSCapRespected(t *testing.T) {
	ls, pool := labs(t, 6, 3)
	var mu sync.Mutex
	inFlight, peak := 0, 0
	for _, l := range ls {
		l := l
		l.repo.Override("/notification.xml", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			mu.Unlock()
			time.Sleep(150 * time.Millisecond)
			mu.Lock()
			inFlight--
			mu.Unlock()
			w.Write(l.repo.Notification())
		})
	}
	s, _, _ := scheduler(t, pool, func(o *fetch.Options) { o.MaxHTTPS, o.NoRsync = 2, true })
	var repos []fetch.Repo
	for i, l := range ls {
		repos = append(repos, l.fetchRepo(fmt.Sprintf("rsync://lab%d.example.net/repo/ca0/", i)))
	}
	for _, r := range runAll(t, s, repos...) {
		if r.Outcome != fetch.Updated {
			t.Fatalf("%+v", r)
		}
	}
	if peak != 2 {
		t.Errorf("peak of %d parallel HTTPS fetches with MaxHTTPS 2", peak)
	}
}

func TestWarmRestartKeepsSessionAndSerial(t *testing.T) {
	ls, pool := labs(t, 1, 10)
	l := ls[0]
	dir := t.TempDir()
	repo := l.fetchRepo("rsync://lab0.example.net/repo/ca0/")
	open := func() (*fetch.Scheduler, *cache.Store) {
		store, err := cache.Open(dir, cache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := fetch.New(fetch.Options{Cache: store, AllowDubiousHosts: true, NoRsync: true,
			HTTPClient: rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: pool})})
		if err != nil {
			t.Fatal(err)
		}
		return s, store
	}
	s, store := open()
	runAll(t, s, repo)
	store.Close()
	snapshot := snapshotPath(t, l)
	l.repo.Put(labURI(0, 1), []byte("after restart"))
	l.repo.Commit()
	s, store = open()
	defer store.Close()
	res := runAll(t, s, repo)[0]
	if res.Outcome != fetch.Updated || res.Serial != 2 || l.repo.Requests(snapshot) != 1 {
		t.Fatalf("after restart: %+v, first snapshot fetched %d times", res, l.repo.Requests(snapshot))
	}
	if l.repo.Requests(snapshotPath(t, l)) != 0 {
		t.Errorf("restart fetched the new snapshot instead of the delta")
	}
	if got := mustFile(t, store, res, labURI(0, 1)); got != "after restart" {
		t.Errorf("object = %q", got)
	}
}
