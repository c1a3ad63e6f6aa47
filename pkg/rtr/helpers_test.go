package rtr_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/internal/testfiles"
	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

const ioWait = 10 * time.Second

// dataDir returns the module's committed test data (internal/testfiles);
// the test fails if it is missing.
func dataDir(t testing.TB) string { return testfiles.Path(t) }

// loadSnapshot reads a payload JSON file under dataDir.
func loadSnapshot(t testing.TB, rel string) *payload.Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readSnapshot(t, f)
}

// smallSets returns the generated 5,000-VRP set and its ±50 update
// (internal/vrpgen).
func smallSets(t testing.TB) (first, second *payload.Snapshot) {
	t.Helper()
	a, b := vrpgen.Small.JSON()
	return readSnapshot(t, bytes.NewReader(a)), readSnapshot(t, bytes.NewReader(b))
}

func readSnapshot(t testing.TB, r io.Reader) *payload.Snapshot {
	t.Helper()
	set, err := payload.ReadJSON(r)
	if err != nil {
		t.Fatal(err)
	}
	return payload.NewSnapshot(set)
}

// testServer is a server on 127.0.0.1:0 fed by a History.
type testServer struct {
	*rtr.Server
	hist *payload.History
	addr string
	now  time.Time
}

func startServer(t testing.TB, opts rtr.Options, maxVersion uint8) *testServer {
	t.Helper()
	ts := &testServer{hist: payload.NewHistory(0), now: time.Now()}
	ts.Server = rtr.NewServer(ts.hist, opts)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	done := make(chan error, 1)
	go func() { done <- ts.Serve(l, maxVersion) }()
	t.Cleanup(func() {
		ts.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

// publish makes snap current and notifies sessions.
func (ts *testServer) publish(snap *payload.Snapshot) *payload.State {
	st, _ := ts.hist.Publish(snap, time.Now())
	ts.Notify()
	return st
}

func dial(t testing.TB, addr string, version uint8) *rtrclient.Client {
	t.Helper()
	c, err := rtrclient.Dial(addr, version)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// wantVersionTable filters a snapshot to what a router of the version
// receives: no router keys in v0, no ASPA before v2.
func wantVersionTable(s *payload.Snapshot, version uint8) *payload.Snapshot {
	out := &payload.Snapshot{VRPs: s.VRPs}
	if version >= 1 {
		out.RouterKeys = s.RouterKeys
	}
	if version >= 2 {
		out.ASPAs = s.ASPAs
	}
	return out
}

func sameTable(t testing.TB, got, want *payload.Snapshot) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("table differs: got %d VRPs/%d keys/%d ASPAs, want %d/%d/%d",
			len(got.VRPs), len(got.RouterKeys), len(got.ASPAs), len(want.VRPs), len(want.RouterKeys), len(want.ASPAs))
	}
}

// rtrOptions are the options of most tests: defaults.
func rtrOptions() rtr.Options { return rtr.Options{} }
