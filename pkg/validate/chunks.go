package validate

// chunkLen is the number of items of one chunk (about 768 KiB of VRPs).
const chunkLen = 16 << 10

// chunks gathers a run's output in fixed blocks, joined once at the end:
// appending 600,000 VRPs to one slice copied them about thirty times over
// as it grew, a second of CPU at global scale.
type chunks[T any] struct {
	blocks [][]T
	n      int
}

// add appends items.
func (c *chunks[T]) add(items []T) {
	for len(items) > 0 {
		k := len(c.blocks) - 1
		if k < 0 || len(c.blocks[k]) == cap(c.blocks[k]) {
			c.blocks = append(c.blocks, make([]T, 0, chunkLen))
			k++
		}
		m := min(len(items), cap(c.blocks[k])-len(c.blocks[k]))
		c.blocks[k] = append(c.blocks[k], items[:m]...)
		items = items[m:]
		c.n += m
	}
}

// join returns every item in order, in one slice of exactly their number,
// and empties c.
func (c *chunks[T]) join() []T {
	out := make([]T, 0, c.n)
	for i, b := range c.blocks {
		out = append(out, b...)
		c.blocks[i] = nil // let the block go as soon as it is copied
	}
	c.blocks, c.n = nil, 0
	return out
}
