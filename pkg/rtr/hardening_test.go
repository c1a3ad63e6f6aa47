package rtr_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/rtr"
)

// dialFrom connects to addr from a loopback source address (all of
// 127/8 is local), as another router would.
func dialFrom(t testing.TB, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: ioWait}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// routerFrom is a synced v1 client connected from src.
func routerFrom(t testing.TB, src, addr string) *rtrclient.Client {
	t.Helper()
	c := rtrclient.New(dialFrom(t, src, addr), 1)
	c.SendReset()
	if err := c.Sync(ioWait); err != nil {
		t.Fatalf("router from %s: %v", src, err)
	}
	return c
}

// rejectObserver counts rejections by reason.
type rejectObserver struct {
	rtr.NopObserver
	sourceLimit, limit atomic.Int64
}

func (o *rejectObserver) SessionRejected(_, reason string) {
	switch reason {
	case "source_limit":
		o.sourceLimit.Add(1)
	case "limit":
		o.limit.Add(1)
	}
}

// TestSilentConnectionsDoNotLockOutRouters: at MaxSessions 20, twenty
// silent connections locked a router out (issue 8). With a per-source cap
// of 4, the same twenty from 127.0.0.1 hold 4 slots, and ten routers from
// other addresses are served beside them.
func TestSilentConnectionsDoNotLockOutRouters(t *testing.T) {
	obs := &rejectObserver{}
	ts := startServer(t, rtr.Options{MaxSessions: 20, MaxSessionsPerSource: 4, Observer: obs}, 2)
	snap := loadSnapshot(t, stayrtrFile)
	ts.publish(snap)
	for range 20 {
		dialFrom(t, "127.0.0.1", ts.addr)
	}
	waitFor(t, func() bool { return obs.sourceLimit.Load() == 16 })
	if n := ts.SessionCount(); n != 4 {
		t.Fatalf("%d sessions from the silent source, want 4", n)
	}
	for i := range 10 {
		c := routerFrom(t, fmt.Sprintf("127.0.0.%d", 2+i), ts.addr)
		sameTable(t, c.Table(), wantVersionTable(snap, 1))
	}
	if obs.limit.Load() != 0 {
		t.Fatalf("%d connections refused by the global limit", obs.limit.Load())
	}
}

// TestSilentSessionDropped: a connection that sends no query is closed
// after FirstQueryTimeout, freeing its slot; a router that queried stays.
func TestSilentSessionDropped(t *testing.T) {
	ts := startServer(t, rtr.Options{FirstQueryTimeout: 300 * time.Millisecond, MaxSessionsPerSource: 1}, 2)
	ts.publish(loadSnapshot(t, stayrtrFile))
	router := routerFrom(t, "127.0.0.2", ts.addr)
	silent := dialFrom(t, "127.0.0.3", ts.addr)
	silent.SetReadDeadline(time.Now().Add(ioWait))
	if n, err := silent.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("silent connection: read %d, %v; want EOF", n, err)
	}
	// Its source may connect again (the slot was released), and the
	// router that queried is still served.
	routerFrom(t, "127.0.0.3", ts.addr)
	router.SendSerial()
	if err := router.Sync(ioWait); err != nil {
		t.Fatalf("router after the silent peer was dropped: %v", err)
	}
}

// panicObserver panics as a v0 PDU is read and after a Cache Reset is
// written: a bug reached by one router.
type panicObserver struct {
	rtr.NopObserver
	panics atomic.Int64
}

func (o *panicObserver) PDUReceived(_ string, version, _ uint8) {
	if version == 0 {
		panic("test: reader bug")
	}
}

func (o *panicObserver) ResponseSent(_ string, _ uint8, kind string, _, _ int, _ time.Duration) {
	if kind == "cache_reset" {
		panic("test: writer bug")
	}
}

func (o *panicObserver) SessionPanicked(string) { o.panics.Add(1) }

// TestPanicEndsOnlyThatSession: a panic while a session reads or answers
// closes that session, is logged with its stack at ERROR and counted; the
// daemon and the other sessions carry on (issue 6).
func TestPanicEndsOnlyThatSession(t *testing.T) {
	obs := &panicObserver{}
	core, logs := observer.New(zapcore.ErrorLevel)
	ts := startServer(t, rtr.Options{Observer: obs, Logger: zap.New(core)}, 2)
	snap := loadSnapshot(t, stayrtrFile)
	ts.publish(snap)
	healthy := dial(t, ts.addr, 1)
	healthy.SendReset()
	if err := healthy.Sync(ioWait); err != nil {
		t.Fatal(err)
	}

	reader := dial(t, ts.addr, 0)
	reader.SendReset()
	if _, err := reader.Next(ioWait); !errors.Is(err, io.EOF) {
		t.Fatalf("session whose reader panicked: %v, want EOF", err)
	}
	writer := dial(t, ts.addr, 1)
	writer.Session = ts.SessionID(1) + 1 // unknown session: Cache Reset
	writer.SendSerial()
	if p, err := writer.Next(ioWait); err != nil || p.Type != rtr.TypeCacheReset {
		t.Fatalf("before the writer's panic: %v, %v", p, err)
	}
	if _, err := writer.Next(ioWait); !errors.Is(err, io.EOF) {
		t.Fatalf("session whose writer panicked: %v, want EOF", err)
	}

	waitFor(t, func() bool { return obs.panics.Load() == 2 && ts.SessionCount() == 1 })
	st := ts.publish(mutated(snap))
	if _, err := healthy.WaitNotify(ioWait); err != nil {
		t.Fatal(err)
	}
	healthy.SendSerial()
	if err := healthy.Sync(ioWait); err != nil || healthy.Serial != st.Serial {
		t.Fatalf("healthy session after the panics: %v, serial %d", err, healthy.Serial)
	}
	dial(t, ts.addr, 2).SendReset() // the listener still accepts
	var stacks int
	for _, e := range logs.FilterMessageSnippet("panic recovered").All() {
		stack := fmt.Sprint(e.ContextMap()["stack"])
		if strings.Contains(stack, "readLoop") {
			stacks++
		}
	}
	if stacks != 2 {
		t.Fatalf("%d ERROR lines with the panicking goroutine's stack, want 2: %v", stacks, logs.All())
	}
}

