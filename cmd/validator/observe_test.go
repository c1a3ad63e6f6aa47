package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/report"
)

// faultWords are words the reason of each lab fault's rejection must
// hold: the reason names the fault.
var faultWords = map[string]string{
	"bad-cms-signature": "signature does not verify",
	"revoked-ee":        "revoked",
	"roa-outside-ee":    "not covered by the EE certificate",
	"mft-hash-mismatch": "does not match its manifest hash",
	"missing-file":      "listed on the manifest but missing",
	"expired-manifest":  "mft: rfc 9286 §5.1: thisupdate..nextupdate",
	"stale-crl":         "crl",
	"over-claiming-ca":  "not held by the issuer",
	"expired-ca":        "expired",
}

// checkFaultsListed checks that every fault of the lab shows in the list
// with its URI and a reason naming it.
func checkFaultsListed(t *testing.T, l *lab.Lab, list report.Rejections) {
	t.Helper()
	faulted := l.Faulted()
	if len(faulted) != len(faultWords) {
		t.Fatalf("the lab reports %d faults, the test knows %d: %+v", len(faulted), len(faultWords), faulted)
	}
	reasons := map[string]string{}
	for _, o := range list.Objects {
		reasons[o.URI] = o.Reason
		if o.TA == "" || !strings.HasPrefix(o.CA, "rsync://") || !strings.HasSuffix(o.CA, ".cer") {
			t.Errorf("rejected %s: TA %q, issuing CA %q", o.URI, o.TA, o.CA)
		}
	}
	for _, p := range list.Points {
		reasons[p.URI] = p.Reason
	}
	for _, f := range faulted {
		reason, ok := reasons[f.URI]
		if !ok {
			t.Errorf("fault %s: %s is not listed", f.Fault, f.URI)
			continue
		}
		if !strings.Contains(strings.ToLower(reason), strings.ToLower(faultWords[f.Fault])) {
			t.Errorf("fault %s: %s rejected for %q, which does not say %q", f.Fault, f.URI, reason, faultWords[f.Fault])
		}
	}
}

// TestVRPsNamesTheDubiousHostFlag: on a lab (served on 127.0.0.1 with
// ports) without --allow-dubious-hosts, vrps exits non-zero and names the
// trust anchor, the cause and the flag.
func TestVRPsNamesTheDubiousHostFlag(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 35})
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"vrps", "--tal-dir", l.TALDir(), "--cache", t.TempDir(), "--ca-cert", l.CAFile(),
		"--log-level", "error"}, &stdout, &stderr)
	msg := stderr.String()
	if code == 0 || !strings.Contains(msg, "validator vrps: trust anchor ta0 produced nothing") ||
		!strings.Contains(msg, "dubious") || !strings.Contains(msg, "--allow-dubious-hosts") {
		t.Fatalf("exit %d, stderr:\n%s", code, msg)
	}
}

// TestVRPsCauseOfAnEmptyTA names a fetch failure and a key mismatch.
func TestVRPsCauseOfAnEmptyTA(t *testing.T) {
	for _, tc := range []struct {
		rep  report.Run
		want string
	}{
		{report.Run{TAs: []report.TA{{Name: "a", Error: "fetching TA certificate: https://x/ta.cer: connection refused"}}},
			"trust anchor a produced nothing: its certificate could not be fetched: fetching TA certificate: https://x/ta.cer: connection refused"},
		{report.Run{TAs: []report.TA{{Name: "b", Error: "TA certificate from https://x/ta.cer: RFC 8630 §3: TA certificate key differs from the TAL's"}}},
			"does not carry the TAL's key (RFC 8630 §3)"},
		{report.Run{TAs: []report.TA{{Name: "c", CAs: 3}}, Points: []report.Point{{TA: "c", URI: "rsync://x/1/", Outcome: report.Failed,
			Reason: fetch.ErrDubious.Error() + ": rsync://127.0.0.1:873/1/: IP literal"}}}, "refused as dubious hosts"},
		{report.Run{TAs: []report.TA{{Name: "d", CAs: 3, Points: 2}}, FreshPoints: 1, Points: []report.Point{
			{TA: "d", URI: "rsync://x/2/", Outcome: report.Failed, Reason: "RFC 9286 §6.3: stale"}}}, "1 of its 2 publication points failed (first: rsync://x/2/: RFC 9286 §6.3: stale)"},
		{report.Run{TAs: []report.TA{{Name: "e", VRPs: 1}, {Name: "f", ASPAs: 1}}}, ""},
	} {
		err := emptyTAs(&tc.rep)
		if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.rep.TAs, err, tc.want)
		}
	}
}

