package fetch_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/rrdp"
)

// hostile is one hostile repository behaviour, installed on lab 0.
type hostile struct {
	name    string
	install func(t *testing.T, l *lab, other *lab, done <-chan struct{})
	want    fetch.Outcome
	wantErr error
	// timeout is the repository deadline; zero means 10 s, generous enough
	// for the size-limit cases under -race on a loaded machine.
	timeout time.Duration
}

// snapshotPath returns the path of a lab's current snapshot.
func snapshotPath(t *testing.T, l *lab) string {
	t.Helper()
	n, err := rrdp.ParseNotification(bytes.NewReader(l.repo.Notification()))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(n.Snapshot.URI, l.srv.URL)
}

// snapshotHead writes a snapshot's opening tag for the lab's session.
func snapshotHead(l *lab) string {
	session, serial := l.repo.Session()
	return fmt.Sprintf(`<snapshot xmlns=%q version="1" session_id=%q serial="%d">`, rrdp.Namespace, session, serial)
}

var hostileCases = []hostile{
	{"slow drip", func(t *testing.T, l, _ *lab, done <-chan struct{}) {
		l.repo.Override(snapshotPath(t, l), slowDrip(done))
	}, fetch.Failed, context_deadline, 3 * time.Second},
	{"huge object", func(t *testing.T, l, _ *lab, done <-chan struct{}) {
		l.repo.Override(snapshotPath(t, l), func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, snapshotHead(l)+`<publish uri="rsync://lab0.example.net/repo/x.roa">`)
			chunk := bytes.Repeat([]byte("QUFB"), 16<<10)
			for range 1 << 14 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})
	}, fetch.Failed, rrdp.ErrTooLarge, 0},
	{"gzip bomb", func(t *testing.T, l, _ *lab, done <-chan struct{}) {
		l.repo.Override("/notification.xml", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
			zw.Write([]byte(strings.Replace(snapshotHead(l), "<snapshot", "<notification", 1)))
			spaces := bytes.Repeat([]byte(" "), 1<<20)
			for range 4096 {
				if _, err := zw.Write(spaces); err != nil {
					return
				}
			}
			zw.Close()
		})
	}, fetch.Failed, rrdp.ErrTooLarge, 0},
	{"entity bomb", func(t *testing.T, l, _ *lab, done <-chan struct{}) {
		b, err := os.ReadFile("../rrdp/testdata/notification/bad/billion_lol.xml")
		if err != nil {
			t.Fatal(err)
		}
		l.repo.SetFile("/notification.xml", b)
	}, fetch.Failed, rrdp.ErrForbidden, 0},
	{"snapshot hash mismatch", func(t *testing.T, l, _ *lab, done <-chan struct{}) {
		l.repo.SetFile(snapshotPath(t, l), []byte(snapshotHead(l)+"</snapshot>"))
	}, fetch.Failed, rrdp.ErrHash, 0},
	{"cross-origin snapshot", func(t *testing.T, l, other *lab, done <-chan struct{}) {
		l.repo.SetFile("/notification.xml", other.repo.Notification())
	}, fetch.Failed, rrdp.ErrOrigin, 0},
	{"dot-dot file name", func(t *testing.T, l, _ *lab, done <-chan struct{}) {
		doc := snapshotHead(l) + `<publish uri="rsync://lab0.example.net/repo/../../../../etc/cron.d/x.roa">eA==</publish></snapshot>`
		l.repo.Override(snapshotPath(t, l), func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(doc)) })
	}, fetch.Failed, rrdp.ErrMalformed, 0},
}

// context_deadline matches the errors of a repository deadline.
var context_deadline = errors.New("deadline")

