package output

import (
	"bytes"
	"context"
	"flag"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// goldenTable is the payload of Routinator's goldens (testdata/routinator
// README): each item twice, as local exceptions, built at Unix time 0.
func goldenTable(t *testing.T) *payload.Table {
	t.Helper()
	tb := &payload.Table{BuildTime: time.Unix(0, 0), TAs: payload.NewTANames()}
	local := payload.Info{TA: tb.TAs.Of(payload.LocalTA)}
	v, err := payload.NewVRP(netip.MustParsePrefix("12.34.56.0/24"), 0, 1234)
	if err != nil {
		t.Fatal(err)
	}
	key := payload.RouterKey{ASN: 1234, SPKI: make([]byte, 64)}
	aspa := payload.ASPA{Customer: 1234, Providers: []uint32{1, 2, 3, 4}}
	for range 2 {
		tb.VRPs = append(tb.VRPs, payload.VRPInfo{VRP: v, Info: local})
		tb.RouterKeys = append(tb.RouterKeys, payload.KeyInfo{RouterKey: key, Info: local})
		tb.ASPAs = append(tb.ASPAs, payload.ASPAInfo{ASPA: aspa, Info: local})
	}
	return tb
}

// TestRoutinatorGoldens renders the payload of Routinator's goldens in
// each of its formats, with each combination of exclude=, and compares
// byte for byte. Routinator's goldens list duplicates, which its real
// snapshots never hold; the test writes them one by one as its test did.
// Its summary golden comes from empty counters whatever the payload, so
// the summary is compared for an empty table.
func TestRoutinatorGoldens(t *testing.T) {
	files, _ := filepath.Glob("testdata/routinator/[01][01][01].*")
	if len(files) != 96 {
		t.Fatalf("%d golden files, want 96", len(files))
	}
	for _, file := range files {
		name := filepath.Base(file)
		c, format, _ := strings.Cut(name, ".")
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		tb := goldenTable(t)
		if format == "summary" {
			tb = &payload.Table{BuildTime: time.Unix(0, 0), TAs: payload.NewTANames()}
		}
		f := &Filter{NoVRPs: c[0] == '0', NoKeys: c[1] == '0', NoASPAs: c[2] == '0'}
		var got bytes.Buffer
		if err := WriteWith(&got, format, tb, Options{Filter: f, duplicates: true}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s differs from Routinator's:\n--- got\n%s\n--- want\n%s", name, got.Bytes(), want)
		}
	}
}

// TestOneLinePerPayload: a VRP that two trust anchors yield is one line
// in Routinator's formats (with the first trust anchor) and in
// rpki-client's (with the later expiry), two sources in jsonext.
func TestOneLinePerPayload(t *testing.T) {
	tb := provenanceTable(t)
	csv := render(t, "csv", tb, nil)
	if strings.Count(csv, "AS65000,192.0.2.0/24,24,") != 1 || !strings.Contains(csv, "AS65000,192.0.2.0/24,24,apnic\n") {
		t.Errorf("csv:\n%s", csv)
	}
	rc := render(t, "rpki-client-csv", tb, nil)
	if !strings.Contains(rc, "AS65000,192.0.2.0/24,24,ripe,1893553445\n") || strings.Count(rc, "192.0.2.0/24") != 1 {
		t.Errorf("rpki-client-csv:\n%s", rc)
	}
	ext := render(t, "jsonext", tb, nil)
	want := `{ "asn": "AS65000", "prefix": "192.0.2.0/24", "maxLength": 24, "source": [ { "type": "roa", ` +
		`"uri": "rsync://rpki.example.net/repo/a/x.roa", "tal": "apnic", ` +
		`"validity": { "notBefore": "2026-01-01T00:00:00Z", "notAfter": "2027-01-01T00:00:00Z" }, ` +
		`"chainValidity": { "notBefore": "2026-01-01T00:00:00Z", "notAfter": "2026-06-01T00:00:00Z" }, ` +
		`"stale": "2026-01-08T00:00:00Z" },  { "type": "roa", "uri": null, "tal": "ripe" }] }`
	if !strings.Contains(ext, want) {
		t.Errorf("jsonext lacks\n%s\n%s", want, ext)
	}
	if !strings.Contains(ext, `"source": [ { "type": "exception", "path": null }] }`) {
		t.Errorf("jsonext: the SLURM assertion is not an exception:\n%s", ext)
	}
	csvext := render(t, "csvext", tb, nil)
	if !strings.Contains(csvext, "rsync://rpki.example.net/repo/a/x.roa,AS65000,192.0.2.0/24,24,2026-01-01 00:00:00,2027-01-01 00:00:00\n") ||
		!strings.Contains(csvext, "N/A,AS65001,198.51.100.0/24,24,N/A,N/A\n") {
		t.Errorf("csvext:\n%s", csvext)
	}
}

// provenanceTable has one VRP from two trust anchors (the first with its
// source, the second read from a file), and a SLURM assertion.
func provenanceTable(t *testing.T) *payload.Table {
	t.Helper()
	at := func(s string) payload.Expiry {
		tm, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return payload.ExpiryOf(tm)
	}
	tb := &payload.Table{BuildTime: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), TAs: payload.NewTANames()}
	apnic, ripe := tb.TAs.Of("apnic"), tb.TAs.Of("ripe")
	tb.Sources = &payload.Sources{
		CAs: []payload.CASource{
			{URI: "rsync://rpki.example.net/ta.cer", Repository: "rsync://rpki.example.net/repo/", Parent: -1, TA: apnic, NotBefore: at("2025-01-01"), NotAfter: at("2030-01-01")},
			{URI: "rsync://rpki.example.net/repo/a.cer", Repository: "rsync://rpki.example.net/repo/a/", Parent: 0, TA: apnic, NotBefore: at("2025-06-01"), NotAfter: at("2026-06-01")},
		},
		Objects: []payload.ObjectSource{{CA: 1, Name: "x.roa", NotBefore: at("2026-01-01"), NotAfter: at("2027-01-01")}},
	}
	v := mustVRP(t, "192.0.2.0/24", 24, 65000)
	tb.VRPs = []payload.VRPInfo{
		{VRP: v, Info: payload.Info{TA: apnic, Expires: at("2026-01-08"), Object: 1}},
		{VRP: v, Info: payload.Info{TA: ripe, Expires: payload.Expiry(1893553445)}},
		{VRP: mustVRP(t, "198.51.100.0/24", 24, 65001), Info: payload.Info{TA: tb.TAs.Of(payload.LocalTA)}},
	}
	tb.Sort()
	return tb
}

