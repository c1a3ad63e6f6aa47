package vrpgen_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"

	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/payload"
)

// TestDeterministic: the same seed gives the same bytes, another seed
// other bytes.
func TestDeterministic(t *testing.T) {
	b1, u1 := vrpgen.Small.JSON()
	b2, u2 := vrpgen.Small.JSON()
	if !bytes.Equal(b1, b2) || !bytes.Equal(u1, u2) {
		t.Fatal("two runs with the same seed differ")
	}
	other := vrpgen.Small
	other.Seed++
	if b3, _ := other.JSON(); bytes.Equal(b1, b3) {
		t.Fatal("another seed gives the same set")
	}
}

// TestSmallPinned pins the bytes of the small set and its update, across
// platforms and Go releases; a change of the generator, which changes the
// data of every test using it, must update this on purpose.
func TestSmallPinned(t *testing.T) {
	b, u := vrpgen.Small.JSON()
	const want = "f42429dc1128fac765cd180082000a5d980476c24acabd2be34bbd5c8def9063"
	if got := fmt.Sprintf("%x", sha256.Sum256(append(b, u...))); got != want {
		t.Errorf("sha256 of the small set and update = %s, want %s", got, want)
	}
}

// TestProperties checks the documented shape of both sets.
func TestProperties(t *testing.T) {
	for name, s := range map[string]vrpgen.Spec{"small": vrpgen.Small, "full": vrpgen.Full} {
		t.Run(name, func(t *testing.T) {
			base, update := s.Generate()
			checkShape(t, base, s.VRPs)
			checkShape(t, update, s.VRPs)
			if gone, added := diff(base, update); gone != s.Changes || added != s.Changes {
				t.Errorf("update withdraws %d and announces %d VRPs, want %d each", gone, added, s.Changes)
			}
		})
	}
}

// checkShape checks one set against the package documentation.
func checkShape(t *testing.T, vrps []vrpgen.VRP, n int) {
	t.Helper()
	if len(vrps) != n {
		t.Fatalf("%d VRPs, want %d", len(vrps), n)
	}
	var v6, as0, exact, len24, v4, len48 int
	perAS := map[uint32]int{}
	// Sorted by prefix first, so a prefix's VRPs are adjacent.
	prefixes, multi, runStart := 0, 0, 0
	for i, v := range vrps {
		if i > 0 && !less(vrps[i-1], v) {
			t.Fatalf("not sorted or not unique at %d: %v, %v", i, vrps[i-1], v)
		}
		if v.Prefix != v.Prefix.Masked() || v.MaxLen < v.Prefix.Bits() || v.MaxLen > v.Prefix.Addr().BitLen() || v.TA == "" {
			t.Fatalf("bad VRP %+v", v)
		}
		if v.Prefix.Addr().Is6() {
			v6++
			len48 += b2i(v.Prefix.Bits() == 48)
		} else {
			v4++
			len24 += b2i(v.Prefix.Bits() == 24)
		}
		exact += b2i(v.MaxLen == v.Prefix.Bits())
		if v.ASN == 0 {
			as0++
		} else {
			perAS[v.ASN]++
		}
		if i == 0 || v.Prefix != vrps[i-1].Prefix {
			prefixes, runStart = prefixes+1, i
		} else if v.ASN != vrps[runStart].ASN && !multiOrigin(vrps[runStart:i], vrps[runStart].ASN) {
			multi++
		}
	}
	counts := make([]int, 0, len(perAS))
	for _, c := range perAS {
		counts = append(counts, c)
	}
	slices.Sort(counts)
	top := 0
	for _, c := range counts[len(counts)-len(counts)/100:] {
		top += c
	}
	within(t, "IPv6 share", float64(v6)/float64(n), 0.25, 0.25)
	within(t, "AS0 share", float64(as0)/float64(n), 0.003, 0.005)
	within(t, "multi-origin share of prefixes", float64(multi)/float64(prefixes), 0.025, 0.04)
	within(t, "VRPs per origin AS", float64(n)/float64(len(perAS)), 9, 15)
	within(t, "median VRPs per AS", float64(counts[len(counts)/2]), 3, 10)
	within(t, "share of the top 1% of ASes (heavy tail)", float64(top)/float64(n), 0.15, 0.45)
	within(t, "/24 share of IPv4", float64(len24)/float64(v4), 0.45, 0.65)
	within(t, "/48 share of IPv6", float64(len48)/float64(v6), 0.4, 0.65)
	within(t, "maxLength = length share", float64(exact)/float64(n), 0.85, 0.95)
}

// multiOrigin reports whether run holds an AS other than asn.
func multiOrigin(run []vrpgen.VRP, asn uint32) bool {
	for _, v := range run {
		if v.ASN != asn {
			return true
		}
	}
	return false
}

func within(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %.4f, want %.4f..%.4f", what, got, lo, hi)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func less(a, b vrpgen.VRP) bool {
	if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
		return c < 0
	}
	if a.Prefix.Bits() != b.Prefix.Bits() {
		return a.Prefix.Bits() < b.Prefix.Bits()
	}
	if a.MaxLen != b.MaxLen {
		return a.MaxLen < b.MaxLen
	}
	return a.ASN < b.ASN
}

// diff counts the VRPs only in a and only in b.
func diff(a, b []vrpgen.VRP) (onlyA, onlyB int) {
	in := map[vrpgen.VRP]bool{}
	for _, v := range a {
		in[v] = true
	}
	for _, v := range b {
		if in[v] {
			delete(in, v)
		} else {
			onlyB++
		}
	}
	return len(in), onlyB
}

// TestJSONReads: payload.ReadJSON reads the encoding back to the same VRPs.
func TestJSONReads(t *testing.T) {
	base, _ := vrpgen.Small.Generate()
	js, _ := vrpgen.Small.JSON()
	set, err := payload.ReadJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	snap := payload.NewSnapshot(set)
	if len(snap.VRPs) != len(base) {
		t.Fatalf("read %d VRPs, want %d", len(snap.VRPs), len(base))
	}
	want := map[payload.VRP]bool{}
	for _, v := range base {
		p, err := payload.NewVRP(v.Prefix, uint8(v.MaxLen), v.ASN)
		if err != nil {
			t.Fatalf("%+v: %v", v, err)
		}
		want[p] = true
	}
	for _, v := range snap.VRPs {
		if !want[v] {
			t.Fatalf("read %v, not generated", v)
		}
	}
}
