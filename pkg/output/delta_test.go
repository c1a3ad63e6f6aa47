package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// TestWriteDelta checks json-delta's reset and delta documents: members
// and their order as Routinator writes them (src/http/delta.rs), valid
// JSON, route origins in Routinator's order.
func TestWriteDelta(t *testing.T) {
	gen := time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)
	snap := payload.NewSnapshot(payload.Set{
		VRPs:       []payload.VRP{mustVRP(t, "10.0.0.0/8", 16, 1), mustVRP(t, "10.1.0.0/16", 16, 2)},
		ASPAs:      []payload.ASPA{{Customer: 5, Providers: []uint32{6, 7}}},
		RouterKeys: []payload.RouterKey{{SKI: [20]byte{0xab}, ASN: 9, SPKI: []byte{1, 2}}},
	})
	var b bytes.Buffer
	if err := WriteDelta(&b, DeltaDoc{Session: 1764700000, Serial: 3, Generated: gen, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"reset\": true,\n  \"session\": \"1764700000\",\n  \"serial\": 3,\n  \"generated\": 1796230800,\n" +
		"  \"generatedTime\": \"2026-12-02T17:00:00Z\",\n  \"announced\": [\n    {\n        \"type\": \"routeOrigin\",\n" +
		"        \"asn\": \"AS2\",\n        \"prefix\": \"10.1.0.0/16\",\n        \"maxLength\": 16\n    },\n    {\n"
	if !strings.HasPrefix(b.String(), want) {
		t.Fatalf("reset starts\n%s\nwant\n%s", b.String(), want)
	}
	var doc struct {
		Reset     bool              `json:"reset"`
		Session   string            `json:"session"`
		Announced []json.RawMessage `json:"announced"`
		Withdrawn []json.RawMessage `json:"withdrawn"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || !doc.Reset || len(doc.Announced) != 4 || doc.Withdrawn != nil {
		t.Fatalf("reset: %v %+v\n%s", err, doc, b.String())
	}
	for _, s := range []string{`"keyIdentifier": "AB00000000000000000000000000000000000000"`, `"keyInfo": "AQI"`, `"providerAsns": ["AS6", "AS7"]`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("reset lacks %s", s)
		}
	}

	d := &payload.Delta{From: 2, To: 3, AnnouncedVRPs: []payload.VRP{mustVRP(t, "192.0.2.0/24", 24, 1)},
		WithdrawnASPAs: []payload.ASPA{{Customer: 5, Providers: []uint32{6}}}}
	b.Reset()
	if err := WriteDelta(&b, DeltaDoc{Session: 7, Serial: 3, Generated: gen, Delta: d}); err != nil {
		t.Fatal(err)
	}
	doc.Announced, doc.Withdrawn = nil, nil
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || doc.Reset || len(doc.Announced) != 1 || len(doc.Withdrawn) != 1 {
		t.Fatalf("delta: %v %+v\n%s", err, doc, b.String())
	}
	if !strings.Contains(b.String(), "\"serial\": 3,\n  \"fromSerial\": 2,\n") {
		t.Errorf("delta lacks fromSerial:\n%s", b.String())
	}
}
