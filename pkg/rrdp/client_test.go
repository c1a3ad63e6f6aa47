package rrdp_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rrdp/rrdptest"
)

// lab is one RRDP repository served over real HTTPS on loopback.
type lab struct {
	repo *rrdptest.Repo
	srv  *httptest.Server
	pool *x509.CertPool
}

// newLab starts an HTTP/2-capable TLS server for a repository with n objects.
func newLab(t *testing.T, n int, setup ...func(*httptest.Server)) *lab {
	t.Helper()
	repo := rrdptest.NewRepo()
	srv := httptest.NewUnstartedServer(repo)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.EnableHTTP2 = true
	for _, f := range setup {
		f(srv)
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	repo.BaseURL = srv.URL
	for i := range n {
		repo.Put(objURI(i), []byte(fmt.Sprintf("object %d", i)))
	}
	if err := repo.Commit(); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &lab{repo: repo, srv: srv, pool: pool}
}

func objURI(i int) string { return fmt.Sprintf("rsync://example.net/repo/ca%d/obj%d.roa", i%7, i) }

// client returns a client trusting the lab's CA, with short timeouts.
func (l *lab) client(mod func(*rrdp.Options)) *rrdp.Client {
	o := rrdp.Options{HTTPClient: rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: l.pool, ConnectTimeout: 2 * time.Second}),
		IdleTimeout: 2 * time.Second, Timeout: 10 * time.Second}
	if mod != nil {
		mod(&o)
	}
	return rrdp.NewClient(o)
}

// fetch runs one bounded fetch.
func (l *lab) fetch(t *testing.T, c *rrdp.Client, s rrdp.Sink) (rrdp.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return c.Fetch(ctx, l.repo.NotifyURI(), s)
}

// mustMatch checks that the sink holds n objects equal to the repository's.
func mustMatch(t *testing.T, s *memSink, want map[string]string) {
	t.Helper()
	got := s.snapshot()
	if len(got) != len(want) {
		t.Fatalf("sink holds %d objects, want %d", len(got), len(want))
	}
	for u, d := range want {
		if string(got[u]) != d {
			t.Fatalf("%s = %q, want %q", u, got[u], d)
		}
	}
}

func expect(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[objURI(i)] = fmt.Sprintf("object %d", i)
	}
	return m
}

func TestSnapshotThenDeltas(t *testing.T) {
	l := newLab(t, 20)
	c, s := l.client(nil), newMemSink()
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || res.Objects != 20 {
		t.Fatalf("first fetch: %+v, %v", res, err)
	}
	mustMatch(t, s, expect(20))

	want := expect(20)
	l.repo.Put(objURI(3), []byte("changed"))
	want[objURI(3)] = "changed"
	l.repo.Delete(objURI(4))
	delete(want, objURI(4))
	l.repo.Commit()
	l.repo.Put("rsync://example.net/repo/new/x.cer", []byte("new"))
	want["rsync://example.net/repo/new/x.cer"] = "new"
	l.repo.Commit()

	res, err = l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindDeltas || res.Deltas != 2 || res.Serial != 3 {
		t.Fatalf("delta fetch: %+v, %v", res, err)
	}
	mustMatch(t, s, want)
	snaps := l.repo.Requests(snapshotPath(t, l))
	res, err = l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindUnchanged {
		t.Fatalf("third fetch: %+v, %v", res, err)
	}
	if l.repo.Requests(snapshotPath(t, l)) != snaps {
		t.Errorf("unchanged fetch downloaded the snapshot")
	}
}

// snapshotPath returns the path of the current snapshot.
func snapshotPath(t *testing.T, l *lab) string {
	n, err := rrdp.ParseNotification(bytes.NewReader(l.repo.Notification()))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(n.Snapshot.URI, l.srv.URL)
}

func TestConditionalGETAndHTTP2(t *testing.T) {
	l := newLab(t, 5)
	l.repo.ETag, l.repo.Gzip = true, true
	var proto int
	l.repo.Override("/probe", func(w http.ResponseWriter, r *http.Request) { proto = r.ProtoMajor })
	c, s := l.client(nil), newMemSink()
	if _, err := l.fetch(t, c, s); err != nil {
		t.Fatal(err)
	}
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindNotModified {
		t.Fatalf("second fetch: %+v, %v", res, err)
	}
	if s.commits != 1 {
		t.Errorf("304 committed to the sink (%d commits)", s.commits)
	}
	hc := rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: l.pool})
	resp, err := hc.Get(l.srv.URL + "/probe")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if proto != 2 {
		t.Errorf("request used HTTP/%d, want HTTP/2", proto)
	}
}

