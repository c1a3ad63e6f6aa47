// Package report holds the report of a validation run: what happened to
// each trust anchor, publication point and rejected object, and the counts
// by verdict. The engine writes it; the daemon publishes it with the
// payload; the HTTP API, the metrics and the logs read it. It is data
// only, so every reader can import it without pulling in the engine.
//
// May import: the standard library only.
package report
