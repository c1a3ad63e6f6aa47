package payload

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/vrpgen"
)

// randomSet builds n distinct-ish VRPs, 75 % IPv4, deterministic per seed.
func randomSet(n int, seed uint64) Set {
	r := rand.New(rand.NewPCG(seed, 1))
	s := Set{VRPs: make([]VRP, n)}
	for i := range s.VRPs {
		v := VRP{ASN: r.Uint32N(60000), Bits: 24, MaxLen: 24}
		if r.IntN(4) == 0 {
			v.V6, v.Bits, v.MaxLen = true, 48, 48
			v.Addr[0], v.Addr[1] = 0x20, 0x01
			u := r.Uint64()
			for b := 2; b < 6; b++ {
				v.Addr[b] = byte(u >> (8 * b))
			}
		} else {
			u := r.Uint32()
			v.Addr[0], v.Addr[1], v.Addr[2] = byte(u), byte(u>>8), byte(u>>16)
		}
		s.VRPs[i] = v
	}
	return s
}

// mutate returns a copy of s with k VRPs replaced (k withdrawn, k new).
func mutate(s Set, k int, seed uint64) Set {
	out := Set{VRPs: append([]VRP(nil), s.VRPs...)}
	repl := randomSet(k, seed)
	copy(out.VRPs, repl.VRPs)
	return out
}

var benchSizes = []int{10_000, 100_000, 1_000_000}

// BenchmarkDeltaConstruct measures Construct between two snapshots that
// differ in 0.2 % of their VRPs (StayRTR's BenchmarkComputeDiff model).
func BenchmarkDeltaConstruct(b *testing.B) {
	for _, n := range benchSizes {
		base := randomSet(n, 1)
		o, nw := NewSnapshot(base), NewSnapshot(mutate(base, n/500, 2))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Construct(o, nw)
			}
		})
	}
}

// BenchmarkNewSnapshot measures sorting and deduplicating a Set.
func BenchmarkNewSnapshot(b *testing.B) {
	for _, n := range benchSizes {
		set := randomSet(n, 1)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NewSnapshot(set)
			}
		})
	}
}

// BenchmarkDeltaMerge measures merging 20 successive deltas, the worst
// case of a Serial Query against a full history.
func BenchmarkDeltaMerge(b *testing.B) {
	for _, n := range benchSizes {
		h := NewHistory(20)
		base := randomSet(n, 1)
		for i := range 21 {
			h.Publish(NewSnapshot(mutate(base, n/500, uint64(i+2))), time.Time{})
		}
		st := h.Load()
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := st.Delta(st.Deltas[0].From); !ok {
					b.Fatal("delta missing")
				}
			}
		})
	}
}

// BenchmarkPublish measures History.Publish (Construct plus Store).
func BenchmarkPublish(b *testing.B) {
	for _, n := range benchSizes {
		base := randomSet(n, 1)
		snaps := []*Snapshot{NewSnapshot(base), NewSnapshot(mutate(base, n/500, 2))}
		h := NewHistory(20)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.Publish(snaps[i%2], time.Time{})
				i++
			}
		})
	}
}

// BenchmarkReadJSON measures reading the generated 5k-VRP set.
func BenchmarkReadJSON(b *testing.B) {
	data, _ := vrpgen.Small.JSON()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadJSON(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
