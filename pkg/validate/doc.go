// Package validate is the validation engine: top-down from each trust
// anchor, it fetches every CA's publication point through a Source,
// checks its manifest and CRL as RFC 9286 §6 prescribes (falling back to the
// last validated copy when the fresh one fails), validates each listed
// object against its issuer (RFC 6487, RFC 6488, RFC 9582, the ASPA
// profile, RFC 8209) and collects VRPs, ASPAs and router keys, each with
// its trust anchor and the earliest expiry on its chain, plus a report per
// publication point and per rejected object.
//
// CAs are processed in parallel by a bounded set of workers; the output is
// sorted, so it is the same whatever the scheduling.
//
// Between runs the engine keeps what a poll needs to re-validate only the
// points that changed, and no more (the daemon's memory at global scale):
// per CA a compact certificate without its key once its point is
// validated (cacert.go: read back from the issuer's validated copy when
// the point changes), per point a memo entry without its objects and VRPs
// (memo.go), which the next run carries over from the engine's last table
// (carry.go, assemble.go).
//
// The engine reads through a Source (repositories, validated copies and
// TA certificates), which pkg/fetch implements: it never touches the
// network itself. It produces a payload.Table (the payload with its
// provenance) and a report.Run.
//
// It logs through a standard *slog.Logger, not zap: zap imports net/http,
// and the engine's dependencies stay free of the network stack (go list
// -deps shows neither rrdp, rsync nor net/http).
//
// May import: tal, x509rpki, cache, payload, report and the standard
// library.
package validate
