package corpus

import "testing"

// BenchmarkCorpusRun measures one full conformance pass: loading the
// references and trees, inspecting every RPKI object of the corpus (with
// its issuer where the acceptance criteria ask for one) and comparing.
func BenchmarkCorpusRun(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := newRun()
		if err != nil {
			b.Fatal(err)
		}
		if len(r.ours) < 500 {
			b.Fatalf("only %d objects", len(r.ours))
		}
	}
}
