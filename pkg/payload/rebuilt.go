package payload

import (
	"sync"
	"weak"
)

// Rebuilt holds a value derived from the payload weakly: built on first
// use, shared by everyone who uses it while anyone does, left to the
// collector between uses and built again at the next. It is for large
// values asked for now and then (an RTR snapshot or full response, the
// validity index): between those moments they cost no memory. The zero
// value holds nothing.
type Rebuilt[T any] struct {
	mu sync.Mutex
	p  weak.Pointer[T]
}

// Get returns the value, calling build when there is none (never built,
// or taken by the collector). The caller keeps the result alive while it
// uses it.
func (r *Rebuilt[T]) Get(build func() *T) *T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.p.Value(); v != nil {
		return v
	}
	v := build()
	r.p = weak.Make(v)
	return v
}

// Hold makes v the value, until the collector takes it.
func (r *Rebuilt[T]) Hold(v *T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p = weak.Make(v)
}

// Value returns the value without building it: nil when there is none.
func (r *Rebuilt[T]) Value() *T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.p.Value()
}
