package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// sourcedTable is smallTable with provenance: the VRP 192.0.2.0/24 AS65000
// and the ASPA of AS65000 come from ROA and ASPA objects of CA "ca1"
// below the trust anchor "ta1"; 198.51.100.0/22 is a local assertion.
func sourcedTable(t *testing.T) *payload.Table {
	tab := smallTable(t)
	exp := payload.ExpiryOf
	tab.Sources = &payload.Sources{
		CAs: []payload.CASource{
			{URI: "https://ta.example/ta1.cer", Repository: "rsync://ta.example/repo/", Manifest: "rsync://ta.example/repo/ta1.mft",
				Parent: -1, NotBefore: exp(t0.Add(-48 * time.Hour)), NotAfter: exp(t0.Add(365 * 24 * time.Hour))},
			{URI: "rsync://ta.example/repo/ca1.cer", Repository: "rsync://pp.example/ca1/", Manifest: "rsync://pp.example/ca1/ca1.mft",
				Parent: 0, NotBefore: exp(t0.Add(-24 * time.Hour)), NotAfter: exp(t0.Add(30 * 24 * time.Hour))},
		},
		Objects: []payload.ObjectSource{
			{CA: 1, Name: "r.roa", NotBefore: exp(t0.Add(-time.Hour)), NotAfter: exp(t0.Add(7 * 24 * time.Hour))},
			{CA: 1, Name: "a.asa", NotBefore: exp(t0.Add(-time.Hour)), NotAfter: exp(t0.Add(7 * 24 * time.Hour))},
		},
	}
	tab.VRPs[0].Object = 1 // 192.0.2.0/24 AS65000
	tab.VRPs[1].Object = 0 // a local assertion
	tab.VRPs[2].Object = 1
	tab.ASPAs[0].Object = 2
	return tab
}

func explainGet(t *testing.T, get func(path string) (*http.Response, []byte), path string) ExplainAnswer {
	t.Helper()
	resp, body := get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	var ans ExplainAnswer
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, body)
	}
	return ans
}

