package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/validate"
)

// testResult is a run report with two TAs, points and rejected objects.
func testResult() *validate.Result {
	return &validate.Result{
		Start: t0.Add(-90 * time.Second), End: t0.Add(-5 * time.Second),
		TAs: []validate.TAReport{{Name: "ta2", VRPs: 3, CAs: 2}, {Name: "ta1", VRPs: 2, ASPAs: 1, CAs: 4, Error: "tal: no URI answered"}},
		PubPoints: []validate.PubPointReport{{URI: "rsync://a/", Outcome: "fresh"}, {URI: "rsync://b/", Outcome: "fresh"},
			{URI: "rsync://c/", Outcome: "cached", Reason: "manifest stale"}},
		Rejected: []validate.ObjectReport{{URI: "rsync://c/x.roa", Type: "roa", Class: "stale", Reason: "expired"}},
		Objects:  map[string]map[string]int{"roa": {"valid": 5, "stale": 1}, "cert": {"valid": 6}},
	}
}

// TestStatusJSON checks the fields of /api/v1/status and that readiness
// follows the data age.
func TestStatusJSON(t *testing.T) {
	now := t0.Add(time.Minute)
	repos := NewRepos(nil, func() time.Time { return now })
	repos.RepoDone("https://rrdp.example/notify.xml", "rrdp", time.Second, 1000, 42, "updated", nil)
	repos.RepoDone("rsync://broken.example/repo/", "rsync", 2*time.Second, 0, 0, "failed", errors.New("rsync: exit 23"))
	srv, h := testServer(t, Options{Repos: repos, Version: "v1.2.3", MaxAge: 10 * time.Minute, Now: func() time.Time { return now }})
	h.p.Store(&View{Table: smallTable(t), Result: testResult(), Serial: 9, Updated: t0})
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

// TestRepos checks the order (trouble first), failure counting, recovery
// and forwarding.
func TestRepos(t *testing.T) {
	next := &repoRecorder{}
	r := NewRepos(next, func() time.Time { return t0 })
	fail := errors.New("connection refused")
	r.RepoDone("rsync://b/", "rsync", 0, 0, 0, "unchanged", nil)
	r.RepoDone("rsync://a/", "rsync", 0, 0, 0, "failed", fail)
	r.RepoDone("rsync://c/", "rsync", 0, 0, 0, "failed", fail)
	r.RepoDone("rsync://c/", "rsync", 0, 0, 0, "backoff", fail)
	r.RepoDone("https://d/n.xml", "rrdp", 0, 0, 0, "refused", nil)
	var order []string
	for _, s := range r.Snapshot() {
		order = append(order, fmt.Sprintf("%s:%d", s.URI, s.Failures))
	}
	if got := strings.Join(order, " "); got != "rsync://c/:2 https://d/n.xml:1 rsync://a/:1 rsync://b/:0" {
		t.Fatalf("order %s", got)
	}
	r.RepoDone("rsync://c/", "rsync", 0, 0, 0, "updated", nil)
	for _, s := range r.Snapshot() {
		if s.URI == "rsync://c/" && (s.Failing || s.Failures != 0 || s.LastError != "" || !s.LastSuccess.Equal(t0)) {
			t.Errorf("recovered repository still in trouble: %+v", s)
		}
	}
	if next.n != 6 {
		t.Errorf("forwarded %d reports, want 6", next.n)
	}
	var nilRepos *Repos
	if nilRepos.Snapshot() != nil {
		t.Error("nil Repos has a snapshot")
	}
}

// TestReposBounded fills Repos past MaxRepoEntries: the repository
// attempted longest ago is forgotten.
func TestReposBounded(t *testing.T) {
	now := t0
	r := NewRepos(nil, func() time.Time { now = now.Add(time.Second); return now })
	for i := range MaxRepoEntries + 1 {
		r.RepoDone(fmt.Sprintf("rsync://r%d/", i), "rsync", 0, 0, 0, "updated", nil)
	}
	snap := r.Snapshot()
	if len(snap) != MaxRepoEntries {
		t.Fatalf("%d entries, want %d", len(snap), MaxRepoEntries)
	}
	for _, s := range snap {
		if s.URI == "rsync://r0/" {
			t.Fatal("the oldest repository was kept")
		}
	}
}

type repoRecorder struct{ n int }

func (r *repoRecorder) RepoDone(string, string, time.Duration, int64, uint64, string, error) { r.n++ }

func TestPerTA(t *testing.T) {
	v := &View{Table: smallTable(t), Result: &validate.Result{TAs: []validate.TAReport{{Name: "ta1"}, {Name: "empty"}}}}
	vrps, aspas := v.PerTA()
	if fmt.Sprint(vrps) != "map[empty:0 ta1:2 ta2:3]" || fmt.Sprint(aspas) != "map[empty:0 ta1:1]" {
		t.Fatalf("vrps %v, aspas %v", vrps, aspas)
	}
}
