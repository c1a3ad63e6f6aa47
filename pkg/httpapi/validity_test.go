package httpapi

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"weak"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/state"
)

// TestValidityCases runs RFC 6811 §2 over the small table.
func TestValidityCases(t *testing.T) {
	ix := newVRPIndex(smallTable(t))
	for _, c := range []struct {
		asn                    uint32
		prefix, state, reason  string
		matched, badAS, badLen int
	}{
		{65000, "192.0.2.0/24", StateValid, "", 1, 0, 0},
		{65001, "192.0.2.0/24", StateInvalid, "as", 0, 1, 0},
		{65000, "192.0.2.0/25", StateInvalid, "length", 0, 0, 1},
		{65001, "198.51.100.0/24", StateValid, "", 1, 1, 0}, // /22-24 AS65001 matches; /24 AS65002 covers
		{65002, "198.51.100.0/24", StateValid, "", 1, 1, 0}, // and the other way round
		{65001, "198.51.101.0/24", StateValid, "", 1, 0, 0}, // inside the /22 within maxLength
		{65001, "198.51.100.0/25", StateInvalid, "length", 0, 1, 1},
		{65009, "198.51.100.0/23", StateInvalid, "as", 0, 1, 0},
		{0, "203.0.113.0/24", StateInvalid, "as", 0, 1, 0}, // AS 0 VRPs match nothing (RFC 6483 §4)
		{65000, "203.0.113.0/24", StateInvalid, "as", 0, 1, 0},
		{65000, "192.0.0.0/16", StateNotFound, "", 0, 0, 0}, // less specific than every VRP
		{65000, "10.0.0.0/8", StateNotFound, "", 0, 0, 0},
		{65003, "2001:db8:1::/48", StateValid, "", 1, 0, 0},
		{65003, "2001:db8:1::/49", StateInvalid, "length", 0, 0, 1},
		{65003, "2001:db9::/32", StateNotFound, "", 0, 0, 0},
		{65000, "::/0", StateNotFound, "", 0, 0, 0},
	} {
		r := ix.validate(c.asn, netip.MustParsePrefix(c.prefix))
		v := r.Validity
		if v.State != c.state || v.Reason != c.reason || len(v.VRPs.Matched) != c.matched ||
			len(v.VRPs.UnmatchedAS) != c.badAS || len(v.VRPs.UnmatchedLength) != c.badLen {
			t.Errorf("AS%d %s: %s/%s matched %d, unmatched_as %d, unmatched_length %d; want %s/%s %d %d %d",
				c.asn, c.prefix, v.State, v.Reason, len(v.VRPs.Matched), len(v.VRPs.UnmatchedAS), len(v.VRPs.UnmatchedLength),
				c.state, c.reason, c.matched, c.badAS, c.badLen)
		}
		if r.Route.OriginASN != fmt.Sprintf("AS%d", c.asn) || r.Route.Prefix != c.prefix {
			t.Errorf("route echoed as %+v", r.Route)
		}
	}
}

// naiveValidate is RFC 6811 §2 by a scan of every VRP: the reference the
// index is checked against.
func naiveValidate(vrps []payload.VRP, asn uint32, p netip.Prefix) (state string, covering int) {
	matched := false
	for _, v := range vrps {
		vp := v.Prefix()
		if vp.Addr().Is6() != p.Addr().Is6() || vp.Bits() > p.Bits() || !vp.Contains(p.Addr()) {
			continue
		}
		covering++
		if v.ASN == asn && v.ASN != 0 && p.Bits() <= int(v.MaxLen) {
			matched = true
		}
	}
	switch {
	case matched:
		return StateValid, covering
	case covering > 0:
		return StateInvalid, covering
	}
	return StateNotFound, 0
}

// TestValidityAgainstScan compares the index with a full scan on random
// tables and routes drawn from a small address space, so that covering
// VRPs at many lengths are common.
func TestValidityAgainstScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		tb, raw := randomTable(t, rng, 300)
		// The index of the table, and the one sharing the RTR snapshot.
		for i, ix := range []*vrpIndex{newVRPIndex(tb), indexOfSnapshot(payload.NewSnapshot(tb.Set()))} {
			for range 500 {
				asn, p := randomRoute(rng)
				got := ix.validate(asn, p)
				state, covering := naiveValidate(raw, asn, p)
				n := len(got.Validity.VRPs.Matched) + len(got.Validity.VRPs.UnmatchedAS) + len(got.Validity.VRPs.UnmatchedLength)
				if got.Validity.State != state || n != covering {
					t.Fatalf("round %d, index %d: AS%d %v: index says %s with %d VRPs, scan %s with %d", round, i, asn, p, got.Validity.State, n, state, covering)
				}
			}
		}
	}
}

