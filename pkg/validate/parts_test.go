package validate

import (
	"slices"
	"testing"
)

func TestPartsJoinInOrder(t *testing.T) {
	var p parts[int]
	var want []int
	for i, n := range []int{0, 1, 7, 0, 1000, 3} {
		batch := make([]int, n)
		for j := range batch {
			batch[j] = i*10_000 + j
		}
		p.add(batch)
		want = append(want, batch...)
	}
	got := p.join()
	if !slices.Equal(got, want) || cap(got) != len(want) {
		t.Fatalf("join: %d items (cap %d), want %d in order", len(got), cap(got), len(want))
	}
	if again := p.join(); len(again) != 0 {
		t.Fatalf("join after join: %d items", len(again))
	}
}
