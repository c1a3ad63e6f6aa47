package corpus

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/openrpki/validator/internal/inspect"
)

func TestParseSummary(t *testing.T) {
	got := parseSummary("asid=8587; vrps=185.49.140.0/23-32,2a04:b900::/30-30; ski=03:C8; notBefore=Feb  8 10:43:09 2023 GMT; notAfter=Feb  7 10:48:09 2024 GMT")
	want := map[string]string{
		"asid": "8587", "vrps": "185.49.140.0/23-32,2a04:b900::/30-30", "ski": "03:C8",
		"notBefore": "Feb  8 10:43:09 2023 GMT", "notAfter": "Feb  7 10:48:09 2024 GMT",
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	got = parseSummary("name=afrinic uris=https://a.example/x.cer rsync://a.example/x.cer; ski=EB:68")
	if got["uris"] != "https://a.example/x.cer rsync://a.example/x.cer" || got["name"] != "afrinic" {
		t.Errorf("TAL summary: %v", got)
	}
	got = parseSummary(`customer=65000 providers=[{"asid": 65001}, {"asid": 65002, "afi_limit": "ipv4"}]; ski=A7`)
	if got["providers"] != `[{"asid": 65001}, {"asid": 65002, "afi_limit": "ipv4"}]` {
		t.Errorf("ASPA summary: %v", got)
	}
}

// CompareFields must see equal fields as equal after normalization, and
// report each field that differs.
func TestCompareFields(t *testing.T) {
	asid, n := uint32(8587), 2
	rep := &inspect.Report{
		Type: "roa",
		CertView: &inspect.CertView{
			SKI: "03:C8", NotBefore: "2023-02-08T10:43:09Z", NotAfter: "2024-02-07T10:48:09Z",
		},
		ASID: &asid,
		VRPs: []inspect.VRPView{{Prefix: "2a04:b900::/30", ASID: asid, MaxLen: 30}, {Prefix: "185.49.140.0/23", ASID: asid, MaxLen: 32}},
	}
	ref := &Reference{Type: "roa", Fields: parseSummary(
		"asid=8587; vrps=185.49.140.0/23-32,2a04:b900::/30-30; ski=03:C8; notBefore=Feb  8 10:43:09 2023 GMT; notAfter=Feb  7 10:48:09 2024 GMT")}
	if d := CompareFields(ref, rep); len(d) != 0 {
		t.Fatalf("equal objects differ: %v", d)
	}
	rep.VRPs[1].MaxLen = 24
	rep.NotAfter = "2024-02-07T10:48:10Z"
	rep.ManifestNumber, rep.Entries = "01", &n // extra fields of ours are not a difference
	d := CompareFields(ref, rep)
	if len(d) != 2 || !strings.HasPrefix(d[0], "notAfter:") || !strings.Contains(d[1], "only rpki-client [185.49.140.0/23-32]; only ours [185.49.140.0/23-24]") {
		t.Errorf("differences: %q", d)
	}
	delete(ref.Fields, "vrps")
	ref.Fields["mftnum"] = "02"
	rep.ASID = nil
	d = CompareFields(ref, rep)
	if len(d) != 3 || !strings.Contains(strings.Join(d, "\n"), `asid: rpki-client "8587", ours missing`) {
		t.Errorf("differences: %q", d)
	}
}

func TestNormalizeRef(t *testing.T) {
	ref := &Reference{Type: "-", Fields: map[string]string{
		"thisUpdate": "1694693575", "crlnum": "None", "providers": `[{"asid": 65002}, {"asid": 65001}]`,
	}}
	got := normalizeRef(ref)
	if got["thisUpdate"] != "2023-09-14T12:12:55Z" || got["providers"] != "65001,65002" {
		t.Errorf("normalized: %v", got)
	}
	if _, ok := got["crlnum"]; ok {
		t.Error("crlnum None must not be compared")
	}
	if _, ok := got["type"]; ok {
		t.Error(`type "-" must not be compared`)
	}
}

// The -j JSON fields of rpki-client and ours meet in one form.
func TestJSONFields(t *testing.T) {
	raw := map[string]json.RawMessage{
		"cert_serial": json.RawMessage(`"025E"`),
		"aia":         json.RawMessage(`"rsync://a.example/ca.cer"`),
		"subordinate_resources": json.RawMessage(`[{"asid_inherit": "true"}, {"ip_inherit": "true"},
			{"asrange": {"min": 1, "max": 9}}, {"ip_range": {"min": "5.0.0.0", "max": "5.28.31.255"}}]`),
		"revoked_certs":  json.RawMessage(`[{"serial": "74", "date": "Feb 07 14:17:56 2023 GMT"}]`),
		"filesandhashes": json.RawMessage(`[]`),
	}
	theirs := refJSONFields(raw)
	nine := uint32(9)
	rep := &inspect.Report{
		Type:     "ca_cert",
		CertView: &inspect.CertView{CertSerial: "025E", AIA: "rsync://a.example/ca.cer"},
	}
	rep.Resources = []inspect.ResourceView{
		{Inherit: "as"}, {Inherit: "ipv6"},
		{ASRange: &inspect.RangeView{Min: uint32(1), Max: nine}},
		{IPRange: &inspect.RangeView{Min: "5.0.0.0", Max: "5.28.31.255"}},
	}
	rep.Revoked = []inspect.RevokedView{{Serial: "74", Date: "2023-02-07T14:17:56Z"}}
	if d := CompareJSONFields(theirs, rep); len(d) != 0 {
		t.Errorf("equal fields differ: %q", d)
	}
	rep.Revoked[0].Serial = "75"
	rep.AIA = ""
	d := CompareJSONFields(theirs, rep)
	if len(d) != 2 || !strings.HasPrefix(d[0], "aia:") || !strings.Contains(d[1], `ours "75 2023-02-07T14:17:56Z"`) {
		t.Errorf("differences: %q", d)
	}
}
