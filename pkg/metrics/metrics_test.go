package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/rtr"
	"github.com/openrpki/validator/pkg/state"
	"github.com/openrpki/validator/pkg/validate"
)

// Metrics implements every hook of the core packages.
var (
	_ fetch.Observer          = (*Metrics)(nil)
	_ validate.Observer       = (*Metrics)(nil)
	_ rtr.Observer            = (*Metrics)(nil)
	_ httpapi.RequestObserver = (*Metrics)(nil)
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// testTable is a table of n VRPs and one ASPA of trust anchor ta.
func testTable(n int, ta string) *payload.Table {
	t := &payload.Table{TAs: payload.NewTANames()}
	info := payload.Info{TA: t.TAs.Of(ta)}
	for i := range n {
		t.VRPs = append(t.VRPs, payload.VRPInfo{VRP: payload.VRP{ASN: uint32(i), Bits: 8, MaxLen: 8}, Info: info})
	}
	t.ASPAs = []payload.ASPAInfo{{ASPA: payload.ASPA{Customer: 1, Providers: []uint32{2}}, Info: info}}
	return t
}

// testRepos is the repository health of one good and one failing
// repository.
var testRepos = []report.Repository{
	{URI: "rsync://bad.example/r/", Transport: "rsync", Outcome: "failed", Failing: true, LastDuration: 3 * time.Second},
	{URI: "https://rrdp.example/n.xml", Transport: "rrdp", Outcome: "updated", LastDuration: 1500 * time.Millisecond,
		LastSuccess: t0, Serial: 77},
}

// exercise drives every hook once so that every vector has a series, and
// publishes a state (serial 0) of 100 VRPs of "ripe" and none of "arin".
func exercise(m *Metrics) *state.Publisher {
	pub := state.NewPublisher(4)
	rep := &report.Run{Start: t0.Add(-2 * time.Minute), End: t0,
		TAs:     []report.TA{{Name: "ripe", LastSuccess: t0}, {Name: "arin", Error: "fetching TA certificate: refused"}},
		Objects: map[string]map[string]int{"roa": {"valid": 90, "stale": 2}},
		Points:  []report.Point{{Outcome: "fresh"}, {Outcome: "failed"}}}
	pub.Publish(testTable(100, "ripe"), rep, testRepos, t0)
	m.Watch(pub.Load)
	m.RunDone(rep, nil)
	m.SetRefresh(10 * time.Minute)
	m.ObjectsDone("roa", "valid", 3)
	m.ObjectsDone("roa", "signature", 2)
	m.PubPointDone("rsync://a/", "fresh")
	m.TAReplayed("ripe")
	m.Panicked("validate")
	m.Attempted(fetch.Attempt{URI: "https://rrdp.example/n.xml", Transport: "rrdp", Duration: 1500 * time.Millisecond, Bytes: 2048, Serial: 77, Outcome: fetch.Updated})
	m.Attempted(fetch.Attempt{URI: "rsync://bad.example/r/", Transport: "rsync", Duration: 3 * time.Second, Outcome: fetch.Failed, Err: errors.New("exit 10")})
	m.SessionOpened("127.0.0.1:1")
	m.SessionNegotiated("127.0.0.1:1", 1)
	m.SessionPanicked("127.0.0.1:2")
	m.PDUReceived("127.0.0.1:1", 1, 2)
	m.PDUReceived("127.0.0.1:1", 9, 200)
	m.ResponseSent("127.0.0.1:1", 1, "reset", 1000, 20000, 3*time.Millisecond)
	m.ErrorReportSent("127.0.0.1:1", 2)
	m.SessionRejected("10.0.0.1:1", "not_allowed")
	m.SessionClosed("127.0.0.1:1", 1, nil)
	m.Serial(12)
	m.Stale(true, time.Hour)
	m.HTTPRequest("GET /json", 200, 2*time.Millisecond, 5000)
	return pub
}

// TestNamesAndHelp checks every expected family is registered with help
// text and the expected labels.
func TestNamesAndHelp(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	exercise(newAt(reg, func() time.Time { return t0.Add(time.Minute) }))
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		got[f.GetName()] = f
	}
	for name, labels := range map[string][]string{
		"rpki_last_update_timestamp_seconds":             nil,
		"rpki_data_age_seconds":                          nil,
		"rpki_serial":                                    nil,
		"rpki_vrps":                                      {"ta"},
		"rpki_aspas":                                     {"ta"},
		"rpki_aspas_dropped":                             nil,
		"rpki_ta_replays_total":                          {"ta"},
		"rpki_panics_total":                              {"component"},
		"rpki_run_duration_seconds":                      nil,
		"rpki_runs_total":                                {"result"},
		"rpki_last_run_timestamp_seconds":                nil,
		"rpki_last_run_success":                          nil,
		"rpki_run_objects":                               {"type", "verdict"},
		"rpki_run_publication_points":                    {"outcome"},
		"rpki_objects_total":                             {"type", "verdict"},
		"rpki_objects_rejected_total":                    {"reason", "type"},
		"rpki_publication_points_total":                  {"outcome"},
		"rpki_repository_fetches_total":                  {"outcome", "transport"},
		"rpki_repository_fetch_duration_seconds":         {"transport"},
		"rpki_repository_fetched_bytes_total":            {"transport"},
		"rpki_repository_up":                             {"transport", "uri"},
		"rpki_repository_last_fetch_duration_seconds":    {"transport", "uri"},
		"rpki_repository_last_success_timestamp_seconds": {"transport", "uri"},
		"rpki_repository_rrdp_serial":                    {"uri"},
		"rpki_rtr_sessions":                              nil,
		"rpki_rtr_sessions_by_version":                   {"version"},
		"rpki_rtr_sessions_opened_total":                 nil,
		"rpki_rtr_sessions_closed_total":                 {"result"},
		"rpki_rtr_sessions_rejected_total":               {"reason"},
		"rpki_rtr_pdus_received_total":                   {"type", "version"},
		"rpki_rtr_responses_total":                       {"kind", "version"},
		"rpki_rtr_pdus_sent_total":                       {"kind"},
		"rpki_rtr_sent_bytes_total":                      {"kind"},
		"rpki_rtr_response_duration_seconds":             {"kind"},
		"rpki_rtr_error_reports_sent_total":              {"code"},
		"rpki_rtr_serial":                                nil,
		"rpki_rtr_stale":                                 nil,
		"rpki_http_requests_total":                       {"code", "handler"},
		"rpki_http_request_duration_seconds":             {"handler"},
		"rpki_http_response_bytes_total":                 {"handler"},
		"rpki_ta_up":                                     {"ta"},
		"rpki_ta_last_success_timestamp_seconds":         {"ta"},
		"rpki_last_full_run_success_timestamp_seconds":   nil,
		"rpki_refresh_interval_seconds":                  nil,
	} {
		f, ok := got[name]
		if !ok {
			t.Errorf("%s not registered", name)
			continue
		}
		if len(f.GetHelp()) < 10 {
			t.Errorf("%s: help %q", name, f.GetHelp())
		}
		var have []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			have = append(have, l.GetName())
		}
		if !slices.Equal(have, labels) {
			t.Errorf("%s: labels %v, want %v", name, have, labels)
		}
		delete(got, name)
	}
	for name := range got {
		t.Errorf("%s registered but not checked here", name)
	}
}

