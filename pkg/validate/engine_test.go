package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/tal"
)

// labPrimes shares the lab's key material between test runs.
var labPrimes = filepath.Join(os.TempDir(), "validator-lab-test-primes.txt")

// serveLab generates and serves a lab for a test.
func serveLab(t *testing.T, cfg lab.Config) *lab.Lab {
	t.Helper()
	cfg.PrimesFile = labPrimes
	l, srv, err := lab.Launch(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return l
}

// result is what a run returns: its table and its report.
type result struct {
	*payload.Table
	*report.Run
}

// validateLab runs the engine once over a lab with the given cache.
func validateLab(t *testing.T, l *lab.Lab, cacheDir string, o fetch.SourceOptions) result {
	t.Helper()
	e, done := labEngine(t, l, cacheDir, o)
	defer done()
	return runEngine(t, l, e)
}

// labEngine builds an engine over a lab and a cache.
func labEngine(t *testing.T, l *lab.Lab, cacheDir string, o fetch.SourceOptions) (*Engine, func()) {
	t.Helper()
	return labEngineWith(t, l, cacheDir, o, Options{})
}

// labEngineWith builds an engine with options eo over a lab and a cache.
func labEngineWith(t *testing.T, l *lab.Lab, cacheDir string, o fetch.SourceOptions, eo Options) (*Engine, func()) {
	t.Helper()
	o.CACert, o.AllowDubiousHosts = l.CAFile(), true
	src, err := fetch.OpenSource(cacheDir, o)
	if err != nil {
		t.Fatal(err)
	}
	eo.Source = SourceOf[*fetch.Session](src)
	e, err := New(eo)
	if err != nil {
		t.Fatal(err)
	}
	return e, func() { src.Close() }
}

func runEngine(t *testing.T, l *lab.Lab, e *Engine) result {
	t.Helper()
	tals, err := tal.LoadDir(l.TALDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	table, rep, err := e.Run(ctx, tals)
	if err != nil {
		t.Fatal(err)
	}
	return result{table, rep}
}

// sameAsExpected compares a run's payload with the lab's expected output.
func sameAsExpected(t *testing.T, l *lab.Lab, res result) {
	t.Helper()
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	w, g := payload.NewSnapshot(want), payload.NewSnapshot(res.Set())
	if !w.Equal(g) {
		d := payload.Construct(w, g)
		t.Fatalf("output differs from the lab's expected: VRPs +%d -%d, ASPAs +%d -%d, keys +%d -%d\nrejected: %v\npoints: %v",
			len(d.AnnouncedVRPs), len(d.WithdrawnVRPs), len(d.AnnouncedASPAs), len(d.WithdrawnASPAs),
			len(d.AnnouncedKeys), len(d.WithdrawnKeys), res.Rejected, failedPoints(res))
	}
}

// freshPoints lists the points that validated fresh, which the report
// only counts: the run's CAs without a point in res.Points.
func freshPoints(t *testing.T, res result) []report.Point {
	t.Helper()
	troubled := map[[2]string]bool{}
	for _, p := range res.Points {
		troubled[[2]string{p.URI, p.CA}] = true
	}
	var out []report.Point
	for _, ca := range res.Sources.CAs {
		if !troubled[[2]string{ca.Repository, ca.URI}] {
			out = append(out, report.Point{URI: ca.Repository, CA: ca.URI, Outcome: report.Fresh})
		}
	}
	if len(out) != res.FreshPoints {
		t.Fatalf("%d CAs without a troubled point, %d fresh points counted", len(out), res.FreshPoints)
	}
	return out
}

func failedPoints(res result) []report.Point {
	var out []report.Point
	for _, p := range res.Points {
		if p.Outcome != "fresh" {
			out = append(out, p)
		}
	}
	return out
}

func TestEngineSmallLab(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 21})
	res := validateLab(t, l, t.TempDir(), fetch.SourceOptions{})
	sameAsExpected(t, l, res)
	t.Logf("%d VRPs, %d ASPAs, %d router keys in %v", len(res.VRPs), len(res.ASPAs), len(res.RouterKeys), res.Run.End.Sub(res.Run.Start))
}

// TestEngineFaults checks every fault of the lab's catalogue has exactly
// its documented effect.
func TestEngineFaults(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 22, Faults: []string{"all"}})
	res := validateLab(t, l, t.TempDir(), fetch.SourceOptions{})
	sameAsExpected(t, l, res)
	if len(res.Rejected) == 0 || len(failedPoints(res)) == 0 {
		t.Fatalf("faults left no trace: %d rejected objects, %d failed points", len(res.Rejected), len(failedPoints(res)))
	}
}