// TestHostileRepositories runs each hostile repository next to two good
// ones and checks that it fails cleanly, within the repository deadline
// and bounded memory, while the good ones complete.
func TestHostileRepositories(t *testing.T) {
	for _, hc := range hostileCases {
		t.Run(hc.name, func(t *testing.T) {
			ls, pool := labs(t, 4, 10)
			done := make(chan struct{})
			defer close(done)
			hc.install(t, ls[0], ls[3], done)
			timeout := hc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			s, store, _ := scheduler(t, pool, func(o *fetch.Options) {
				o.RepoTimeout, o.NoRsync, o.RRDP.IdleTimeout = timeout, true, 5*time.Second
				// Limits a tenth of the defaults keep the size cases fast
				// under -race; the mechanism is the same.
				o.RRDP.Limits = rrdp.Limits{Object: rrdp.MaxObjectSize / 10, Notification: rrdp.MaxNotificationSize / 10}
			})
			repos := []fetch.Repo{ls[0].fetchRepo("rsync://lab0.example.net/repo/ca0/"),
				ls[1].fetchRepo("rsync://lab1.example.net/repo/ca0/"), ls[2].fetchRepo("rsync://lab2.example.net/repo/ca0/")}
			var res []fetch.Result
			start := time.Now()
			alloc := allocDuring(func() { res = runAll(t, s, repos...) })
			if el := time.Since(start); el > timeout+5*time.Second {
				t.Errorf("run took %v", el)
			}
			if alloc > 512<<20 {
				t.Errorf("run allocated %d MB", alloc>>20)
			}
			if res[0].Outcome != hc.want || (hc.wantErr != context_deadline && !errors.Is(res[0].Err, hc.wantErr)) {
				t.Errorf("hostile repository: outcome %s, err %v; want %s, %v", res[0].Outcome, res[0].Err, hc.want, hc.wantErr)
			}
			if res[0].Source != "" {
				t.Errorf("hostile repository left data in the cache: %+v", res[0])
			}
			for i, r := range res[1:] {
				if r.Outcome != fetch.Updated || mustFile(t, store, r, labURI(i+1, 3)) != fmt.Sprintf("lab %d object 3", i+1) {
					t.Errorf("good repository %d: %+v", i+1, r)
				}
			}
		})
	}
}

// TestSerialRegressionReinitialises checks that a notification whose
// serial went back is answered with its snapshot, never with deltas.
func TestSerialRegressionReinitialises(t *testing.T) {
	ls, pool := labs(t, 1, 5)
	l := ls[0]
	old := l.repo.Notification()
	l.repo.Put(labURI(0, 1), []byte("v2"))
	l.repo.Commit()
	s, store, _ := scheduler(t, pool, nil)
	repo := l.fetchRepo("rsync://lab0.example.net/repo/ca0/")
	if res := runAll(t, s, repo)[0]; res.Serial != 2 {
		t.Fatalf("first: %+v", res)
	}
	l.repo.SetFile("/notification.xml", old)
	res := runAll(t, s, repo)[0]
	if res.Outcome != fetch.Updated || res.Serial != 1 || mustFile(t, store, res, labURI(0, 1)) != "lab 0 object 1" {
		t.Fatalf("after regression: %+v", res)
	}
}

// allocDuring returns the bytes allocated while f runs.
func allocDuring(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestRepositoryCannotPlantObjectsElsewhere checks that a repository
// publishing objects under another repository's rsync URIs does not change
// what the other repository's Source holds: the raw store is partitioned by
// repository.
func TestRepositoryCannotPlantObjectsElsewhere(t *testing.T) {
	ls, pool := labs(t, 2, 5)
	ls[0].repo.Put(labURI(1, 2)+".evil.roa", []byte("planted"))
	ls[0].repo.Put("rsync://lab1.example.net/repo/ca2/planted.roa", []byte("planted"))
	ls[0].repo.Commit()
	s, store, _ := scheduler(t, pool, func(o *fetch.Options) { o.NoRsync = true })
	res := runAll(t, s, ls[0].fetchRepo("rsync://lab0.example.net/repo/ca0/"), ls[1].fetchRepo("rsync://lab1.example.net/repo/ca2/"))
	victim, err := store.Repo(res[1].Source)
	if err != nil {
		t.Fatal(err)
	}
	p, err := victim.PubPoint("rsync://lab1.example.net/repo/ca2/")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Files {
		if strings.Contains(f.Name, "planted") || strings.Contains(f.Name, "evil") {
			t.Errorf("object %s of another repository is visible in lab 1", f.Name)
		}
	}
}
