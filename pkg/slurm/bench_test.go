package slurm

import (
	"os"
	"testing"

	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/payload"
)

// benchPolicy builds a policy with n prefix filters (every 600th VRP's
// prefix shortened by 4 bits, so filters cover real VRPs), n asn-only
// filters and n prefix assertions, split over two non-overlapping files.
func benchPolicy(b *testing.B, vrps []payload.VRP, n int) *Policy {
	b.Helper()
	var f File
	step := len(vrps) / n
	seen := map[pfxKey]bool{}
	for i := 0; i < n; i++ {
		v := vrps[i*step]
		p := v.Prefix()
		if p.Bits() >= 4 {
			p, _ = p.Addr().Prefix(p.Bits() - 4)
		}
		if k := keyOf(p); !seen[k] {
			seen[k] = true
			f.PrefixFilters = append(f.PrefixFilters, PrefixFilter{Prefix: p})
		}
		f.PrefixFilters = append(f.PrefixFilters, PrefixFilter{ASN: vrps[i*step+1].ASN, HasASN: true})
		f.PrefixAssertions = append(f.PrefixAssertions, PrefixAssertion{VRP: vrps[i*step+2]})
	}
	p, err := NewPolicy(&f)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkApplyVRPs600k applies 100 or 1000 filters of each kind to the
// 600k-VRP production-like set.
func BenchmarkApplyVRPs600k(b *testing.B) {
	set := generatedSet(b, vrpgen.Full)
	for _, n := range []int{100, 1000} {
		p := benchPolicy(b, set.VRPs, n)
		b.Run(itoa(n)+"filters", func(b *testing.B) {
			b.ReportAllocs()
			var out []payload.VRP
			for b.Loop() {
				out = p.ApplyVRPs(set.VRPs)
			}
			b.ReportMetric(float64(len(set.VRPs)-len(out)+len(p.AssertedVRPs())), "dropped")
		})
	}
}

// BenchmarkParse parses the draft example (all six kinds of entry).
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/good/aspa-draft03-example-conformant.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseBytes(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOverlap5k checks two files holding the distinct prefixes of
// the 5,000-VRP set between them.
func BenchmarkOverlap5k(b *testing.B) {
	set := generatedSet(b, vrpgen.Small)
	files := []*File{{Name: "a"}, {Name: "b"}}
	seen := map[pfxKey]bool{}
	for i, v := range set.VRPs {
		if k := keyOf(v.Prefix()); !seen[k] {
			seen[k] = true
			files[i%2].PrefixAssertions = append(files[i%2].PrefixAssertions, PrefixAssertion{VRP: v})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = checkOverlap(files)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
