package main

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/validate"
)

// newsRun is a run of two points (one failed), with n rejected objects.
func newsRun(end time.Time, quick bool, n int) *report.Run {
	rep := &report.Run{Start: end.Add(-time.Second), End: end, Quick: quick, TAs: []report.TA{{Name: "ta0", VRPs: 1}},
		Points: []report.Point{{URI: "rsync://a/1/", TA: "ta0", Outcome: report.Fresh},
			{URI: "rsync://a/2/", TA: "ta0", Outcome: report.Failed, Reason: "RFC 9286 §6.5: hash"}}}
	for i := range n {
		rep.Rejected = append(rep.Rejected, report.Object{URI: "rsync://a/1/" + strings.Repeat("x", i+1) + ".roa", Type: "roa", TA: "ta0",
			Class: "signature", Reason: "RFC 6488 §3: signature does not verify"})
	}
	return rep
}

// levels counts the logged entries by level and message.
func levels(logs *observer.ObservedLogs) map[string]int {
	out := map[string]int{}
	for _, e := range logs.TakeAll() {
		out[e.Level.String()+" "+e.Message]++
	}
	return out
}

// TestRunNewsSpeaksOncePerChange: the first run warns of each problem, the
// same problems are then silent (polls at DEBUG, full runs one INFO line),
// a summary comes after an hour, recovery is said once, and a run's WARN
// lines are capped.
func TestRunNewsSpeaksOncePerChange(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	n := newRunNews(zap.New(core))
	now := t0
	n.now = func() time.Time { return now }
	table := &payload.Table{}
	repos := []report.Repository{{URI: "https://a/notify.xml", Transport: "rrdp", Failing: true, LastError: "connection refused"}}

	n.runDone(table, newsRun(now, false, 2), repos, nil)
	got := levels(logs)
	if got["info validation done"] != 1 || got["warn object rejected"] != 2 || got["warn repository failing"] != 1 ||
		got["warn publication point failed: nothing of it is used"] != 1 || len(got) != 4 {
		t.Fatalf("first run: %v", got)
	}
	for i := range 10 {
		now = now.Add(time.Minute)
		n.runDone(table, newsRun(now, i%5 != 4, 2), repos, nil)
	}
	if got := levels(logs); got["info validation done"] != 2 || got["debug poll done"] != 8 || len(got) != 2 {
		t.Fatalf("ten unchanged runs: %v", got)
	}
	now = now.Add(time.Hour)
	n.runDone(table, newsRun(now, true, 2), repos, nil)
	if got := levels(logs); got["warn still in trouble"] != 1 {
		t.Fatalf("an hour later: %v", got)
	}
	ok := []report.Repository{{URI: "https://a/notify.xml", Transport: "rrdp"}}
	n.runDone(table, newsRun(now, true, 2), ok, nil)
	if got := levels(logs); got["info repository recovered"] != 1 {
		t.Fatalf("recovery: %v", got)
	}
	n.runDone(table, newsRun(now, false, maxNewsLines+10), nil, nil)
	if got := levels(logs); got["warn object rejected"] != maxNewsLines || got["warn more newly in trouble: see /api/v1/rejected and /api/v1/status"] != 1 {
		t.Fatalf("many new rejections: %v", got)
	}
	n.runDone(nil, newsRun(now, false, 0), nil, errors.New("validate: no trust anchor could be validated"))
	n.runDone(nil, newsRun(now, false, 0), nil, errors.New("validate: no trust anchor could be validated"))
	if got := levels(logs); got["error validation failed: serving the previous data"] != 1 || got["debug validation failed: serving the previous data"] != 1 {
		t.Fatalf("failing runs: %v", got)
	}
	n.runDone(table, newsRun(now, false, 0), nil, nil)
	if got := levels(logs); got["info validation succeeds again"] != 1 {
		t.Fatalf("success again: %v", got)
	}
}

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// TestProgressLinesDuringLongRuns: a run going on logs its progress at
// INFO every interval, whichever run it is; a finished one logs nothing.
func TestProgressLinesDuringLongRuns(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	var running atomic.Bool
	running.Store(true)
	progress := func() validate.Progress {
		return validate.Progress{Running: running.Load(), Start: time.Now().Add(-time.Minute), CAs: 3, Points: 2, Objects: 600}
	}
	stop := watchProgress(zap.New(core), 5*time.Millisecond, progress)
	deadline := time.Now().Add(10 * time.Second)
	for logs.Len() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	running.Store(false)
	time.Sleep(20 * time.Millisecond)
	seen := logs.Len()
	time.Sleep(30 * time.Millisecond)
	stop()
	if seen < 3 || logs.Len() != seen {
		t.Fatalf("%d progress lines while running, %d after it ended", seen, logs.Len()-seen)
	}
	e := logs.All()[0]
	if e.Level != zapcore.InfoLevel || e.Message != "validation in progress" || e.ContextMap()["objects"] != int64(600) ||
		e.ContextMap()["objects_per_second"].(float64) < 9 {
		t.Fatalf("progress line: %v %q %v", e.Level, e.Message, e.ContextMap())
	}
}
