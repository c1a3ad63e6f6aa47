package corpus

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/openrpki/validator/internal/inspect"
)

// run is one pass over the corpus, shared by the tests of this file.
type run struct {
	exps    []Expectation
	reports map[string]*inspect.Report
	ours    map[string]Verdict
	diffs   map[Key]string // every difference found, with its detail
	// compared counts, per summary key, the files whose field was
	// compared with rpki-client's, so that the field check cannot pass by
	// comparing nothing.
	compared map[string]int
}

// loadRun checks every RPKI object of EXPECTED.tsv once per test binary.
// It fails the test when the corpus is missing.
func loadRun(t *testing.T) *run {
	t.Helper()
	r, err := theRun()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var theRun = sync.OnceValues(newRun)

func newRun() (*run, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	exps, err := ReadExpected(dir)
	if err != nil {
		return nil, err
	}
	refs, err := ReadReference(dir, SummaryParse)
	if err != nil {
		return nil, err
	}
	if err := AddFullVRPs(dir, refs); err != nil {
		return nil, err
	}
	jsonRefs, err := ReadJSONFields(dir)
	if err != nil {
		return nil, err
	}
	chk, err := NewChecker(dir)
	if err != nil {
		return nil, err
	}
	r := &run{exps: exps, reports: map[string]*inspect.Report{}, ours: map[string]Verdict{},
		diffs: map[Key]string{}, compared: map[string]int{}}
	for i := range exps {
		e := &exps[i]
		if ObjectType(e.File) == "" {
			continue
		}
		rep, v := chk.Check(e)
		r.reports[e.File], r.ours[e.File] = rep, v
		r.compare(e, rep, v, refs[e.File], jsonRefs[e.File])
	}
	return r, nil
}

// compare records how our reading of e differs from EXPECTED.tsv, from
// rpki-client's verdict and from rpki-client's fields.
func (r *run) compare(e *Expectation, rep *inspect.Report, v Verdict, ref *Reference, jsonRef map[string]string) {
	why := rep.Error
	if e.Want != "" && v != e.Want {
		r.diffs[Key{e.File, KindExpected}] = fmt.Sprintf("expected %s, ours %s: %s", e.Want, v, why)
	}
	if rv, rtext := e.RPKIClient(); rv != "" && rv != v {
		r.diffs[Key{e.File, KindRPKIClient}] = fmt.Sprintf("rpki-client %s, ours %s: %s", rtext, v, why)
	}
	if ref == nil || ref.Status != "parsed" || rep.Status == inspect.StatusRejected {
		return
	}
	for k := range ref.Fields {
		r.compared[k]++
	}
	for k := range jsonRef {
		r.compared["json:"+k]++
	}
	d := append(CompareFields(ref, rep), CompareJSONFields(jsonRef, rep)...)
	if len(d) > 0 {
		r.diffs[Key{e.File, KindFields}] = strings.Join(d, "; ")
	}
}

// TestConformance walks every RPKI object of the corpus and fails on any
// difference from EXPECTED.tsv or from rpki-client 8.2 (verdict or fields)
// that is not listed, with its reason, in known_table_test.go; and on any listed
// difference that is no longer seen, so that the list stays exact.
func TestConformance(t *testing.T) {
	r := loadRun(t)
	if len(r.ours) < 500 {
		t.Fatalf("only %d objects checked; the corpus has about 560", len(r.ours))
	}
	for _, k := range sortedKeys(r.diffs) {
		if _, ok := Known[k]; !ok {
			t.Errorf("NEW difference %s [%s]: %s (if justified: add a rule and reason in classify_test.go and reasons_test.go, then go test ./internal/corpus -run TestConformanceDoc -update)", k.File, k.Kind, r.diffs[k])
		}
	}
	for _, k := range sortedKeys(Known) {
		if _, ok := r.diffs[k]; !ok {
			t.Errorf("known difference no longer seen: %s [%s] (regenerate: go test ./internal/corpus -run TestConformanceDoc -update)", k.File, k.Kind)
		}
	}
}

// TestConformanceFieldsCompared guards the field comparison itself: it must
// have covered the real objects of every type, field by field.
func TestConformanceFieldsCompared(t *testing.T) {
	r := loadRun(t)
	// Lower bounds a little under today's counts, so that a regression that
	// stops comparing shows. ASPA customer/providers are compared when both
	// sides parse an ASPA; today none does (rpki-client 8.2 parses only
	// old-profile ASPAs, see docs/conformance.md).
	for key, min := range map[string]int{
		"ski": 250, "aki": 200, "notBefore": 150, "notAfter": 150,
		"asid": 15, "vrps": 15, "mftnum": 60, "entries": 60, "thisUpdate": 110, "nextUpdate": 110,
		"crlnum": 50, "revoked": 50, "resources": 100, "uris": 30, "name": 30, "keys": 3, "files": 3,
		// From rpki-client's -j JSON (refjson.go).
		"json:cert_serial": 200, "json:aia": 200, "json:sia": 100, "json:manifest": 90,
		"json:carepository": 90, "json:notify_url": 10, "json:resources": 100,
		"json:filesandhashes": 60, "json:revoked_certs": 10, "json:router_key": 3,
		"json:takeys": 3, "json:vcard": 3, "json:trust_anchor_locations": 30, "json:filenamesandhashes": 3,
	} {
		if got := r.compared[key]; got < min {
			t.Errorf("field %q compared for %d files, want at least %d", key, got, min)
		}
	}
}

// TestConformanceExpected asserts the acceptance criterion directly: every
// accept/reject case of EXPECTED.tsv gets that verdict, except those listed
// in known_table_test.go as justified deviations.
func TestConformanceExpected(t *testing.T) {
	r := loadRun(t)
	counts := map[string]int{}
	for _, e := range r.exps {
		v, ok := r.ours[e.File]
		if !ok || e.Want == "" {
			continue
		}
		counts[string(e.Want)]++
		_, known := Known[Key{e.File, KindExpected}]
		if v != e.Want && !known {
			t.Errorf("%s: want %s, got %s (%s)", e.File, e.Want, v, r.reports[e.File].Error)
		}
	}
	if counts["accept"] < 200 || counts["reject"] < 280 {
		t.Errorf("too few cases decided: %v", counts)
	}
}

// noIssuerInTree are the BBN-tree objects whose issuer is not in the
// corpus (SOURCES.md: a real RGnet GBR whose chain is not in the corpus).
var noIssuerInTree = map[string]bool{
	BBNDir + "/root/goodRealGbrNothingIsWrong.gbr": true,
}

// TestConformanceBBNIssuers checks the harness itself: every BBN object
// that parses finds its issuer in the tree, so that "issuer not at hand"
// cannot pass a bad case silently.
func TestConformanceBBNIssuers(t *testing.T) {
	r := loadRun(t)
	checked := 0
	for file, rep := range r.reports {
		if !strings.HasPrefix(file, BBNDir+"/") || rep.Status == inspect.StatusRejected {
			continue
		}
		checked++
		if got := rep.Validation == inspect.ValidationNoIssuer; got != noIssuerInTree[file] {
			t.Errorf("%s: validation %q", file, rep.Validation)
		}
	}
	if checked < 150 {
		t.Errorf("only %d BBN objects parsed", checked)
	}
}

// sortedKeys returns the keys of m in file, kind order.
func sortedKeys[V any](m map[Key]V) []Key {
	keys := make([]Key, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].File != keys[j].File {
			return keys[i].File < keys[j].File
		}
		return keys[i].Kind < keys[j].Kind
	})
	return keys
}
