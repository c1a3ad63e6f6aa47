package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// sampleRun is a run with one failing TA, one fresh, one cached and one
// failed point, and two rejected objects.
func sampleRun(end time.Time) *Run {
	return &Run{Start: end.Add(-time.Minute), End: end,
		TAs: []TA{{Name: "ta0", VRPs: 10}, {Name: "ta1", Error: "fetching TA certificate: refused"}},
		Points: []Point{
			{URI: "rsync://a/1/", CA: "rsync://a/ta.cer", TA: "ta0", Outcome: Fresh},
			{URI: "rsync://a/2/", CA: "rsync://a/2.cer", TA: "ta0", Outcome: Cached, Reason: "RFC 9286 §6.5: x.roa does not match", Until: end.Add(time.Hour)},
			{URI: "rsync://a/3/", CA: "rsync://a/3.cer", TA: "ta0", Outcome: Failed, Reason: "RFC 9286 §6.3: manifest stale"},
		},
		Rejected: []Object{
			{URI: "rsync://a/1/x.roa", Type: "roa", TA: "ta0", CA: "rsync://a/ta.cer", Class: "signature", Reason: "RFC 6488 §3: bad signature"},
			{URI: "rsync://a/1/y.cer", Type: "cer", TA: "ta0", CA: "rsync://a/ta.cer", Class: "resources", Reason: "RFC 6487 §7.2: over-claim"},
		},
	}
}

func TestRejectionsFilter(t *testing.T) {
	r := sampleRun(t0)
	for _, tc := range []struct {
		f               Filter
		objects, points int
	}{
		{Filter{}, 2, 2},
		{Filter{TA: "ta0"}, 2, 2},
		{Filter{TA: "ta9"}, 0, 0},
		{Filter{Type: "roa"}, 1, 0},
		{Filter{Type: PointType}, 0, 2},
		{Filter{Reason: "signature"}, 1, 0},
		{Filter{Reason: "cached"}, 0, 1},
		{Filter{Reason: "rfc 9286"}, 0, 2},
		{Filter{Reason: "§7.2"}, 1, 0},
	} {
		l := r.Rejections(tc.f)
		if len(l.Objects) != tc.objects || len(l.Points) != tc.points {
			t.Errorf("%+v: %d objects, %d points; want %d, %d", tc.f, len(l.Objects), len(l.Points), tc.objects, tc.points)
		}
	}
	l := r.Rejections(Filter{Reason: "cached"})
	if p := l.Points[0]; !p.Served || !p.Until.Equal(t0.Add(time.Hour)) {
		t.Errorf("cached point: %+v, want served until %v", p, t0.Add(time.Hour))
	}
	if l := r.Rejections(Filter{Reason: "failed"}); l.Points[0].Served {
		t.Error("a failed point is not served")
	}
	var nilRun *Run
	if l := nilRun.Rejections(Filter{}); l.Objects == nil || l.Points == nil {
		t.Error("a nil run lists nil slices (JSON null), want empty lists")
	}
}