// TestSessionsVisible: Sessions lists each router with its version, the
// serial last sent, its last query and the bytes sent; INFO lines mark a
// session's start and end with the peer, the version, the reason and the
// bytes.
func TestSessionsVisible(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	ts := startServer(t, rtr.Options{Logger: zap.New(core)}, 2)
	st := ts.publish(loadSnapshot(t, stayrtrFile))
	before := time.Now()
	c := dial(t, ts.addr, 2)
	c.SendReset()
	if err := c.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	silent := dialFrom(t, "127.0.0.9", ts.addr)
	waitFor(t, func() bool { return len(ts.Sessions()) == 2 })
	list := ts.Sessions()
	got := list[0]
	if got.Remote != c.Conn.LocalAddr().String() || !got.Negotiated || got.Version != 2 || !got.Synced ||
		got.Serial != st.Serial || got.LastQuery.Before(before) || got.BytesSent != int64(c.Bytes) || got.Since.Before(before) {
		t.Fatalf("session %+v; want %s, v2, serial %d, %d bytes", got, c.Conn.LocalAddr(), st.Serial, c.Bytes)
	}
	if s := list[1]; s.Remote != silent.LocalAddr().String() || s.Negotiated || s.Synced || !s.LastQuery.IsZero() || s.BytesSent != 0 {
		t.Fatalf("silent session %+v", s)
	}
	c.Close()
	waitFor(t, func() bool { return len(ts.Sessions()) == 1 })
	opened := logs.FilterMessage("RTR session opened").FilterField(zap.Uint8("version", 2)).
		FilterField(zap.String("remote", c.Conn.LocalAddr().String())).Len()
	closed := logs.FilterMessage("RTR session closed").FilterField(zap.Int("version", 2)).
		FilterField(zap.Int64("bytes_sent", int64(c.Bytes))).FilterField(zap.String("reason", "closed by the router")).
		FilterField(zap.String("remote", c.Conn.LocalAddr().String()))
	if opened != 1 || logs.FilterMessage("RTR session opened").Len() != 1 || closed.Len() != 1 {
		t.Fatalf("%d open lines, %d matching close lines: %v", opened, closed.Len(), logs.All())
	}
}

// FuzzSession sends arbitrary bytes to a live server over loopback TCP,
// then half-closes: the session must end by itself, every PDU the server
// sent must decode with our decoder, and no panic may be recovered (a
// recovered panic is still a bug). Seeds: real queries, good and bad.
func FuzzSession(f *testing.F) {
	obs := &panicObserver{}
	ts := startServer(f, rtr.Options{Observer: &countPanics{obs: obs}, MaxSessionsPerSource: 1 << 20}, 2)
	ts.publish(withASPAs(loadSnapshot(f, stayrtrFile)))
	for v := range uint8(3) {
		f.Add(rtr.AppendResetQuery(nil, v))
		f.Add(rtr.AppendSerialQuery(nil, v, ts.SessionID(v), 0))
		f.Add(append(rtr.AppendResetQuery(nil, v), rtr.AppendSerialQuery(nil, v, 1, 2)...))
	}
	f.Add(rtr.AppendErrorReport(nil, 1, &rtr.ErrorReport{Code: 3, Text: "x"}))
	f.Add([]byte{2, 11, 1, 0, 0, 0, 0, 12, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := net.DialTimeout("tcp", ts.addr, ioWait)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write(data)
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(ioWait))
		r := rtr.NewReader(c, rtr.MaxCachePDU)
		for {
			h, pdu, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("the session did not end after the router half-closed")
				}
				break // a reset after the server closed mid-response
			}
			if _, err := rtr.Decode(h, pdu); err != nil {
				t.Fatalf("server sent a PDU our decoder refuses: %v", err)
			}
		}
		if n := obs.panics.Load(); n != 0 {
			t.Fatalf("%d panics recovered", n)
		}
	})
}

// countPanics only counts recovered panics.
type countPanics struct {
	rtr.NopObserver
	obs *panicObserver
}

func (o *countPanics) SessionPanicked(string) { o.obs.panics.Add(1) }
