// Package testfiles locates the test data committed with the module, in
// internal/testfiles/testdata/: the RPKI object corpus (rpki-corpus/) and
// the RTR vectors (rtr-vectors/), each with a SOURCES.md giving origin and
// licence. Every test package finds them here, so a fresh clone of the
// repository tests with nothing beside it. Payload sets that can be
// generated are not stored: internal/vrpgen makes them.
//
// May import: the standard library only.
package testfiles
