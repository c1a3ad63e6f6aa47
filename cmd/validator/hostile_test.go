package main

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
)

// The attacks of a hostile CA or trust anchor server (the lab's attack
// faults), observed as an operator and a router would: through validator
// vrps, validator run's HTTP API and metrics, and RTR. Each ends with every
// honest CA's payload served and the attack named in the log.

// expectedSnapshot is the lab's expected output now.
func expectedSnapshot(t *testing.T, l *lab.Lab) *payload.Snapshot {
	t.Helper()
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	return payload.NewSnapshot(want)
}

// servedSnapshot is what the daemon serves at /json.
func servedSnapshot(t *testing.T, base string) *payload.Snapshot {
	t.Helper()
	code, body := get(t, base+"/json")
	if code != 200 {
		t.Fatalf("/json: %d", code)
	}
	table, err := payload.ReadTable(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return payload.NewSnapshot(table.Set())
}

// waitServed waits until /json serves want; it fails after a minute.
func waitServed(t *testing.T, base string, want *payload.Snapshot, log *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := servedSnapshot(t, base)
		if got.Equal(want) {
			return
		}
		if time.Now().After(deadline) {
			d := payload.Construct(want, got)
			t.Fatalf("/json never served the expected output: %d VRPs missing, %d extra\n%s",
				len(d.WithdrawnVRPs), len(d.AnnouncedVRPs), log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// metric sums the samples of a Prometheus metric whose line holds label
// ("" for any).
func metric(t *testing.T, base, name, label string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics")
	sum := 0.0
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name) || !strings.Contains(line, label) {
			continue
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); err == nil && (fields[0] == name || strings.HasPrefix(fields[0], name+"{")) {
			sum += v
		}
	}
	return sum
}

// waitRuns waits until the daemon has completed n more validation runs.
func waitRuns(t *testing.T, base string, n int) {
	t.Helper()
	start := metric(t, base, "rpki_runs_total", "")
	deadline := time.Now().Add(time.Minute)
	for metric(t, base, "rpki_runs_total", "") < start+float64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not complete %d more runs in a minute", n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// rtrSynced opens an RTR session and completes a Reset Query.
func rtrSynced(t *testing.T, addr string) *rtrclient.Client {
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
	return c
}

// waitRTR follows Serial Notifies until the router holds want; it fails
// after a minute.
func waitRTR(t *testing.T, c *rtrclient.Client, want *payload.Snapshot) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !c.Table().Equal(want) {
		if time.Now().After(deadline) {
			d := payload.Construct(want, c.Table())
			t.Fatalf("the router never got the expected output: %d VRPs missing, %d extra", len(d.WithdrawnVRPs), len(d.AnnouncedVRPs))
		}
		if _, err := c.WaitNotify(time.Until(deadline)); err != nil {
			continue // no Serial Notify before the deadline: say what differs
		}
		if err := c.SendSerial(); err != nil {
			t.Fatal(err)
		}
		if err := c.Sync(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

// TestShadowRepository runs the daemon on a lab where a CA publishes, from
// its own RRDP server, a validly signed manifest numbered 2^150 at another
// CA's URIs (fault shadow-repo), then has the victim issue its next
// routine manifest: the victim's VRPs stay served over HTTP and RTR, run
// after run, and the log names both CAs.
func TestShadowRepository(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 51, Faults: []string{"shadow-repo"}})
	rtrAddr, base, log := startDaemonLog(t, append(labFlags(l, t.TempDir()), "--refresh", "1s", "--rrdp-poll", "0")...)
	want := expectedSnapshot(t, l)
	waitServed(t, base, want, log)
	c := rtrSynced(t, rtrAddr)
	if !c.Table().Equal(want) {
		t.Fatal("RTR table differs from the lab's expected output")
	}
	name, err := l.Publish() // the victim's next manifest, and one change
	if err != nil {
		t.Fatal(err)
	}
	want = expectedSnapshot(t, l)
	waitRTR(t, c, want)
	waitRuns(t, base, 2)
	if got := servedSnapshot(t, base); !got.Equal(want) || !c.Table().Equal(want) {
		t.Fatalf("after %s and two more runs the served output differs from the lab's expected", name)
	}
	if text := log.String(); !strings.Contains(text, "shadow repository") || !strings.Contains(text, "-shadow.cer") {
		t.Fatalf("no log line names the shadowing CA:\n%s", text)
	}
}

// TestTAReplay runs the daemon on a lab whose last trust anchor serves,
// from the first publish on, an older certificate that lacks its IPv6
// space (fault ta-replay): the older one is refused, counted and logged,
// and the output stays whole.
func TestTAReplay(t *testing.T) {
	l := launchLab(t, lab.Config{Preset: "multi", Seed: 52, Faults: []string{"ta-replay"}})
	ta := l.Plan.CAs[l.Plan.TARoots[len(l.Plan.TARoots)-1]].Name
	rtrAddr, base, log := startDaemonLog(t, append(labFlags(l, t.TempDir()), "--refresh", "1s", "--rrdp-poll", "0")...)
	waitServed(t, base, expectedSnapshot(t, l), log)
	c := rtrSynced(t, rtrAddr)
	if _, err := l.Publish(); err != nil {
		t.Fatal(err)
	}
	want := expectedSnapshot(t, l)
	waitServed(t, base, want, log)
	waitRTR(t, c, want)
	deadline := time.Now().Add(time.Minute)
	for metric(t, base, "rpki_ta_replays_total", `ta="`+ta+`"`) < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("no replay of %s counted in a minute\n%s", ta, log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	waitRuns(t, base, 1)
	if got := servedSnapshot(t, base); !got.Equal(want) {
		t.Fatal("after the replay was refused, the served output differs from the lab's expected")
	}
	text := log.String()
	if !strings.Contains(text, "refused as a replay") || !strings.Contains(text, ta) {
		t.Fatalf("no log line names the replayed trust anchor %s:\n%s", ta, text)
	}
	if _, status := get(t, base+"/api/v1/status"); !strings.Contains(status, "refused as a replay") {
		t.Fatalf("status does not show the refused replay: %.2000s", status)
	}
}

// TestVRPsStalledTA runs validator vrps on a lab whose last trust
// anchor's certificate server sends headers and then nothing (fault
// ta-stall): it ends within two minutes, exits non-zero naming that trust
// anchor, and prints the other trust anchors' whole output.
func TestVRPsStalledTA(t *testing.T) {
	l := launchLab(t, lab.Config{Preset: "multi", Seed: 53, Faults: []string{"ta-stall"}})
	ta := l.Plan.CAs[l.Plan.TARoots[len(l.Plan.TARoots)-1]].Name
	var stdout, stderr lockedBuffer
	args := append([]string{"vrps", "--format", "json"}, labFlags(l, t.TempDir())...)
	start := time.Now()
	exit := make(chan int, 1)
	go func() { exit <- dispatch(args, &stdout, &stderr) }()
	var code int
	select {
	case code = <-exit:
	case <-time.After(2 * time.Minute):
		t.Fatalf("validator vrps still running after 2 minutes with a stalled trust anchor\n%s", stderr.String())
	}
	t.Logf("validator vrps ended in %v with exit %d", time.Since(start).Round(time.Second), code)
	if code == 0 || !strings.Contains(stderr.String(), "trust anchor "+ta+" produced nothing") {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	got, err := payload.ReadJSON(strings.NewReader(stdout.String()))
	if err != nil {
		t.Fatal(err)
	}
	if want := expectedSnapshot(t, l); !want.Equal(payload.NewSnapshot(got)) || len(got.VRPs) == 0 {
		t.Fatalf("output differs from the other trust anchors' (%d VRPs, want %d)", len(got.VRPs), len(want.VRPs))
	}
}

// TestDaemonStalledTA runs the daemon on the ta-stall lab: the other
// trust anchors' data is served, the stalled one is named in the status
// and the log, and the loop keeps running (a stalled server froze it).
func TestDaemonStalledTA(t *testing.T) {
	l := launchLab(t, lab.Config{Preset: "multi", Seed: 53, Faults: []string{"ta-stall"}})
	ta := l.Plan.CAs[l.Plan.TARoots[len(l.Plan.TARoots)-1]].Name
	_, base, log := startDaemonLog(t, append(labFlags(l, t.TempDir()), "--rrdp-poll", "300ms", "--refresh", "3s")...)
	if want, got := expectedSnapshot(t, l), servedSnapshot(t, base); !want.Equal(got) || len(got.VRPs) == 0 {
		t.Fatalf("served %d VRPs, want the other trust anchors' %d", len(got.VRPs), len(want.VRPs))
	}
	named := false
	for _, a := range status(t, base).TAs {
		named = named || a.Name == ta && a.Error != ""
	}
	if !named || !strings.Contains(log.String(), ta) {
		t.Fatalf("trust anchor %s not named as failing:\n%s", ta, log.String())
	}
	start, deadline := runs(t, base), time.Now().Add(2*time.Minute)
	for runs(t, base) < start+3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d runs in 2 minutes after the first with a stalled trust anchor", runs(t, base)-start)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
