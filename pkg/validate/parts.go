package validate

// parts gathers a run's output as the per-point slices themselves (which
// the memo holds as well), joined once at the end into one slice of exactly
// their total. Appending 600,000 VRPs to one slice copied them about thirty
// times over as it grew (a second of CPU at global scale), and a run whose
// output turns out unchanged now copies nothing at all.
type parts[T any] struct {
	list [][]T
	n    int
}

// add appends items, which must not change afterwards.
func (p *parts[T]) add(items []T) {
	if len(items) > 0 {
		p.list = append(p.list, items)
		p.n += len(items)
	}
}

// join returns every item in order, in one slice of exactly their number,
// and empties p. Each part is dropped once copied, so a collection during
// the join can free it where nothing else (the engine's memo) holds it.
func (p *parts[T]) join() []T {
	out := make([]T, 0, p.n)
	for i, items := range p.list {
		out = append(out, items...)
		p.list[i] = nil
	}
	p.list, p.n = nil, 0
	return out
}
