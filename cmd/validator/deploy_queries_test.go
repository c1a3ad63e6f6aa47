package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/lab"
)

// scrapeGenerated are series Prometheus makes itself for every target,
// which no /metrics serves.
var scrapeGenerated = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped"}

// TestDeployQueriesUseServedMetrics runs the daemon on a lab with every
// fault, has it serve a router, turn one away and answer a bad PDU, and
// scrapes /metrics: every metric that a query of the Grafana dashboard
// (panels and template variables) or an alert rule reads must be among the
// series served. A renamed metric or a typo in a query fails here rather
// than as an empty panel or an alert that never fires.
func TestDeployQueriesUseServedMetrics(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 35, Faults: []string{"all"}})
	conf := filepath.Join(t.TempDir(), "validator.yaml")
	if err := os.WriteFile(conf, []byte("rtr:\n  max_sessions: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rtrAddr, base := startDaemon(t, l, "--config", conf)
	exerciseRTR(t, rtrAddr)
	get(t, base+"/json") // an HTTP request for the request metrics

	queries := map[string][]string{
		"deploy/grafana/dashboard.json": dashboardQueries(t),
		"deploy/prometheus/alerts.yml":  alertQueries(t),
	}
	var served map[string]bool
	for deadline := time.Now().Add(rtrWait); ; time.Sleep(50 * time.Millisecond) {
		_, body := get(t, base+"/metrics")
		served = seriesNames(body)
		if len(unserved(queries, served)) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, msg := range unserved(queries, served) {
		t.Error(msg)
	}
	if t.Failed() {
		var names []string
		for n := range served {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Logf("/metrics serves: %s", strings.Join(names, " "))
	}
}

// unserved lists each query that reads a metric not in served (or none).
func unserved(queries map[string][]string, served map[string]bool) []string {
	var out []string
	for file, qs := range queries {
		if len(qs) == 0 {
			out = append(out, file+": no queries found")
		}
		for _, q := range qs {
			names := metricNames(q)
			if len(names) == 0 {
				out = append(out, fmt.Sprintf("%s: query %q reads no metric", file, q))
			}
			for _, n := range names {
				if !served[n] && !slices.Contains(scrapeGenerated, n) {
					out = append(out, fmt.Sprintf("%s: query %q reads %s, which /metrics does not serve", file, q, n))
				}
			}
		}
	}
	return out
}

// exerciseRTR makes the RTR series the dashboard shows exist: a router
// syncs, a second connection sends a PDU of unknown type (an Error Report
// answers it) and a third is over the daemon's limit of two sessions.
func exerciseRTR(t *testing.T, addr string) {
	t.Helper()
	c, err := rtrclient.Dial(addr, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SendReset(); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	bad, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	over, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer over.Close()
	over.SetReadDeadline(time.Now().Add(rtrWait))
	io.Copy(io.Discard, over) // the daemon closes it
	bad.Write([]byte{2, 255, 0, 0, 0, 0, 0, 8})
	bad.SetReadDeadline(time.Now().Add(rtrWait))
	io.Copy(io.Discard, bad) // the Error Report, then the close
}

// seriesNames returns the metric name of every sample line of a text
// exposition (histogram series as name_bucket, name_sum, name_count).
func seriesNames(exposition string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(exposition, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	return names
}

// The parts of a PromQL query that are not metric names: strings, label
// matchers, ranges, grouping label lists, Grafana variables; then words
// that are functions (followed by "("), keywords or numbers.
var (
	promStrings  = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	promMatchers = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	grafanaVar   = regexp.MustCompile(`\$\{?\w+\}?`)
	promWord     = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*\s*\(?|[0-9][A-Za-z0-9_.]*`)
	promKeywords = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
		"group_left", "group_right", "inf", "nan", "Inf", "NaN"}
	labelValues = regexp.MustCompile(`label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,`)
)

// metricNames returns the metric names a PromQL query (or a Grafana
// label_values() variable query) reads.
func metricNames(query string) []string {
	if m := labelValues.FindStringSubmatch(query); m != nil {
		return []string{m[1]}
	}
	q := grafanaVar.ReplaceAllString(query, "")
	q = promStrings.ReplaceAllString(q, `""`)
	q = promMatchers.ReplaceAllString(q, " ")
	q = promGrouping.ReplaceAllString(q, " ")
	var names []string
	for _, w := range promWord.FindAllString(q, -1) {
		w = strings.TrimSpace(w)
		if w[0] >= '0' && w[0] <= '9' || strings.HasSuffix(w, "(") || slices.Contains(promKeywords, w) {
			continue
		}
		names = append(names, w)
	}
	return names
}

func TestMetricNames(t *testing.T) {
	for q, want := range map[string]string{
		`max(rpki_data_age_seconds{instance=~"$instance"})`:                                              "rpki_data_age_seconds",
		`count(rpki_repository_up{instance=~"$instance"} == 0) or vector(0)`:                             "rpki_repository_up",
		`histogram_quantile(0.9, sum by (le) (rate(rpki_run_duration_seconds_bucket{a="b"}[6h])))`:       "rpki_run_duration_seconds_bucket",
		`rate(a_sum[1h]) / on (instance) group_left rate(a_count[$__rate_interval])`:                     "a_sum a_count",
		`topk(10, time() - rpki_repository_last_success_timestamp_seconds{instance=~"$instance"}) > 2e3`: "rpki_repository_last_success_timestamp_seconds",
		`up{job="rpki-validator"} == 0`:                                                                  "up",
		`label_values(rpki_serial, instance)`:                                                            "rpki_serial",
		`sum without (ta) (rpki_vrps) offset 5m unless rpki_x`:                                           "rpki_vrps rpki_x",
	} {
		if got := strings.Join(metricNames(q), " "); got != want {
			t.Errorf("metricNames(%q) = %q, want %q", q, got, want)
		}
	}
}

// dashboardQueries returns the PromQL of every panel (rows' nested panels
// included) and every query variable of the dashboard.
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	var d struct {
		Panels     []dashboardPanel `json:"panels"`
		Templating struct {
			List []struct {
				Type       string `json:"type"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	readDeployFile(t, "deploy/grafana/dashboard.json", func(b []byte) error { return json.Unmarshal(b, &d) })
	var qs []string
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				qs = append(qs, tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			qs = append(qs, v.Definition)
		}
	}
	return qs
}

type dashboardPanel struct {
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"`
}

// alertQueries returns the expression of every rule in the alert rules.
func alertQueries(t *testing.T) []string {
	t.Helper()
	var rules struct {
		Groups []struct {
			Rules []struct {
				Expr string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	readDeployFile(t, "deploy/prometheus/alerts.yml", func(b []byte) error { return yaml.Unmarshal(b, &rules) })
	var qs []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			qs = append(qs, r.Expr)
		}
	}
	return qs
}

// readDeployFile reads a file of the module (two levels above this
// package) and decodes it.
func readDeployFile(t *testing.T, rel string, decode func([]byte) error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := decode(b); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}
