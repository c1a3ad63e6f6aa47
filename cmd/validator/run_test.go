package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/payload"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startDaemon runs `validator run` on a lab until the test ends.
func startDaemon(t *testing.T, l *lab.Lab, extra ...string) (rtrAddr, httpURL string) {
	t.Helper()
	return startDaemonWith(t, append(labFlags(l, t.TempDir()), extra...)...)
}

// startDaemonWith runs `validator run` with args (and listeners on free
// loopback ports) until the test ends; it returns once it is ready.
func startDaemonWith(t *testing.T, extra ...string) (rtrAddr, httpURL string) {
	t.Helper()
	rtrAddr, httpURL, _ = startDaemonLog(t, extra...)
	return rtrAddr, httpURL
}

// startDaemonLog is startDaemonWith, returning the daemon's log too.
func startDaemonLog(t *testing.T, extra ...string) (rtrAddr, httpURL string, log *lockedBuffer) {
	t.Helper()
	rtrAddr, httpAddr := freeAddr(t), freeAddr(t)
	args := []string{"--rtr-listen", rtrAddr, "--http-listen", httpAddr}
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedBuffer{}
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		if code := runDaemonContext(ctx, append(args, extra...), io.Discard, stderr); code != 0 {
			t.Errorf("daemon exit %d\n%s", code, stderr.String())
		}
	}()
	t.Cleanup(func() { cancel(); <-exited })
	httpURL = "http://" + httpAddr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if resp, err := http.Get(httpURL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return rtrAddr, httpURL, stderr
			}
		}
		select {
		case <-exited:
			t.FailNow() // the goroutine reported why
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon not ready in time\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for the daemon's logger and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestDaemonEndToEnd starts the daemon on the lab, waits until it is
// ready, queries every endpoint, checks that an RTR client gets the lab's
// table, then publishes a lab change and measures how long the new ROA
// takes to reach the RTR client.
func TestDaemonEndToEnd(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 33})
	rtrAddr, base := startDaemon(t, l, "--rrdp-poll", "500ms")
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	checkEndpoints(t, base, want)

	c, err := rtrclient.Dial(rtrAddr, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendReset(); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	if !c.Table().Equal(payload.NewSnapshot(want)) {
		t.Fatalf("RTR table differs from the lab's expected output")
	}
	checkSessionShown(t, base, c.Serial)

	// Publish until a change alters the payload (a manifest re-issue does not).
	var name string
	start := time.Now()
	for {
		if name, err = l.Publish(); err != nil {
			t.Fatal(err)
		}
		if name == "add-roa" {
			break
		}
	}
	if want, err = l.Expected(); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	for !c.Table().Equal(payload.NewSnapshot(want)) {
		if time.Since(published) > time.Minute {
			t.Fatal("the router never got the published change")
		}
		if _, err := c.WaitNotify(time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := c.SendSerial(); err != nil {
			t.Fatal(err)
		}
		if err := c.Sync(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("publication to router: %v (after %s; %v including the lab's publish)",
		time.Since(published).Round(time.Millisecond), name, time.Since(start).Round(time.Millisecond))
}

// checkEndpoints queries every HTTP endpoint of a ready daemon.
func checkEndpoints(t *testing.T, base string, want payload.Set) {
	t.Helper()
	code, body := get(t, base+"/json")
	if code != http.StatusOK {
		t.Fatalf("/json: %d", code)
	}
	table, err := payload.ReadTable(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if !payload.NewSnapshot(table.Set()).Equal(payload.NewSnapshot(want)) {
		t.Fatal("/json differs from the lab's expected output")
	}
	for _, name := range output.Formats() {
		if code, body := get(t, base+"/"+name); code != http.StatusOK || (body == "") != (name == "none") {
			t.Errorf("/%s: %d with %d bytes", name, code, len(body))
		}
	}
	v := want.VRPs[0]
	asn := "AS" + itoa(v.ASN)
	for path, wantText := range map[string]string{
		"/csv":                   asn + "," + v.Prefix().String(),
		"/csv?select-asn=" + asn: asn + "," + v.Prefix().String(),
		"/openbgpd":              "roa-set {",
		"/rpki-client-bird":      "roa4 table ROAS4;",
		"/json-delta":            `"reset": true`,
		"/json-delta/notify":     `"serial": `,
		"/validity?asn=" + asn + "&prefix=" + v.Prefix().String(): `"state": "valid"`,
		"/api/v1/status": `"has_data": true`,
		"/healthz":       "ok",
		"/readyz":        "ready",
		"/version":       `"version"`,
		"/":              "<html",
		"/metrics":       "rpki_last_update_timestamp_seconds",
		"/api/v1/validity/" + asn + "/" + v.Prefix().String(): `"state": "valid"`,
	} {
		code, body := get(t, base+path)
		if code != http.StatusOK || !strings.Contains(body, wantText) {
			t.Errorf("%s: %d, want 200 with %q; got %.300s", path, code, wantText, body)
		}
	}
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// TestDaemonRelativePaths starts the daemon with a relative --cache (taken
// from the working directory) and a configuration file whose paths are
// relative to its own folder; it must validate the lab. (A relative cache
// used to stop it at once: rsync wants an absolute root.)
func TestDaemonRelativePaths(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 34})
	cfgDir, work := t.TempDir(), t.TempDir()
	talDir, err := filepath.Rel(cfgDir, l.TALDir())
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := filepath.Rel(cfgDir, l.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(cfgDir, "validator.yaml")
	yaml := "tal_dir: " + talDir + "\nfetch:\n  ca_cert: " + caCert + "\n  allow_dubious_hosts: true\nlog:\n  level: warn\n"
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	_, base := startDaemonWith(t, "--config", cfgFile, "--cache", "relative-dir")
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	checkEndpoints(t, base, want)
	if entries, err := os.ReadDir(filepath.Join(work, "relative-dir")); err != nil || len(entries) == 0 {
		t.Fatalf("cache not in the working directory's relative-dir: %v, %d entries", err, len(entries))
	}
}

// checkSessionShown checks /api/v1/status lists the one connected router,
// synced at serial.
func checkSessionShown(t *testing.T, base string, serial uint32) {
	t.Helper()
	_, body := get(t, base+"/api/v1/status")
	var st struct {
		Sessions []struct {
			Peer    string `json:"peer"`
			Version uint8  `json:"version"`
			Synced  bool   `json:"synced"`
			Serial  uint32 `json:"serial"`
			Bytes   int64  `json:"bytes_sent"`
		} `json:"rtr_sessions"`
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Sessions) != 1 || st.Sessions[0].Version != 2 || !st.Sessions[0].Synced || st.Sessions[0].Serial != serial ||
		st.Sessions[0].Bytes == 0 || !strings.HasPrefix(st.Sessions[0].Peer, "127.0.0.1:") {
		t.Fatalf("status lists sessions %+v, want the one router synced at serial %d", st.Sessions, serial)
	}
}
