package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// bulkBody is a valid bulk request of MaxBulkRoutes routes padded with
// spaces to just under MaxBulkBodyBytes: the costliest body a client can
// make the server parse, validate and answer.
func bulkBody() []byte {
	var b strings.Builder
	b.WriteString("[")
	for i := range MaxBulkRoutes {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"asn":"AS%d","prefix":"198.51.%d.0/24"}`, 65000+i%7, i%256)
	}
	pad := MaxBulkBodyBytes - b.Len() - 1
	b.WriteString(strings.Repeat(" ", pad))
	b.WriteString("]")
	return []byte(b.String())
}

// peakHeap samples the heap in use until stop is closed and returns the
// largest value seen.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var m runtime.MemStats
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// TestConcurrentBulkPOSTsBoundHeap: 100 concurrent 2 MiB bulk-validity
// POSTs took the heap to 648 MB (issue 8), on each bulk path. Against a real server, the
// POST limit keeps the heap's growth under postHeapBound: each request is
// answered 200, or 503 with Retry-After when the queue wait runs out.
func TestConcurrentBulkPOSTsBoundHeap(t *testing.T) {
	for _, path := range []string{"/api/v1/validity", "/validity"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) { concurrentBulkPOSTs(t, path) })
	}
}

func concurrentBulkPOSTs(t *testing.T, path string) {
	const clients = 100
	const postHeapBound = 128 << 20
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: smallTable(t), Updated: t0}))
	body := bulkBody()
	client := srv.Client()
	client.Timeout = time.Minute
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := make(chan struct{})
	peak := peakHeap(stop)

	var wg sync.WaitGroup
	var ok, busy atomic.Int64
	errs := make(chan error, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Post(srv.URL+path, "application/json", bytes.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			io.Copy(io.Discard, resp.Body)
			switch {
			case resp.StatusCode == http.StatusOK:
				ok.Add(1)
			case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
				busy.Add(1)
			default:
				errs <- fmt.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	grew := int64(<-peak) - int64(before.HeapInuse)
	t.Logf("%d answered, %d told to retry; heap in use grew by %d MiB at most (bound %d MiB)",
		ok.Load(), busy.Load(), grew>>20, postHeapBound>>20)
	if ok.Load() == 0 {
		t.Fatal("no request was answered")
	}
	if grew > postHeapBound {
		t.Fatalf("heap grew by %d MiB under %d concurrent 2 MiB POSTs, bound %d MiB", grew>>20, clients, postHeapBound>>20)
	}
}

// TestPOSTLimiter: with every slot taken, a POST waits the queue time and
// is answered 503 with Retry-After; a body announced over the limit is
// answered 413 without being read; once a slot frees, POSTs are served.
func TestPOSTLimiter(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	l := newPostLimiter(1, 50*time.Millisecond)
	srv := httptest.NewServer(l.wrap(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	first := make(chan int, 1)
	go func() {
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader("[]"))
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-entered
	resp, err := http.Post(srv.URL, "application/json", strings.NewReader("[]"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("second POST with the only slot taken: %d, Retry-After %q; want 503, 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	req, _ := http.NewRequest("POST", srv.URL, strings.NewReader("x"))
	req.ContentLength = MaxBulkBodyBytes + 1
	req.Body = io.NopCloser(io.LimitReader(zeros{}, MaxBulkBodyBytes+1))
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %v, %v; want 413", resp, err)
	}
	resp.Body.Close()
	close(release)
	if code := <-first; code != http.StatusNoContent {
		t.Fatalf("first POST: %d", code)
	}
	go func() { <-entered }() // let the next request's handler through
	if resp, err = http.Post(srv.URL, "application/json", strings.NewReader("[]")); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST after the slot was freed: %v, %v", resp, err)
	}
	resp.Body.Close()
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
