package httpapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
)

// testResult is a run report with two TAs, points and rejected objects.
func testResult() *report.Run {
	return &report.Run{
		Start: t0.Add(-90 * time.Second), End: t0.Add(-5 * time.Second),
		TAs: []report.TA{{Name: "ta2", VRPs: 3, CAs: 2}, {Name: "ta1", VRPs: 2, ASPAs: 1, CAs: 4, Error: "tal: no URI answered"}},
		Points: []report.Point{{URI: "rsync://a/", Outcome: "fresh"}, {URI: "rsync://b/", Outcome: "fresh"},
			{URI: "rsync://c/", Outcome: "cached", Reason: "manifest stale"}},
		Rejected: []report.Object{{URI: "rsync://c/x.roa", Type: "roa", Class: "stale", Reason: "expired"}},
		Objects:  map[string]map[string]int{"roa": {"valid": 5, "stale": 1}, "cert": {"valid": 6}},
	}
}

// TestStatusJSON checks the fields of /api/v1/status and that readiness
// follows the data age.
func TestStatusJSON(t *testing.T) {
	now := t0.Add(time.Minute)
	repos := []report.Repository{
		{URI: "rsync://broken.example/repo/", Transport: "rsync", Outcome: "failed", Failing: true, Failures: 1,
			LastAttempt: now, LastError: "rsync: exit 23"},
		{URI: "https://rrdp.example/notify.xml", Transport: "rrdp", Outcome: "updated", LastAttempt: now, LastSuccess: now, Serial: 42},
	}
	srv, h := testServer(t, Options{Version: "v1.2.3", MaxAge: 10 * time.Minute, Now: func() time.Time { return now }})
	h.p.Store(testState(stateOf{Table: smallTable(t), Result: testResult(), Serial: 9, Updated: t0, Repositories: repos}))
	resp, body := get(t, srv, "GET", "/api/v1/status", nil)
	var s Status
	if err := json.Unmarshal(body, &s); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"version", s.Version, "v1.2.3"},
		{"ready", s.Ready, true},
		{"serial", s.Serial, uint32(9)},
		{"age", s.AgeSeconds, 60.0},
		{"run duration", s.LastRun.DurationSeconds, 85.0},
		{"vrps", s.Counts.VRPs, 5},
		{"aspas", s.Counts.ASPAs, 1},
		{"rejected", s.Counts.Rejected, 1},
		{"first TA (sorted)", s.TAs[0].Name, "ta1"},
		{"TA error", s.TAs[0].Error, "tal: no URI answered"},
		{"fresh points", s.PubPoints["fresh"], 2},
		{"cached points", s.PubPoints["cached"], 1},
		{"stale roas", s.Objects["roa"]["stale"], 1},
		{"troubled", s.Troubled, 1},
		{"first repository (in trouble)", s.Repositories[0].URI, "rsync://broken.example/repo/"},
		{"its error", s.Repositories[0].LastError, "rsync: exit 23"},
		{"rrdp serial", s.Repositories[1].Serial, uint64(42)},
		{"rrdp last success", s.Repositories[1].LastSuccess.Equal(now), true},
	} {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, field := range []string{`"last_update"`, `"last_run"`, `"start"`, `"end"`, `"trust_anchors"`, `"repositories"`, `"last_success"`, `"consecutive_failures"`, `"transport"`} {
		if !strings.Contains(string(body), field) {
			t.Errorf("status lacks %s", field)
		}
	}
	if resp, _ := get(t, srv, "GET", "/readyz", nil); resp.StatusCode != 200 {
		t.Errorf("/readyz with data 1m old (limit 10m): %d", resp.StatusCode)
	}
	now = t0.Add(11 * time.Minute)
	if resp, body := get(t, srv, "GET", "/readyz", nil); resp.StatusCode != 503 || !strings.Contains(string(body), "older than 10m0s") {
		t.Errorf("/readyz with data 11m old: %d %s", resp.StatusCode, body)
	}
	if resp, body := get(t, srv, "GET", "/version", nil); resp.StatusCode != 200 || !strings.Contains(string(body), `"version": "v1.2.3"`) {
		t.Errorf("/version: %d %s", resp.StatusCode, body)
	}
}

// failedFirstRun is what state.Publisher.Failed publishes when the first
// run fails: a report (every TA failed) and the repositories, no table.
func failedFirstRun() *state.State {
	rep := &report.Run{Start: t0.Add(-time.Minute), End: t0, Error: "validate: no trust anchor could be validated",
		TAs: []report.TA{{Name: "ta1", Error: "fetching TA certificate: fetch: dubious URI refused: https://127.0.0.1:8443/ta/ta1.cer: IP literal"}}}
	repos := []report.Repository{{URI: "https://127.0.0.1:8443/ta/ta1.cer", Transport: "https", Outcome: "refused", Failing: true,
		Failures: 1, LastAttempt: t0, LastError: "fetch: dubious URI refused"}}
	return &state.State{Report: rep, Repositories: repos}
}

