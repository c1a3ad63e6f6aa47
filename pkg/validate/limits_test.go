package validate

import (
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// The engine's limits, each driven by a lab tree that goes past it (the
// limits lowered to the size of the small preset): what the limit cuts
// off is rejected with a reason naming it, and the rest is exactly what
// the lab expects without it.

// runLimited validates a served lab with engine options eo.
func runLimited(t *testing.T, l *lab.Lab, eo Options) result {
	t.Helper()
	e, done := labEngineWith(t, l, t.TempDir(), fetch.SourceOptions{}, eo)
	defer done()
	return runEngine(t, l, e)
}

// sameAs compares a run's payload with want.
func sameAs(t *testing.T, want payload.Set, res result) {
	t.Helper()
	w, g := payload.NewSnapshot(want), payload.NewSnapshot(res.Set())
	if !w.Equal(g) {
		d := payload.Construct(w, g)
		t.Fatalf("output differs: VRPs +%d -%d, ASPAs +%d -%d, keys +%d -%d; points not fresh: %v",
			len(d.AnnouncedVRPs), len(d.WithdrawnVRPs), len(d.AnnouncedASPAs), len(d.WithdrawnASPAs),
			len(d.AnnouncedKeys), len(d.WithdrawnKeys), failedPoints(res))
	}
}

// subsetOf fails unless every VRP of the run is one the lab expects.
func subsetOf(t *testing.T, l *lab.Lab, res result) {
	t.Helper()
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	d := payload.Construct(payload.NewSnapshot(want), payload.NewSnapshot(res.Set()))
	if len(d.AnnouncedVRPs)+len(d.AnnouncedASPAs)+len(d.AnnouncedKeys) != 0 {
		t.Fatalf("output holds %d VRPs the lab does not", len(d.AnnouncedVRPs))
	}
}

// rejectedFor counts the rejected objects whose reason holds reason.
func rejectedFor(res result, reason string) int {
	n := 0
	for _, o := range res.Rejected {
		if strings.Contains(o.Reason, reason) {
			n++
		}
	}
	return n
}

// warned fails unless the first trust anchor's report warns of reason.
func warned(t *testing.T, res result, reason string) {
	t.Helper()
	if len(res.Run.TAs) == 0 || !strings.Contains(res.Run.TAs[0].Warning, reason) {
		t.Fatalf("trust anchor report does not warn of %q: %+v", reason, res.Run.TAs)
	}
}

// depth counts the certificates between CA i and its trust anchor.
func depth(pl *lab.Plan, i int) int {
	d := 0
	for p := pl.CAs[i].Parent; p >= 0; p = pl.CAs[p].Parent {
		d++
	}
	return d
}

// TestEngineLimitDepth lowers the depth limit below the lab's deepest
// chain (TA, intermediate, member, child): every child CA is refused, and
// the output is the lab's without them.
func TestEngineLimitDepth(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 41})
	res := runLimited(t, l, Options{MaxDepth: 2})
	want, err := l.ExpectedWithout(func(i int) bool { return depth(l.Plan, i) > 2 })
	if err != nil {
		t.Fatal(err)
	}
	sameAs(t, want, res)
	children := 0
	for i := range l.Plan.CAs {
		if depth(l.Plan, i) > 2 {
			children++
		}
	}
	if got := rejectedFor(res, "certificate chain deeper than 2"); got != children || children == 0 {
		t.Fatalf("%d certificates refused as too deep, want the %d child CAs", got, children)
	}
}

// TestEngineLimitLoop validates a lab whose child CA certifies its
// parent's key again (fault ca-loop): the loop is refused and the output
// is the lab's.
func TestEngineLimitLoop(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 42, Faults: []string{"ca-loop"}})
	res := runLimited(t, l, Options{})
	sameAsExpected(t, l, res)
	var loops []string
	for _, o := range res.Rejected {
		if strings.Contains(o.Reason, "certificate loop") {
			loops = append(loops, o.URI)
		}
	}
	if len(loops) != 1 || !strings.HasSuffix(loops[0], "-again.cer") {
		t.Fatalf("loop certificates refused: %v, want the one of fault ca-loop; rejected: %v", loops, res.Rejected)
	}
}

// TestEngineLimitCAsPerTA lets the trust anchor have 10 CAs: exactly 10
// publication points are validated (the TA's included), the CAs past the
// limit are refused, and the trust anchor's report says so.
func TestEngineLimitCAsPerTA(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 43})
	res := runLimited(t, l, Options{MaxCAsPerTA: 10})
	subsetOf(t, l, res)
	if res.PointTotal() != 10 || rejectedFor(res, "more than 10 CAs") == 0 {
		t.Fatalf("%d points validated, %d CAs refused; want 10 and some", res.PointTotal(), rejectedFor(res, "more than 10 CAs"))
	}
	warned(t, res, "more than 10 CAs")
}

// TestEngineLimitObjectsPerTA lets the trust anchor have 50 objects:
// exactly 50 are accepted, the rest refused, and the report says so.
func TestEngineLimitObjectsPerTA(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 44})
	res := runLimited(t, l, Options{MaxObjectsPerTA: 50})
	subsetOf(t, l, res)
	valid := 0
	for typ, verdicts := range res.Objects {
		if typ != x509rpki.TypeCRL.String() && typ != x509rpki.TypeManifest.String() {
			valid += verdicts["valid"]
		}
	}
	if valid != 50 || rejectedFor(res, "more than 50 objects") == 0 {
		t.Fatalf("%d objects accepted, %d refused; want 50 and some", valid, rejectedFor(res, "more than 50 objects"))
	}
	warned(t, res, "more than 50 objects")
}

// TestEngineLimitReposPerTA lets the trust anchor's CAs use 3 of the lab's
// publication servers: the points on the others are not fetched and fail
// with a reason naming the limit, the trust anchor's report says so, and
// the output is the lab's without the CAs of those servers.
func TestEngineLimitReposPerTA(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 45})
	res := runLimited(t, l, Options{MaxReposPerTA: 3})
	fetched := map[string]bool{}
	cut := 0
	for _, p := range freshPoints(t, res) {
		fetched[rsyncModule(p.URI)] = true
	}
	for _, p := range res.Points {
		switch {
		case strings.Contains(p.Reason, "more than 3 repositories"):
			cut++
		default:
			t.Fatalf("point %s: %s (%s)", p.URI, p.Outcome, p.Reason)
		}
	}
	if len(fetched) != 3 || cut == 0 {
		t.Fatalf("%d repositories fetched, %d points cut off; want 3 and some", len(fetched), cut)
	}
	want, err := l.ExpectedWithout(func(i int) bool { return !fetched[rsyncModule(l.PointURI(i))] })
	if err != nil {
		t.Fatal(err)
	}
	sameAs(t, want, res)
	warned(t, res, "more than 3 repositories")
}
