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
// One pack file per publication point (pack.go: a header with the point's
// URI and format version, then name/length/content records sorted by name,
// then a CRC-32C of the whole) and one index per repository listing the
// packs and the repository's fetch state. Packs are immutable: a change
// writes a pack under a new generation name; once all the update's packs
// are durable (sync_linux.go: one syncfs for a snapshot, an fsync each for
// a small delta), the repository's index is replaced with temp file + fsync
// + rename + directory fsync. The index rename is the single commit point
// of an update that touches many publication points (a snapshot, a chain of
// deltas), so a crash (kill -9, power loss) at any moment leaves the old
// index with its old packs or the new index with its new packs; packs no
// index names are removed the next time the repository is opened, and an
// index of an older format is dropped with its packs (the repository is
// then fetched again). Promote hard-links the raw pack into the valid store
// as valid/<hash>.pack (a temp link renamed over an older copy), which
// costs no copy; a point has at most two inodes, its raw pack and its last
// valid one, and one when they are the same.
//
// Alternatives rejected: one file per object, as rpki-client and older
// Routinator releases do, needs about one inode per object (hundreds of
// thousands in production, more with history); one immutable pack per
// repository would rewrite the whole repository (RIPE NCC's is hundreds of
// MB) for every delta, and updating one in place (Routinator's per-RRDP
// repository archive, PR #886) needs its own crash-recovery design; an
// embedded database (bbolt, sled) would be a new module. Per publication
// point, a delta rewrites only the points it touches, the validator reads a
// point with one open and one read, and the file count is the number of
// publication points (tens of thousands in production).
//
// Objects published during an update are spooled to a temporary file of the
// repository (through a write buffer), so a snapshot of any size needs
// memory only for its URI index, not for its content; Commit builds one
// point's pack at a time from the spool, reading each run of adjacent
// objects with one pread. Packs are read and written with plain syscalls
// rather than through os.File, whose poller registration costs two more
// per file opened.
//
// May import: the standard library, go.uber.org/zap and golang.org/x/sys/unix
// (syncfs, which package syscall lacks) only.
package cache
