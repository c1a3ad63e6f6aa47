package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/output"
)

// TestBeforeFirstRun checks what a daemon answers before its first run:
// data and validity 503 with a message, liveness 200, readiness 503.
func TestBeforeFirstRun(t *testing.T) {
	srv, _ := testServer(t, Options{})
	for _, c := range []struct {
		method, path string
		code         int
		want         string
	}{
		{"GET", "/json", 503, "first validation run has not finished"},
		{"GET", "/csv", 503, "first validation run has not finished"},
		{"GET", "/api/v1/validity/AS65000/192.0.2.0/24", 503, "no validated data"},
		{"GET", "/api/v1/aspa?path=AS1,AS2&direction=upstream", 503, "no validated data"},
		{"GET", "/healthz", 200, "ok"},
		{"GET", "/readyz", 503, "no validated data"},
		{"GET", "/api/v1/status", 200, `"has_data": false`},
		{"GET", "/", 200, "first validation run has not finished"},
		{"GET", "/metrics", 404, ""},
	} {
		resp, body := get(t, srv, c.method, c.path, nil)
		if resp.StatusCode != c.code || !strings.Contains(string(body), c.want) {
			t.Errorf("%s %s: %d %q, want %d containing %q", c.method, c.path, resp.StatusCode, body, c.code, c.want)
		}
		if c.code == 503 && c.path == "/json" && resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", c.path)
		}
	}
}

// TestFormats serves every format, plain and gzipped, and checks the
// bodies are what `validator vrps` writes, with distinct ETags that
// If-None-Match turns into 304, and HEAD without a body.
func TestFormats(t *testing.T) {
	srv, h := testServer(t, Options{})
	tb := smallTable(t)
	h.p.Store(testState(stateOf{Table: tb, Serial: 7, Updated: t0}))
	for _, name := range output.Formats() {
		var want bytes.Buffer
		if err := output.Write(&want, name, tb); err != nil {
			t.Fatal(err)
		}
		resp, body := get(t, srv, "GET", "/"+name, nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, want.Bytes()) {
			t.Fatalf("/%s: %d, body differs from output.Write (%d vs %d bytes)\n%s", name, resp.StatusCode, len(body), want.Len(), body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != output.ContentType(name) {
			t.Errorf("/%s: Content-Type %q, want %q", name, ct, output.ContentType(name))
		}
		tag := resp.Header.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("/%s: ETag %q, Content-Encoding %q", name, tag, resp.Header.Get("Content-Encoding"))
		}
		gzResp, gzBody := get(t, srv, "GET", "/"+name, nil, "Accept-Encoding", "br, gzip;q=0.8")
		if gzResp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, gzBody), want.Bytes()) {
			t.Fatalf("/%s gzip: encoding %q, body differs", name, gzResp.Header.Get("Content-Encoding"))
		}
		gzTag := gzResp.Header.Get("ETag")
		if gzTag == tag || gzTag == "" {
			t.Errorf("/%s: gzip ETag %q must differ from plain %q (RFC 9110 §8.8.3)", name, gzTag, tag)
		}
		if resp, body := get(t, srv, "GET", "/"+name, nil, "If-None-Match", tag); resp.StatusCode != 304 || len(body) != 0 {
			t.Errorf("/%s If-None-Match: %d with %d bytes, want 304", name, resp.StatusCode, len(body))
		}
		if resp, _ := get(t, srv, "GET", "/"+name, nil, "If-None-Match", `"x", W/`+gzTag, "Accept-Encoding", "gzip"); resp.StatusCode != 304 {
			t.Errorf("/%s gzip If-None-Match: %d, want 304", name, resp.StatusCode)
		}
		if resp, _ := get(t, srv, "GET", "/"+name, nil, "If-None-Match", `"stale"`); resp.StatusCode != 200 {
			t.Errorf("/%s stale If-None-Match: %d, want 200", name, resp.StatusCode)
		}
		if resp, body := get(t, srv, "HEAD", "/"+name, nil); resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("ETag") != tag {
			t.Errorf("/%s HEAD: %d, %d body bytes, ETag %s", name, resp.StatusCode, len(body), resp.Header.Get("ETag"))
		}
	}
}

