package validate

import (
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

// TestPartsAppendInOrder appends parts in order, into a slice sized for
// them (p.n), with each part's objects moved to the run's numbering.
func TestPartsAppendInOrder(t *testing.T) {
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
	if p.n != len(want) {
		t.Fatalf("%d items counted, want %d", p.n, len(want))
	}
	got := p.appendTo(make([]payload.VRPInfo, 0, p.n))
	if len(got) != len(want) || cap(got) != len(want) {
		t.Fatalf("appendTo: %d items (cap %d), want %d", len(got), cap(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("item %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if again := p.appendTo(nil); len(again) != 0 || p.n != 0 {
		t.Fatalf("appendTo after appendTo: %d items", len(again))
	}
}
