package slurm

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

// addSeeds adds every testdata file, good and bad, and the peers' real
// SLURM files to the corpus.
func addSeeds(f *testing.F) {
	names, _ := filepath.Glob("testdata/*/*.json")
	data := dataDir(f)
	for _, s := range []string{
		"rtr-vectors/stayrtr/cmd/stayrtr/test.slurm.json",
		"rtr-vectors/rtrtr/test-data/exceptions.json",
		"rpki-corpus/rpki-prover/test/data/slurm1.json",
	} {
		names = append(names, filepath.Join(data, s))
	}
	if len(names) < 10 {
		f.Fatalf("only %d seed files", len(names))
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParse checks that Parse never panics and that what it accepts
// (1) re-encodes with MarshalJSON to a file that parses to the same File,
// and (2) applied as a Policy gives the same payload as the naive
// reference implementation, on VRPs, keys and ASPAs derived from the
// file's own entries (so that filters actually match).
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseBytes(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is a %T, not *Error", err, err)
			}
			return
		}
		enc, err := file.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseBytes(enc)
		if err != nil {
			t.Fatalf("re-encoded file rejected: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(file, again) {
			t.Fatalf("round trip changed the file:\n%+v\n%+v", file, again)
		}
		p, err := NewPolicy(file)
		if err != nil {
			t.Fatal(err)
		}
		in := probePayload(file)
		got := payload.NewSnapshot(p.Apply(in))
		want := payload.NewSnapshot(referenceApply(in, []*File{file}))
		if !got.Equal(want) {
			t.Fatalf("Apply differs from the reference on %+v", in)
		}
	})
}

// probePayload derives VRPs, router keys and ASPAs that sit on, inside and
// just outside the file's filters.
func probePayload(f *File) payload.Set {
	var s payload.Set
	addVRP := func(v payload.VRP) { s.VRPs = append(s.VRPs, v) }
	for _, pf := range f.PrefixFilters {
		for _, asn := range []uint32{pf.ASN, pf.ASN + 1} {
			if !pf.Prefix.IsValid() {
				v, _ := payload.NewVRP(mustPrefix("192.0.2.0/24"), 24, asn)
				addVRP(v)
				continue
			}
			for _, d := range []int{-1, 0, 1} {
				bits := pf.Prefix.Bits() + d
				if bits < 0 || bits > pf.Prefix.Addr().BitLen() {
					continue
				}
				p, _ := pf.Prefix.Addr().Prefix(bits)
				if v, err := payload.NewVRP(p, uint8(bits), asn); err == nil {
					addVRP(v)
				}
			}
		}
	}
	for _, pa := range f.PrefixAssertions {
		addVRP(pa.VRP)
	}
	for _, bf := range f.BGPsecFilters {
		s.RouterKeys = append(s.RouterKeys,
			payload.RouterKey{ASN: bf.ASN, SKI: bf.SKI}, payload.RouterKey{ASN: bf.ASN + 1, SKI: bf.SKI},
			payload.RouterKey{ASN: bf.ASN})
	}
	for _, af := range f.ASPAFilters {
		s.ASPAs = append(s.ASPAs, payload.ASPA{Customer: af.Customer, Providers: []uint32{af.Customer + 1}},
			payload.ASPA{Customer: af.Customer + 1, Providers: []uint32{af.Customer}})
	}
	return s
}

// FuzzOverlap checks the sort-and-stack prefix overlap check against a
// pairwise comparison of every prefix of two files. Each 5 bytes of input
// make one prefix (4 address bytes, 1 length byte); the first byte of each
// group picks the file.
func FuzzOverlap(f *testing.F) {
	f.Add([]byte{0, 10, 0, 0, 0, 8, 1, 10, 1, 0, 0, 16})
	f.Add([]byte{0, 10, 0, 0, 0, 9, 1, 10, 128, 0, 0, 9, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		files := []*File{{Name: "a"}, {Name: "b"}}
		for len(data) >= 6 && len(files[0].PrefixFilters)+len(files[1].PrefixFilters) < 200 {
			var a [4]byte
			copy(a[:], data[1:5])
			p, _ := netip.AddrFrom4(a).Prefix(int(data[5]) % 33)
			i := int(data[0]) % 2
			files[i].PrefixFilters = append(files[i].PrefixFilters, PrefixFilter{Prefix: p})
			data = data[6:]
		}
		want := false
		for _, x := range files[0].PrefixFilters {
			for _, y := range files[1].PrefixFilters {
				want = want || x.Prefix.Overlaps(y.Prefix)
			}
		}
		err := checkOverlap(files)
		if got := errors.Is(err, ErrOverlap); got != want {
			t.Fatalf("checkOverlap = %v, pairwise overlap = %v, files %+v", err, want, files)
		}
	})
}
