// Package rrdp is a streaming client and writer for the RPKI Repository Delta
// Protocol (RFC 8182), with the same-origin policy of RFC 9674 and the
// desynchronisation checks of RFC 9697.
//
// The client fetches a repository's notification file, then either its
// snapshot or the chain of deltas from the serial it holds, and writes the
// published objects through a Sink (implemented by pkg/cache). Nothing a Sink
// receives becomes visible before Commit, so a failed or hostile fetch leaves
// the previous state in place. Every file is parsed as it streams in (a
// scanner for the XML subset of RFC 8182 §3.5 on the HTTP body, xmlscan.go,
// never the whole file in memory), with DOCTYPE and entity declarations
// refused, size limits per file and per object (limits.go), a gzip
// decompression limit, and connect, idle-read and total deadlines.
//
// The writer (WriteNotification, SnapshotWriter, WriteDelta) produces the same
// files, for the test lab and for tests.
//
// May import: the standard library and go.uber.org/zap only.
package rrdp
