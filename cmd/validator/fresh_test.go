package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
)

// TestDaemonStaysFreshUnchanged runs the daemon with an RTR max_age of 20 s
// on a lab that never changes, polling every 2 s: each unchanged poll
// confirms the data, and after 60 s (three max ages) RTR still serves the
// table and /readyz still says ready. When a confirmation moved only the
// daemon's own clock, RTR answered No Data Available after 20 s while
// /readyz said ready.
func TestDaemonStaysFreshUnchanged(t *testing.T) {
	t.Parallel()
	l := launchLab(t, lab.Config{Seed: 34})
	conf := filepath.Join(t.TempDir(), "validator.yaml")
	if err := os.WriteFile(conf, []byte("rtr:\n  max_age: 20s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rtrAddr, base := startDaemon(t, l, "--config", conf, "--rrdp-poll", "2s")
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Second) {
		if code, body := get(t, base+"/readyz"); code != 200 {
			t.Fatalf("/readyz: %d %s", code, body)
		}
	}
	c, err := rtrclient.Dial(rtrAddr, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendReset(); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(30 * time.Second); err != nil {
		t.Fatalf("RTR after 60 s of unchanged polls (max_age 20 s): %v", err)
	}
	if !c.Table().Equal(payload.NewSnapshot(want)) {
		t.Fatal("RTR table differs from the lab's expected output")
	}
}
