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
// May import: tal, x509rpki, cache, fetch, rrdp, rsync, payload, the
// standard library and zap.
package validate
