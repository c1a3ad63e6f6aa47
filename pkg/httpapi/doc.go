// Package httpapi serves the validator's HTTP API: the validated payload
// in the formats of `validator vrps` (/json, /csv, /openbgpd, /bird) with
// ETags and gzip; RFC 6811 route origin validation (/api/v1/validity) and
// ASPA AS_PATH verification (/api/v1/aspa); why a route has its validity,
// down to the ROA, its manifest and its certificate chain
// (/api/v1/explain); what the last run rejected (/api/v1/rejected); the
// run status as JSON (/api/v1/status) and as an HTML page for people (/
// and /status), which says what needs attention (failed trust anchors,
// repositories, publication points, a failed run), the progress of a run
// and the connected RTR routers, with a lookup form (/lookup); /healthz,
// /readyz, /version, and /metrics when the daemon passes a handler for it.
//
// The daemon publishes one immutable state.State per validation run
// (state.Publisher); handlers call Options.State once per request and
// never lock. What is expensive is computed once per served table, lazily,
// on first use (View): the encoded outputs (plain and gzipped, with their
// ETags) and the validity and ASPA indexes. No request walks the whole VRP
// table.
//
// Request metrics go through the RequestObserver interface, which
// pkg/metrics implements: this package does not import client_golang
// (STYLE habit 10, enforced by internal/archtest).
//
// May import: output, payload, report, state, the standard library and
// zap.
package httpapi
