// Package httpapi serves the validator's HTTP API: the validated payload
// in every format of pkg/output at /<format> (Routinator's: /csv, /json,
// /jsonext, /bird2, /slurm, ...; rpki-client's: /rpki-client,
// /rpki-client-csv, ...), with Routinator's query filters, ETags, gzip and
// HEAD; Routinator's /json-delta and /json-delta/notify; RFC 6811 route
// origin validation (/validity?asn=&prefix=, /api/v1/validity) and ASPA
// AS_PATH verification (/api/v1/aspa); why a route has its validity, down
// to the ROA, its manifest and its certificate chain (/api/v1/explain);
// what the last run rejected (/api/v1/rejected); the run status as JSON
// (/api/v1/status, with Routinator's members where the data exists) and as
// an HTML page for people (/ and /status), which says what needs attention
// (failed trust anchors, repositories, publication points, a failed run),
// the progress of a run and the connected RTR routers, with a lookup form
// (/lookup); /healthz, /readyz, /version, and /metrics when the daemon
// passes a handler for it.
//
// The daemon publishes one immutable state.State per validation run
// (state.Publisher); handlers call Options.State once per request and
// never lock. Documents are streamed from the published table per
// request, gzipped on the fly, with a strong ETag derived from what
// determines their bytes (data.go): nothing is cached per format, and at
// most MaxStreams documents are written at once, so their memory is
// bounded (limits.go). What else is expensive is computed once per
// served table, lazily, on first use (View): the validity and ASPA
// indexes.
//
// Request metrics go through the RequestObserver interface, which
// pkg/metrics implements: this package does not import client_golang
// (STYLE habit 10, enforced by internal/archtest).
//
// May import: output, payload, report, state, the standard library and
// zap.
package httpapi