// TestVRPsReport writes the rejected objects and failed points of a lab
// carrying every fault: each fault is listed with its URI and a reason
// naming it.
func TestVRPsReport(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 36, Faults: []string{"all"}})
	file := filepath.Join(t.TempDir(), "rejected.json")
	var stdout, stderr bytes.Buffer
	args := append([]string{"vrps", "--report", file}, labFlags(l, t.TempDir())...)
	if code := dispatch(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := report.ReadRejections(f)
	if err != nil {
		t.Fatal(err)
	}
	checkFaultsListed(t, l, list)
	if list.Objects[0].FirstSeen.IsZero() || list.RunEnd.IsZero() {
		t.Errorf("first seen %v, run end %v", list.Objects[0].FirstSeen, list.RunEnd)
	}
}

// metricValue reads one sample of the daemon's /metrics.
func metricValue(t *testing.T, base, series string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics lacks %s", series)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// runs counts the daemon's finished runs (full and polls).
func runs(t *testing.T, base string) int {
	return int(metricValue(t, base, `rpki_runs_total{result="ok"}`) + metricValue(t, base, `rpki_runs_total{result="error"}`))
}

func status(t *testing.T, base string) httpapi.Status {
	t.Helper()
	_, body := get(t, base+"/api/v1/status")
	var s httpapi.Status
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDaemonShowsWhy runs the daemon on a lab carrying every fault: each
// fault is in /api/v1/rejected with its URI and a reason naming it, and
// /api/v1/explain gives a ROA's chain for a route it covers. Then the
// lab's server stops: within one poll the status and the page show the
// repositories failing, and the log has a WARN line for each.
func TestDaemonShowsWhy(t *testing.T) {
	cfg := lab.Config{Preset: "small", Seed: 37, Faults: []string{"all"}, PrimesFile: filepath.Join(os.TempDir(), "validator-lab-test-primes.txt")}
	l, srv, err := lab.Launch(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	_, base, log := startDaemonLog(t, append(labFlags(l, t.TempDir()), "--rrdp-poll", "300ms", "--log-level", "info")...)

	code, body := get(t, base+"/api/v1/rejected")
	list, err := report.ReadRejections(strings.NewReader(body))
	if code != 200 || err != nil {
		t.Fatalf("/api/v1/rejected: %d %v", code, err)
	}
	checkFaultsListed(t, l, list)
	if code, body := get(t, base+"/api/v1/rejected?type=roa&reason=signature"); code != 200 || !strings.Contains(body, "signature does not verify") ||
		strings.Contains(body, "revoked") {
		t.Errorf("filtered: %d %.500s", code, body)
	}
	if code, _ := get(t, base+"/api/v1/rejected?typo=roa"); code != 400 {
		t.Errorf("unknown parameter: %d", code)
	}
	if !strings.Contains(log.String(), `"object rejected"`) && !strings.Contains(log.String(), "object rejected") {
		t.Errorf("no WARN line for the rejected objects:\n%s", log.String())
	}
	checkExplain(t, l, base)

	s := status(t, base)
	if s.Healthy || s.Troubled != 0 || len(s.Rejected) != len(list.Objects) {
		t.Errorf("before the stop: healthy %v (want false: failed points), %d repositories in trouble, %d rejected shown",
			s.Healthy, s.Troubled, len(s.Rejected))
	}
	// Watch while the server stops (its listeners close first, then it
	// waits for the rsync daemon): the run count when the failing
	// repositories first show.
	atStop := runs(t, base)
	shownAt := make(chan int, 1)
	go func() {
		shown := -1
		defer func() { shownAt <- shown }() // also when a helper's t.Fatal ends this goroutine
		deadline := time.Now().Add(time.Minute)
		for time.Now().Before(deadline) {
			n := runs(t, base)
			if status(t, base).Troubled > 0 {
				shown = n
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	srv.Close()
	shown := <-shownAt
	if shown < 0 {
		t.Fatalf("the stopped repositories never show as failing\n%s", log.String())
	}
	if shown > atStop+2 {
		t.Errorf("failing shown after %d runs, want within one poll (the run going on when the server stopped, then one)", shown-atStop)
	}
	s = status(t, base)
	if !strings.Contains(strings.Join(s.Problems, "\n"), "repositories failing") {
		t.Errorf("problems %v", s.Problems)
	}
	_, page := get(t, base+"/")
	if !strings.Contains(page, `class="health bad"`) || !strings.Contains(page, `class="repo"`) || !strings.Contains(page, "repositories failing") {
		t.Errorf("the page does not show the failing repositories")
	}
	if !regexp.MustCompile(`WARN\s+validator\s+repository failing`).MatchString(log.String()) {
		t.Errorf("no WARN line for the failing repositories:\n%s", log.String())
	}
	t.Logf("%d repositories failing after the stop, shown %d runs after it began", s.Troubled, shown-atStop)
}

// checkExplain explains a route of the lab covered by a ROA.
func checkExplain(t *testing.T, l *lab.Lab, base string) {
	t.Helper()
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	v := want.VRPs[len(want.VRPs)/2]
	code, body := get(t, fmt.Sprintf("%s/api/v1/explain/AS%d/%s", base, v.ASN, v.Prefix()))
	var ans httpapi.ExplainAnswer
	if err := json.Unmarshal([]byte(body), &ans); err != nil || code != 200 {
		t.Fatalf("explain: %d %v %.300s", code, err, body)
	}
	for _, e := range ans.VRPs {
		if e.Effect != "matched" || e.Source == nil {
			continue
		}
		c := e.Source.Chain
		if strings.HasSuffix(e.Source.URI, ".roa") && strings.HasPrefix(e.Source.URI, l.Config.Endpoints.Rsync) &&
			len(c) >= 2 && c[len(c)-1].TrustAnchor && strings.HasSuffix(e.Source.Manifest, ".mft") {
			return
		}
		t.Fatalf("explained source %+v", e.Source)
	}
	t.Fatalf("no matched VRP with a source for AS%d %s: %.1000s", v.ASN, v.Prefix(), body)
}

// TestDaemonQuietWhenNothingChanges runs the daemon on an unchanging lab
// for many polls, a full run every 20 polls as at the defaults (refresh
// 10m, RRDP poll 30s), and bounds its INFO lines scaled to a day at the
// defaults: under 200.
func TestDaemonQuietWhenNothingChanges(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 38})
	_, base, log := startDaemonLog(t, append(labFlags(l, t.TempDir()), "--refresh", "4s", "--rrdp-poll", "200ms",
		"--log-level", "info")...)
	start, startLines := runs(t, base), strings.Count(log.String(), "\tINFO\t")
	deadline := time.Now().Add(2 * time.Minute)
	for runs(t, base) < start+60 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d runs in 2 minutes", runs(t, base)-start)
		}
		time.Sleep(200 * time.Millisecond)
	}
	n := runs(t, base) - start
	out := log.String()
	lines := strings.Count(out, "\tINFO\t") - startLines
	const runsPerDay = 24*60*2 + 24*6 // polls every 30 s, full runs every 10 minutes
	perDay := float64(lines) * runsPerDay / float64(n)
	t.Logf("%d INFO lines over %d runs: %.0f a day at the defaults", lines, n, perDay)
	if perDay >= 200 {
		t.Errorf("%d INFO lines over %d runs, %.0f a day at the defaults (want < 200):\n%s", lines, n, perDay, out)
	}
	if strings.Contains(out, "\tWARN\t") {
		t.Errorf("WARN lines on a healthy lab:\n%s", out)
	}
}
