// Package rrdptest serves an RRDP repository over HTTP for tests and the lab:
// objects are put and deleted, Commit writes the delta, snapshot and
// notification files with the rrdp writer, and the Repo serves them as an
// http.Handler (to run behind httptest.NewTLSServer). Paths can be
// overridden with hostile handlers.
//
// May import: the standard library and pkg/rrdp.
package rrdptest
