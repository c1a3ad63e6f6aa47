// Package fetch is the repository scheduler: given the repositories a
// validation run needs (a CA's rpkiNotify and caRepository, RFC 6487
// §4.8.8), it fetches each once per run, in parallel under separate caps for
// HTTPS and rsync, with a deadline per repository and one for the whole run,
// so that a slow or hostile repository (Stalloris, CVE-2021-43173) delays
// neither the others nor the run. Failing repositories back off
// exponentially. When RRDP fails, the fallback policy (never, stale, new;
// Routinator's names and semantics) decides whether rsync is tried. Dubious
// URIs (localhost, IP literals, explicit ports, non-https RRDP) are refused
// unless AllowDubiousHosts is set, as Routinator does.
//
// Results land in pkg/cache: RRDP repositories under their notification URI,
// rsync modules under rsync://host/module/, both addressed by rsync URIs, and
// each Result names the cache repository (Source) the engine should read.
// An Observer hook with standard-typed arguments reports every transport
// attempt for metrics.
//
// It also implements the validation engine's Source (OpenSource, Session):
// the engine reads repositories, validated copies and TA certificates
// through it, and TA certificates get the deadlines, caps, backoff and
// observer events of repositories (ta.go). The scheduler owns the health
// of every repository (Health), which the daemon publishes.
//
// May import: pkg/rrdp, pkg/rsync, pkg/cache, pkg/logging, pkg/report, the
// standard library and go.uber.org/zap.
package fetch
