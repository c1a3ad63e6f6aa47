// Package corpus reads the RPKI object corpus (internal/testfiles/testdata/
// rpki-corpus: real objects, the BBN conformance suite and rpki-client
// 8.2's reading of each) and holds the conformance test that
// compares our verdicts and fields with it.
//
// The helpers here load EXPECTED.tsv and the rpki-client reference
// summaries, find an object's issuer inside the same tree, and reduce an
// inspect.Report to the fields rpki-client's summary prints, so that the
// test (conformance_test.go) is a plain table walk. The known, justified
// differences live in known_table_test.go (generated, with the reasons in
// reasons_test.go) and are mirrored in docs/conformance.md.
//
// Test-only in spirit: nothing in the daemon imports this package.
//
// May import: the standard library, internal/inspect, internal/testfiles,
// pkg/x509rpki.
package corpus
