package rtr_test

import (
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

const stayrtrFile = "rtr-vectors/stayrtr/cmd/stayrtr/test.rpki.json"

// mutated returns snap with its first VRP removed, one VRP added, the
// first ASPA's providers changed and the last ASPA removed.
func mutated(snap *payload.Snapshot) *payload.Snapshot {
	set := payload.Set{VRPs: append([]payload.VRP(nil), snap.VRPs[1:]...), RouterKeys: snap.RouterKeys[1:]}
	v, _ := payload.NewVRP(netip.MustParsePrefix("198.51.100.0/24"), 24, 64511)
	set.VRPs = append(set.VRPs, v)
	for i, a := range snap.ASPAs {
		switch {
		case i == 0:
			set.ASPAs = append(set.ASPAs, payload.ASPA{Customer: a.Customer, Providers: []uint32{1, 2}})
		case i == len(snap.ASPAs)-1:
		default:
			set.ASPAs = append(set.ASPAs, a)
		}
	}
	return payload.NewSnapshot(set)
}

func withASPAs(snap *payload.Snapshot) *payload.Snapshot {
	s := *snap
	s.ASPAs = append(s.ASPAs, payload.ASPA{Customer: 4200000000, Providers: []uint32{65000}})
	return payload.NewSnapshot(payload.Set{VRPs: s.VRPs, ASPAs: s.ASPAs, RouterKeys: s.RouterKeys})
}

func TestResetAndSerialAllVersions(t *testing.T) {
	snap := withASPAs(loadSnapshot(t, stayrtrFile))
	next := mutated(snap)
	for v := uint8(0); v <= rtr.MaxVersion; v++ {
		ts := startServer(t, rtr.Options{}, rtr.MaxVersion)
		ts.publish(snap)
		c := dial(t, ts.addr, v)
		if err := c.SendReset(); err != nil {
			t.Fatal(err)
		}
		if err := c.Sync(ioWait); err != nil {
			t.Fatalf("v%d reset: %v", v, err)
		}
		sameTable(t, c.Table(), wantVersionTable(snap, v))
		if c.Session != ts.SessionID(v) {
			t.Errorf("v%d session %d, want %d", v, c.Session, ts.SessionID(v))
		}
		if v > 0 && c.Timers != (rtr.Timers{Refresh: 3600, Retry: 600, Expire: 7200}) {
			t.Errorf("v%d timers %+v", v, c.Timers)
		}
		st := ts.publish(next)
		n, err := c.WaitNotify(ioWait)
		if err != nil || n.Serial != st.Serial || n.Session != c.Session {
			t.Fatalf("v%d notify %v, %v; want serial %d", v, n, err, st.Serial)
		}
		if err := c.SendSerial(); err != nil {
			t.Fatal(err)
		}
		if err := c.Sync(ioWait); err != nil {
			t.Fatalf("v%d serial: %v", v, err)
		}
		sameTable(t, c.Table(), wantVersionTable(next, v))
		if c.Serial != st.Serial {
			t.Errorf("v%d serial %d, want %d", v, c.Serial, st.Serial)
		}
	}
}

func TestNoDataBeforeFirstRun(t *testing.T) {
	ts := startServer(t, rtr.Options{}, 2)
	c := dial(t, ts.addr, 1)
	c.SendReset()
	var er *rtr.ErrorReport
	if err := c.Sync(ioWait); !errors.As(err, &er) || er.Code != rtr.CodeNoDataAvailable {
		t.Fatalf("before data: %v, want No Data Available", err)
	}
	// Non-fatal: the same session gets the table once data exists.
	snap := loadSnapshot(t, stayrtrFile)
	ts.publish(snap)
	c.SendReset()
	if err := c.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	sameTable(t, c.Table(), wantVersionTable(snap, 1))
}

func TestStaleDataFailSafe(t *testing.T) {
	obs := &staleObserver{}
	now := time.Now()
	ts := startServer(t, rtr.Options{MaxAge: time.Hour, Observer: obs, Now: func() time.Time { return now }}, 2)
	ts.hist.Publish(loadSnapshot(t, stayrtrFile), now.Add(-2*time.Hour))
	c := dial(t, ts.addr, 2)
	c.SendReset()
	var er *rtr.ErrorReport
	if err := c.Sync(ioWait); !errors.As(err, &er) || er.Code != rtr.CodeNoDataAvailable {
		t.Fatalf("stale data: %v, want No Data Available", err)
	}
	if !obs.stale.Load() {
		t.Fatal("observer not told that data is stale")
	}
}

func TestCacheResetForUnknownSessionOrSerial(t *testing.T) {
	ts := startServer(t, rtr.Options{}, 2)
	ts.publish(loadSnapshot(t, stayrtrFile))
	for _, tc := range []struct {
		name    string
		session uint16
		serial  uint32
	}{
		{"wrong session", ts.SessionID(1) + 1, 0},
		{"unknown serial", ts.SessionID(1), 12345},
	} {
		c := dial(t, ts.addr, 1)
		c.Session, c.Serial = tc.session, tc.serial
		c.SendSerial()
		if err := c.Sync(ioWait); !errors.Is(err, rtrclient.ErrCacheReset) {
			t.Errorf("%s: %v, want Cache Reset", tc.name, err)
		}
	}
}

func TestSessionIDPerVersion(t *testing.T) {
	ts := startServer(t, rtr.Options{}, 2)
	ids := map[uint16]bool{ts.SessionID(0): true, ts.SessionID(1): true, ts.SessionID(2): true}
	other := startServer(t, rtr.Options{}, 2)
	// Random 16-bit IDs: two collisions among 6 draws are possible but
	// the chance that all of another start's IDs match is 2^-48.
	if len(ids) < 2 || (other.SessionID(0) == ts.SessionID(0) && other.SessionID(1) == ts.SessionID(1) && other.SessionID(2) == ts.SessionID(2)) {
		t.Fatalf("session IDs not random per start and version: %v", ids)
	}
}

func TestVersionNegotiation(t *testing.T) {
	ts := startServer(t, rtr.Options{}, 1) // this listener speaks at most v1
	ts.publish(loadSnapshot(t, stayrtrFile))

	// A v2 query to a v1 listener: Error Report code 4 in version 1
	// (RFC 8210 §7), then the router retries with v1.
	c := dial(t, ts.addr, 2)
	c.SendReset()
	p, err := c.Next(ioWait)
	if err != nil || p.Type != rtr.TypeErrorReport || p.ErrorCode != rtr.CodeUnsupportedVersion || p.Version != 1 {
		t.Fatalf("v2 to v1 listener: %v %v", p, err)
	}
	if _, err := c.Next(ioWait); err == nil {
		t.Fatal("session not closed after Unsupported Protocol Version")
	}

	// Downgrade: a v0 query is answered in v0.
	c0 := dial(t, ts.addr, 0)
	c0.SendReset()
	if err := c0.Sync(ioWait); err != nil {
		t.Fatalf("v0: %v", err)
	}

	// A version change inside a session: Unexpected Protocol Version.
	c1 := dial(t, ts.addr, 1)
	c1.SendReset()
	if err := c1.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	c1.Conn.Write(rtr.AppendResetQuery(nil, 0))
	p, err = c1.Next(ioWait)
	if err != nil || p.ErrorCode != rtr.CodeUnexpectedVersion {
		t.Fatalf("version change: %v %v, want code 8", p, err)
	}
}

func TestAllowList(t *testing.T) {
	obs := &staleObserver{}
	ts := startServer(t, rtr.Options{Allow: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, Observer: obs}, 2)
	ts.publish(loadSnapshot(t, stayrtrFile))
	c := dial(t, ts.addr, 1)
	c.SendReset()
	if err := c.Sync(ioWait); err == nil {
		t.Fatal("client outside the allow-list got data")
	}
	if obs.rejected.Load() != 1 {
		t.Fatalf("rejections %d, want 1", obs.rejected.Load())
	}
}

func TestSessionLimit(t *testing.T) {
	obs := &staleObserver{}
	ts := startServer(t, rtr.Options{MaxSessions: 2, Observer: obs}, 2)
	ts.publish(loadSnapshot(t, stayrtrFile))
	var kept []*rtrclient.Client
	for range 2 {
		c := dial(t, ts.addr, 1)
		c.SendReset()
		if err := c.Sync(ioWait); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, c)
	}
	c := dial(t, ts.addr, 1)
	c.SendReset()
	if err := c.Sync(ioWait); err == nil {
		t.Fatal("third session served with a limit of 2")
	}
	if obs.rejected.Load() != 1 || ts.SessionCount() != 2 {
		t.Fatalf("rejected %d sessions %d", obs.rejected.Load(), ts.SessionCount())
	}
	kept[0].Close()
	waitFor(t, func() bool { return ts.SessionCount() == 1 })
	c = dial(t, ts.addr, 1)
	c.SendReset()
	if err := c.Sync(ioWait); err != nil {
		t.Fatalf("after a session closed: %v", err)
	}
}

// waitFor polls cond for up to ioWait.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(ioWait); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met in time")
}
