// Package metrics exports the validator's Prometheus metrics. Metrics
// implements the observer hooks of the core packages (fetch.Observer,
// validate.Observer, rtr.Observer and httpapi.RequestObserver) without
// importing them, since their methods use only standard types (STYLE
// habit 10), plus RunDone and Published for the per-run and freshness
// gauges. Everything is registered on the Registerer passed to New: no
// globals, no promauto.
//
// May import: client_golang and the standard library. It is the only
// package besides cmd/ that imports client_golang (internal/archtest).
package metrics
