// Package rsynctest runs a real rsync daemon on 127.0.0.1 for tests: a
// generated rsyncd.conf with one read-only module, a free loopback port, and
// the process killed when the test ends.
//
// May import: the standard library only.
package rsynctest