func mustVRP(t testing.TB, p string, maxLen uint8, asn uint32) payload.VRP {
	t.Helper()
	v, err := payload.NewVRP(netip.MustParsePrefix(p), maxLen, asn)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func render(t *testing.T, format string, tb *payload.Table, f *Filter) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteWith(&b, format, tb, Options{Filter: f}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// testTable has a few VRPs of both families, an ASPA and a router key.
func testTable(t *testing.T) *payload.Table {
	t.Helper()
	exp := payload.ExpiryOf(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	tb := payload.Table{TAs: payload.NewTANames(), BuildTime: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	info := payload.Info{TA: tb.TAs.Of("lab"), Expires: exp}
	for _, v := range []payload.VRP{mustVRP(t, "192.0.2.0/24", 24, 65000), mustVRP(t, "198.51.100.0/22", 24, 65001),
		mustVRP(t, "198.51.100.0/24", 24, 65002), mustVRP(t, "2001:db8::/32", 48, 0)} {
		tb.VRPs = append(tb.VRPs, payload.VRPInfo{VRP: v, Info: info})
	}
	tb.ASPAs = []payload.ASPAInfo{{ASPA: payload.ASPA{Customer: 65000, Providers: []uint32{65001, 65002}}, Info: info}}
	tb.RouterKeys = []payload.KeyInfo{{RouterKey: payload.RouterKey{SKI: [20]byte{1, 2, 3}, ASN: 65003, SPKI: []byte{0x30, 0x00}}, Info: info}}
	tb.Sort()
	return &tb
}

// TestJSONReadsBack reads Routinator's json and rpki-client's back with
// the one reader (what `validator rtr --source` and the warm start use).
func TestJSONReadsBack(t *testing.T) {
	tb := testTable(t)
	for _, format := range []string{"json", "jsonext", "rpki-client"} {
		back, err := payload.ReadTable(strings.NewReader(render(t, format, tb, nil)))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		got, want := payload.NewSnapshot(back.Set()), payload.NewSnapshot(tb.Set())
		if !got.Equal(want) {
			t.Errorf("%s read back %+v, want %+v", format, got, want)
		}
	}
	out := render(t, "json", tb, nil)
	for _, s := range []string{`"asn": "AS65000"`, `"customer": "AS65000", "providers": ["AS65001", "AS65002"]`, `"asn": "AS65003", "SKI": "0102030000`} {
		if !strings.Contains(out, s) {
			t.Errorf("json lacks %s:\n%s", s, out)
		}
	}
}

// TestBIRD2Parses has BIRD 2 parse Routinator's bird2 lines, one static
// protocol per family as an operator includes them, and rpki-client's
// BIRD file (bird -p).
func TestBIRD2Parses(t *testing.T) {
	tb := testTable(t)
	v4 := &Filter{Prefixes: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}, MoreSpecifics: true}
	v6 := &Filter{Prefixes: []netip.Prefix{netip.MustParsePrefix("::/0")}, MoreSpecifics: true}
	conf := "router id 192.0.2.1;\nroa4 table r4;\nroa6 table r6;\n" +
		"protocol static { roa4 { table r4; };\n" + render(t, "bird2", tb, v4) + "}\n" +
		"protocol static { roa6 { table r6; };\n" + render(t, "bird2", tb, v6) + "}\n"
	checkConfig(t, "bird", "router id 192.0.2.1;\n"+render(t, "rpki-client-bird", tb, nil))
	checkConfig(t, "bird", conf)
	if !strings.Contains(conf, "route 2001:db8::/32 max 48 as 0;") {
		t.Fatalf("bird2 output lacks the IPv6 route:\n%s", conf)
	}
}

// TestOpenBGPDParses has bgpd check Routinator's roa-set and
// rpki-client's (bgpd -n).
func TestOpenBGPDParses(t *testing.T) {
	tb := testTable(t)
	out := render(t, "openbgpd", tb, nil)
	if !strings.Contains(out, "    192.0.2.0/24 source-as 65000\n") || !strings.Contains(out, "    198.51.100.0/22 maxlen 24 source-as 65001\n") {
		t.Fatalf("unexpected openbgpd output:\n%s", out)
	}
	rc := render(t, "rpki-client-openbgpd", tb, nil)
	if !strings.Contains(rc, "\t198.51.100.0/22 maxlen 24 source-as 65001 expires 1893553445\n") {
		t.Fatalf("unexpected rpki-client-openbgpd output:\n%s", rc)
	}
	for _, o := range []string{out, rc} {
		checkConfig(t, "bgpd", "AS 65000\nrouter-id 192.0.2.1\n"+o)
	}
}

// checkConfig has a daemon check a configuration file.
func checkConfig(t *testing.T, daemon, conf string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), daemon+".conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-p", "-c", file}
	if daemon == "bgpd" {
		args = []string{"-n", "-f", file}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, daemon, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s\n%s", daemon, args, err, out, conf)
	}
}

// TestEveryFormat writes the test table in each format, and checks the
// content types and that unknown names are refused.
func TestEveryFormat(t *testing.T) {
	tb := testTable(t)
	for _, name := range Formats() {
		out := render(t, name, tb, nil)
		if ContentType(name) == "" {
			t.Errorf("%s: no content type", name)
		}
		if name != "none" && out == "" {
			t.Errorf("%s: empty output", name)
		}
	}
	if err := Write(&bytes.Buffer{}, "bird", tb); err == nil {
		t.Error("format bird accepted (Routinator has bird1 and bird2)")
	}
}

// TestGoldenOutputs compares every format for the test table with
// testdata/golden (refreshed with -update after a reviewed change).
func TestGoldenOutputs(t *testing.T) {
	tb := provenanceTable(t)
	tb.RouterKeys = testTable(t).RouterKeys
	meta := Meta{Host: "vm", Start: tb.BuildTime.Add(-time.Minute), End: tb.BuildTime, TALFiles: []string{"/etc/tals/apnic.tal"},
		TAs:     []TAMeta{{Name: "apnic", VRPs: 1}, {Name: "ripe", VRPs: 1, RouterKeys: 1}},
		Objects: map[string]map[string]int{"roa": {"valid": 1, "malformed": 2, "signature check failed": 3}}, Repositories: 4}
	for _, name := range Formats() {
		var b bytes.Buffer
		if err := WriteWith(&b, name, tb, Options{Meta: meta}); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join("testdata/golden", name)
		if *update {
			os.MkdirAll("testdata/golden", 0o755)
			os.WriteFile(file, b.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s:\n%s", name, file, b.Bytes())
		}
	}
}
