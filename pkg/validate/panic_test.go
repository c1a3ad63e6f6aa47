package validate

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/tal"
)

// panicky is a Source whose sessions panic when asked for one CA's
// repository: a bug met while processing that CA's point.
type panicky struct {
	src      *fetch.Source
	target   string // the caRepository whose fetch panics
	targetTA string // the TA certificate URI whose fetch panics
}

func (p panicky) Begin(ctx context.Context, quick bool) Session {
	return panickySession{Session: p.src.Begin(ctx, quick), target: p.target, targetTA: p.targetTA}
}
func (p panicky) Store() *cache.Store { return p.src.Store() }

type panickySession struct {
	*fetch.Session
	target, targetTA string
}

func (s panickySession) TACert(uris []string) ([]byte, string, error) {
	if len(uris) > 0 && uris[0] == s.targetTA {
		panic("injected: fetching " + uris[0])
	}
	return s.Session.TACert(uris)
}

func (s panickySession) Repository(notify, caRepository string) (*cache.Repo, error) {
	if caRepository == s.target {
		panic("injected: processing " + caRepository)
	}
	return s.Session.Repository(notify, caRepository)
}

// panics counts the engine's recovered panics (a validate.Observer).
type panics struct {
	nopObserver
	n atomic.Int32
}

func (p *panics) Panicked(component string) { p.n.Add(1) }

// TestEnginePanicFailsOnlyItsPoint makes the processing of one CA's point
// panic: the run goes on, that point fails with the panic as its reason
// and is counted, and everything else is validated; only that CA's own
// products are missing.
func TestEnginePanicFailsOnlyItsPoint(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 35})
	clean := validateLab(t, l, t.TempDir(), fetch.SourceOptions{})
	// The target: a CA without children whose point yields VRPs.
	target, lost := "", 0
	for _, ca := range clean.Sources.CAs {
		if ca.Parent < 0 {
			continue
		}
		n := 0
		for _, v := range clean.VRPs {
			if o, ok := clean.Sources.Object(v.Info); ok && clean.Sources.CAs[o.CA].Repository == ca.Repository {
				n++
			}
		}
		if n > 0 && !hasChild(clean.Sources, ca.Repository) {
			target, lost = ca.Repository, n
			break
		}
	}
	if target == "" {
		t.Fatal("no leaf CA with VRPs in the lab")
	}
	src, err := fetch.OpenSource(t.TempDir(), fetch.SourceOptions{CACert: l.CAFile(), Options: fetch.Options{AllowDubiousHosts: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	obs := &panics{}
	e, err := New(Options{Source: panicky{src: src, target: target}, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	res := runEngine(t, l, e)
	if obs.n.Load() != 1 {
		t.Fatalf("%d panics counted, want 1", obs.n.Load())
	}
	var failed bool
	for _, p := range res.Points {
		if p.URI == target {
			failed = p.Outcome == "failed" && strings.Contains(p.Reason, "internal error") && strings.Contains(p.Reason, "injected")
		}
	}
	if !failed {
		t.Fatalf("the panicking point is not failed with its reason: %v", failedPoints(res))
	}
	if got, want := len(payload.NewSnapshot(res.Set()).VRPs), len(payload.NewSnapshot(clean.Set()).VRPs); got == 0 || got > want-1 || got < want-lost {
		t.Fatalf("%d VRPs after the panic, want %d minus that CA's %d", got, want, lost)
	}
}

// hasChild reports whether some CA of s was issued from repository repo.
func hasChild(s *payload.Sources, repo string) bool {
	for _, c := range s.CAs {
		if c.Parent >= 0 && s.CAs[c.Parent].Repository == repo {
			return true
		}
	}
	return false
}

// TestEnginePanicFailsOnlyItsTA makes the processing of one trust anchor
// panic: that TA fails with the panic as its error and is counted, and
// the other trust anchors yield exactly what they yield alone.
func TestEnginePanicFailsOnlyItsTA(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "multi", Seed: 36})
	clean := validateLab(t, l, t.TempDir(), fetch.SourceOptions{})
	tals, err := tal.LoadDir(l.TALDir())
	if err != nil || len(tals) < 2 {
		t.Fatalf("%d TALs (%v), want 2 or more", len(tals), err)
	}
	target := tals[0]
	src, err := fetch.OpenSource(t.TempDir(), fetch.SourceOptions{CACert: l.CAFile(), Options: fetch.Options{AllowDubiousHosts: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	obs := &panics{}
	e, err := New(Options{Source: panicky{src: src, targetTA: target.FetchOrder()[0]}, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	res := runEngine(t, l, e)
	if obs.n.Load() != 1 {
		t.Fatalf("%d panics counted, want 1", obs.n.Load())
	}
	for _, ta := range res.Run.TAs {
		failed := strings.Contains(ta.Error, "internal error") && strings.Contains(ta.Error, "injected")
		if failed != (ta.Name == target.Name) {
			t.Fatalf("trust anchor %s: error %q (the panicking one is %s)", ta.Name, ta.Error, target.Name)
		}
	}
	var others []payload.VRP
	for _, v := range clean.VRPs {
		if clean.TAName(v.TA) != target.Name {
			others = append(others, v.VRP)
		}
	}
	got, want := payload.NewSnapshot(res.Set()), payload.NewSnapshot(payload.Set{VRPs: others})
	if len(want.VRPs) == 0 || !slices.Equal(got.VRPs, want.VRPs) {
		t.Fatalf("%d VRPs, want the other TAs' %d", len(got.VRPs), len(want.VRPs))
	}
}
