package rtr

import (
	"runtime"
	"testing"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/payload"
)

// TestFullResponseHeldWeakly: sessions asking for the full table while
// one holds it share one encoding; once none holds it, the collector may
// take it, and the next request encodes it again, the same bytes.
func TestFullResponseHeldWeakly(t *testing.T) {
	snap := payload.NewSnapshot(payload.Set{VRPs: []payload.VRP{{ASN: 64500, Bits: 24, MaxLen: 24, Addr: [16]byte{0: 192, 2: 2}}}})
	e := newEncodings(zap.NewNop(), payload.NewState(7, snap), [MaxVersion + 1]uint16{1, 2, 3}, Timers{1, 1, 600})
	encoded := 0
	count := func() { encoded++ }
	encode := func() *response { count(); r := encodeFull(2, 3, e.state, e.timers); return &r }
	first := e.full[2].Get(encode)
	second := e.full[2].Get(encode)
	if first != second || encoded != 1 {
		t.Fatalf("two requests while held: %d encodings, same response %v", encoded, first == second)
	}
	want := string(first.bytes)
	runtime.KeepAlive(first)
	first, second = nil, nil
	for range 3 {
		runtime.GC()
	}
	if e.full[2].Value() != nil {
		t.Fatal("the full response is still held after every session let it go")
	}
	again := e.fullResponse(2)
	if string(again.bytes) != want {
		t.Fatal("the full response encoded again differs")
	}
}
