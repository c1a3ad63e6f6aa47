package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/state"
)

// TestFormatFilters: Routinator's query parameters on format endpoints,
// and a 400 that says why for anything else.
func TestFormatFilters(t *testing.T) {
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: smallTable(t), Serial: 1, Updated: t0}))
	for path, want := range map[string]string{
		"/csv?select-asn=AS65001":                                  "ASN,IP Prefix,Max Length,Trust Anchor\nAS65001,198.51.100.0/22,24,ta1\n",
		"/csv?select-prefix=198.51.100.0/24":                       "ASN,IP Prefix,Max Length,Trust Anchor\nAS65002,198.51.100.0/24,24,ta2\nAS65001,198.51.100.0/22,24,ta1\n",
		"/csv?select-prefix=198.51.0.0/16&include=more-specifics":  "ASN,IP Prefix,Max Length,Trust Anchor\nAS65002,198.51.100.0/24,24,ta2\nAS65001,198.51.100.0/22,24,ta1\n",
		"/bird2?filter-prefix=2001:db8::/48":                       "route 2001:db8::/32 max 48 as 65003;\n",
		"/openbgpd?select-asn=AS0&select-asn=AS65000":              "roa-set {\n    192.0.2.0/24 source-as 65000\n    203.0.113.0/24 source-as 0\n}\n",
		"/json?exclude=routeOrigins,routerKeys&select-asn=AS65000": `"aspas": [` + "\n" + `    { "customer": "AS65000", "providers": ["AS65010", "AS65011"], "ta": "ta1" }`,
	} {
		resp, body := get(t, srv, "GET", path, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d\n%s\nwant\n%s", path, resp.StatusCode, body, want)
		}
	}
	for path, want := range map[string]string{
		"/csv?select-asn=ASX":                  `select-asn: AS number \"ASX\"`,
		"/json?filter=AS1":                     `unknown parameter \"filter\"`,
		"/summary?include=less-specifics":      `include \"less-specifics\"`,
		"/rpki-client?select-prefix=1.2.3.4/8": "host bits set",
	} {
		resp, body := get(t, srv, "GET", path, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s, want 400 with %s", path, resp.StatusCode, body, want)
		}
	}
}

// deltaStates publishes tables through a real publisher: serial 0 with
// the small table, serial 1 without its first VRP.
func deltaStates(t *testing.T) (*state.Publisher, *payload.Table) {
	p := state.NewPublisher(4)
	tb := smallTable(t)
	p.Publish(tb, nil, nil, t0)
	next := *tb
	next.VRPs = tb.VRPs[1:]
	p.Publish(&next, nil, nil, t0.Add(time.Minute))
	return p, tb
}

type deltaDoc struct {
	Reset      bool              `json:"reset"`
	Session    string            `json:"session"`
	Serial     uint32            `json:"serial"`
	FromSerial *uint32           `json:"fromSerial"`
	Announced  []json.RawMessage `json:"announced"`
	Withdrawn  []json.RawMessage `json:"withdrawn"`
}

// TestJSONDelta: a reset without a version, a delta from a serial in the
// history of this session, a reset for another session or an unknown
// serial, and Routinator's 400s.
func TestJSONDelta(t *testing.T) {
	p, _ := deltaStates(t)
	srv, _ := testServer(t, Options{State: p.Load})
	session := notify(t, srv, "")
	read := func(path string) deltaDoc {
		t.Helper()
		resp, body := get(t, srv, "GET", path, nil)
		var d deltaDoc
		if err := json.Unmarshal(body, &d); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v\n%s", path, resp.StatusCode, err, body)
		}
		return d
	}
	if d := read("/json-delta"); !d.Reset || d.Serial != 1 || len(d.Announced) != 5 || d.Session != fmt.Sprint(session.session) {
		t.Errorf("reset: %+v", d)
	}
	d := read(fmt.Sprintf("/json-delta?session=%d&serial=0", session.session))
	if d.Reset || d.FromSerial == nil || *d.FromSerial != 0 || len(d.Announced) != 0 || len(d.Withdrawn) != 1 ||
		!strings.Contains(string(d.Withdrawn[0]), `"prefix": "192.0.2.0/24"`) {
		t.Errorf("delta from 0: %+v", d)
	}
	if d := read(fmt.Sprintf("/json-delta?session=%d&serial=1", session.session)); d.Reset || len(d.Announced)+len(d.Withdrawn) != 0 {
		t.Errorf("delta from the current serial: %+v", d)
	}
	for _, q := range []string{fmt.Sprintf("session=%d&serial=7", session.session), "session=1&serial=0"} {
		if d := read("/json-delta?" + q); !d.Reset {
			t.Errorf("%s: not a reset: %+v", q, d)
		}
	}
	gz, body := get(t, srv, "GET", "/json-delta", nil, "Accept-Encoding", "gzip")
	if gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(string(gunzip(t, body)), `"reset": true`) {
		t.Errorf("gzip: %v", gz.Header)
	}
	for q, want := range map[string]string{
		"session=1":                    `missing \"serial\"`,
		"serial=1":                     `missing \"session\"`,
		"session=x&serial=1":           `invalid \"session\"`,
		"session=1&serial=1&a=b":       `unexpected argument \"a\"`,
		"session=1&session=2&serial=1": `duplicate \"session\"`,
		"session=1&serial=4294967296":  `invalid \"serial\"`,
	} {
		for _, path := range []string{"/json-delta?", "/json-delta/notify?"} {
			resp, body := get(t, srv, "GET", path+q, nil)
			if resp.StatusCode != 400 || !strings.Contains(string(body), want) {
				t.Errorf("%s%s: %d %s, want 400 with %s", path, q, resp.StatusCode, body, want)
			}
		}
	}
}