// randomTable returns a table of n random VRPs (with duplicates from two
// TAs) and the distinct VRPs.
func randomTable(t testing.TB, rng *rand.Rand, n int) (*payload.Table, []payload.VRP) {
	tb := &payload.Table{BuildTime: t0, TAs: payload.NewTANames()}
	var raw []payload.VRP
	for range n {
		asn, p := randomRoute(rng)
		maxLen := uint8(p.Bits() + rng.IntN(p.Addr().BitLen()-p.Bits()+1))
		v, err := payload.NewVRP(p, maxLen, asn)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, v)
		tb.VRPs = append(tb.VRPs, payload.VRPInfo{VRP: v, Info: payload.Info{TA: tb.TAs.Of("a")}}, payload.VRPInfo{VRP: v, Info: payload.Info{TA: tb.TAs.Of("b")}})
	}
	slices.SortFunc(raw, payload.CompareVRP)
	return tb, slices.Compact(raw)
}

func randomRoute(rng *rand.Rand) (uint32, netip.Prefix) {
	asn := uint32(rng.IntN(4))
	if rng.IntN(2) == 0 {
		a := netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(256)), 0})
		return asn, netip.PrefixFrom(a, 8+rng.IntN(17)).Masked()
	}
	a := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(rng.IntN(4))})
	return asn, netip.PrefixFrom(a, 28+rng.IntN(21)).Masked()
}

// TestValidityHTTP checks the single and bulk endpoints, their shapes and
// their limits.
func TestValidityHTTP(t *testing.T) {
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: smallTable(t), Updated: t0}))
	resp, body := get(t, srv, "GET", "/api/v1/validity/AS65000/192.0.2.0/24", nil)
	var one struct {
		ValidatedRoute struct {
			Route    map[string]string
			Validity struct {
				State string
				VRPs  map[string][]map[string]string
			}
		} `json:"validated_route"`
		GeneratedTime string `json:"generatedTime"`
	}
	if err := json.Unmarshal(body, &one); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v: %s", resp.StatusCode, err, body)
	}
	vr := one.ValidatedRoute
	if vr.Validity.State != "valid" || vr.Route["origin_asn"] != "AS65000" || vr.Route["prefix"] != "192.0.2.0/24" ||
		vr.Validity.VRPs["matched"][0]["max_length"] != "24" || one.GeneratedTime != "2026-11-23T08:00:00Z" {
		t.Fatalf("unexpected answer %s", body)
	}
	if resp, body := get(t, srv, "GET", "/api/v1/validity/65003/2001:db8::/33", nil); resp.StatusCode != 200 || !strings.Contains(string(body), `"state": "valid"`) {
		t.Errorf("IPv6 with bare ASN: %d %s", resp.StatusCode, body)
	}
	for _, bad := range []string{"/api/v1/validity/ASX/192.0.2.0/24", "/api/v1/validity/AS4294967296/192.0.2.0/24",
		"/api/v1/validity/AS1/192.0.2.1/24", "/api/v1/validity/AS1/192.0.2.0/33", "/api/v1/validity/AS1/192.0.2.0"} {
		if resp, body := get(t, srv, "GET", bad, nil); resp.StatusCode != 400 || !strings.Contains(string(body), "error") {
			t.Errorf("%s: %d %s, want 400", bad, resp.StatusCode, body)
		}
	}
}

func TestValidityBulk(t *testing.T) {
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: smallTable(t), Updated: t0}))
	for _, body := range []string{
		`[{"asn":"AS65000","prefix":"192.0.2.0/24"},{"asn":65001,"prefix":"192.0.2.0/24"},{"asn":"as1","prefix":"10.0.0.0/8"}]`,
		`{"routes":[{"asn":"AS65000","prefix":"192.0.2.0/24"},{"asn":65001,"prefix":"192.0.2.0/24"},{"asn":"as1","prefix":"10.0.0.0/8"}]}`,
	} {
		resp, out := get(t, srv, "POST", "/api/v1/validity", strings.NewReader(body))
		var ans bulkAnswer
		if err := json.Unmarshal(out, &ans); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v %s", resp.StatusCode, err, out)
		}
		var states []string
		for _, r := range ans.ValidatedRoutes {
			states = append(states, r.Validity.State)
		}
		if strings.Join(states, ",") != "valid,invalid,not-found" {
			t.Errorf("states %v (in request order)", states)
		}
	}
	many := "[" + strings.Repeat(`{"asn":1,"prefix":"10.0.0.0/8"},`, MaxBulkRoutes) + `{"asn":1,"prefix":"10.0.0.0/8"}]`
	huge := "[" + strings.Repeat(" ", MaxBulkBodyBytes) + "]"
	for _, c := range []struct {
		body string
		code int
		want string
	}{
		{many, 400, fmt.Sprintf("%d routes, want 1..%d", MaxBulkRoutes+1, MaxBulkRoutes)},
		{huge, 413, "too large"},
		{`[]`, 400, "0 routes"},
		{`not json`, 400, "want a JSON list"},
		{`[{"asn":"AS1","prefix":"192.0.2.1/24"}]`, 400, "routes[0]: prefix"},
		{`[{"asn":"AS1","prefix":"192.0.2.0/24"},{"asn":-1,"prefix":"192.0.2.0/24"}]`, 400, "routes[1]: asn"},
		{`[{"asn":null,"prefix":"192.0.2.0/24"}]`, 400, "routes[0]: asn"},
	} {
		resp, out := get(t, srv, "POST", "/api/v1/validity", strings.NewReader(c.body))
		if resp.StatusCode != c.code || !strings.Contains(string(out), c.want) {
			t.Errorf("body %.40q: %d %.200s, want %d with %q", c.body, resp.StatusCode, out, c.code, c.want)
		}
	}
}

