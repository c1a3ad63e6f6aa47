package main

import (
	"fmt"
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/openrpki/validator/pkg/config"
)

// zapLevels maps the configured levels to zap's.
var zapLevels = map[config.LogLevel]zapcore.Level{
	config.LevelDebug: zapcore.DebugLevel, config.LevelInfo: zapcore.InfoLevel,
	config.LevelWarn: zapcore.WarnLevel, config.LevelError: zapcore.ErrorLevel,
}

// buildLogger returns a structured logger writing to w.
func buildLogger(l config.Log, w io.Writer) (*zap.Logger, error) {
	log, _, err := newLogger(l, w)
	return log, err
}

// newLogger returns a structured logger writing to w, and its level, which
// a reload may change.
func newLogger(l config.Log, w io.Writer) (*zap.Logger, zap.AtomicLevel, error) {
	lvl, ok := zapLevels[l.Level]
	if !ok {
		return nil, zap.AtomicLevel{}, fmt.Errorf("log level %q", l.Level) // Validate refuses it first
	}
	cfg := zap.NewProductionEncoderConfig()
	cfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	switch l.Format {
	case config.FormatJSON:
		enc = zapcore.NewJSONEncoder(cfg)
	case config.FormatConsole:
		cfg.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(cfg)
	default:
		return nil, zap.AtomicLevel{}, fmt.Errorf("log format %q", l.Format) // Validate refuses it first
	}
	level := zap.NewAtomicLevelAt(lvl)
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), level)).Named("validator"), level, nil
}
