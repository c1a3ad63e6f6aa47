package payload

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readShared(t testing.TB, rel string) Set {
	t.Helper()
	s, err := ReadJSON(openShared(t, rel))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return s
}

func TestReadJSONStayRTR(t *testing.T) {
	snap := NewSnapshot(readShared(t, "rtr-vectors/stayrtr/cmd/stayrtr/test.rpki.json"))
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
	snap := NewSnapshot(readShared(t, "rtr-vectors/stayrtr/cmd/stayrtr/smalltest.rpki.json"))
	found := false
	for _, v := range snap.VRPs {
		found = found || v.ASN == 9367
	}
	if len(snap.VRPs) != 2 || !found {
		t.Fatalf("VRPs = %v, want 2 with AS9367", snap.VRPs)
	}
}

func TestReadJSONCurrentASPAForm(t *testing.T) {
	snap := NewSnapshot(readShared(t, "rtr-vectors/rpki-rtr-demo/t/rpki.json"))
	if len(snap.ASPAs) == 0 || len(snap.VRPs) == 0 {
		t.Fatalf("rpki-rtr-demo: %d VRPs, %d ASPAs", len(snap.VRPs), len(snap.ASPAs))
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, rel := range []string{"rtr-data/small.json.gz", "rtr-vectors/stayrtr/cmd/stayrtr/test.rpki.json"} {
		snap := NewSnapshot(readShared(t, rel))
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
		if rel == "rtr-data/small.json.gz" && len(snap.VRPs) != 5000 {
			t.Errorf("small.json.gz: %d VRPs, want 5000", len(snap.VRPs))
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
	b, _ := os.ReadFile(filepath.Join(sharedDir(f), "rtr-vectors/stayrtr/cmd/stayrtr/test.rpki.json"))
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