// TestEngineRsyncOnly validates the lab over rsync alone.
func TestEngineRsyncOnly(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 23})
	res := validateLab(t, l, t.TempDir(), fetch.SourceOptions{RsyncOnly: true})
	sameAsExpected(t, l, res)
}

// TestEngineFollowsChanges validates, publishes a whole round of changes
// (ROAs added and removed, manifest re-issued, key rollover, CA revoked,
// RRDP session reset) and validates again with the same cache after each.
func TestEngineFollowsChanges(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 24})
	cache := t.TempDir()
	sameAsExpected(t, l, validateLab(t, l, cache, fetch.SourceOptions{}))
	for range 6 {
		name, err := l.Publish()
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			sameAsExpected(t, l, validateLab(t, l, cache, fetch.SourceOptions{}))
		})
	}
}

// TestEngineUsesValidatedCopy stops the lab's servers and validates with
// the warm cache (fetches fail: the raw copies of the last fetch are used),
// then offline (no raw copies: every publication point comes from its last
// validated copy, RFC 9286 §6.6): the output stays the same.
func TestEngineUsesValidatedCopy(t *testing.T) {
	cfg := lab.Config{Preset: "small", Seed: 25, PrimesFile: labPrimes}
	l, srv, err := lab.Launch(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	sameAsExpected(t, l, validateLab(t, l, cache, fetch.SourceOptions{}))
	srv.Close()
	sameAsExpected(t, l, validateLab(t, l, cache, fetch.SourceOptions{}))
	off := validateLab(t, l, cache, fetch.SourceOptions{Offline: true})
	sameAsExpected(t, l, off)
	if off.FreshPoints != 0 || len(off.Points) == 0 {
		t.Fatalf("offline: %d fresh points, %d others; want none and some", off.FreshPoints, len(off.Points))
	}
	for _, p := range off.Points {
		if p.Outcome != "cached" {
			t.Fatalf("offline: point %s: outcome %s, want cached", p.URI, p.Outcome)
		}
	}
}

// TestEngineRevalidatesOnlyChanges runs one engine repeatedly: with nothing
// changed every publication point is reused; after a change only the
// touched points are validated again, and the output follows the lab.
func TestEngineRevalidatesOnlyChanges(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 26})
	e, done := labEngine(t, l, t.TempDir(), fetch.SourceOptions{})
	defer done()
	first := runEngine(t, l, e)
	sameAsExpected(t, l, first)
	if first.Reused != 0 {
		t.Fatalf("first run reused %d points", first.Reused)
	}
	second := runEngine(t, l, e)
	sameAsExpected(t, l, second)
	if !second.Unchanged || second.Reused != second.PointTotal() {
		t.Fatalf("unchanged lab: reused %d of %d points", second.Reused, second.PointTotal())
	}
	for range 5 { // add, remove, reissue, rollover, revoke
		name, err := l.Publish()
		if err != nil {
			t.Fatal(err)
		}
		res := runEngine(t, l, e)
		sameAsExpected(t, l, res)
		if res.Unchanged {
			t.Fatalf("after %s: run marked unchanged", name)
		}
		if changed := res.PointTotal() - res.Reused; changed < 1 || changed > 4 {
			t.Fatalf("after %s: %d of %d points validated again, want 1 to 4", name, changed, res.PointTotal())
		}
	}
}