func TestSessionReset(t *testing.T) {
	l := newLab(t, 5)
	c, s := l.client(nil), newMemSink()
	l.fetch(t, c, s)
	l.repo.NewSession()
	l.repo.Delete(objURI(0))
	l.repo.Commit()
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || !strings.Contains(res.SnapshotReason, "session") {
		t.Fatalf("%+v, %v", res, err)
	}
	want := expect(5)
	delete(want, objURI(0))
	mustMatch(t, s, want)
}

func TestDeltaHashMismatchFallsBackToSnapshot(t *testing.T) {
	l := newLab(t, 5)
	c, s := l.client(nil), newMemSink()
	l.fetch(t, c, s)
	l.repo.Put(objURI(1), []byte("v2"))
	l.repo.Commit()
	session, serial := l.repo.Session()
	path := fmt.Sprintf("/%s/%d/delta.xml", session, serial)
	var buf bytes.Buffer
	rrdp.WriteDelta(&buf, rrdp.Header{SessionID: session, Serial: serial}, []rrdp.Change{{URI: objURI(50), Data: []byte("evil")}})
	l.repo.SetFile(path, buf.Bytes())
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || !strings.Contains(res.SnapshotReason, "hash mismatch") {
		t.Fatalf("%+v, %v", res, err)
	}
	want := expect(5)
	want[objURI(1)] = "v2"
	mustMatch(t, s, want)
}

// TestCommitConflictFallsBackToSnapshot uses a sink that finds a delta's
// mismatch only at Commit, as pkg/cache does: the client must still fall
// back to the snapshot (RFC 8182 §3.4.2).
func TestCommitConflictFallsBackToSnapshot(t *testing.T) {
	l := newLab(t, 5)
	c, s := l.client(nil), &lateSink{memSink: newMemSink()}
	l.fetch(t, c, s)
	s.objs[objURI(1)] = []byte("not what the server published")
	l.repo.Put(objURI(1), []byte("v2"))
	l.repo.Commit()
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || !strings.Contains(res.SnapshotReason, "commit") || res.Deltas != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	want := expect(5)
	want[objURI(1)] = "v2"
	mustMatch(t, s.memSink, want)
}

func TestSnapshotHashMismatchKeepsData(t *testing.T) {
	l := newLab(t, 5)
	c, s := l.client(nil), newMemSink()
	l.fetch(t, c, s)
	l.repo.NewSession()
	l.repo.Put(objURI(9), []byte("x"))
	l.repo.Commit()
	path := snapshotPath(t, l)
	session, serial := l.repo.Session()
	var buf bytes.Buffer
	rrdp.WriteSnapshot(&buf, rrdp.Header{SessionID: session, Serial: serial}, []rrdp.Publish{{URI: objURI(0), Data: []byte("evil")}})
	l.repo.SetFile(path, buf.Bytes())
	_, err := l.fetch(t, c, s)
	if !errors.Is(err, rrdp.ErrHash) {
		t.Fatalf("got %v, want ErrHash", err)
	}
	mustMatch(t, s, expect(5))
}

