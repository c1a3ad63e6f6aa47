// Package metrics exports the validator's Prometheus metrics. Metrics
// implements the observer hooks of the core packages (fetch.Observer,
// validate.Observer, rtr.Observer and httpapi.RequestObserver) for what
// happens (fetch attempts, verdicts, sessions, requests), RunDone for each
// run's report, and reads the published state at scrape time (Watch) for
// what is served: serial, freshness, counts per trust anchor and the
// repositories' health. Everything is registered on the Registerer passed
// to New: no globals, no promauto.
//
// May import: client_golang, fetch, payload, report, state and the
// standard library. It is the only package besides cmd/ that imports
// client_golang (internal/archtest).
package metrics
