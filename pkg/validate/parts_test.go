package validate

import (
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

// TestPartsJoinInOrder joins parts in order, into a slice of exactly their
// number, with each part's objects moved to the run's numbering.
func TestPartsJoinInOrder(t *testing.T) {
	var p parts
	var want []payload.VRPInfo
	base := uint32(0)
	for i, n := range []int{0, 1, 7, 0, 1000, 3} {
		batch := make([]payload.VRPInfo, n)
		for j := range batch {
			batch[j] = payload.VRPInfo{VRP: payload.VRP{ASN: uint32(i*10_000 + j)}, Info: payload.Info{Object: uint32(j%3 + 1)}}
		}
		p.add(batch, base)
		for _, v := range batch {
			v.Object += base
			want = append(want, v)
		}
		base += 3
	}
	got := p.join(0)
	if len(got) != len(want) || cap(got) != len(want) {
		t.Fatalf("join: %d items (cap %d), want %d", len(got), cap(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("item %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if again := p.join(0); len(again) != 0 {
		t.Fatalf("join after join: %d items", len(again))
	}
}