// TestLint runs promlint (client_golang's testutil/promlint) (naming conventions, units, help) over
// everything registered.
func TestLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	exercise(newAt(reg, time.Now))
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(fams).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestLintCatches shows the lint test can fail: a counter without _total
// and a duration in milliseconds are reported.
func TestLintCatches(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "rpki_bad_requests", Help: "x"}),
		prometheus.NewGauge(prometheus.GaugeOpts{Name: "rpki_fetch_milliseconds", Help: "y"}))
	fams, _ := reg.Gather()
	problems, err := promlint.NewWithMetricFamilies(fams).Lint()
	if err != nil || len(problems) < 2 {
		t.Fatalf("promlint found %v (%v), want problems for both", problems, err)
	}
}

// TestValuesMove checks each hook moves its series, and that what is
// read from the published state follows it.
func TestValuesMove(t *testing.T) {
	now := t0.Add(time.Minute)
	reg := prometheus.NewRegistry()
	m := newAt(reg, func() time.Time { return now })
	if age := gathered(t, reg, "rpki_data_age_seconds", ""); age != 0 {
		t.Errorf("age before publication: %v, want time since start (0)", age)
	}
	now = now.Add(30 * time.Second)
	if age := gathered(t, reg, "rpki_data_age_seconds", ""); age != 30 {
		t.Errorf("age before publication: %v, want 30", age)
	}
	pub := exercise(m)
	check := func(name string, c prometheus.Collector, want float64) {
		t.Helper()
		if got := value(t, c); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	checkState := func(name, series string, want float64) {
		t.Helper()
		if got := gathered(t, reg, name, series); got != want {
			t.Errorf("%s{%s} = %v, want %v", name, series, got, want)
		}
	}
	checkState("rpki_data_age_seconds", "", 90)
	now = now.Add(time.Hour)
	checkState("rpki_data_age_seconds", "", 3690)
	checkState("rpki_last_update_timestamp_seconds", "", float64(t0.Unix()))
	checkState("rpki_serial", "", 0)
	checkState("rpki_vrps", `ta="ripe"`, 100)
	checkState("rpki_vrps", `ta="arin"`, 0)
	checkState("rpki_aspas_dropped", "", 0)
	checkState("rpki_repository_up", `transport="rrdp",uri="https://rrdp.example/n.xml"`, 1)
	checkState("rpki_repository_up", `transport="rsync",uri="rsync://bad.example/r/"`, 0)
	checkState("rpki_repository_rrdp_serial", `uri="https://rrdp.example/n.xml"`, 77)
	checkState("rpki_ta_up", `ta="ripe"`, 1)
	checkState("rpki_ta_up", `ta="arin"`, 0)
	checkState("rpki_ta_last_success_timestamp_seconds", `ta="ripe"`, float64(t0.Unix()))
	if n := countGathered(t, reg, "rpki_ta_last_success_timestamp_seconds"); n != 1 {
		t.Errorf("%d TA last-success series, want 1 (arin never validated)", n)
	}
	check("last full run success", m.health.lastFullOK, float64(t0.Unix()))
	check("refresh", m.health.refresh, 600)
	check("runs ok", m.run.runs.WithLabelValues("ok"), 1)
	check("run objects", m.run.runObjects.WithLabelValues("roa", "stale"), 2)
	check("valid roa", m.objects.objects.WithLabelValues("roa", "valid"), 3)
	check("rejected roa", m.objects.rejected.WithLabelValues("roa", "signature"), 2)
	check("rejected verdict", m.objects.objects.WithLabelValues("roa", "rejected"), 2)
	check("fetched bytes", m.repos.bytes.WithLabelValues("rrdp"), 2048)
	check("replays", m.objects.replays.WithLabelValues("ripe"), 1)
	check("rtr sessions open", m.rtr.open, 0)
	check("rtr v1 sessions after open and close", m.rtr.byVersion[1], 0)
	check("rtr session panics", m.objects.panics.WithLabelValues("rtr"), 1)
	check("rtr opened", m.rtr.opened, 1)
	check("rtr reset queries v1", m.rtr.received.WithLabelValues("1", "reset_query"), 1)
	check("rtr unknown PDUs", m.rtr.received.WithLabelValues("other", "other"), 1)
	check("rtr bytes", m.rtr.sentBytes.WithLabelValues("reset"), 20000)
	check("rtr error code 2", m.rtr.errors.WithLabelValues("2"), 1)
	check("rtr stale", m.rtr.stale, 1)
	check("http", m.http.requests.WithLabelValues("GET /json", "200"), 1)
	m.RunDone(&report.Run{Start: t0, End: t0.Add(time.Minute), Quick: true}, nil)
	check("a poll is not a full run", m.health.lastFullOK, float64(t0.Unix()))

	// A confirmation moves the freshness the metrics read: the one RTR
	// and HTTP read too.
	pub.Confirm(nil, nil, now)
	checkState("rpki_data_age_seconds", "", 0)

	// Sessions by version: a v2 session counts while open, one that never
	// sent a query (version -1) never counts.
	m.SessionNegotiated("127.0.0.1:3", 2)
	check("rtr v2 sessions", m.rtr.byVersion[2], 1)
	m.SessionClosed("127.0.0.1:4", -1, nil)
	check("rtr v2 sessions after a silent one closed", m.rtr.byVersion[2], 1)
	m.SessionClosed("127.0.0.1:3", 2, nil)
	check("rtr v2 sessions after it closed", m.rtr.byVersion[2], 0)

	// A later publication without a TA removes its series.
	pub.Publish(testTable(90, "ripe"), &report.Run{TAs: []report.TA{{Name: "ripe"}}}, nil, now)
	checkState("rpki_serial", "", 1)
	if n := countGathered(t, reg, "rpki_vrps"); n != 1 {
		t.Errorf("%d per-TA VRP series after a TA vanished, want 1", n)
	}
	// A failed run keeps the last run's object counts.
	m.RunDone(&report.Run{Start: t0, End: t0.Add(time.Minute)}, errors.New("boom"))
	check("last run success", m.run.lastOK, 0)
	check("object counts kept", m.run.runObjects.WithLabelValues("roa", "valid"), 90)
}

// gathered returns the value of the series of family name whose labels,
// printed as a="x",b="y", are series ("" for none).
func gathered(t *testing.T, reg *prometheus.Registry, name, series string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var parts []string
			for _, l := range m.GetLabel() {
				parts = append(parts, l.GetName()+"="+strconv.Quote(l.GetValue()))
			}
			if strings.Join(parts, ",") == series {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no series %s{%s}", name, series)
	return 0
}

// countGathered counts the series of family name.
func countGathered(t *testing.T, reg *prometheus.Registry, name string) int {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}

// TestScrape serves the registry with promhttp and checks the text
// exposition has a few series with their values.
func TestScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	exercise(newAt(reg, time.Now))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, s := range []string{`rpki_vrps{ta="ripe"} 100`, `rpki_serial 0`, `rpki_repository_rrdp_serial{uri="https://rrdp.example/n.xml"} 77`,
		"# HELP rpki_data_age_seconds ", "# TYPE rpki_run_duration_seconds histogram"} {
		if !strings.Contains(string(b), s) {
			t.Errorf("scrape lacks %q", s)
		}
	}
}

// TestDeployReferences checks that the alert rules and the dashboard use
// only metrics this package registers (histogram series by their family).
func TestDeployReferences(t *testing.T) {
	reg := prometheus.NewRegistry()
	exercise(newAt(reg, time.Now))
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"up": true}
	for _, f := range fams {
		known[f.GetName()] = true
	}
	root := moduleRoot(t)
	re := regexp.MustCompile(`\brpki_[a-z0-9_]+`)
	for _, file := range []string{"deploy/prometheus/alerts.yml", "deploy/grafana/dashboard.json"} {
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		names := re.FindAllString(string(b), -1)
		if len(names) < 5 {
			t.Errorf("%s: only %d metric references", file, len(names))
		}
		for _, n := range names {
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
			if !known[n] && !known[base] {
				t.Errorf("%s uses %s, which is not registered", file, n)
			}
		}
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("module root not found")
		}
		dir = parent
	}
}