// TestStatusProblems: the status says what is wrong (and only then that
// nothing is): before any run, while the first runs, after a failed first
// run, and with a healthy run; it shows the progress and the RTR sessions.
func TestStatusProblems(t *testing.T) {
	prog := RunProgress{Running: true, Start: t0, CAs: 10, Points: 8, Objects: 600}
	sessions := []SessionStatus{{Peer: "192.0.2.1:50000", Negotiated: true, Version: 2, Synced: true, Serial: 7,
		ConnectedSince: t0, LastQuery: t0.Add(30 * time.Second), BytesSent: 1234}}
	var running bool
	srv, h := testServer(t, Options{MaxAge: 10 * time.Minute,
		Progress: func() RunProgress { p := prog; p.Running = running; return p },
		Sessions: func() []SessionStatus { return sessions }})
	status := func() Status {
		t.Helper()
		_, body := get(t, srv, "GET", "/api/v1/status", nil)
		var s Status
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := status(); s.Healthy || len(s.Problems) != 1 || !strings.Contains(s.Problems[0], "no validation run has finished") || s.Progress != nil {
		t.Errorf("before any run: %+v", s)
	}
	running = true
	s := status()
	if s.Healthy || !strings.Contains(s.Problems[0], "first validation run is in progress") || s.Progress == nil ||
		s.Progress.ObjectsPerSecond != 10 || s.Progress.CAs != 10 {
		t.Errorf("first run: problems %v, progress %+v", s.Problems, s.Progress)
	}
	if len(s.Sessions) != 1 || s.Sessions[0].Peer != "192.0.2.1:50000" || s.Sessions[0].BytesSent != 1234 {
		t.Errorf("sessions %+v", s.Sessions)
	}
	running = false

	h.p.Store(failedFirstRun())
	s = status()
	want := []string{"the last validation run failed: validate: no trust anchor", "trust anchor ta1 failed: fetching TA certificate",
		"1 of 1 repositories failing"}
	if s.Healthy || s.HasData || len(s.TAs) != 1 || s.LastRun == nil || s.LastRun.Error == "" || len(s.Problems) != len(want) {
		t.Fatalf("failed first run: %+v", s)
	}
	for i, w := range want {
		if !strings.Contains(s.Problems[i], w) {
			t.Errorf("problem %d: %q, want %q", i, s.Problems[i], w)
		}
	}

	rep := &report.Run{Start: t0.Add(-time.Minute), End: t0, TAs: []report.TA{{Name: "ta1", VRPs: 5}},
		Points: []report.Point{{URI: "rsync://a/", Outcome: report.Fresh}}}
	h.p.Store(testState(stateOf{Table: smallTable(t), Result: rep, Serial: 1, Updated: t0,
		Repositories: []report.Repository{{URI: "https://a/notify.xml", Transport: "rrdp", Outcome: "unchanged"}}}))
	if s := status(); !s.Healthy || len(s.Problems) != 0 {
		t.Errorf("healthy run: %v", s.Problems)
	}
	rep.Points = append(rep.Points, report.Point{URI: "rsync://b/", Outcome: report.Cached, Reason: "RFC 9286 §6.5"})
	if s := status(); s.Healthy || len(s.TroubledPoints) != 1 || !strings.Contains(s.Problems[0], "1 publication points served from their last validated copy") {
		t.Errorf("a cached point: %v %+v", s.Problems, s.TroubledPoints)
	}
}

// TestStatusRejectedCapped: with more rejected objects than the status
// shows, the JSON and the page hold the first MaxStatusRejected and the
// page says how many there are and links the full list.
func TestStatusRejectedCapped(t *testing.T) {
	srv, h := testServer(t, Options{})
	const n = MaxStatusRejected + 50
	rep := &report.Run{Start: t0.Add(-time.Minute), End: t0, TAs: []report.TA{{Name: "ta1", VRPs: 5}}}
	for i := range n {
		rep.Rejected = append(rep.Rejected, report.Object{URI: fmt.Sprintf("rsync://a/%03d.roa", i), Type: "roa", TA: "ta1",
			CA: "rsync://a/ca.cer", Class: "signature", Reason: "RFC 6488 §3: signature does not verify"})
	}
	h.p.Store(testState(stateOf{Table: smallTable(t), Result: rep, Serial: 1, Updated: t0}))
	_, body := get(t, srv, "GET", "/api/v1/status", nil)
	var s Status
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Rejected) != MaxStatusRejected || s.Rejected[0].URI != "rsync://a/000.roa" {
		t.Fatalf("status lists %d rejected objects, want the first %d", len(s.Rejected), MaxStatusRejected)
	}
	_, page := get(t, srv, "GET", "/status", nil)
	rows := strings.Count(string(page), `<tr class="rejected"`)
	if rows != MaxStatusRejected || !strings.Contains(string(page), fmt.Sprintf("The first %d of %d", MaxStatusRejected, n)) ||
		!strings.Contains(string(page), `id="rejected-link" href="/api/v1/rejected"`) {
		t.Fatalf("page: %d rejected rows, or no count and link to the full list", rows)
	}
}
