package httpapi

import (
	"github.com/openrpki/validator/pkg/state"

	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

// The topologies of the draft's figures, with names as AS numbers: an
// origin X (10) below provider P1 (20); P1 and P2 (30) are Tier-1s whose
// ASPA lists only AS 0 (draft-ietf-sidrops-aspa-profile: "no providers");
// C (40) is a customer of both; Y (50) and Q (60) have no ASPA; Z (70) is a
// customer of P1.
const (
	asX, asP1, asP2, asC, asY, asQ, asZ = 10, 20, 30, 40, 50, 60, 70
)

func draftTopology() aspaIndex {
	return newASPAIndex(&payload.Table{ASPAs: []payload.ASPAInfo{
		{ASPA: payload.ASPA{Customer: asX, Providers: []uint32{asP1}}},
		{ASPA: payload.ASPA{Customer: asP1, Providers: []uint32{0}}},
		{ASPA: payload.ASPA{Customer: asP2, Providers: []uint32{0}}},
		{ASPA: payload.ASPA{Customer: asC, Providers: []uint32{asP1}}},
		// A second record for C (another TA) is merged into the first.
		{ASPA: payload.ASPA{Customer: asC, Providers: []uint32{asP2}}},
		{ASPA: payload.ASPA{Customer: asZ, Providers: []uint32{asP1}}},
	}})
}

// TestASPAProcedures runs the upstream and downstream procedures on paths
// in BGP order (neighbor first, origin last).
func TestASPAProcedures(t *testing.T) {
	ix := draftTopology()
	for _, c := range []struct {
		name, dir string
		path      []uint32
		want      string
	}{
		{"customer route, one hop up", "upstream", []uint32{asP1, asX}, ASPAValid},
		{"single AS", "upstream", []uint32{asY}, ASPAValid},
		{"prepends collapse", "upstream", []uint32{asP1, asP1, asX, asX, asX}, ASPAValid},
		{"route leak: P1's route sent up by its customer C", "upstream", []uint32{asC, asP1, asX}, ASPAInvalid},
		{"origin without ASPA", "upstream", []uint32{asP1, asY}, ASPAUnknown},
		{"origin's provider is not attested", "upstream", []uint32{asP2, asX}, ASPAInvalid},
		{"up then down", "downstream", []uint32{asZ, asP1, asX}, ASPAValid},
		{"two ASes from a provider", "downstream", []uint32{asP2, asX}, ASPAValid},
		{"up, lateral peering, down", "downstream", []uint32{asC, asP2, asP1, asX}, ASPAValid},
		{"valley: down to C then up to P2", "downstream", []uint32{asP2, asC, asP1, asX}, ASPAInvalid},
		{"between two Tier-1s", "downstream", []uint32{asP2, asY, asP1, asX}, ASPAInvalid},
		{"down through unattested ASes", "downstream", []uint32{asQ, asY, asP1, asX}, ASPAUnknown},
		{"unattested up-ramp", "downstream", []uint32{asZ, asP1, asQ, asY}, ASPAUnknown},
		{"lateral peer from unattested origin", "downstream", []uint32{asZ, asP1, asY}, ASPAValid},
	} {
		got := ix.check(c.path, false, c.dir, false, 0)
		if got.State != c.want {
			t.Errorf("%s (%s %v): %s, want %s (ramps %+v)", c.name, c.dir, c.path, got.State, c.want, got)
		}
	}
}

// TestASPAPreliminaries checks the steps before the ramps: an empty path,
// an AS_SET or a first AS that is not the neighbor make the path invalid.
func TestASPAPreliminaries(t *testing.T) {
	ix := draftTopology()
	for _, c := range []struct {
		path     []uint32
		set      bool
		neighbor uint32
		reason   string
	}{
		{nil, false, 0, "empty AS_PATH"},
		{[]uint32{asP1, asX}, true, 0, "AS_SET"},
		{[]uint32{asP1, asX}, false, asP2, "is not the neighbor"},
	} {
		for _, dir := range []string{"upstream", "downstream"} {
			got := ix.check(c.path, c.set, dir, c.neighbor != 0, c.neighbor)
			if got.State != ASPAInvalid || !strings.Contains(got.Reason, c.reason) {
				t.Errorf("%s %v set=%v: %s %q, want invalid %q", dir, c.path, c.set, got.State, got.Reason, c.reason)
			}
		}
	}
	if got := ix.check([]uint32{asP1, asX}, false, "upstream", true, asP1); got.State != ASPAValid {
		t.Errorf("matching neighbor: %s", got.State)
	}
}

// bruteForce is the procedures' meaning, by trying every split of the
// (collapsed, origin-first) path into an up-ramp and a down-ramp with at
// most one lateral hop between them. lenient treats "no attestation" as
// "provider+" (a path that cannot be split even so is invalid); strict
// treats it as "not provider+" (a path that can be split even so is valid).
func bruteForce(ix aspaIndex, as []uint32, dir string) string {
	fits := func(lenient bool) bool {
		ok := func(x, y uint32) bool {
			h := ix.hop(x, y)
			return h == hopProvider || (lenient && h == hopNoAttestation)
		}
		n := len(as)
		for u := 1; u <= n; u++ { // up-ramp as[0:u]
			upOK := true
			for i := 0; i+1 < u; i++ {
				upOK = upOK && ok(as[i], as[i+1])
			}
			if dir == "upstream" {
				if u == n && upOK {
					return true
				}
				continue
			}
			for v := max(u-1, 0); v <= u && upOK; v++ { // down-ramp as[v:n], one lateral hop at most
				downOK := true
				for j := n - 1; j > v; j-- {
					downOK = downOK && ok(as[j], as[j-1])
				}
				if downOK {
					return true
				}
			}
		}
		return false
	}
	switch {
	case !fits(true):
		return ASPAInvalid
	case fits(false):
		return ASPAValid
	}
	return ASPAUnknown
}

// FuzzASPAProcedure checks the ramp computation against bruteForce on
// topologies and paths drawn from the input: the first bytes give each of
// 8 ASes no ASPA or a provider set, the rest is the path.
func FuzzASPAProcedure(f *testing.F) {
	f.Add([]byte{0xff, 0x02, 0x04, 0x00, 0x01, 0x80, 0x40, 0x20, 1, 2, 3, 4})
	f.Add([]byte{0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 7, 6, 5, 4, 3, 2, 1, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 8 || len(b) > 8+64 {
			return
		}
		ix := aspaIndex{}
		for c := range 8 {
			if b[c] == 0 {
				continue // no ASPA
			}
			var provs []uint32
			for p := range 8 {
				if b[c]&(1<<p) != 0 && p != c {
					provs = append(provs, uint32(p+1))
				}
			}
			ix[uint32(c+1)] = append(provs, 0) // AS 0 keeps empty sets attested
		}
		var path []uint32
		for _, x := range b[8:] {
			path = append(path, uint32(x%8+1))
		}
		as := collapse(path)
		if len(as) == 0 {
			return
		}
		for _, dir := range []string{"upstream", "downstream"} {
			var got string
			if dir == "upstream" {
				got = ix.verifyUpstream(as)
			} else {
				got = ix.verifyDownstream(as)
			}
			if want := bruteForce(ix, as, dir); got != want {
				t.Fatalf("%s %v with %v: %s, brute force %s (%+v)", dir, as, ix, got, want, ix.computeRamps(as))
			}
		}
	})
}

func TestASPAHTTP(t *testing.T) {
	srv, h := testServer(t, Options{})
	tb := smallTable(t)
	tb.ASPAs = []payload.ASPAInfo{{ASPA: payload.ASPA{Customer: asX, Providers: []uint32{asP1}}}, {ASPA: payload.ASPA{Customer: asP1, Providers: []uint32{0}}}}
	h.p.Store(testState(stateOf{Table: tb, Updated: t0}))
	resp, body := get(t, srv, "GET", "/api/v1/aspa?path=AS20,AS10&direction=upstream", nil)
	var ans ASPAAnswer
	if err := json.Unmarshal(body, &ans); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	if ans.State != ASPAValid || ans.Procedure != aspaDraft || len(ans.Hops) != 1 ||
		ans.Hops[0] != (ASPAHop{Customer: "AS10", Provider: "AS20", Up: hopProvider, Down: hopNotProvider}) {
		t.Fatalf("unexpected answer %s", body)
	}
	resp, body = get(t, srv, "POST", "/api/v1/aspa", strings.NewReader(`{"path":["AS30","AS20","AS10"],"direction":"upstream"}`))
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"state": "invalid"`) {
		t.Errorf("POST: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv, "GET", "/api/v1/aspa?path=AS20,{AS30,AS40},AS10&direction=downstream", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "AS_SET") {
		t.Errorf("AS_SET: %d %s", resp.StatusCode, body)
	}
	long := strings.Repeat("AS1,", MaxASPAPathLen) + "AS1"
	for _, bad := range []string{"/api/v1/aspa?path=AS1,AS2&direction=sideways", "/api/v1/aspa?path=AS1,ASx&direction=upstream",
		"/api/v1/aspa?path=" + long + "&direction=upstream", "/api/v1/aspa?path=AS1&direction=upstream&neighbor=foo"} {
		if resp, body := get(t, srv, "GET", bad, nil); resp.StatusCode != 400 {
			t.Errorf("%.80s: %d %s, want 400", bad, resp.StatusCode, body)
		}
	}
	if resp, _ := get(t, srv, "POST", "/api/v1/aspa", strings.NewReader(`{"path":`)); resp.StatusCode != 400 {
		t.Errorf("bad POST body: %d", resp.StatusCode)
	}
}

// FuzzASPARequest posts arbitrary bodies and queries to the ASPA endpoint:
// 200, 400 or 413 only, never a panic.
func FuzzASPARequest(f *testing.F) {
	f.Add([]byte(`{"path":["AS1","AS2"],"direction":"upstream"}`), "path=AS1,{AS2,AS3},AS4&direction=downstream&neighbor=AS1")
	f.Add([]byte(`{"path":["{AS1"],"direction":"downstream","neighbor":"AS1"}`), "path=,,,&direction=upstream")
	f.Add([]byte(`{"path":null}`), "path={{}}}&direction=upstream")
	tb := smallTable(f)
	tb.ASPAs = append(tb.ASPAs, payload.ASPAInfo{ASPA: payload.ASPA{Customer: 1, Providers: []uint32{2}}})
	st := testState(stateOf{Table: tb, Updated: t0})
	h := New(Options{State: func() *state.State { return st }})
	f.Fuzz(func(t *testing.T, body []byte, query string) {
		for _, req := range []*http.Request{
			httptest.NewRequest("POST", "/api/v1/aspa", bytes.NewReader(body)),
			httptest.NewRequest("GET", "/api/v1/aspa?"+url.PathEscape(query), nil),
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 && rec.Code != 400 && rec.Code != 413 {
				t.Fatalf("%s: code %d: %s", req.Method, rec.Code, rec.Body)
			}
		}
	})
}