// FuzzBulkValidity posts arbitrary bodies: the answer is 200, 400 or 413,
// never a panic, and a 200 answers every route.
func FuzzBulkValidity(f *testing.F) {
	for _, s := range []string{`[{"asn":"AS65000","prefix":"192.0.2.0/24"}]`, `{"routes":[{"asn":1,"prefix":"::/0"}]}`,
		`[{"asn":"AS","prefix":"1.2.3.4/32"}]`, `[`, `{"routes":null}`, `[{"asn":"AS1","prefix":"fe80::%eth0/64"}]`} {
		f.Add([]byte(s))
	}
	st := testState(stateOf{Table: smallTable(f), Updated: t0})
	h := New(Options{State: func() *state.State { return st }})
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/validity", strings.NewReader(string(body))))
		switch rec.Code {
		case 200:
			var ans bulkAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil || len(ans.ValidatedRoutes) == 0 {
				t.Fatalf("200 with %v, %d routes", err, len(ans.ValidatedRoutes))
			}
		case 400, 413:
		default:
			t.Fatalf("code %d: %s", rec.Code, rec.Body)
		}
	})
}

// TestMethods checks the data endpoints are read-only.
func TestMethods(t *testing.T) {
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: smallTable(t), Updated: t0}))
	if resp, _ := get(t, srv, "POST", "/json", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /json: %d", resp.StatusCode)
	}
}

// TestValidityIndexHeldWeakly: the validity index, which shares the RTR
// snapshot's VRPs, is left to the collector once no request uses it, and
// built again, answering the same, at the next one.
func TestValidityIndexHeldWeakly(t *testing.T) {
	tb := smallTable(t)
	st := &state.State{Table: tb, RTR: payload.NewState(0, tb.Snapshot())}
	v := &View{}
	route := netip.MustParsePrefix("192.0.2.0/24")
	if got := v.vrpIndex(st).validate(65000, route).Validity.State; got != StateValid {
		t.Fatalf("first index: %s", got)
	}
	for i := 0; i < 10 && v.vrps.Value() != nil; i++ {
		runtime.GC()
	}
	if v.vrps.Value() != nil {
		t.Fatal("the view keeps the validity index after its last use")
	}
	if got := v.vrpIndex(st).validate(65000, route).Validity.State; got != StateValid {
		t.Fatalf("index built again: %s", got)
	}
}

// TestViewDoesNotKeepTheTable: the view the API keeps of the table it
// served last does not keep that table alive once a newer one is published
// (it was 30 MB at global scale until the next request), and a table's
// ETag stays the same while it is served.
func TestViewDoesNotKeepTheTable(t *testing.T) {
	srv, h := testServer(t, Options{})
	old := smallTable(t)
	oldGone := weak.Make(old)
	h.p.Store(testState(stateOf{Table: old, Updated: t0}))
	first, _ := get(t, srv, "GET", "/json", nil)
	again, _ := get(t, srv, "GET", "/json", nil)
	if etag := first.Header.Get("ETag"); etag == "" || again.Header.Get("ETag") != etag {
		t.Fatalf("ETags %q and %q for one table", etag, again.Header.Get("ETag"))
	}
	h.p.Store(testState(stateOf{Table: smallTable(t), Updated: t0}))
	old = nil
	for i := 0; i < 10 && oldGone.Value() != nil; i++ {
		runtime.GC()
	}
	if oldGone.Value() != nil {
		t.Fatal("the table served last is kept alive after a newer one was published")
	}
	if resp, _ := get(t, srv, "GET", "/json", nil); resp.Header.Get("ETag") == first.Header.Get("ETag") {
		t.Fatal("a new table has the old one's ETag")
	}
}