// value returns the value of the single series of c. It is
// testutil.ToFloat64: the testutil package itself needs a module
// (kylelemons/godebug) that go.mod does not have, its promlint
// subpackage does not.
func value(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 2)
	c.Collect(ch)
	close(ch)
	var ms []prometheus.Metric
	for m := range ch {
		ms = append(ms, m)
	}
	if len(ms) != 1 {
		t.Fatalf("collector has %d series, want 1", len(ms))
	}
	var pb dto.Metric
	if err := ms[0].Write(&pb); err != nil {
		t.Fatal(err)
	}
	switch {
	case pb.Gauge != nil:
		return pb.Gauge.GetValue()
	case pb.Counter != nil:
		return pb.Counter.GetValue()
	case pb.Untyped != nil:
		return pb.Untyped.GetValue()
	}
	t.Fatalf("series %v is neither gauge nor counter", ms[0].Desc())
	return 0
}

// count returns the number of series c has (testutil.CollectAndCount).
func count(t *testing.T, c prometheus.Collector) int {
	t.Helper()
	ch := make(chan prometheus.Metric, 64)
	go func() { c.Collect(ch); close(ch) }()
	n := 0
	for range ch {
		n++
	}
	return n
}

// TestASPAsDropped: rpki_aspas_dropped counts the customers whose merged
// ASPA the served RTR payload leaves out (payload.MaxProviders).
func TestASPAsDropped(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newAt(reg, time.Now)
	pub := state.NewPublisher(4)
	m.Watch(pub.Load)
	tb := testTable(1, "ripe")
	for k := range 2 {
		p := make([]uint32, 10_000)
		for i := range p {
			p[i] = uint32(100_000 + k*10_000 + i)
		}
		tb.ASPAs = append(tb.ASPAs, payload.ASPAInfo{ASPA: payload.ASPA{Customer: 7, Providers: p}})
	}
	pub.Publish(tb, nil, nil, t0)
	if got := gathered(t, reg, "rpki_aspas_dropped", ""); got != 1 {
		t.Fatalf("rpki_aspas_dropped = %v, want 1", got)
	}
}
