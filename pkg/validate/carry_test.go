package validate

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// TestEngineCarriedProvenance runs one engine over a lab through a round of
// changes: the VRPs of the points it reuses come from its last table, and
// each must still name the ROA that holds it (read back from the lab's
// files), not another object of the renumbered run.
func TestEngineCarriedProvenance(t *testing.T) {
	l, e := smallLabEngine(t, 28)
	checkProvenance(t, l, runEngine(t, l, e))
	for range 6 {
		name, err := l.Publish()
		if err != nil {
			t.Fatal(err)
		}
		res := runEngine(t, l, e)
		sameAsExpected(t, l, res)
		if res.Reused == 0 {
			t.Fatalf("after %s: no point reused, nothing carried", name)
		}
		checkProvenance(t, l, res)
	}
}

// smallLabEngine serves a small lab and builds an engine over it, with a
// cache of its own.
func smallLabEngine(t *testing.T, seed uint64) (*lab.Lab, *Engine) {
	t.Helper()
	l := serveLab(t, lab.Config{Preset: "small", Seed: seed})
	e, done := labEngine(t, l, t.TempDir(), fetch.SourceOptions{})
	t.Cleanup(done)
	return l, e
}

// checkProvenance reads, for every VRP of res, the ROA its provenance
// names from the lab's rsync files and checks the ROA holds it.
func checkProvenance(t *testing.T, l *lab.Lab, res result) {
	t.Helper()
	roas := map[string]*x509rpki.ROA{}
	for _, v := range res.VRPs {
		i, ok := v.Source()
		if !ok || i >= len(res.Sources.Objects) {
			t.Fatalf("VRP %v names no object (%d of %d)", v.VRP, i, len(res.Sources.Objects))
		}
		o := res.Sources.Objects[i]
		uri := res.Sources.CAs[o.CA].Repository + o.Name
		roa := roas[uri]
		if roa == nil {
			roa = readLabROA(t, l, uri)
			roas[uri] = roa
		}
		if !roaHolds(roa, v.VRP) {
			t.Fatalf("VRP %v names %s, which does not hold it", v.VRP, uri)
		}
	}
}

