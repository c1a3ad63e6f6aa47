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

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
)

// t0 is the fixed clock of the unit tests.
var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// vrp builds a VRP with provenance from "192.0.2.0/24-24 AS65000" parts.
func vrp(t testing.TB, tas *payload.TANames, prefix string, maxLen uint8, asn uint32, ta string) payload.VRPInfo {
	t.Helper()
	v, err := payload.NewVRP(netip.MustParsePrefix(prefix), maxLen, asn)
	if err != nil {
		t.Fatal(err)
	}
	return payload.VRPInfo{VRP: v, Info: payload.Info{TA: tas.Of(ta), Expires: payload.ExpiryOf(t0.Add(24 * time.Hour))}}
}

// smallTable is a table with a few VRPs, one ASPA and nothing else.
func smallTable(t testing.TB) *payload.Table {
	tas := payload.NewTANames()
	return &payload.Table{
		BuildTime: t0,
		TAs:       tas,
		VRPs: []payload.VRPInfo{
			vrp(t, tas, "192.0.2.0/24", 24, 65000, "ta1"),
			vrp(t, tas, "198.51.100.0/22", 24, 65001, "ta1"),
			vrp(t, tas, "198.51.100.0/24", 24, 65002, "ta2"),
			vrp(t, tas, "203.0.113.0/24", 24, 0, "ta2"),
			vrp(t, tas, "2001:db8::/32", 48, 65003, "ta2"),
		},
		ASPAs: []payload.ASPAInfo{{ASPA: payload.ASPA{Customer: 65000, Providers: []uint32{65010, 65011}}, Info: payload.Info{TA: tas.Of("ta1")}}},
	}
}

// stateOf is what a test publishes: a table, its serial, when it was
// published, and optionally a run report and repositories.
type stateOf struct {
	Table        *payload.Table
	Serial       uint32
	Updated      time.Time
	Result       *report.Run
	Repositories []report.Repository
}

// testState is the published state of s.
func testState(s stateOf) *state.State {
	return &state.State{RTR: &payload.State{Serial: s.Serial, Updated: s.Updated}, Table: s.Table, Report: s.Result,
		Repositories: s.Repositories, Confirmed: s.Updated, Changed: s.Updated}
}

// holder is the daemon's atomic pointer, as the tests publish states.
type holder struct{ p atomic.Pointer[state.State] }

func (h *holder) current() *state.State { return h.p.Load() }

// testServer serves the API over real HTTPS (httptest TLS) with the
// options given, filling in the clock and the state holder.
func testServer(t testing.TB, o Options) (*httptest.Server, *holder) {
	t.Helper()
	h := &holder{}
	if o.State == nil {
		o.State = h.current
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
