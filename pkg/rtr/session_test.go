package rtr

import (
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/openrpki/validator/pkg/payload"
)

// TestNotifyCoalesces: while a session writes an answer, any number of
// new serials leave one Serial Notify goroutine waiting, which sends the
// serial current when it writes.
func TestNotifyCoalesces(t *testing.T) {
	h := payload.NewHistory(8)
	h.Publish(payload.NewSnapshot(payload.Set{}), time.Now())
	s := NewServer(h, Options{})
	ours, router := net.Pipe()
	defer router.Close()
	sess := newSession(s, ours, netip.MustParseAddr("192.0.2.1"), MaxVersion)
	if reason := s.register(sess); reason != "" {
		t.Fatal(reason)
	}
	sess.synced, sess.version = true, 1

	sess.wmu.Lock() // an answer being written
	before := runtime.NumGoroutine()
	for asn := range uint32(50) {
		v, _ := payload.NewVRP(netip.MustParsePrefix("192.0.2.0/24"), 24, asn+1)
		h.Publish(payload.NewSnapshot(payload.Set{VRPs: []payload.VRP{v}}), time.Now())
		s.Notify()
	}
	if grown := runtime.NumGoroutine() - before; grown > 1 {
		t.Fatalf("%d goroutines waiting to notify one session, want 1", grown)
	}
	sess.wmu.Unlock()

	router.SetReadDeadline(time.Now().Add(5 * time.Second))
	hdr, pdu, err := NewReader(router, MaxPDU).Next()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Decode(hdr, pdu); err != nil || hdr.Type != TypeSerialNotify || p.Serial != 50 {
		t.Fatalf("got type %d %+v %v, want a Serial Notify of serial 50", hdr.Type, p, err)
	}
	sess.close()
}

// TestWritingReleasesOnPanic: a panic while answering (a bug reached by
// one router, recovered by the session) leaves the write lock free, so a
// Serial Notify waiting for it ends instead of hanging Server.Close.
func TestWritingReleasesOnPanic(t *testing.T) {
	ss := &session{}
	func() {
		defer func() { _ = recover() }()
		ss.writing(func() error { panic("test: bug while answering") })
	}()
	if !ss.wmu.TryLock() {
		t.Fatal("the write lock is still held after a panic")
	}
}

// TestKeptSerialDropsTheOldTable: after a publication that keeps the
// serial (the same payload from a new table), the encodings the server
// still holds for the state before do not keep that state's table alive.
func TestKeptSerialDropsTheOldTable(t *testing.T) {
	table := func() *payload.Table {
		v, _ := payload.NewVRP(netip.MustParsePrefix("192.0.2.0/24"), 24, 64500)
		return &payload.Table{TAs: payload.NewTANames(), VRPs: []payload.VRPInfo{{VRP: v}}}
	}
	h := payload.NewHistory(8)
	s := NewServer(h, Options{})
	old := table()
	oldGone := weak.Make(old)
	h.PublishWeakly(old.Snapshot(), old.Snapshot, time.Now())
	if st, _ := s.current(); st == nil {
		t.Fatal("no state served")
	}
	next := table()
	if _, changed := h.PublishWeakly(next.Snapshot(), next.Snapshot, time.Now()); changed {
		t.Fatal("the same payload changed the serial")
	}
	old = nil
	for i := 0; i < 10 && oldGone.Value() != nil; i++ {
		runtime.GC()
	}
	if oldGone.Value() != nil {
		t.Fatal("the table of the state before is still alive")
	}
	runtime.KeepAlive(next)
	runtime.KeepAlive(s)
}
