package rtr_test

import (
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

// bigSnapshot makes n distinct IPv4 VRPs: 20 bytes each on the wire, so
// 300k VRPs are 6 MB, more than loopback socket buffers hold.
func bigSnapshot(n int) *payload.Snapshot {
	set := payload.Set{VRPs: make([]payload.VRP, 0, n)}
	for i := range n {
		a := netip.AddrFrom4([4]byte{byte(10 + i>>16), byte(i >> 8), byte(i), 0})
		v, _ := payload.NewVRP(netip.PrefixFrom(a, 24), 24, uint32(i))
		set.VRPs = append(set.VRPs, v)
	}
	return payload.NewSnapshot(set)
}

// TestMalformedPDUs sends hostile PDUs; each gets the right Error Report
// and the session is closed, while a well-behaved router is served.
func TestMalformedPDUs(t *testing.T) {
	ts := startServer(t, rtrOptions(), 2)
	snap := loadSnapshot(t, stayrtrFile)
	ts.publish(snap)
	tests := []struct {
		name    string
		hex     string
		code    uint16
		version uint8
	}{
		{"length 0", "0102000000000000", rtr.CodeCorruptData, 1},
		{"length 7", "0102000000000007", rtr.CodeCorruptData, 1},
		{"huge length", "01020000ffffffff", rtr.CodeCorruptData, 1},
		{"huge length, version 9", "09020000ffffffff", rtr.CodeCorruptData, 2},
		{"length above cap", "0102000000010001", rtr.CodeCorruptData, 1},
		{"reset query length 12", "010200000000000c00000000", rtr.CodeCorruptData, 1},
		{"serial query length 8", "0101000000000008", rtr.CodeCorruptData, 1},
		{"unknown type", "0163000000000008", rtr.CodeUnsupportedPDUType, 1},
		{"cache response from router", "0103000000000008", rtr.CodeInvalidRequest, 1},
		{"prefix from router", "0104000000000014011818000a00000000000001", rtr.CodeInvalidRequest, 1},
		{"version 3", "0302000000000008", rtr.CodeUnsupportedVersion, 2},
		{"version 255", "ff02000000000008", rtr.CodeUnsupportedVersion, 2},
	}
	for _, tc := range tests {
		c := dial(t, ts.addr, 1)
		b, _ := hex.DecodeString(tc.hex)
		c.Conn.Write(b)
		p, err := c.Next(ioWait)
		if err != nil || p.Type != rtr.TypeErrorReport || p.ErrorCode != tc.code || p.Version != tc.version {
			t.Errorf("%s: got %v, %v; want error report code %d v%d", tc.name, p, err, tc.code, tc.version)
			continue
		}
		if _, err := c.Next(ioWait); !errors.Is(err, io.EOF) {
			t.Errorf("%s: session not closed: %v", tc.name, err)
		}
	}
	good := dial(t, ts.addr, 1)
	good.SendReset()
	if err := good.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	sameTable(t, good.Table(), wantVersionTable(snap, 1))
}

// TestSlowAndStuckRouters: a router reading one byte per second and one
// that never reads do not delay other routers or a table update, and are
// dropped after the write timeout.
func TestSlowAndStuckRouters(t *testing.T) {
	ts := startServer(t, rtr.Options{WriteTimeout: 2 * time.Second}, 2)
	snap := bigSnapshot(300_000)
	ts.publish(snap)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	dropped := make(chan string, 2)
	for _, name := range []string{"slow", "stuck"} {
		conn, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.(*net.TCPConn).SetReadBuffer(4096)
		defer conn.Close()
		conn.Write(rtr.AppendResetQuery(nil, 1))
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b [1]byte
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
				}
				if name == "stuck" {
					continue
				}
				conn.SetReadDeadline(time.Now().Add(time.Second))
				if _, err := conn.Read(b[:]); err != nil && !errors.Is(err, timeoutErr) {
					dropped <- name
					return
				}
			}
		}()
	}

	// Other routers get the whole table and a delta meanwhile.
	start := time.Now()
	c := dial(t, ts.addr, 1)
	c.SendReset()
	if err := c.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	sameTable(t, c.Table(), wantVersionTable(snap, 1))
	next := bigSnapshot(300_001)
	pubStart := time.Now()
	ts.publish(next)
	if d := time.Since(pubStart); d > time.Second {
		t.Errorf("publish+notify took %v with stuck routers", d)
	}
	if _, err := c.WaitNotify(ioWait); err != nil {
		t.Fatal(err)
	}
	c.SendSerial()
	if err := c.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	sameTable(t, c.Table(), wantVersionTable(next, 1))
	t.Logf("healthy router served in %v next to slow and stuck ones", time.Since(start))

	// Both bad routers are cut off by the server's write timeout.
	waitFor(t, func() bool { return ts.SessionCount() == 1 })
	close(stop)
	wg.Wait()
}

var timeoutErr = errTimeout{}

type errTimeout struct{}

func (errTimeout) Error() string { return "timeout" }
func (errTimeout) Is(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestConnectChurn opens and drops thousands of connections, some
// mid-PDU: sessions and memory return to where they were, and a router
// connected throughout keeps being served.
func TestConnectChurn(t *testing.T) {
	// All from 127.0.0.1: the per-source cap is not what is tested here,
	// and connections still in the accept queue would count against it.
	ts := startServer(t, rtr.Options{MaxSessionsPerSource: 1 << 20}, 2)
	snap := loadSnapshot(t, stayrtrFile)
	ts.publish(snap)
	before := heapAndStacks()
	partial := []byte{1, 2, 0, 0}
	for i := range 3000 {
		conn, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 1:
			conn.Write(partial)
		case 2:
			conn.Write(rtr.AppendResetQuery(nil, 1))
		}
		conn.Close()
	}
	waitFor(t, func() bool { return ts.SessionCount() == 0 })
	c := dial(t, ts.addr, 2)
	c.SendReset()
	if err := c.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	sameTable(t, c.Table(), wantVersionTable(snap, 2))
	if grew := heapAndStacks() - before; grew > 4<<20 {
		t.Fatalf("memory grew by %d bytes after 3000 dropped connections", grew)
	}
}

// TestMemoryPerIdleSession holds 500 open sessions and checks that each
// costs less than 64 KB of heap and stack.
func TestMemoryPerIdleSession(t *testing.T) {
	ts := startServer(t, rtr.Options{MaxSessionsPerSource: 1000}, 2)
	ts.publish(loadSnapshot(t, stayrtrFile))
	const n = 500
	before := heapAndStacks()
	conns := make([]net.Conn, 0, n)
	for range n {
		conn, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
	}
	waitFor(t, func() bool { return ts.SessionCount() == n })
	per := (heapAndStacks() - before) / n
	for _, c := range conns {
		c.Close()
	}
	t.Logf("%d bytes per idle session (client side included)", per)
	if per > 64<<10 {
		t.Fatalf("%d bytes per session, want < 64 KB", per)
	}
}

func heapAndStacks() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
