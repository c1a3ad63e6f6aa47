package fetch_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rrdp/rrdptest"
)

// synthSnapshot describes a snapshot synthesised on the fly: objects of 2
// to 4 KB (3 KB on average, as ROAs and certificates are) of pseudo-random
// bytes behind a DER SEQUENCE header, spread over points publication
// points in an interleaved order (object i belongs to point i*7919 mod
// points), so that no point's objects arrive together. Nothing is stored:
// the same bytes are generated for the hash and for every request.
type synthSnapshot struct {
	objects, points int
}

// synthPool is the pseudo-random content the objects are cut from.
var synthPool = sync.OnceValue(func() []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 1<<20)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
})

// object returns the URI and content of object i, valid until the next call.
func (s synthSnapshot) object(i int, buf []byte) (string, []byte) {
	pool := synthPool()
	size := 2048 + (i*104729)%2048
	start := (i * 7919) % (len(pool) - size)
	buf = append(buf[:0], pool[start:start+size]...)
	buf[0], buf[1] = 0x30, 0x82 // SEQUENCE with a two-byte length
	binary.BigEndian.PutUint16(buf[2:], uint16(size-4))
	uri := fmt.Sprintf("rsync://rpki.example.net/repo/ca%05d/%08x.roa", (i*7919)%s.points, i)
	return uri, buf
}

// write writes the snapshot file of session and serial h to w.
func (s synthSnapshot) write(w io.Writer, h rrdp.Header) error {
	sw, err := rrdp.NewSnapshotWriter(w, h)
	if err != nil {
		return err
	}
	var buf []byte
	for i := range s.objects {
		uri, data := s.object(i, buf)
		buf = data
		if err := sw.Publish(uri, data); err != nil {
			return err
		}
	}
	return sw.Close()
}

// countWriter counts what is written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// serveSynth serves the snapshot behind a notification on an HTTP/2 TLS
// server and returns the notification URI, the client's CA pool and the
// snapshot's size. The snapshot is generated once to hash it.
func serveSynth(b *testing.B, s synthSnapshot) (string, *x509.CertPool, int64) {
	h := rrdp.Header{SessionID: rrdptest.NewSessionID(), Serial: 1}
	sum := sha256.New()
	cw := &countWriter{w: sum}
	if err := s.write(cw, h); err != nil {
		b.Fatal(err)
	}
	var notification []byte
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/notification.xml":
			w.Write(notification)
		case "/snapshot.xml":
			s.write(w, h)
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	b.Cleanup(srv.Close)
	n := &rrdp.Notification{Header: h, Snapshot: rrdp.FileRef{URI: srv.URL + "/snapshot.xml", Hash: [32]byte(sum.Sum(nil))}}
	var buf bytes.Buffer
	if err := rrdp.WriteNotification(&buf, n); err != nil {
		b.Fatal(err)
	}
	notification = buf.Bytes()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return srv.URL + "/notification.xml", pool, cw.n
}

// heapSampler records the largest heap in use (runtime/metrics: heap
// objects, live or not yet swept, plus free slots of in-use spans, the
// MemStats.HeapInuse figure) seen every millisecond until stopped.
type heapSampler struct {
	stop chan struct{}
	done chan uint64
}

// heapInUse reads the heap in use now.
func heapInUse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

func heapSamples() []metrics.Sample {
	return []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan uint64, 1)}
	go func() {
		s := heapSamples()
		peak := heapInUse(s)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				h.done <- max(peak, heapInUse(s))
				return
			case <-t.C:
				peak = max(peak, heapInUse(s))
			}
		}
	}()
	return h
}

// peak stops the sampler and returns the largest heap it saw.
func (h *heapSampler) peak() uint64 {
	close(h.stop)
	return <-h.done
}

// snapshotCase is one snapshot of BenchmarkHostileSnapshot, fetched into
// a cache with limits lim (zero: the defaults).
type snapshotCase struct {
	name string
	snap synthSnapshot
	lim  cache.Limits
}

// snapshotCases are a small snapshot (the baseline), a 1 GB snapshot
// over 8,192 points and a snapshot whose single point holds 300 MB, which
// the per-point limit (256 MiB) refuses as its pack is written, and which
// a cache allowing 512 MiB a point accepts.
var snapshotCases = []snapshotCase{
	{"baseline-8MB", synthSnapshot{objects: 2048, points: 64}, cache.Limits{}},
	{"points-1GB", synthSnapshot{objects: 262_144, points: 8192}, cache.Limits{}},
	{"one-point-300MB", synthSnapshot{objects: 100_000, points: 1}, cache.Limits{}},
	{"one-point-300MB-accepted", synthSnapshot{objects: 100_000, points: 1}, cache.Limits{PointBytes: 512 << 20}},
}

// BenchmarkHostileSnapshot fetches snapshots synthesised on the fly by an
// HTTPS server with the real RRDP client into a real cache, and reports
// the peak heap in use during the fetch (sampled every millisecond), the
// heap before it, and their difference: what the snapshot cost. Run with
//
//	go test ./pkg/fetch -run '^$' -bench HostileSnapshot -benchtime 1x
func BenchmarkHostileSnapshot(b *testing.B) {
	for _, c := range snapshotCases {
		b.Run(c.name, func(b *testing.B) {
			notify, pool, size := serveSynth(b, c.snap)
			client := rrdp.NewClient(rrdp.Options{HTTPClient: rrdp.NewHTTPClient(rrdp.HTTPOptions{RootCAs: pool})})
			b.SetBytes(size)
			var before, peak uint64
			var res rrdp.Result
			var err error
			for range b.N {
				store, oerr := cache.Open(b.TempDir(), cache.Options{Limits: c.lim})
				if oerr != nil {
					b.Fatal(oerr)
				}
				repo, _ := store.Repo(notify)
				runtime.GC()
				before = heapInUse(heapSamples())
				hs := sampleHeap()
				res, err = client.Fetch(context.Background(), notify, repo)
				peak = max(peak, hs.peak())
				store.Close()
			}
			b.ReportMetric(float64(before)/(1<<20), "heap-before-MB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(peak-min(peak, before))/(1<<20), "growth-MB")
			b.Logf("%s: %d objects, %d MB of XML: %s %d objects, err %v", c.name, c.snap.objects, size>>20, res.Kind, res.Objects, err)
		})
	}
}
