// Package cache stores fetched RPKI repositories on disk: a raw store of
// what the last successful fetch of each repository returned, and a valid
// store holding, per publication point, the last copy that passed manifest
// validation (RFC 9286 §6.6: when a fetch fails or a new manifest is bad, the
// relying party keeps using the last good copy until it expires).
//
// # Addressing
//
// Objects are addressed by rsync URI (rsync://host/module/path/name) whether
// they came over RRDP (the publish URIs of RFC 8182) or rsync, so the
// validation engine reads one URI space. The raw store is partitioned by
// repository (an RRDP notification URI or an rsync module URI): a
// repository's objects are only readable through that repository, so a
// hostile RRDP server cannot plant objects under another server's URIs, as in
// Routinator's per-repository RRDP archives and rpki-client's per-repository
// directories. The engine asks for a publication point in the repository the
// CA's SIA names. The valid store is keyed by publication point URI alone,
// because it is only written by Promote after the engine validated the point.
//
// # On-disk format and why
//
// A repository's directory holds segment files and one index. A segment
// (<n>.pack, segment.go) is the packs of the points one commit changed,
// back to back; a pack (pack.go) is one point's content: a header with the
// point's URI and format version, name/length/content records sorted by
// name, then a CRC-32C of the pack, so a point is read with one pread and
// checked on its own. The index lists, per point, its segment, offset and
// size, and the repository's fetch state. Segments are immutable: a commit
// writes one new segment, fsyncs it and the directory, then replaces the
// index with temp file + fsync + rename + directory fsync. The index
// rename is the single commit point of an update that touches many
// publication points (a snapshot, a chain of deltas), so a crash (kill -9,
// power loss) at any moment leaves the old index with its old segments or
// the new index with its new segment. An index of an older format is
// dropped with its files (the repository is then fetched again).
//
// The valid store is one index per store (valid/index, validindex.go):
// point URI to repository directory, segment, offset and size. Promote
// records the raw entry in memory, IsValid compares two entries, Valid
// reads through one, and SyncValid, once per run, persists the index
// atomically when it changed. A segment is deleted only once no durable
// index and no in-memory valid entry names it (gc.go), after the index
// that dropped the last reference is durable; opening a repository
// removes every file that neither its index nor the valid index names. A
// commit compacts, rewriting every live pack of the repository into its
// new segment, when dead bytes exceed live ones (and 1 MiB), so deltas
// cannot grow a repository's directory without bound; the valid entries of
// the points it copies follow them.
//
// Alternatives rejected: one file per object, as rpki-client and older
// Routinator releases do, needs about one inode per object (hundreds of
// thousands in production); one pack file per publication point, this
// package's previous format, still created one file per changed point,
// and creating a file costs 100-300 µs of system CPU on ext4 mounted with
// discard (seconds for the 40,000 points of a cold global run); one
// immutable pack per repository would rewrite the whole repository
// (RIPE NCC's is hundreds of MB) for every delta, and updating one in
// place (Routinator's per-RRDP repository archive, PR #886) needs its own
// crash-recovery design; an embedded database (bbolt, sled) would be a new
// module. With segments a commit creates one file whatever it touches, a
// delta writes only the points it changes, and a point is still read with
// one open and one pread.
//
// Objects published during an update are spooled to a temporary file of the
// repository (through a write buffer), and the changes recorded as ops in
// an op log that holds at most 4 MiB in memory and spills the rest, sorted,
// to run files (oplog.go). Commit merges them and writes one point at a
// time in URI order (pointwrite.go): it checks the changes of each name
// against each other and, streaming the point's committed pack from its
// segment, against the committed objects (RFC 8182 §3.4.2), and streams
// the new pack into the segment. Memory thus stays bounded whatever the
// size of a snapshot, a chain of deltas or a point: a 1 GB snapshot of
// 262,144 objects costs about 17 MB of heap, where a map of every URI and
// whole packs built in memory cost 120 MB, and a 300 MB point 340 MB
// (BenchmarkHostileSnapshot in pkg/fetch). The limits of limits.go (per
// object, per point in bytes and files, per repository in objects and
// points) are enforced while the update is written: a repository that
// breaks one keeps its last committed state. Segments are read with plain
// syscalls rather than through os.File, whose poller registration costs
// two more per file opened.
//
// It logs through a standard *slog.Logger (see pkg/logging), so that the
// validation engine, which imports it, stays free of the network stack.
//
// May import: the standard library only (and golang.org/x/sys/unix).
package cache
