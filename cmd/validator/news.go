package main

import (
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/validate"
)

// What the logs say of the runs (see runNews).
const (
	// maxNewsLines bounds the WARN lines of one run's new problems; the
	// rest is one line with their count (a first run of the global RPKI
	// has a few hundred rejected objects).
	maxNewsLines = 50
	// summaryEvery is how often a line sums up what stays in trouble.
	summaryEvery = time.Hour
	// progressEvery is how often a long run logs its progress.
	progressEvery = 10 * time.Second
)

// runNews is what the daemon's logs say of its runs: one INFO line per
// full run with its counts and duration (DEBUG for a poll); one WARN line
// per trust anchor, repository, publication point or object newly in
// trouble, then silence while it stays so, with a WARN summary every
// summaryEvery; an INFO line when one recovers; and, during a run longer
// than progressEvery, a progress line every progressEvery (INFO). The
// what-is-new bookkeeping is report.Tracker's, which also stamps each
// report with first-seen times before it is published.
//
// runDone and watch are called by the validation loop only.
type runNews struct {
	log       *zap.Logger
	tracker   *report.Tracker
	now       func() time.Time
	summaryAt time.Time // when the last summary line was logged
	runs      int       // runs done
	failed    string    // the error of the failing runs, "" when the last succeeded
	// current reads the progress of the engine of the run going on (or
	// done last): set by watch, read by the status page's goroutines.
	current atomic.Pointer[func() validate.Progress]
}

func newRunNews(log *zap.Logger) *runNews {
	return &runNews{log: log, tracker: report.NewTracker(), now: time.Now}
}

// runDone stamps a run's report and logs what it changed. table is nil
// when err is set.
func (n *runNews) runDone(table *payload.Table, rep *report.Run, repos []report.Repository, err error) {
	n.runs++
	c := n.tracker.Observe(rep, repos)
	n.logRun(table, rep, c, err)
	n.logNew(c)
	n.logRecovered(c)
	if !c.Now.Any() {
		n.summaryAt = time.Time{}
		return
	}
	switch now := n.now(); {
	case n.summaryAt.IsZero():
		n.summaryAt = now // the trouble began: the lines above said what
	case now.Sub(n.summaryAt) >= summaryEvery:
		n.log.Warn("still in trouble", troubleFields(c.Now)...)
		n.summaryAt = now
	}
}

// oneShotDone logs the run of validator vrps: each problem once and, when
// it succeeded, its counts (its failure is the command's error, which the
// command prints).
func (n *runNews) oneShotDone(table *payload.Table, rep *report.Run, repos []report.Repository, err error) {
	n.runs++
	c := n.tracker.Observe(rep, repos)
	if err == nil {
		n.logRun(table, rep, c, nil)
	}
	n.logNew(c)
}

// logRun logs the run itself: a failure at ERROR when it starts or its
// cause changes, else at DEBUG; a success at INFO (DEBUG for a poll).
func (n *runNews) logRun(table *payload.Table, rep *report.Run, c report.Changes, err error) {
	took := zap.Duration("took", rep.End.Sub(rep.Start).Round(time.Millisecond))
	cpu := zap.Duration("cpu", rep.CPU.Round(time.Millisecond))
	if err != nil {
		lvl := zap.ErrorLevel
		if err.Error() == n.failed {
			lvl = zap.DebugLevel
		}
		n.failed = err.Error()
		n.log.Log(lvl, "validation failed: serving the previous data", zap.Error(err), zap.Bool("quick", rep.Quick), took)
		return
	}
	if n.failed != "" {
		n.log.Info("validation succeeds again", zap.String("was", n.failed))
		n.failed = ""
	}
	lvl, msg := zap.InfoLevel, "validation done"
	if rep.Quick {
		lvl, msg = zap.DebugLevel, "poll done"
	}
	counts := rep.PointCounts()
	n.log.Log(lvl, msg, took, cpu, zap.Int("vrps", len(table.VRPs)), zap.Int("aspas", len(table.ASPAs)),
		zap.Int("router_keys", len(table.RouterKeys)), zap.Int("points", rep.PointTotal()), zap.Int("reused", rep.Reused),
		zap.Int("cached_points", counts[report.Cached]), zap.Int("failed_points", counts[report.Failed]),
		zap.Int("rejected", len(rep.Rejected)), zap.Int("failing_tas", c.Now.TAs), zap.Int("failing_repositories", c.Now.Repositories))
}

