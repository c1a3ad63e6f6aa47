package validate

import (
	"math"
	"testing"
	"time"
	"unsafe"

	"github.com/openrpki/validator/pkg/payload"
)

func TestTANames(t *testing.T) {
	// Registered in reverse order: sorting must still go by name.
	z, a := TAOf("test-zulu"), TAOf("test-alpha")
	if TAOf("test-zulu") != z || z == a {
		t.Fatalf("TAOf not stable: %d %d %d", z, a, TAOf("test-zulu"))
	}
	if z.String() != "test-zulu" || a.String() != "test-alpha" {
		t.Fatalf("names: %q %q", z, a)
	}
	v := payload.VRP{ASN: 65000, Bits: 8, MaxLen: 8}
	r := Result{VRPs: []VRP{{VRP: v, TA: z, Expires: 2}, {VRP: v, TA: a, Expires: 1}, {VRP: v, TA: z, Expires: 3}}}
	r.sortPayload()
	if len(r.VRPs) != 2 || r.VRPs[0].TA != a || r.VRPs[1].TA != z || r.VRPs[1].Expires != 3 {
		t.Fatalf("sorted: %+v", r.VRPs)
	}
}

func TestExpirySaturates(t *testing.T) {
	for _, c := range []struct {
		in   time.Time
		want Expiry
	}{
		{time.Unix(1700000000, 0), 1700000000},
		{time.Unix(-5, 0), 0},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), math.MaxUint32},
	} {
		if got := ExpiryOf(c.in); got != c.want {
			t.Errorf("ExpiryOf(%v) = %d, want %d", c.in, got, c.want)
		}
	}
	if got := Expiry(1700000000).Time(); !got.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("Time() = %v", got)
	}
}

// A global table holds 600,000 VRPs: they stay 32 bytes and pointer-free.
func TestVRPIsCompact(t *testing.T) {
	if n := unsafe.Sizeof(VRP{}); n != 32 {
		t.Fatalf("VRP is %d bytes, want 32", n)
	}
}
