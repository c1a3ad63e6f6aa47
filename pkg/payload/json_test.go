package payload

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readJSON(t testing.TB, name string, r io.Reader) Set {
	t.Helper()
	s, err := ReadJSON(r)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// readVector reads a payload JSON file of rtr-vectors.
func readVector(t testing.TB, rel string) Set { return readJSON(t, rel, openVector(t, rel)) }

func TestReadJSONStayRTR(t *testing.T) {
	snap := NewSnapshot(readVector(t, "stayrtr/cmd/stayrtr/test.rpki.json"))
	if len(snap.VRPs) != 19 || len(snap.RouterKeys) != 3 {
		t.Fatalf("got %d VRPs, %d keys; want 19, 3", len(snap.VRPs), len(snap.RouterKeys))
	}
	// The old per-AFI form lists customers 15562 and 64496 under both
	// ipv4 and ipv6 with the same providers: merged, one record each.
	if len(snap.ASPAs) != 2 || snap.ASPAs[0].Customer != 15562 || len(snap.ASPAs[0].Providers) != 4 {
		t.Fatalf("ASPAs = %v", snap.ASPAs)
	}
	first := snap.VRPs[0].String()
	if first != "1.0.0.0/24-24 AS13335" {
		t.Errorf("first VRP %s", first)
	}
}

func TestReadJSONStringASN(t *testing.T) {
	snap := NewSnapshot(readVector(t, "stayrtr/cmd/stayrtr/smalltest.rpki.json"))
	found := false
	for _, v := range snap.VRPs {
		found = found || v.ASN == 9367
	}
	if len(snap.VRPs) != 2 || !found {
		t.Fatalf("VRPs = %v, want 2 with AS9367", snap.VRPs)
	}
}

func TestReadJSONCurrentASPAForm(t *testing.T) {
	snap := NewSnapshot(readVector(t, "rpki-rtr-demo/t/rpki.json"))
	if len(snap.ASPAs) == 0 || len(snap.VRPs) == 0 {
		t.Fatalf("rpki-rtr-demo: %d VRPs, %d ASPAs", len(snap.VRPs), len(snap.ASPAs))
	}
}

func TestJSONRoundTrip(t *testing.T) {
	const small = "generated small set"
	for rel, r := range map[string]io.Reader{small: smallJSON(), "stayrtr test.rpki.json": openVector(t, "stayrtr/cmd/stayrtr/test.rpki.json")} {
		snap := NewSnapshot(readJSON(t, rel, r))
		var buf bytes.Buffer
		if err := WriteJSON(&buf, snap, fixedTime(0)); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("%s: reading our own output: %v", rel, err)
		}
		if got := NewSnapshot(back); !got.Equal(snap) {
			t.Fatalf("%s: round trip changed the snapshot (%d vs %d records)", rel, got.Len(), snap.Len())
		}
		if rel == small && len(snap.VRPs) != 5000 {
			t.Errorf("%s: %d VRPs, want 5000", rel, len(snap.VRPs))
		}
	}
}

func TestReadJSONBad(t *testing.T) {
	want := map[string]string{
		"asn-not-number.json":     `AS number "ASX"`,
		"asn-too-big.json":        "32-bit",
		"host-bits.json":          "host bits",
		"maxlength-too-long.json": "maxLength 33",
		"maxlength-negative.json": "maxLength -1",
		"prefix-garbage.json":     "roas[0]: prefix",
		"aspa-no-providers.json":  "aspas[0]: providers",
		"key-short-ski.json":      "bgpsec_keys[0]: ski",
		"key-bad-base64.json":     "bgpsec_keys[0]: pubkey",
		"trailing-object.json":    "trailing data",
		"truncated.json":          "unexpected EOF",
	}
	files, _ := filepath.Glob("testdata/json/bad/*.json")
	if len(files) != len(want) {
		t.Fatalf("%d files in testdata/json/bad, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ReadJSON(bytes.NewReader(b))
		w := want[filepath.Base(f)]
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("%s: err = %v, want %q", f, err, w)
		}
	}
}

// FuzzReadJSON feeds arbitrary bytes to ReadJSON: no panic, and anything
// accepted round-trips through WriteJSON to the same snapshot.
func FuzzReadJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/json/bad/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	b, err := os.ReadFile(vectorFile(f, "stayrtr/cmd/stayrtr/test.rpki.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"roas":[{"asn":"AS1","prefix":"::/0","maxLength":0}],"aspas":[{"customer_asid":1,"providers":[2,2,1]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		set, err := ReadJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		snap := NewSnapshot(set)
		var buf bytes.Buffer
		if err := WriteJSON(&buf, snap, fixedTime(0)); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatalf("own output rejected: %v\n%s", err, buf.Bytes())
		}
		if !NewSnapshot(back).Equal(snap) {
			t.Fatal("round trip changed the snapshot")
		}
	})
}