func TestDeltaGapFallsBack(t *testing.T) {
	l := newLab(t, 3)
	c, s := l.client(nil), newMemSink()
	l.fetch(t, c, s)
	for i := range 3 {
		l.repo.Put(objURI(i), []byte("gap"))
		l.repo.Commit()
	}
	n, _ := rrdp.ParseNotification(bytes.NewReader(l.repo.Notification()))
	n.Deltas = append(n.Deltas[:1], n.Deltas[2:]...) // drop serial 3
	var buf bytes.Buffer
	rrdp.WriteNotification(&buf, n)
	l.repo.SetFile("/notification.xml", buf.Bytes())
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || !strings.Contains(res.SnapshotReason, "no delta for serial 3") {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestDesynchronisationRFC9697(t *testing.T) {
	l := newLab(t, 3)
	c, s := l.client(nil), newMemSink()
	l.fetch(t, c, s)
	l.repo.Put(objURI(0), []byte("v2"))
	l.repo.Commit()
	l.fetch(t, c, s) // holds serial 2 and the hash of delta 2
	l.repo.Put(objURI(1), []byte("v3"))
	l.repo.Commit()
	n, _ := rrdp.ParseNotification(bytes.NewReader(l.repo.Notification()))
	n.Deltas[0].Hash[0] ^= 0xff // the server rewrote delta 2
	var buf bytes.Buffer
	rrdp.WriteNotification(&buf, n)
	l.repo.SetFile("/notification.xml", buf.Bytes())
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || !strings.Contains(res.SnapshotReason, "RFC 9697") {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestPeriodicReinit(t *testing.T) {
	l := newLab(t, 3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := l.client(func(o *rrdp.Options) { o.Now = func() time.Time { return now }; o.ReinitInterval = time.Hour })
	s := newMemSink()
	l.fetch(t, c, s)
	l.repo.Put(objURI(0), []byte("v2"))
	l.repo.Commit()
	now = now.Add(2 * time.Hour)
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || !strings.Contains(res.SnapshotReason, "re-initialisation") {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestSerialRegression(t *testing.T) {
	l := newLab(t, 3)
	old := l.repo.Notification()
	l.repo.Put(objURI(0), []byte("v2"))
	l.repo.Commit()
	c, s := l.client(nil), newMemSink()
	l.fetch(t, c, s)
	l.repo.SetFile("/notification.xml", old)
	res, err := l.fetch(t, c, s)
	if err != nil || res.Kind != rrdp.KindSnapshot || res.Serial != 1 || !strings.Contains(res.SnapshotReason, "regressed") {
		t.Fatalf("%+v, %v", res, err)
	}
	mustMatch(t, s, expect(3))
}

func TestCrossOriginRefused(t *testing.T) {
	l := newLab(t, 3)
	other := newLab(t, 3)
	n, _ := rrdp.ParseNotification(bytes.NewReader(other.repo.Notification()))
	var buf bytes.Buffer
	rrdp.WriteNotification(&buf, n) // snapshot URI on the other server's origin
	l.repo.SetFile("/notification.xml", buf.Bytes())
	c := l.client(nil)
	_, err := l.fetch(t, c, newMemSink())
	if !errors.Is(err, rrdp.ErrOrigin) {
		t.Fatalf("got %v, want ErrOrigin", err)
	}
	if other.repo.Requests(strings.TrimPrefix(n.Snapshot.URI, other.srv.URL)) != 0 {
		t.Errorf("client fetched the cross-origin snapshot")
	}
}

func TestCrossOriginRedirectRefused(t *testing.T) {
	l := newLab(t, 3)
	other := newLab(t, 3)
	l.repo.Override("/notification.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.repo.NotifyURI(), http.StatusFound)
	})
	_, err := l.fetch(t, l.client(nil), newMemSink())
	if !errors.Is(err, rrdp.ErrOrigin) {
		t.Fatalf("got %v, want ErrOrigin", err)
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

func TestSlowDripBounded(t *testing.T) {
	l := newLab(t, 3)
	done := make(chan struct{})
	defer close(done)
	l.repo.Override(snapshotPath(t, l), func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<"))
		for range 120 { // one byte per second, bounded
			select {
			case <-done:
				return
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
			w.Write([]byte(" "))
			w.(http.Flusher).Flush()
		}
	})
	c := l.client(func(o *rrdp.Options) { o.Timeout = 3 * time.Second })
	start := time.Now()
	_, err := l.fetch(t, c, newMemSink())
	if el := time.Since(start); err == nil || el > 6*time.Second {
		t.Fatalf("slow drip: err %v after %v, want an error within the 3 s deadline", err, el)
	}
}

func TestIdleServerTimesOut(t *testing.T) {
	l := newLab(t, 3)
	release := make(chan struct{})
	defer close(release)
	l.repo.Override(snapshotPath(t, l), func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<snapshot"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := l.client(func(o *rrdp.Options) { o.IdleTimeout = 500 * time.Millisecond; o.Timeout = 30 * time.Second })
	start := time.Now()
	_, err := l.fetch(t, c, newMemSink())
	if !errors.Is(err, rrdp.ErrTimeout) || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %v, want ErrTimeout after about 0.5 s", err, time.Since(start))
	}
}

func TestHugeObjectBounded(t *testing.T) {
	l := newLab(t, 1)
	session, serial := l.repo.Session()
	l.repo.Override(snapshotPath(t, l), func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<snapshot xmlns=%q version="1" session_id=%q serial="%d"><publish uri="rsync://h/m/a.cer">`, rrdp.Namespace, session, serial)
		chunk := bytes.Repeat([]byte("QUFB"), 16<<10)
		for range 1 << 14 { // up to 1 GiB, stops when the client hangs up
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	var err error
	// A 1 MB object limit keeps the test fast under -race; the default
	// limit is exercised by pkg/fetch's hostile repository test.
	c := l.client(func(o *rrdp.Options) { o.Limits.Object = 1 << 20; o.IdleTimeout = 10 * time.Second })
	alloc := allocDuring(func() { _, err = l.fetch(t, c, newMemSink()) })
	if !errors.Is(err, rrdp.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MB for a refused object", alloc>>20)
	}
}

func TestGzipBombBounded(t *testing.T) {
	l := newLab(t, 1)
	l.repo.Override("/notification.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		fmt.Fprintf(zw, `<notification xmlns=%q version="1" session_id="9df4b597-af9e-4dca-bdda-719cce2c4e28" serial="1">`, rrdp.Namespace)
		spaces := bytes.Repeat([]byte(" "), 1<<20)
		for range 4096 { // 4 GiB uncompressed, about 4 MB on the wire
			if _, err := zw.Write(spaces); err != nil {
				return
			}
		}
		zw.Close()
	})
	var err error
	start := time.Now()
	c := l.client(func(o *rrdp.Options) { o.Limits.Notification = 4 << 20; o.IdleTimeout = 10 * time.Second })
	alloc := allocDuring(func() { _, err = l.fetch(t, c, newMemSink()) })
	if !errors.Is(err, rrdp.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if alloc > 64<<20 || time.Since(start) > 15*time.Second {
		t.Errorf("gzip bomb cost %d MB and %v", alloc>>20, time.Since(start))
	}
}

func TestEntityBombRefused(t *testing.T) {
	l := newLab(t, 1)
	b, err := os.ReadFile("testdata/notification/bad/billion_lol.xml")
	if err != nil {
		t.Fatal(err)
	}
	l.repo.SetFile("/notification.xml", b)
	alloc := allocDuring(func() { _, err = l.fetch(t, l.client(nil), newMemSink()) })
	if !errors.Is(err, rrdp.ErrForbidden) || alloc > 16<<20 {
		t.Fatalf("got %v after %d bytes allocated, want ErrForbidden", err, alloc)
	}
}

func TestDotDotURIRefused(t *testing.T) {
	l := newLab(t, 1)
	l.repo.Put("rsync://example.net/repo/../../etc/passwd", []byte("x"))
	if err := l.repo.Commit(); err == nil {
		t.Fatal("the writer accepted a .. URI")
	}
	session, serial := l.repo.Session()
	doc := fmt.Sprintf(`<snapshot xmlns=%q version="1" session_id=%q serial="%d"><publish uri="rsync://example.net/repo/../../etc/passwd">eA==</publish></snapshot>`, rrdp.Namespace, session, serial-1)
	l.repo.SetFile(snapshotPath(t, l), []byte(doc))
	s := newMemSink()
	_, err := l.fetch(t, l.client(nil), s)
	if !errors.Is(err, rrdp.ErrMalformed) || len(s.snapshot()) != 0 {
		t.Fatalf("got %v with %d objects", err, len(s.snapshot()))
	}
}

func TestTLSHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept TCP, never speak TLS
		}
	}()
	c := rrdp.NewClient(rrdp.Options{HTTPClient: rrdp.NewHTTPClient(rrdp.HTTPOptions{ConnectTimeout: 500 * time.Millisecond}),
		IdleTimeout: 10 * time.Second, Timeout: 30 * time.Second})
	start := time.Now()
	_, err = c.Fetch(context.Background(), "https://"+ln.Addr().String()+"/notification.xml", newMemSink())
	if !errors.Is(err, rrdp.ErrHTTP) || time.Since(start) > 3*time.Second {
		t.Fatalf("got %v after %v, want ErrHTTP after the 0.5 s handshake timeout", err, time.Since(start))
	}
}

func TestLoadRootCAs(t *testing.T) {
	l := newLab(t, 2)
	path := t.TempDir() + "/ca.pem"
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.srv.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	pool, err := rrdp.LoadRootCAs(path)
	if err != nil {
		t.Fatal(err)
	}
	c := rrdp.NewClient(rrdp.Options{HTTPClient: rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: pool})})
	if _, err := l.fetch(t, c, newMemSink()); err != nil {
		t.Fatalf("fetch with --ca-cert pool: %v", err)
	}
	untrusted := rrdp.NewClient(rrdp.Options{})
	if _, err := l.fetch(t, untrusted, newMemSink()); !errors.Is(err, rrdp.ErrHTTP) {
		t.Fatalf("fetch without the lab CA: %v, want a TLS failure", err)
	}
	os.WriteFile(path, []byte("not PEM"), 0o644)
	if _, err := rrdp.LoadRootCAs(path); err == nil {
		t.Error("LoadRootCAs accepted a non-PEM file")
	}
}

func TestKeepAliveReusesConnection(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	l := newLab(t, 5, func(srv *httptest.Server) {
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				mu.Lock()
				conns++
				mu.Unlock()
			}
		}
	})
	c, s := l.client(nil), newMemSink()
	for i := range 3 { // snapshot, then deltas, then unchanged: 6 requests
		l.repo.Put(objURI(i), []byte("v"))
		l.repo.Commit()
		if _, err := l.fetch(t, c, s); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Errorf("%d connections for three fetches, want 1 kept alive", conns)
	}
}
