// Package report holds the report of a validation run: what happened to
// each trust anchor, publication point and rejected object, and the counts
// by verdict. The engine writes it; the daemon publishes it with the
// payload; the HTTP API, the metrics and the logs read it. It is data
// only, so every reader can import it without pulling in the engine.
//
// Two small helpers work on it: Rejections, the list of what a run
// rejected in the one JSON form the HTTP API and `validator vrps --report`
// share, and Tracker, which follows the problems of a daemon's runs (when
// each was first seen, what is new since the last run) for the API and the
// logs.
//
// May import: the standard library only.
package report