// TestEngineSkipsUnchangedRepositories checks that a run over repositories
// that did not change reads none of their publication points and returns
// the previous payload itself.
func TestEngineSkipsUnchangedRepositories(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 27})
	dir := t.TempDir()
	e, done := labEngine(t, l, dir, fetch.SourceOptions{})
	defer done()
	first := runEngine(t, l, e)
	sameAsExpected(t, l, first)
	if first.Unchanged {
		t.Fatal("first run marked unchanged")
	}
	packs, err := filepath.Glob(filepath.Join(dir, "raw", "*", "*.pack"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no packs in the cache (%v)", err)
	}
	for _, p := range packs { // unreadable from now on, valid copies included (same inodes)
		if err := os.WriteFile(p, []byte("not a pack"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	second := runEngine(t, l, e)
	sameAsExpected(t, l, second)
	if !second.Unchanged || second.Reused != second.PointTotal() || len(failedPoints(second)) != 0 {
		t.Fatalf("unchanged lab: unchanged=%v, reused %d of %d points, failed %v",
			second.Unchanged, second.Reused, second.PointTotal(), failedPoints(second))
	}
	if &second.VRPs[0] != &first.VRPs[0] {
		t.Fatal("an unchanged run built its payload again")
	}
}

// TestEngineHostileRepositories serves a lab whose RRDP servers misbehave in
// every way of the lab's hostile catalogue (entity bomb, one byte per
// second, endless snapshot, gzip bomb, cross-origin snapshot, huge
// snapshot): each is cut off within its bounds and the rsync fallback
// still yields everything.
func TestEngineHostileRepositories(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 27, Faults: []string{"hostile"}})
	start := time.Now()
	rec := &fetchRecorder{failed: map[string]string{}}
	res := validateLab(t, l, t.TempDir(), fetch.SourceOptions{Options: fetch.Options{RepoTimeout: 5 * time.Second, Observer: rec}})
	sameAsExpected(t, l, res)
	if took := time.Since(start); took > time.Minute {
		t.Fatalf("validation took %v with hostile repositories", took)
	}
	if len(rec.failed) != 6 {
		t.Fatalf("%d RRDP repositories failed, want the 6 hostile ones: %v", len(rec.failed), rec.failed)
	}
	t.Logf("hostile RRDP repositories cut off: %v", rec.failed)
}

// fetchRecorder records failed RRDP fetches (a fetch.Observer).
type fetchRecorder struct {
	mu     sync.Mutex
	failed map[string]string
}

func (f *fetchRecorder) Attempted(a fetch.Attempt) {
	if a.Transport == "rrdp" && a.Err != nil {
		f.mu.Lock()
		f.failed[a.URI] = a.Err.Error()
		f.mu.Unlock()
	}
}

// TestEngineManifestNumberBackwards publishes a manifest whose number went
// back: a relying party that saw the previous one keeps it (RFC 9286
// §4.2.1), so its output still holds the ROA the new manifest dropped.
func TestEngineManifestNumberBackwards(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 28, Faults: []string{"mft-number-backwards"}})
	cache := t.TempDir()
	sameAsExpected(t, l, validateLab(t, l, cache, fetch.SourceOptions{}))
	before, _ := l.Expected()
	if _, err := l.Publish(); err != nil {
		t.Fatal(err)
	}
	res := validateLab(t, l, cache, fetch.SourceOptions{})
	sameAsExpected(t, l, res)
	var backwards bool
	for _, p := range res.Points {
		backwards = backwards || (p.Outcome == "cached" && strings.Contains(p.Reason, "RFC 9286 §4.2.1"))
	}
	if !backwards || len(before.VRPs) == 0 {
		t.Fatalf("no publication point kept its previous manifest: %v", failedPoints(res))
	}
}

// TestEngineReconsidered validates a lab whose child CA over-claims: strict
// (RFC 6487) drops that CA; with RFC 8360 "validation reconsidered" it
// keeps the resources its parent holds, so all its ROAs (inside them)
// stay, and the output equals the fault-free lab's.
func TestEngineReconsidered(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 29, Faults: []string{"over-claiming-ca"}})
	clean, err := lab.Generate(t.TempDir(), lab.Config{Preset: "small", Seed: 29, PrimesFile: labPrimes,
		Endpoints: l.Config.Endpoints, Time: l.Config.Time})
	if err != nil {
		t.Fatal(err)
	}
	strict := validateLab(t, l, t.TempDir(), fetch.SourceOptions{})
	sameAsExpected(t, l, strict)
	e, done := labEngineWith(t, l, t.TempDir(), fetch.SourceOptions{}, Options{Reconsidered: true})
	defer done()
	res := runEngine(t, l, e)
	sameAsExpected(t, clean, res)
	if len(res.VRPs) <= len(strict.VRPs) {
		t.Fatalf("reconsidered kept %d VRPs, strict %d", len(res.VRPs), len(strict.VRPs))
	}
}

// TestEngineNoSources validates without sources (validator vrps for the
// formats that print none): the payload is the same, the table has no
// Sources and no item points to an object.
func TestEngineNoSources(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 36})
	e, done := labEngineWith(t, l, t.TempDir(), fetch.SourceOptions{}, Options{NoSources: true, OneShot: true})
	defer done()
	res := runEngine(t, l, e)
	sameAsExpected(t, l, res)
	if res.Sources != nil {
		t.Fatalf("sources kept: %d CAs, %d objects", len(res.Sources.CAs), len(res.Sources.Objects))
	}
	for _, v := range res.VRPs {
		if v.Object != 0 {
			t.Fatalf("%v points to object %d", v.VRP, v.Object)
		}
	}
}
