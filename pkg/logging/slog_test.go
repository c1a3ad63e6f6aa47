package logging

import (
	"errors"
	"log/slog"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestSlogThroughZap logs through the bridge and finds each line in the
// zap core with its level, name, fields and groups; lines below the
// core's level are dropped.
func TestSlogThroughZap(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	l := Slog(zap.New(core).Named("validate"))
	l.Debug("hidden")
	l.With("ta", "ripe").WithGroup("point").Warn("failed", "uri", "rsync://x/", "n", 3, "err", errors.New("boom"))
	got := logs.All()
	if len(got) != 1 {
		t.Fatalf("%d lines, want 1: %v", len(got), got)
	}
	e := got[0]
	m := e.ContextMap()
	if e.Level != zapcore.WarnLevel || e.LoggerName != "validate" || e.Message != "failed" ||
		m["ta"] != "ripe" || m["point.uri"] != "rsync://x/" || m["point.n"] != int64(3) || m["point.err"] != "boom" {
		t.Fatalf("line %+v, fields %v", e.Entry, m)
	}
	Slog(nil).Error("discarded") // no panic
	if !Slog(zap.New(core)).Enabled(nil, slog.LevelError) {
		t.Fatal("error level not enabled")
	}
}
