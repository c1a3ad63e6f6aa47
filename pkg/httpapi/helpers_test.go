package httpapi

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/validate"
)

// t0 is the fixed clock of the unit tests.
var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// vrp builds a VRP with provenance from "192.0.2.0/24-24 AS65000" parts.
func vrp(t testing.TB, prefix string, maxLen uint8, asn uint32, ta string) validate.VRP {
	t.Helper()
	v, err := payload.NewVRP(netip.MustParsePrefix(prefix), maxLen, asn)
	if err != nil {
		t.Fatal(err)
	}
	return validate.VRP{VRP: v, TA: validate.TAOf(ta), Expires: validate.ExpiryOf(t0.Add(24 * time.Hour))}
}

// smallTable is a table with a few VRPs, one ASPA and nothing else.
func smallTable(t testing.TB) *output.Table {
	return &output.Table{
		BuildTime: t0,
		VRPs: []validate.VRP{
			vrp(t, "192.0.2.0/24", 24, 65000, "ta1"),
			vrp(t, "198.51.100.0/22", 24, 65001, "ta1"),
			vrp(t, "198.51.100.0/24", 24, 65002, "ta2"),
			vrp(t, "203.0.113.0/24", 24, 0, "ta2"),
			vrp(t, "2001:db8::/32", 48, 65003, "ta2"),
		},
		ASPAs: []validate.ASPA{{ASPA: payload.ASPA{Customer: 65000, Providers: []uint32{65010, 65011}}, TA: validate.TAOf("ta1")}},
	}
}

// holder is the daemon's atomic pointer, as the tests publish views.
type holder struct{ p atomic.Pointer[View] }

func (h *holder) current() *View { return h.p.Load() }

// testServer serves the API over real HTTPS (httptest TLS) with the
// options given, filling in the clock and the view holder.
func testServer(t testing.TB, o Options) (*httptest.Server, *holder) {
	t.Helper()
	h := &holder{}
	if o.Current == nil {
		o.Current = h.current
	}
	if o.Now == nil {
		o.Now = func() time.Time { return t0.Add(time.Minute) }
	}
	srv := httptest.NewTLSServer(New(o))
	t.Cleanup(srv.Close)
	// The client must not gunzip behind our back: the tests check the
	// Content-Encoding the server chose.
	srv.Client().Transport.(*http.Transport).DisableCompression = true
	return srv, h
}

// get fetches path with optional header pairs and returns the response
// with its body read.
func get(t testing.TB, srv *httptest.Server, method, path string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
