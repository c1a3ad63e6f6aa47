package output

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

func testTable(t *testing.T) *payload.Table {
	t.Helper()
	exp := payload.ExpiryOf(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	tb := payload.Table{TAs: payload.NewTANames()}
	info := payload.Info{TA: tb.TAs.Of("lab"), Expires: exp}
	tb.BuildTime = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		p      string
		maxLen uint8
		asn    uint32
	}{{"192.0.2.0/24", 24, 65000}, {"198.51.100.0/22", 24, 65001}, {"2001:db8::/32", 48, 0}} {
		v, err := payload.NewVRP(netip.MustParsePrefix(c.p), c.maxLen, c.asn)
		if err != nil {
			t.Fatal(err)
		}
		tb.VRPs = append(tb.VRPs, payload.VRPInfo{VRP: v, Info: info})
	}
	tb.ASPAs = []payload.ASPAInfo{{ASPA: payload.ASPA{Customer: 65000, Providers: []uint32{65001, 65002}}, Info: info}}
	tb.RouterKeys = []payload.KeyInfo{{RouterKey: payload.RouterKey{SKI: [20]byte{1, 2, 3}, ASN: 65003, SPKI: []byte{0x30, 0x00}}, Info: info}}
	return &tb
}

func render(t *testing.T, format string, tb *payload.Table) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, tb); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestJSONReadsBack reads our JSON with the StayRTR-compatible reader of
// pkg/payload (what `validator rtr --source` uses) and gets the same table.
func TestJSONReadsBack(t *testing.T) {
	tb := testTable(t)
	out := render(t, "json", tb)
	set, err := payload.ReadJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := payload.Set{}
	for _, v := range tb.VRPs {
		want.VRPs = append(want.VRPs, v.VRP)
	}
	for _, a := range tb.ASPAs {
		want.ASPAs = append(want.ASPAs, a.ASPA)
	}
	for _, k := range tb.RouterKeys {
		want.RouterKeys = append(want.RouterKeys, k.RouterKey)
	}
	if !payload.NewSnapshot(want).Equal(payload.NewSnapshot(set)) {
		t.Fatalf("read back %+v, want %+v", set, want)
	}
	for _, s := range []string{`"asn":65000`, `"maxLength":24`, `"ta":"lab"`, `"expires":1893553445`, `"customer_asid":65000`} {
		if !strings.Contains(out, s) {
			t.Errorf("JSON lacks %s", s)
		}
	}
}

func TestCSV(t *testing.T) {
	recs, err := csv.NewReader(strings.NewReader(render(t, "csv", testTable(t)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"ASN", "IP Prefix", "Max Length", "Trust Anchor"},
		{"AS65000", "192.0.2.0/24", "24", "lab"}, {"AS65001", "198.51.100.0/22", "24", "lab"},
		{"AS0", "2001:db8::/32", "48", "lab"}}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if strings.Join(recs[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("record %d: %v, want %v", i, recs[i], want[i])
		}
	}
}

// TestBIRDParses has BIRD 2 parse the roa tables (bird -p).
func TestBIRDParses(t *testing.T) {
	out := render(t, "bird", testTable(t))
	conf := filepath.Join(t.TempDir(), "bird.conf")
	os.WriteFile(conf, []byte("router id 192.0.2.1;\n"+out), 0o644)
	checkCommand(t, "bird", "-p", "-c", conf)
	if !strings.Contains(out, "route 2001:db8::/32 max 48 as 0;") {
		t.Fatalf("bird output lacks the IPv6 route:\n%s", out)
	}
}

// TestOpenBGPDParses has bgpd check the roa-set (bgpd -n). Debian's
// OpenBGPD 7.7 predates aspa-set, so the ASPA block is checked as text.
func TestOpenBGPDParses(t *testing.T) {
	tb := testTable(t)
	out := render(t, "openbgpd", tb)
	if !strings.Contains(out, "\tcustomer-as 65000 expires 1893553445 provider-as { 65001, 65002 }\n") ||
		!strings.Contains(out, "\t192.0.2.0/24 source-as 65000 expires") ||
		!strings.Contains(out, "\t198.51.100.0/22 maxlen 24 source-as 65001") {
		t.Fatalf("unexpected openbgpd output:\n%s", out)
	}
	tb.ASPAs = nil
	conf := filepath.Join(t.TempDir(), "bgpd.conf")
	os.WriteFile(conf, []byte("AS 65000\nrouter-id 192.0.2.1\n"+render(t, "openbgpd", tb)), 0o600)
	checkCommand(t, "bgpd", "-n", "-f", conf)
}

func checkCommand(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// TestJSONRoundTrip reads our JSON back with provenance intact.
func TestJSONRoundTrip(t *testing.T) {
	tb := testTable(t)
	got, err := payload.ReadTable(strings.NewReader(render(t, "json", tb)))
	if err != nil {
		t.Fatal(err)
	}
	if render(t, "json", got) != render(t, "json", tb) {
		t.Fatal("JSON does not round-trip")
	}
}