// TestExplain checks the chain given for a covering VRP, the effects of
// the other VRPs, a local assertion, the origin's ASPA, the path check
// and the refusals.
func TestExplain(t *testing.T) {
	srv, h := testServer(t, Options{})
	h.p.Store(testState(stateOf{Table: sourcedTable(t), Serial: 1, Updated: t0}))
	g := func(path string) (*http.Response, []byte) { return get(t, srv, "GET", path, nil) }

	ans := explainGet(t, g, "/api/v1/explain/AS65000/192.0.2.0/24")
	if ans.ValidatedRoute.Validity.State != StateValid || len(ans.VRPs) != 1 {
		t.Fatalf("answer %+v", ans)
	}
	v := ans.VRPs[0]
	if v.Effect != "matched" || v.TA != "ta1" || v.Source == nil {
		t.Fatalf("VRP %+v", v)
	}
	src := v.Source
	if src.URI != "rsync://pp.example/ca1/r.roa" || src.Manifest != "rsync://pp.example/ca1/ca1.mft" || len(src.Chain) != 2 ||
		src.Chain[0].URI != "rsync://ta.example/repo/ca1.cer" || src.Chain[0].TrustAnchor ||
		src.Chain[1].URI != "https://ta.example/ta1.cer" || !src.Chain[1].TrustAnchor {
		t.Fatalf("source %+v", src)
	}
	if !src.EE.NotAfter.Equal(t0.Add(7*24*time.Hour)) || !src.ChainValidity.NotBefore.Equal(t0.Add(-time.Hour)) ||
		!src.ChainValidity.NotAfter.Equal(t0.Add(7*24*time.Hour)) || !src.Chain[0].NotAfter.Equal(t0.Add(30*24*time.Hour)) {
		t.Errorf("validity: EE %+v, chain %+v, CA %+v", src.EE, src.ChainValidity, src.Chain[0].Window)
	}
	if len(ans.ASPAs) != 1 || ans.ASPAs[0].Customer != "AS65000" || ans.ASPAs[0].Source == nil ||
		ans.ASPAs[0].Source.URI != "rsync://pp.example/ca1/a.asa" || ans.ASPACheck != nil {
		t.Errorf("ASPAs %+v, check %v", ans.ASPAs, ans.ASPACheck)
	}

	// 198.51.100.0/24 from AS65001: the /22 of AS65001 (a local
	// assertion, maxLength 24) matches; the /24 of AS65002 does not.
	ans = explainGet(t, g, "/api/v1/explain/AS65001/198.51.100.0/24")
	effects := map[string]ExplainedVRP{}
	for _, v := range ans.VRPs {
		effects[v.ASN] = v
	}
	if a, b := effects["AS65001"], effects["AS65002"]; a.Effect != "matched" || !a.Local || a.Source != nil ||
		b.Effect != "unmatched_as" || b.Source == nil || len(ans.ASPAs) != 0 {
		t.Errorf("effects %+v, ASPAs %+v", effects, ans.ASPAs)
	}

	// With a path: the check as /api/v1/aspa gives it, and the ASPA
	// objects of its ASes.
	ans = explainGet(t, g, "/api/v1/explain/AS65000/192.0.2.0/24?path=AS65010,AS65000&direction=upstream")
	if ans.ASPACheck == nil || ans.ASPACheck.State != ASPAValid || len(ans.ASPAs) != 1 {
		t.Errorf("path check %+v, ASPAs %+v", ans.ASPACheck, ans.ASPAs)
	}
	ans = explainGet(t, g, "/api/v1/explain/AS65000/192.0.2.0/25")
	if ans.ValidatedRoute.Validity.State != StateInvalid || ans.VRPs[0].Effect != "unmatched_length" {
		t.Errorf("too specific: %+v", ans)
	}

	for _, path := range []string{"/api/v1/explain/AS65000/192.0.2.1/24", "/api/v1/explain/ASX/192.0.2.0/24",
		"/api/v1/explain/AS65000/192.0.2.0/24?pth=AS1", "/api/v1/explain/AS65000/192.0.2.0/24?path=AS1&direction=sideways",
		"/api/v1/explain/AS65000/192.0.2.0/24?path=AS1,ASX"} {
		if resp, body := g(path); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"error"`) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}

	// A table read back from the cache has no sources: said so.
	tab := smallTable(t)
	h.p.Store(testState(stateOf{Table: tab, Serial: 2, Updated: t0}))
	ans = explainGet(t, g, "/api/v1/explain/AS65000/192.0.2.0/24")
	if ans.Note == "" || ans.VRPs[0].Source != nil || ans.VRPs[0].Local {
		t.Errorf("no sources: %+v", ans)
	}
}

// TestExplainOnLab explains a route covered by a ROA of a validated lab:
// the answer names the ROA (a file the lab published), its manifest, and
// a chain ending at the lab's trust anchor.
func TestExplainOnLab(t *testing.T) {
	st, l := labRun(t)
	srv, h := testServer(t, Options{})
	h.p.Store(st)
	x := st.Table.VRPs[0]
	for _, y := range st.Table.VRPs {
		if y.ASN != 0 {
			x = y
			break
		}
	}
	resp, body := get(t, srv, "GET", fmt.Sprintf("/api/v1/explain/AS%d/%s", x.ASN, x.Prefix()), nil)
	var ans ExplainAnswer
	if err := json.Unmarshal(body, &ans); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, body)
	}
	var src *ObjectChain
	for _, v := range ans.VRPs {
		if v.Effect == "matched" && v.ASN == fmt.Sprintf("AS%d", x.ASN) {
			src = v.Source
		}
	}
	if src == nil || !strings.HasSuffix(src.URI, ".roa") || !strings.HasSuffix(src.Manifest, ".mft") || len(src.Chain) < 2 {
		t.Fatalf("source of the matching VRP: %+v", src)
	}
	ta := src.Chain[len(src.Chain)-1]
	if !ta.TrustAnchor || !strings.HasSuffix(ta.URI, ".cer") || src.Chain[0].TrustAnchor {
		t.Fatalf("chain %+v", src.Chain)
	}
	// rsync://host:port/repoN/CA/roa-k.roa is rsync/repoN/CA/roa-k.roa in the lab.
	rel := src.URI[strings.Index(src.URI[len("rsync://"):], "/")+len("rsync://")+1:]
	if _, err := os.Stat(filepath.Join(l.Dir, "rsync", rel)); err != nil {
		t.Errorf("the explained ROA %s is not a file the lab published: %v", src.URI, err)
	}
	if !src.EE.NotAfter.After(time.Now()) || src.ChainValidity.NotAfter.After(src.EE.NotAfter) {
		t.Errorf("validity EE %+v chain %+v", src.EE, src.ChainValidity)
	}
	t.Logf("AS%d %s: %s listed on %s, %d certificates up to %s", x.ASN, x.Prefix(), src.URI, src.Manifest, len(src.Chain), ta.URI)
}
