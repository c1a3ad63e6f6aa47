package payload

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/openrpki/validator/internal/testfiles"
	"github.com/openrpki/validator/internal/vrpgen"
)

// vectorFile is the path of a file under the module's rtr-vectors test
// data; the test fails if it is missing.
func vectorFile(t testing.TB, rel string) string { return testfiles.Vector(t, rel) }

// openVector opens a file under rtr-vectors.
func openVector(t testing.TB, rel string) io.Reader {
	t.Helper()
	f, err := os.Open(vectorFile(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// smallJSON returns the generated 5,000-VRP set (internal/vrpgen).
func smallJSON() io.Reader {
	b, _ := vrpgen.Small.JSON()
	return bytes.NewReader(b)
}

// decodeSets builds two random snapshots from fuzz bytes: each 4-byte
// chunk makes one VRP (or ASPA, or router key) and says whether it is in
// the old set, the new set, or both. The value space is small on purpose so
// that collisions (duplicates, shared records) are frequent.
func decodeSets(data []byte) (old, new Set) {
	for len(data) >= 4 {
		c := data[:4]
		data = data[4:]
		in := c[0] & 3 // 0: old, 1: new, 2/3: both
		var s Set
		switch (c[0] >> 2) & 3 {
		case 0, 1:
			v6 := c[0]&16 != 0
			v := VRP{ASN: uint32(c[3] & 7), V6: v6}
			v.Addr[0], v.Addr[1] = 10, c[1]&15
			v.Bits = 16
			if v6 {
				v.Bits = 32
			}
			v.MaxLen = v.Bits + c[2]&3
			s.VRPs = []VRP{v}
		case 2:
			provs := []uint32{uint32(c[2] & 3), uint32(c[3] & 3), uint32(c[2] >> 6)}
			s.ASPAs = []ASPA{{Customer: uint32(c[1] & 7), Providers: provs}}
		case 3:
			k := RouterKey{ASN: uint32(c[2] & 3), SPKI: []byte{c[3] & 3}}
			k.SKI[0] = c[1] & 7
			s.RouterKeys = []RouterKey{k}
		}
		if in != 1 {
			old = appendSet(old, s)
		}
		if in != 0 {
			new = appendSet(new, s)
		}
	}
	return old, new
}

func appendSet(a, b Set) Set {
	a.VRPs = append(a.VRPs, b.VRPs...)
	a.ASPAs = append(a.ASPAs, b.ASPAs...)
	a.RouterKeys = append(a.RouterKeys, b.RouterKeys...)
	return a
}