func readLabROA(t *testing.T, l *lab.Lab, uri string) *x509rpki.ROA {
	t.Helper()
	rest, ok := strings.CutPrefix(uri, "rsync://")
	_, path, _ := strings.Cut(rest, "/")
	if !ok || path == "" {
		t.Fatalf("object URI %q is not rsync", uri)
	}
	der, err := os.ReadFile(filepath.Join(l.Dir, "rsync", filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	roa, err := x509rpki.ParseROA(der)
	if err != nil {
		t.Fatalf("%s: %v", uri, err)
	}
	return roa
}

func roaHolds(roa *x509rpki.ROA, v payload.VRP) bool {
	for _, p := range roa.Prefixes {
		if w, err := payload.NewVRP(p.Prefix, uint8(p.MaxLength), roa.ASID); err == nil && w == v {
			return true
		}
	}
	return false
}

// TestCarriedBringsBackMergedVRPs: two objects of one trust anchor hold the
// same VRP, and the table kept the one with the later expiry. When that
// object's point changes and the other's is reused, the VRP is carried from
// what the sort merged away, renumbered.
func TestCarriedBringsBackMergedVRPs(t *testing.T) {
	tas := payload.NewTANames()
	ta := tas.Of("ta")
	v, err := payload.NewVRP(netip.MustParsePrefix("192.0.2.0/24"), 24, 65000)
	if err != nil {
		t.Fatal(err)
	}
	last := &payload.Table{TAs: tas, VRPs: []payload.VRPInfo{
		{VRP: v, Info: payload.Info{TA: ta, Expires: 100, Object: 2}},
		{VRP: v, Info: payload.Info{TA: ta, Expires: 200, Object: 1}},
	}}
	var merged []payload.VRPInfo
	last.SortKeeping(&merged)
	if len(last.VRPs) != 1 || last.VRPs[0].Object != 1 || len(merged) != 1 || merged[0].Object != 2 {
		t.Fatalf("sorted %v, merged away %v: want object 1 kept, 2 merged away", last.VRPs, merged)
	}
	// Object 1's point changed; object 2's point is reused, its object
	// numbered 7 in this run.
	r := &run{e: &Engine{built: lastTable{table: last, merged: merged, objects: make([]payload.ObjectSource, 2)}}, moves: []move{{from: 1, to: 6, n: 1, e: &memoEntry{}}}}
	got, inOrder := r.carried(nil)
	if len(got) != 1 || got[0].VRP != v || got[0].Object != 7 || got[0].Expires != 100 || inOrder != 0 {
		t.Fatalf("carried %v (%d from the table's VRPs), want %v from object 7, merged away", got, inOrder, v)
	}
}

// TestEngineDropsSigners checks that between runs the engine keeps no CA's
// key (only trust anchors' nodes are made afresh with theirs), and that a
// changed point whose issuer did not change reads its CA's key again from
// the issuer's validated copy: the output follows the lab.
func TestEngineDropsSigners(t *testing.T) {
	l, e := smallLabEngine(t, 29)
	sameAsExpected(t, l, runEngine(t, l, e))
	for range 3 {
		if kept := keptSigners(e); kept != 0 {
			t.Fatalf("%d CA keys kept between runs, want none", kept)
		}
		if _, err := l.Publish(); err != nil {
			t.Fatal(err)
		}
		res := runEngine(t, l, e)
		sameAsExpected(t, l, res)
		if res.Reused == 0 || res.Reused == res.PointTotal() {
			t.Fatalf("reused %d of %d points: want some, not all", res.Reused, res.PointTotal())
		}
	}
}

// keptSigners counts the remembered child CAs that hold their signer.
func keptSigners(e *Engine) int {
	e.memo.mu.Lock()
	defer e.memo.mu.Unlock()
	n := 0
	for _, s := range e.memo.slots {
		for _, c := range s.entry.children {
			if c.cert.signer.Load() != nil {
				n++
			}
		}
	}
	return n
}

// TestEngineNotUnchangedAfterFailure: a run whose table the caller did not
// take (it ended in an error) is not the baseline of "unchanged": the next
// run builds its table again, carried from the failed run's, the same.
func TestEngineNotUnchangedAfterFailure(t *testing.T) {
	l, e := smallLabEngine(t, 30)
	first := runEngine(t, l, e)
	e.lastFailed = true // as if the first run had passed its deadline at the end
	second := runEngine(t, l, e)
	if second.Unchanged || second.Reused != second.PointTotal() {
		t.Fatalf("after a failed run: unchanged %v, reused %d of %d points; want built again from every point reused",
			second.Unchanged, second.Reused, second.PointTotal())
	}
	sameAsExpected(t, l, second)
	checkProvenance(t, l, second)
	if len(second.VRPs) != len(first.VRPs) {
		t.Fatalf("%d VRPs, first run %d", len(second.VRPs), len(first.VRPs))
	}
	if third := runEngine(t, l, e); !third.Unchanged {
		t.Fatal("a run after a successful one with nothing changed is not unchanged")
	}
}

// TestEngineBuildingTableSaysWhen: BuildingTable is called by each run
// that builds a new table, and not by one that returns the last.
func TestEngineBuildingTableSaysWhen(t *testing.T) {
	l, e := smallLabEngine(t, 31)
	builds := 0
	e.o.BuildingTable = func() { builds++ }
	runEngine(t, l, e)
	if builds != 1 {
		t.Fatalf("first run: %d calls, want 1", builds)
	}
	if res := runEngine(t, l, e); !res.Unchanged || builds != 1 {
		t.Fatalf("unchanged run (unchanged %v): %d calls, want still 1", res.Unchanged, builds)
	}
	if _, err := l.Publish(); err != nil {
		t.Fatal(err)
	}
	if res := runEngine(t, l, e); res.Unchanged || builds != 2 {
		t.Fatalf("run after a publication (unchanged %v): %d calls, want 2", res.Unchanged, builds)
	}
}

// TestEngineReusedExpiriesFollowTheChain runs one engine over a lab
// through a round of changes, one of which has the CA with the most
// children reissue its CRL with a later nextUpdate: the points below it
// are reused, not validated again, and every expiry of the engine's table
// (VRPs, ASPAs, router keys) is what a cold run over the same lab gives.
func TestEngineReusedExpiriesFollowTheChain(t *testing.T) {
	l, e := smallLabEngine(t, 29)
	last := runEngine(t, l, e)
	moved := map[string]int{}
	for range 6 {
		name, err := l.Publish()
		if err != nil {
			t.Fatal(err)
		}
		res := runEngine(t, l, e)
		cold := validateLab(t, l, t.TempDir(), fetch.SourceOptions{})
		for kind, got := range expiries(res) {
			if want := expiries(cold)[kind]; !slices.Equal(got, want) {
				t.Fatalf("after %s: %s expiries differ from a cold run's:\n got %v\nwant %v", name, kind, got, want)
			}
		}
		if name == "reissue-manifest" {
			if changed := res.PointTotal() - res.Reused; changed > 4 {
				t.Errorf("after %s: %d points validated again, want at most 4", name, changed)
			}
			for kind, list := range expiries(res) {
				moved[kind] = countMoved(expiries(last)[kind], list)
			}
		}
		last = res
	}
	for _, kind := range []string{"VRPs", "ASPAs", "keys"} {
		if moved[kind] == 0 {
			t.Errorf("the reissued CRL moved no expiry of the %s: the test checks nothing", kind)
		}
	}
}

// expiries lists, per kind of payload, each item with its trust anchor
// and expiry, in the table's order.
func expiries(res result) map[string][]string {
	out := map[string][]string{}
	for _, v := range res.VRPs {
		out["VRPs"] = append(out["VRPs"], fmt.Sprint(v.VRP, res.TAName(v.TA), v.Expires))
	}
	for _, a := range res.ASPAs {
		out["ASPAs"] = append(out["ASPAs"], fmt.Sprint(a.ASPA, res.TAName(a.TA), a.Expires))
	}
	for _, k := range res.RouterKeys {
		out["keys"] = append(out["keys"], fmt.Sprint(k.RouterKey, res.TAName(k.TA), k.Expires))
	}
	return out
}

// countMoved counts the items of after whose expiry differs from the same
// item's in before (both lists as expiries makes them).
func countMoved(before, after []string) int {
	was := map[string]bool{}
	for _, s := range before {
		was[s] = true
	}
	n := 0
	for _, s := range after {
		if !was[s] {
			n++
		}
	}
	return n
}
