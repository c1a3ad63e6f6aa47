package validate

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
)

// TestEngineShadowRepository validates a lab where a CA's own RRDP server
// publishes a validly signed manifest numbered 2^150 at another CA's
// URIs (fault shadow-repo), with a new engine over the same cache each
// time, as successive validator vrps runs do: the shadow CA's point
// validates on its own, and after the victim's next routine manifest its
// VRPs are all still there.
func TestEngineShadowRepository(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 46, Faults: []string{"shadow-repo"}})
	cache := t.TempDir()
	first := validateLab(t, l, cache, fetch.SourceOptions{})
	sameAsExpected(t, l, first)
	shadowed := ""
	for _, p := range freshPoints(t, first) {
		if strings.HasSuffix(p.CA, "-shadow.cer") {
			shadowed = p.URI
		}
	}
	if shadowed == "" {
		t.Fatalf("the shadow CA's point did not validate on its own: %v", failedPoints(first))
	}
	if _, err := l.Publish(); err != nil {
		t.Fatal(err)
	}
	second := validateLab(t, l, cache, fetch.SourceOptions{})
	sameAsExpected(t, l, second)
	for _, p := range second.Points {
		if p.URI == shadowed {
			t.Fatalf("after the victim's new manifest: %s %s: %s (%s)", p.CA, p.URI, p.Outcome, p.Reason)
		}
	}
}

// replayCounter counts TAReplayed calls (an Observer).
type replayCounter struct {
	nopObserver
	n atomic.Int32
}

func (c *replayCounter) TAReplayed(string) { c.n.Add(1) }

// TestEngineTAReplay validates a lab whose last trust anchor serves, from
// the first publish on, an older certificate lacking its IPv6 space (fault
// ta-replay): the engine that accepted the newer one refuses it, counts
// it, says so in the trust anchor's report, and its output stays the
// lab's expected.
func TestEngineTAReplay(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "multi", Seed: 47, Faults: []string{"ta-replay"}})
	obs := &replayCounter{}
	e, done := labEngineWith(t, l, t.TempDir(), fetch.SourceOptions{}, Options{Observer: obs})
	defer done()
	sameAsExpected(t, l, runEngine(t, l, e))
	if _, err := l.Publish(); err != nil {
		t.Fatal(err)
	}
	res := runEngine(t, l, e)
	sameAsExpected(t, l, res)
	ta := l.Plan.CAs[l.Plan.TARoots[len(l.Plan.TARoots)-1]].Name
	for _, r := range res.Run.TAs {
		if r.Name == ta && (!strings.Contains(r.Warning, "refused as a replay") || r.From != "cache") {
			t.Fatalf("trust anchor %s: from %q, warning %q", ta, r.From, r.Warning)
		}
	}
	if obs.n.Load() != 1 {
		t.Fatalf("%d replays counted, want 1", obs.n.Load())
	}
}