// TestETagFollowsContent checks the ETag: the same for the same state,
// another for another table, and a Last-Modified that If-Modified-Since
// matches.
func TestETagFollowsContent(t *testing.T) {
	srv, h := testServer(t, Options{})
	tb := smallTable(t)
	h.p.Store(testState(stateOf{Table: tb, Serial: 1, Updated: t0}))
	r1, _ := get(t, srv, "GET", "/csv", nil)
	r2, _ := get(t, srv, "GET", "/csv", nil)
	if r1.Header.Get("ETag") != r2.Header.Get("ETag") {
		t.Errorf("same state, different ETags %s %s", r1.Header.Get("ETag"), r2.Header.Get("ETag"))
	}
	if r, _ := get(t, srv, "GET", "/csv", nil, "If-Modified-Since", r1.Header.Get("Last-Modified")); r.StatusCode != 304 {
		t.Errorf("If-Modified-Since %s: %d, want 304", r1.Header.Get("Last-Modified"), r.StatusCode)
	}
	other := smallTable(t)
	other.VRPs = other.VRPs[1:]
	h.p.Store(testState(stateOf{Table: other, Serial: 1, Updated: t0}))
	r3, body := get(t, srv, "GET", "/csv", nil, "If-None-Match", r1.Header.Get("ETag"))
	if r3.StatusCode != 200 || r3.Header.Get("ETag") == r1.Header.Get("ETag") || strings.Contains(string(body), "192.0.2.0/24") {
		t.Errorf("new table: %d, ETag %s (old %s)", r3.StatusCode, r3.Header.Get("ETag"), r1.Header.Get("ETag"))
	}
	f1, _ := get(t, srv, "GET", "/csv?select-asn=AS65001", nil)
	f2, _ := get(t, srv, "GET", "/csv?filter-asn=65001", nil)
	if f1.Header.Get("ETag") != f2.Header.Get("ETag") || f1.Header.Get("ETag") == r3.Header.Get("ETag") {
		t.Errorf("filters: ETags %s %s (unfiltered %s)", f1.Header.Get("ETag"), f2.Header.Get("ETag"), r3.Header.Get("ETag"))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                      false,
		"gzip":                  true,
		"GZIP":                  true,
		"deflate, gzip;q=1.0":   true,
		"gzip;q=0":              false,
		"gzip; q=0.000":         false,
		"gzip;q=0.001":          true,
		"*":                     true,
		"*;q=0":                 false,
		"gzip;q=0, *":           false,
		"br, *;q=0.5":           true,
		"identity":              false,
		"x-gzip":                true,
		"gzipper":               false,
		"deflate;q=0.5, br;q=1": false,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestObserver checks the request middleware reports the route pattern
// (bounded labels) and the status code.
func TestObserver(t *testing.T) {
	rec := &recorder{}
	srv, h := testServer(t, Options{Observer: rec, Metrics: http.NotFoundHandler()})
	h.p.Store(testState(stateOf{Table: smallTable(t), Updated: t0}))
	get(t, srv, "GET", "/json", nil)
	get(t, srv, "GET", "/api/v1/validity/AS1/192.0.2.0/24", nil)
	get(t, srv, "GET", "/no/such/page", nil)
	want := []string{"GET /json 200", "GET /api/v1/validity/{asn}/{prefix...} 200", "other 404"}
	// The report is made after the handler returns, which may be just
	// after the client has the whole body: wait a bounded while.
	var got []string
	var bytes []int64
	for range 200 {
		if got, bytes = rec.load(); len(got) == len(want) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("observed %q, want %q", got, want)
	}
	if slices.Max(bytes) == 0 {
		t.Error("body bytes not counted")
	}
}

type recorder struct {
	mu    sync.Mutex
	got   []string
	bytes []int64
}

func (r *recorder) HTTPRequest(handler string, code int, _ time.Duration, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, handler+" "+strconv.Itoa(code))
	r.bytes = append(r.bytes, n)
}

func (r *recorder) load() ([]string, []int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got), slices.Clone(r.bytes)
}

// TestConcurrentReaders has readers fetch every format and validate
// routes while views are published, as the daemon does (run it with
// -race): readers never see a torn view.
func TestConcurrentReaders(t *testing.T) {
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: smallTable(t), Serial: 1, Updated: t0}))
	formats := output.Formats()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				// Errorf, not Fatal: this is not the test's goroutine.
				for _, path := range []string{"/" + formats[(g+i)%len(formats)], "/api/v1/validity/AS65000/192.0.2.0/24"} {
					resp, err := srv.Client().Get(srv.URL + path)
					if err != nil {
						t.Errorf("%s: %v", path, err)
						return
					}
					n, _ := io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || (n == 0 && path != "/none") {
						t.Errorf("%s: %d with %d bytes", path, resp.StatusCode, n)
					}
				}
			}
		}()
	}
	for s := range uint32(20) {
		h.p.Store(testState(stateOf{Table: smallTable(t), Serial: s + 2, Updated: t0}))
	}
	wg.Wait()
}
