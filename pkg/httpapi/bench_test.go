package httpapi

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
)

var (
	bigOnce  sync.Once
	bigTable *payload.Table
	bigErr   error
)

// big600k reads the generated 600k-VRP payload (internal/vrpgen) into a
// table.
func big600k(b *testing.B) *payload.Table {
	bigOnce.Do(func() {
		raw, _ := vrpgen.Full.JSON()
		set, err := payload.ReadJSON(bytes.NewReader(raw))
		if err != nil {
			bigErr = err
			return
		}
		t := &payload.Table{BuildTime: t0, TAs: payload.NewTANames()}
		info := payload.Info{TA: t.TAs.Of("bench"), Expires: payload.ExpiryOf(t0)}
		for _, v := range set.VRPs {
			t.VRPs = append(t.VRPs, payload.VRPInfo{VRP: v, Info: info})
		}
		for _, a := range set.ASPAs {
			t.ASPAs = append(t.ASPAs, payload.ASPAInfo{ASPA: a, Info: info})
		}
		bigTable = t
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigTable
}

// discard is a ResponseWriter that keeps nothing, so that the benchmark
// measures the handler, not a buffer growing to 50 MB.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// byteCounter counts what is written, for the body sizes.
type byteCounter struct{ n int64 }

func (c *byteCounter) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }

// BenchmarkServeJSON600k serves /json of a 600k-VRP table, plain and
// gzipped (GzipLevel): the CPU of one request, the document rendered and
// compressed as it is sent. b.SetBytes reports the plain body size, so
// MB/s is the rendering rate.
//
//	go test -run XXX -bench 'ServeJSON600k$' -benchtime 5x ./pkg/httpapi/
func BenchmarkServeJSON600k(b *testing.B) {
	st := testState(stateOf{Table: big600k(b), Updated: t0})
	h := New(Options{State: func() *state.State { return st }})
	var plain byteCounter
	output.Write(&plain, "json", st.Table)
	for _, enc := range []string{"identity", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/json", nil)
			req.Header.Set("Accept-Encoding", enc)
			b.SetBytes(plain.n)
			b.ReportAllocs()
			for b.Loop() {
				w := &countingDiscard{discard: discard{h: http.Header{}}}
				h.ServeHTTP(w, req)
				b.ReportMetric(float64(w.n), "body-bytes")
			}
		})
	}
}

// countingDiscard is a discard that counts the body.
type countingDiscard struct {
	discard
	n int64
}

func (d *countingDiscard) Write(b []byte) (int, error) { d.n += int64(len(b)); return len(b), nil }

// BenchmarkGzipLevels600k compresses the 600k-VRP /json at several levels:
// what chose GzipLevel (CPU per request against the bytes sent).
//
//	go test -run XXX -bench GzipLevels600k -benchtime 3x ./pkg/httpapi/
func BenchmarkGzipLevels600k(b *testing.B) {
	t := big600k(b)
	for _, level := range []int{gzip.HuffmanOnly, gzip.BestSpeed, 4, gzip.DefaultCompression} {
		b.Run(fmt.Sprintf("level=%d", level), func(b *testing.B) {
			zw, _ := gzip.NewWriterLevel(nil, level)
			for b.Loop() {
				var c byteCounter
				zw.Reset(&c)
				output.Write(zw, "json", t)
				zw.Close()
				b.ReportMetric(float64(c.n), "gzip-bytes")
			}
		})
	}
}

// BenchmarkServeJSON600kTCP fetches /json gzipped over loopback TCP from a
// real server: what a client sees, one request at a time.
func BenchmarkServeJSON600kTCP(b *testing.B) {
	st := testState(stateOf{Table: big600k(b), Updated: t0})
	srv := httptest.NewServer(New(Options{State: func() *state.State { return st }}))
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).DisableCompression = true
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", srv.URL+"/json", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.SetBytes(n)
	}
}

