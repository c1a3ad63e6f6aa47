// Package packaging holds the test of the Debian package scripts/release
// builds: it installs the package with dpkg, checks what it laid down,
// runs the installed daemon as the packaged user against a lab served on
// loopback, and purges it. It has no code besides its tests.
//
// May import: internal/testfiles, pkg/lab, pkg/output, pkg/payload and
// the standard library (tests only).
package packaging
