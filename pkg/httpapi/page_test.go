package httpapi

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/validate"
)

// labState validates a small lab for real and returns the state the
// daemon would publish, with the scheduler's repository health.
func labState(t *testing.T) *state.State {
	t.Helper()
	st, _ := labRun(t)
	return st
}

// labRun is labState with the lab.
func labRun(t *testing.T) (*state.State, *lab.Lab) {
	t.Helper()
	cfg := lab.Config{Preset: "small", Seed: 81, PrimesFile: filepath.Join(os.TempDir(), "validator-lab-test-primes.txt")}
	l, srv, err := lab.Launch(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	src, err := fetch.OpenSource(t.TempDir(), fetch.SourceOptions{CACert: l.CAFile(), Options: fetch.Options{AllowDubiousHosts: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	tals, err := tal.LoadDir(l.TALDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := validate.New(validate.Options{Source: validate.SourceOf[*fetch.Session](src)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	table, rep, err := e.Run(ctx, tals)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.VRPs) == 0 || len(rep.TAs) == 0 {
		t.Fatalf("lab validated to %d VRPs, %d TAs", len(table.VRPs), len(rep.TAs))
	}
	return testState(stateOf{Table: table, Result: rep, Serial: 3, Updated: time.Now(), Repositories: src.Scheduler().Health()}), l
}

// chromium runs headless Chromium with args and the URL, returning its
// standard output. It fails the test if Chromium is absent (scripts/test
// installs it).
func chromium(t *testing.T, url string, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not installed (apt-get install chromium): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), url)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// TestStatusPageChromium renders the status page of a real validation in
// headless Chromium and checks the DOM shows the counts, the TAs and the
// repository in trouble; it also takes a screenshot and checks it is a
// real image.
func TestStatusPageChromium(t *testing.T) {
	st := labState(t)
	if len(st.Repositories) == 0 {
		t.Fatal("the lab run reported no repository fetch")
	}
	// One repository in trouble, as a failing mirror would report it.
	st.Repositories = append([]report.Repository{{URI: "rsync://mirror.invalid/repo/", Transport: "rsync", Outcome: "failed",
		Failing: true, Failures: 1, LastAttempt: time.Now(), LastError: "rsync: connection refused"}}, st.Repositories...)
	srv := httptest.NewServer(New(Options{State: func() *state.State { return st }, Version: "test-1"}))
	defer srv.Close()

	dom := string(chromium(t, srv.URL+"/status", "--dump-dom"))
	want := map[string]string{
		"vrps":        fmt.Sprint(len(st.Table.VRPs)),
		"aspas":       fmt.Sprint(len(st.Table.ASPAs)),
		"router-keys": fmt.Sprint(len(st.Table.RouterKeys)),
		"rejected":    fmt.Sprint(len(st.Report.Rejected)),
		"troubled":    "1",
		"serial":      "3",
		"state":       "fresh",
	}
	for id, w := range want {
		re := regexp.MustCompile(`id="` + id + `"[^>]*>([^<]*)<`)
		m := re.FindStringSubmatch(dom)
		if m == nil || m[1] != w {
			t.Errorf("element #%s: %q, want %q", id, m, w)
		}
	}
	for _, ta := range st.Report.TAs {
		re := regexp.MustCompile(`data-ta="` + regexp.QuoteMeta(ta.Name) + `"><td>[^<]*</td><td class="n vrps">(\d+)<`)
		if m := re.FindStringSubmatch(dom); m == nil || m[1] != fmt.Sprint(ta.VRPs) {
			t.Errorf("TA %s: VRPs cell %q, want %d", ta.Name, m, ta.VRPs)
		}
	}
	if !strings.Contains(dom, "rsync://mirror.invalid/repo/") || !strings.Contains(dom, "rsync: connection refused") {
		t.Error("the repository in trouble is not shown")
	}
	if n := strings.Count(dom, `class="repo"`); n != 1 {
		t.Errorf("%d repositories in trouble shown, want 1 (the lab's fetched fine)", n)
	}
	if !regexp.MustCompile(`data-type="roa"><td>roa</td><td class="n">\d+</td>`).MatchString(dom) {
		t.Error("object counts lack the ROA row")
	}
	if !strings.Contains(dom, `id="health" class="health bad"`) || !strings.Contains(dom, "repositories failing") ||
		strings.Contains(dom, "All trust anchors validated") {
		t.Error("with a repository in trouble, the page does not say it needs attention")
	}
	if !strings.Contains(dom, `<form action="/lookup"`) || !strings.Contains(dom, `value="explain"`) {
		t.Error("the lookup form is missing")
	}

	checkLabData(t, srv, st.Table)

	shot := filepath.Join(t.TempDir(), "status.png")
	chromium(t, srv.URL+"/", "--screenshot="+shot, "--window-size=1200,1600", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1200 {
		t.Fatalf("screenshot: %v, %dx%d", err, cfg.Width, cfg.Height)
	}
	if keep := os.Getenv("HTTPAPI_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(keep, b, 0o644)
	}
}

// checkLabData reads /json of the lab view back (gzipped, as a client
// would) and validates one of its VRPs' routes over HTTP.
func checkLabData(t *testing.T, srv *httptest.Server, table *payload.Table) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+"/json", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	srv.Client().Transport.(*http.Transport).DisableCompression = true
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	set, err := payload.ReadJSON(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !payload.NewSnapshot(set).Equal(payload.NewSnapshot(table.Set())) {
		t.Fatalf("/json read back differs from the run: %d VRPs, want %d", len(set.VRPs), len(table.VRPs))
	}
	x := table.VRPs[len(table.VRPs)/2]
	for _, y := range table.VRPs {
		if y.ASN != 0 { // an AS 0 VRP makes its routes invalid
			x = y
			break
		}
	}
	resp2, err := srv.Client().Get(fmt.Sprintf("%s/api/v1/validity/AS%d/%s", srv.URL, x.ASN, x.Prefix()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	var ans singleAnswer
	if err := json.NewDecoder(resp2.Body).Decode(&ans); err != nil || ans.ValidatedRoute.Validity.State != StateValid {
		t.Fatalf("validity of %v: %v %+v", x, err, ans)
	}
}

// TestStatusPageChromiumTrouble renders in Chromium the page of a daemon
// whose first run failed (the TA's certificate refused as a dubious host)
// while its next run is in progress and a router is connected: the page
// must say what is wrong, never that everything succeeded.
func TestStatusPageChromiumTrouble(t *testing.T) {
	st := failedFirstRun()
	srv := httptest.NewServer(New(Options{State: func() *state.State { return st }, Version: "test-1",
		Progress: func() RunProgress {
			return RunProgress{Running: true, Start: time.Now().Add(-20 * time.Second), CAs: 3, Points: 2, Objects: 40}
		},
		Sessions: func() []SessionStatus {
			return []SessionStatus{{Peer: "192.0.2.1:50000", Negotiated: true, Version: 1, ConnectedSince: time.Now()}}
		}}))
	defer srv.Close()
	dom := string(chromium(t, srv.URL+"/", "--dump-dom"))
	for _, want := range []string{`id="health" class="health bad"`, "trust anchor ta1 failed: fetching TA certificate: fetch: dubious URI refused",
		"the last validation run failed", "1 of 1 repositories failing", `id="run-error"`, `id="progress-cas">3<`,
		`class="session"><td>192.0.2.1:50000</td><td class="n">1</td>`, "No validation run has succeeded yet",
		`class="err">failed: fetching TA certificate`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, lie := range []string{"All trust anchors validated", "every repository's last fetch succeeded", "every publication point was used"} {
		if strings.Contains(dom, lie) {
			t.Errorf("the page says %q after a failed run", lie)
		}
	}
	if n := strings.Count(dom, `class="repo"`); n != 1 {
		t.Errorf("%d repositories in trouble shown, want 1", n)
	}
}

// TestStatusPageLinksAnswer: every link of the status page to this server
// answers 200 (a format renamed once left a link to a 404).
func TestStatusPageLinksAnswer(t *testing.T) {
	st := labState(t)
	srv := httptest.NewServer(New(Options{State: func() *state.State { return st }, Version: "test-1",
		Metrics: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "# metrics") })}))
	defer srv.Close()
	_, page := get(t, srv, "GET", "/status", nil)
	links := regexp.MustCompile(`href="(/[^"#?]*)"`).FindAllStringSubmatch(string(page), -1)
	if len(links) < 6 {
		t.Fatalf("%d links on the page", len(links))
	}
	for _, l := range links {
		resp, err := http.Get(srv.URL + l[1])
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("link %s: %s", l[1], resp.Status)
		}
	}
}