// notify asks /json-delta/notify with a query and reads its answer.
func notify(t *testing.T, srv *httptest.Server, query string) version {
	t.Helper()
	resp, body := get(t, srv, "GET", "/json-delta/notify"+query, nil)
	var v struct {
		Session uint64 `json:"session"`
		Serial  uint32 `json:"serial"`
	}
	if err := json.Unmarshal(body, &v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("notify%s: %d %v\n%s", query, resp.StatusCode, err, body)
	}
	return version{v.Session, v.Serial}
}

// TestJSONDeltaNotify: an answer at once without a version or for an old
// one; with the current version, an answer once a new serial is
// published.
func TestJSONDeltaNotify(t *testing.T) {
	p, tb := deltaStates(t)
	srv, _ := testServer(t, Options{State: p.Load, notifyPoll: 5 * time.Millisecond})
	cur := notify(t, srv, "")
	if cur.serial != 1 || cur.session == 0 {
		t.Fatalf("notify: %+v", cur)
	}
	if v := notify(t, srv, fmt.Sprintf("?session=%d&serial=0", cur.session)); v != cur {
		t.Fatalf("notify for serial 0: %+v, want %+v at once", v, cur)
	}
	got := make(chan version, 1)
	go func() { got <- notify(t, srv, fmt.Sprintf("?session=%d&serial=1", cur.session)) }()
	select {
	case v := <-got:
		t.Fatalf("answered %+v before a change", v)
	case <-time.After(50 * time.Millisecond):
	}
	p.Publish(tb, nil, nil, t0.Add(2*time.Minute)) // the first VRP is back: serial 2
	select {
	case v := <-got:
		if v.serial != 2 || v.session != cur.session {
			t.Fatalf("after the change: %+v", v)
		}
	case <-time.After(time.Minute):
		t.Fatal("no answer a minute after the change")
	}
	resp, body := get(t, srv, "GET", "/json-delta/notify", nil)
	if want := fmt.Sprintf("{\n   \"session\": %d,\n   \"serial\": 2\n}", cur.session); string(body) != want || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("notify body %q, want %q", body, want)
	}
}

// TestValidityQuery answers Routinator's /validity?asn=&prefix= as the
// path form does, and refuses what it does not know.
func TestValidityQuery(t *testing.T) {
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: smallTable(t), Updated: t0}))
	_, want := get(t, srv, "GET", "/api/v1/validity/AS65000/192.0.2.0/24", nil)
	resp, body := get(t, srv, "GET", "/validity?asn=AS65000&prefix=192.0.2.0%2F24", nil)
	if resp.StatusCode != 200 || string(body) != string(want) || !strings.Contains(string(body), `"state": "valid"`) {
		t.Fatalf("%d %s, want %s", resp.StatusCode, body, want)
	}
	for q, msg := range map[string]string{
		"asn=AS65000":                     `missing \"prefix\"`,
		"prefix=192.0.2.0/24":             `missing \"asn\"`,
		"asn=1&prefix=192.0.2.0/24&x=1":   `unexpected argument \"x\"`,
		"asn=1&asn=2&prefix=192.0.2.0/24": `duplicate \"asn\"`,
		"asn=ASX&prefix=192.0.2.0/24":     `asn \"ASX\"`,
		"asn=AS1&prefix=192.0.2.1/24":     "host bits set",
	} {
		resp, body := get(t, srv, "GET", "/validity?"+q, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(body), msg) {
			t.Errorf("%s: %d %s, want 400 with %s", q, resp.StatusCode, body, msg)
		}
	}
}

// TestStatusRoutinatorMembers checks Routinator's members in the status.
func TestStatusRoutinatorMembers(t *testing.T) {
	srv, h := testServer(t, Options{})
	tb := smallTable(t)
	tb.VRPs = append(tb.VRPs, vrp(t, tb.TAs, "10.0.0.0/8", 8, 1, payload.LocalTA))
	tb.VRPs[len(tb.VRPs)-1].Expires = 0
	tb.Sort()
	h.p.Store(testState(stateOf{Table: tb, Result: testResult(), Updated: t0}))
	_, body := get(t, srv, "GET", "/api/v1/status", nil)
	var s struct {
		RoutinatorStatus
		HasData bool `json:"has_data"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	if !s.HasData || s.LastUpdateStart == "" || s.LastUpdateDuration == nil || *s.LastUpdateDuration != 85 ||
		s.VRPsAddedLocally != 1 || s.Payload.RouteOriginsIPv4.Final != 5 || s.Payload.RouteOriginsIPv6.Final != 1 ||
		s.TALs["ta1"].VRPsTotal != 2 || s.TALs["ta1"].VRPsFinal != 2 || s.TALs["ta2"].VRPsFinal != 3 {
		t.Errorf("status:\n%s", body)
	}
}

// TestSlotsBounded: a document waits for a slot and gives up with its
// request.
func TestSlotsBounded(t *testing.T) {
	s := make(slots, 1)
	release := s.acquire(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if release == nil || s.acquire(ctx) != nil {
		t.Fatal("a second slot was given")
	}
	release()
	if r := s.acquire(ctx); r == nil {
		t.Fatal("no slot once released")
	}
}
