package validate

import (
	"slices"
	"testing"
)

func TestChunksKeepOrderAcrossBlocks(t *testing.T) {
	var c chunks[int]
	var want []int
	for i, n := range []int{0, 1, chunkLen - 1, 2, chunkLen, 3*chunkLen + 5} {
		batch := make([]int, n)
		for j := range batch {
			batch[j] = i*10_000_000 + j
		}
		c.add(batch)
		want = append(want, batch...)
	}
	got := c.join()
	if !slices.Equal(got, want) || cap(got) != len(want) {
		t.Fatalf("join: %d items (cap %d), want %d in order", len(got), cap(got), len(want))
	}
	if again := c.join(); len(again) != 0 {
		t.Fatalf("join after join: %d items", len(again))
	}
}
