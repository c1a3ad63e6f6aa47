// Package inspect turns one RPKI file into a Report: its type (taken from the
// file name, as rpki-client -f does), the fields of the object and of its
// certificate, and a verdict (ok, stale or rejected) with the reason.
//
// It is the one place that maps an object to its JSON view, so that
// `validator inspect`, the corpus conformance test and (later) the HTTP API
// print the same thing. Field names follow rpki-client's -j JSON where that
// is sensible (ski, aki, cert_serial, vrps, manifest_number, ...).
//
// The package does no network I/O and needs no cache: everything it needs
// (the file's bytes, an optional issuer or TAL, the clock) comes in as
// arguments.
//
// May import: the standard library, golang.org/x/crypto/cryptobyte,
// pkg/x509rpki and pkg/tal.
package inspect