// logNew logs one WARN line per new problem, at most maxNewsLines for the
// repositories, points and objects of one run.
func (n *runNews) logNew(c report.Changes) {
	for _, ta := range c.TAs {
		if ta.Error != "" {
			n.log.Warn("trust anchor failed", zap.String("ta", ta.Name), zap.String("error", ta.Error))
		} else {
			n.log.Warn("trust anchor: fetch failed, using the certificate accepted before", zap.String("ta", ta.Name),
				zap.String("warning", ta.Warning))
		}
	}
	budget := maxNewsLines
	more := 0
	warn := func(msg string, fields ...zap.Field) {
		if budget == 0 {
			more++
			return
		}
		budget--
		n.log.Warn(msg, fields...)
	}
	for _, r := range c.Repositories {
		warn("repository failing", zap.String("uri", r.URI), zap.String("transport", r.Transport),
			zap.String("outcome", r.Outcome), zap.String("error", r.LastError), timeField("last_success", r.LastSuccess))
	}
	for _, p := range c.Points {
		if p.Outcome == report.Cached {
			warn("publication point: serving its last validated copy", zap.String("uri", p.URI), zap.String("ta", p.TA),
				zap.Time("until", p.Until), zap.String("reason", p.Reason))
		} else {
			warn("publication point failed: nothing of it is used", zap.String("uri", p.URI), zap.String("ta", p.TA),
				zap.String("reason", p.Reason))
		}
	}
	for _, o := range c.Objects {
		warn("object rejected", zap.String("uri", o.URI), zap.String("type", o.Type), zap.String("ta", o.TA),
			zap.String("class", o.Class), zap.String("reason", o.Reason))
	}
	if more > 0 {
		n.log.Warn("more newly in trouble: see /api/v1/rejected and /api/v1/status", zap.Int("count", more))
	}
}

// logRecovered logs what is no longer in trouble.
func (n *runNews) logRecovered(c report.Changes) {
	for _, ta := range c.RecoveredTAs {
		n.log.Info("trust anchor recovered", zap.String("ta", ta))
	}
	for i, uri := range c.RecoveredRepositories {
		if i == maxNewsLines {
			n.log.Info("more repositories recovered", zap.Int("count", len(c.RecoveredRepositories)-i))
			break
		}
		n.log.Info("repository recovered", zap.String("uri", uri))
	}
	if c.Cleared > 0 && !c.First {
		n.log.Info("no longer in trouble", zap.Int("points_and_objects", c.Cleared))
	}
}

// timeField is a time, or "never" for the zero time.
func timeField(key string, t time.Time) zap.Field {
	if t.IsZero() {
		return zap.String(key, "never")
	}
	return zap.Time(key, t)
}

func troubleFields(t report.Trouble) []zap.Field {
	return []zap.Field{zap.Int("failing_tas", t.TAs), zap.Int("failing_repositories", t.Repositories),
		zap.Int("troubled_points", t.Points), zap.Int("rejected_objects", t.Objects)}
}

// watch logs the progress of the run about to start every progressEvery
// until stop is called. A run shorter than that (the common poll) logs
// nothing; a longer one is worth seeing at INFO, whether the first
// (nothing is served yet, and an operator waits) or a later one.
func (n *runNews) watch(progress func() validate.Progress) (stop func()) {
	n.current.Store(&progress)
	return watchProgress(n.log, progressEvery, progress)
}

// progress is how far the run going on is (nothing before the first).
func (n *runNews) progress() validate.Progress {
	if p := n.current.Load(); p != nil {
		return (*p)()
	}
	return validate.Progress{}
}

// watchProgress logs progress() at INFO every interval until stop is
// called; stop waits for the goroutine to end.
func watchProgress(log *zap.Logger, every time.Duration, progress func() validate.Progress) (stop func()) {
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				p := progress()
				if !p.Running {
					continue
				}
				elapsed := time.Since(p.Start)
				log.Info("validation in progress", zap.Bool("quick", p.Quick), zap.Duration("elapsed", elapsed.Round(time.Second)),
					zap.Int64("cas", p.CAs), zap.Int64("points", p.Points), zap.Int64("objects", p.Objects),
					zap.Float64("objects_per_second", float64(p.Objects)/max(elapsed.Seconds(), 1e-3)))
			}
		}
	}()
	return func() { close(done); <-ended }
}