// BenchmarkEveryFormatHeap600k requests every format of a 600k-VRP table,
// plain and gzipped, from a fresh API, and reports how much the live heap
// grew (after a collection): what serving every format keeps.
//
//	go test -run XXX -bench EveryFormatHeap600k -benchtime 1x ./pkg/httpapi/
func BenchmarkEveryFormatHeap600k(b *testing.B) {
	st := testState(stateOf{Table: big600k(b), Updated: t0, Result: &report.Run{Start: t0, End: t0}})
	for b.Loop() {
		h := New(Options{State: func() *state.State { return st }})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, name := range output.Formats() {
			for _, enc := range []string{"identity", "gzip"} {
				req := httptest.NewRequest("GET", "/"+name, nil)
				req.Header.Set("Accept-Encoding", enc)
				h.ServeHTTP(&discard{h: http.Header{}}, req)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "heap-growth-MiB")
		b.ReportMetric(float64(after.HeapAlloc)/(1<<20), "heap-MiB")
		runtime.KeepAlive(h)
	}
}

// BenchmarkValidity600k validates routes drawn from the table (a VRP's
// prefix, half the time lengthened by a bit, with a random origin) against
// the 600k-VRP index.
func BenchmarkValidity600k(b *testing.B) {
	t := big600k(b)
	ix := (&View{}).vrpIndex(&state.State{Table: t})
	rng := rand.New(rand.NewPCG(3, 4))
	type route struct {
		asn uint32
		p   netip.Prefix
	}
	routes := make([]route, 4096)
	for i := range routes {
		vr := t.VRPs[rng.IntN(len(t.VRPs))]
		p := vr.Prefix()
		if rng.IntN(2) == 0 && p.Bits() < p.Addr().BitLen() {
			p = netip.PrefixFrom(p.Addr(), p.Bits()+1)
		}
		asn := vr.ASN
		if rng.IntN(2) == 0 {
			asn = rng.Uint32()
		}
		routes[i] = route{asn, p}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		r := routes[i%len(routes)]
		ix.validate(r.asn, r.p)
		i++
	}
}

// BenchmarkExplain600k answers /api/v1/explain for routes of the
// 600k-VRP table given global-scale provenance (40,000 CAs three deep,
// one object per 3 VRPs): the cost of one request, all of it read from
// memory.
func BenchmarkExplain600k(b *testing.B) {
	big := big600k(b)
	t := &payload.Table{BuildTime: t0, TAs: big.TAs, VRPs: slices.Clone(big.VRPs), Sources: &payload.Sources{}}
	t.Sort()
	src := t.Sources
	const cas = 40_000
	for i := range cas {
		parent := int32(-1)
		if i > 0 {
			parent = int32(min(i-1, rand.N(100)))
		}
		src.CAs = append(src.CAs, payload.CASource{URI: fmt.Sprintf("rsync://repo.example/ca%d.cer", i), Parent: parent,
			Repository: fmt.Sprintf("rsync://repo.example/ca%d/", i), Manifest: fmt.Sprintf("rsync://repo.example/ca%d/m.mft", i)})
	}
	for i := range t.VRPs {
		if i%3 == 0 {
			src.Objects = append(src.Objects, payload.ObjectSource{CA: uint32(i % cas), Name: fmt.Sprintf("r%d.roa", i)})
		}
		t.VRPs[i].Object = uint32(len(src.Objects))
	}
	st := testState(stateOf{Table: t, Updated: t0})
	h := New(Options{State: func() *state.State { return st }})
	rng := rand.New(rand.NewPCG(5, 6))
	paths := make([]string, 1024)
	for i := range paths {
		v := t.VRPs[rng.IntN(len(t.VRPs))]
		paths[i] = fmt.Sprintf("/api/v1/explain/AS%d/%s", v.ASN, v.Prefix())
	}
	h.ServeHTTP(&discard{h: http.Header{}}, httptest.NewRequest("GET", paths[0], nil)) // builds the view's validity index
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		w := &discard{h: http.Header{}}
		h.ServeHTTP(w, httptest.NewRequest("GET", paths[i%len(paths)], nil))
		i++
	}
}
