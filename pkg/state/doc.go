// Package state is what the daemon publishes: one immutable State behind
// one atomic pointer, holding the served table with its provenance, the
// RTR payload state (serial, snapshot, deltas), the last run's report, the
// health of the repositories and when a run last confirmed the data. The
// RTR server, the HTTP API and the metrics all read it; one writer (the
// validation loop) publishes it, so they never disagree on what is served
// or how fresh it is.
//
// May import: payload, report, the standard library.
package state