func TestRejectionsRoundTrip(t *testing.T) {
	r := sampleRun(t0)
	NewTracker().Observe(r, nil)
	var b bytes.Buffer
	l := r.Rejections(Filter{})
	if err := l.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"first_seen": "2026-11-23T08:00:00Z"`, `"served": true`, `"class": "signature"`,
		`"publication_points": [`, "RFC 9286 §6.5"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b.String())
		}
	}
	back, err := ReadRejections(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Objects) != 2 || len(back.Points) != 2 || !back.Objects[0].FirstSeen.Equal(t0) || !back.RunEnd.Equal(t0) {
		t.Fatalf("read back %+v", back)
	}
	if _, err := ReadRejections(strings.NewReader(`{"objects":[],"extra":1}`)); err == nil {
		t.Error("an unknown field was accepted")
	}
}

func TestTrackerFirstSeenAndChanges(t *testing.T) {
	tr := NewTracker()
	r1 := sampleRun(t0)
	repos := []Repository{{URI: "https://a/notify.xml", Transport: "rrdp", Failing: true}, {URI: "rsync://a/", Transport: "rsync"}}
	c := tr.Observe(r1, repos)
	if !c.First || len(c.Objects) != 2 || len(c.Points) != 2 || len(c.TAs) != 1 || len(c.Repositories) != 1 {
		t.Fatalf("first run: %+v", c)
	}
	if c.Now != (Trouble{TAs: 1, Repositories: 1, Points: 2, Objects: 2}) {
		t.Errorf("trouble %+v", c.Now)
	}
	if !r1.TAs[0].LastSuccess.Equal(t0) || !r1.TAs[1].LastSuccess.IsZero() {
		t.Errorf("last success %v %v", r1.TAs[0].LastSuccess, r1.TAs[1].LastSuccess)
	}

	// The same problems an hour later: nothing new, first seen kept.
	t1 := t0.Add(time.Hour)
	r2 := sampleRun(t1)
	r2.Points[1].Reason = "another wording" // a point is keyed by outcome, not reason
	c = tr.Observe(r2, repos)
	if c.First || len(c.Objects)+len(c.Points)+len(c.TAs)+len(c.Repositories) != 0 || c.Cleared != 0 {
		t.Fatalf("unchanged run: %+v", c)
	}
	if !r2.Rejected[0].FirstSeen.Equal(t0) || !r2.Points[2].FirstSeen.Equal(t0) || !r2.Points[1].FirstSeen.Equal(t0) {
		t.Errorf("first seen moved: %v %v", r2.Rejected[0].FirstSeen, r2.Points[2].FirstSeen)
	}
	if !r2.Points[0].FirstSeen.IsZero() {
		t.Error("a fresh point got a first-seen time")
	}

	// A new reason for an object is a new problem; the TA and the
	// repository recover; one point clears.
	t2 := t1.Add(time.Hour)
	r3 := sampleRun(t2)
	r3.Rejected[0].Reason = "RFC 6487 §5: revoked"
	r3.TAs[1].Error = ""
	r3.Points = r3.Points[:2]
	c = tr.Observe(r3, []Repository{{URI: "https://a/notify.xml", Transport: "rrdp"}})
	if len(c.Objects) != 1 || !r3.Rejected[0].FirstSeen.Equal(t2) || !r3.Rejected[1].FirstSeen.Equal(t0) {
		t.Errorf("new reason: %+v", c.Objects)
	}
	if len(c.RecoveredTAs) != 1 || len(c.RecoveredRepositories) != 1 || c.Cleared != 2 {
		t.Errorf("recovered %v %v, cleared %d (want 1, 1, 2: the old reason and the point)", c.RecoveredTAs, c.RecoveredRepositories, c.Cleared)
	}
	if !r3.TAs[1].LastSuccess.Equal(t2) || !r3.TAs[0].LastSuccess.Equal(t2) {
		t.Errorf("last success %v", r3.TAs[1].LastSuccess)
	}
	if len(tr.seen) != 3 {
		t.Errorf("tracker holds %d problems, want the last run's 3", len(tr.seen))
	}
}

// TestTrackerQuickRunKeepsTAWarning: a poll does not fetch TA
// certificates, so it neither clears nor repeats a full run's warning.
func TestTrackerQuickRunKeepsTAWarning(t *testing.T) {
	tr := NewTracker()
	full := &Run{End: t0, TAs: []TA{{Name: "ta0", Warning: "fetch failed; using the certificate accepted before"}}}
	if c := tr.Observe(full, nil); len(c.TAs) != 1 {
		t.Fatalf("warning not reported: %+v", c)
	}
	for i := range 3 {
		poll := &Run{End: t0.Add(time.Duration(i+1) * time.Minute), Quick: true, TAs: []TA{{Name: "ta0"}}}
		if c := tr.Observe(poll, nil); len(c.TAs)+len(c.RecoveredTAs) != 0 || c.Now.TAs != 1 {
			t.Fatalf("poll %d: %+v", i, c)
		}
	}
	if c := tr.Observe(&Run{End: t0.Add(time.Hour), TAs: []TA{{Name: "ta0"}}}, nil); len(c.RecoveredTAs) != 1 {
		t.Fatalf("a full run without the warning: %+v", c)
	}
}

// TestPointCountsWithFreshCounted: the engine counts fresh points without
// listing them; the counts and the total add both.
func TestPointCountsWithFreshCounted(t *testing.T) {
	r := sampleRun(t0)
	r.FreshPoints = 40
	got := r.PointCounts()
	if got[Fresh] != 41 || got[Cached] != 1 || got[Failed] != 1 || r.PointTotal() != 43 {
		t.Fatalf("counts %v, total %d; want 41 fresh, 1 cached, 1 failed, 43 in all", got, r.PointTotal())
	}
	var none *Run
	if none.PointTotal() != 0 || len(none.PointCounts()) != 0 {
		t.Fatal("a nil run has points")
	}
}
