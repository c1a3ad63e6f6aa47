// Package peers runs the Debian peers the integration tests compare with
// (rpki-client today) and reads their output.
//
// May import: payload and the standard library.
package peers
