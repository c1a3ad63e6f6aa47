package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

const rtrWait = 10 * time.Second

// smallPayloads returns the generated 5,000-VRP payload and its ±50
// update as JSON (internal/vrpgen).
func smallPayloads() (first, second []byte) { return vrpgen.Small.JSON() }

// gzipped compresses b: `validator rtr` reads gzipped payloads as well.
func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	if _, err := z.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// startRTR runs `validator rtr` in-process until the test ends and returns
// the plain listener's address.
func startRTR(t *testing.T, client *http.Client, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan []net.Addr, 1)
	r := &rtrRunner{httpClient: client, onListen: func(a []net.Addr) { addrs <- a }}
	var stderr bytes.Buffer
	var code int
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		code = r.run(ctx, append([]string{"--listen", "127.0.0.1:0", "--interval", "50ms"}, args...), io.Discard, &lockedWriter{w: &stderr})
	}()
	t.Cleanup(func() {
		cancel()
		if <-exited; code != 0 {
			t.Errorf("validator rtr exited %d", code)
		}
	})
	select {
	case a := <-addrs:
		return a[0].String()
	case <-exited:
		t.Fatalf("validator rtr exited %d: %s", code, stderr.String())
	case <-time.After(rtrWait):
		t.Fatal("validator rtr did not start")
	}
	return ""
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// miniRouter is a tiny RTR v1 client on the project's codec.
type miniRouter struct {
	conn    net.Conn
	r       *rtr.Reader
	session uint16
	serial  uint32
	vrps    map[payload.VRP]bool
}

func dialRouter(t *testing.T, addr string) *miniRouter {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &miniRouter{conn: c, r: rtr.NewReader(c, rtr.MaxCachePDU), vrps: map[payload.VRP]bool{}}
}

func (m *miniRouter) next(t *testing.T) *rtr.PDU {
	t.Helper()
	m.conn.SetReadDeadline(time.Now().Add(rtrWait))
	h, b, err := m.r.Next()
	if err != nil {
		t.Fatal(err)
	}
	p, err := rtr.Decode(h, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sync sends a query and applies the response; a No Data Available report
// (the source not read yet) is retried.
func (m *miniRouter) sync(t *testing.T, serial bool) {
	t.Helper()
	for deadline := time.Now().Add(rtrWait); time.Now().Before(deadline); {
		if serial {
			m.conn.Write(rtr.AppendSerialQuery(nil, 1, m.session, m.serial))
		} else {
			m.conn.Write(rtr.AppendResetQuery(nil, 1))
		}
		for {
			p := m.next(t)
			switch p.Type {
			case rtr.TypeErrorReport:
				if p.ErrorCode != rtr.CodeNoDataAvailable {
					t.Fatalf("error report %v", p)
				}
				time.Sleep(20 * time.Millisecond)
			case rtr.TypeCacheResponse:
				m.session = p.Session
				continue
			case rtr.TypeIPv4Prefix, rtr.TypeIPv6Prefix:
				if p.Announce {
					m.vrps[p.VRP] = true
				} else {
					delete(m.vrps, p.VRP)
				}
				continue
			case rtr.TypeEndOfData:
				m.serial = p.Serial
				return
			default:
				continue
			}
			break
		}
	}
	t.Fatal("no data in time")
}

func (m *miniRouter) waitNotify(t *testing.T) uint32 {
	t.Helper()
	for {
		if p := m.next(t); p.Type == rtr.TypeSerialNotify {
			return p.Serial
		}
	}
}

func wantVRPs(t *testing.T, m *miniRouter, raw []byte) {
	t.Helper()
	table, err := readPayload(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	snap := payload.NewSnapshot(table.Set())
	if len(m.vrps) != len(snap.VRPs) {
		t.Fatalf("router has %d VRPs, want %d", len(m.vrps), len(snap.VRPs))
	}
	for _, v := range snap.VRPs {
		if !m.vrps[v] {
			t.Fatalf("router lacks %v", v)
		}
	}
}

func TestRTRCommandFile(t *testing.T) {
	// The first file gzipped, the second plain: both are read.
	first, second := smallPayloads()
	path := filepath.Join(t.TempDir(), "vrps.json")
	if err := os.WriteFile(path, gzipped(t, first), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := startRTR(t, nil, "--source", path)
	m := dialRouter(t, addr)
	m.sync(t, false)
	wantVRPs(t, m, first)

	// A new file (renamed into place, as rpki-client does) is a new serial
	// with a delta.
	tmp := path + ".tmp"
	os.WriteFile(tmp, second, 0o644)
	os.Chtimes(tmp, time.Now().Add(time.Second), time.Now().Add(time.Second))
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if s := m.waitNotify(t); s != m.serial+1 {
		t.Fatalf("notify serial %d, want %d", s, m.serial+1)
	}
	m.sync(t, true)
	wantVRPs(t, m, second)
}

func TestRTRCommandURL(t *testing.T) {
	first, second := smallPayloads()
	bodies := [][]byte{gzipped(t, first), gzipped(t, second)}
	var current, full, notModified atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := bodies[current.Load()]
		etag := fmt.Sprintf(`"%x"`, sha256.Sum256(b))
		if r.Header.Get("If-None-Match") == etag {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", etag)
		w.Write(b)
	}))
	defer srv.Close()
	addr := startRTR(t, srv.Client(), "--source", srv.URL+"/vrps.json.gz")
	m := dialRouter(t, addr)
	m.sync(t, false)
	wantVRPs(t, m, first)
	deadline := time.Now().Add(rtrWait)
	for notModified.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if full.Load() != 1 || notModified.Load() < 2 {
		t.Fatalf("%d full and %d conditional GETs answered 304; want 1 and >= 2", full.Load(), notModified.Load())
	}
	current.Store(1)
	m.waitNotify(t)
	m.sync(t, true)
	wantVRPs(t, m, second)
}

func TestRTRCommandFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--source", "x", "--max-version", "3"},
		{"--source", "x", "--refresh", "0"},
		{"--source", "x", "--expire", "100"},
		{"--source", "x", "--allow", "banana"},
		{"--source", "x", "--tls-listen", "127.0.0.1:0"},
	} {
		var stderr bytes.Buffer
		if code := (&rtrRunner{}).run(context.Background(), args, io.Discard, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
}
