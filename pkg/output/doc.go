// Package output writes a validation result in the formats relying
// parties and routers read, streamed from the table without a copy per
// format. `validator vrps --format` and the HTTP API (/<format>) share it.
//
// Routinator's formats, byte for byte as Routinator 0.15 writes them
// (src/output.rs; its goldens are in testdata/routinator): csv, csvcompat,
// csvext, json, jsonext, slurm, slurm2, openbgpd, bird1, bird2, rpsl,
// summary and none. They list each distinct item once (a VRP that two
// trust anchors yield prints with the first one's name) in Routinator's
// order (rpki-rs: IPv4 first, more specifics before the prefix that
// covers them, then maxLength and origin), AS numbers as "AS1234"
// except where Routinator writes numbers (slurm, openbgpd, bird).
//
// rpki-client 8.2's formats, byte for byte apart from what describes the
// run (metadata, comment headers): rpki-client (its JSON, -j, through
// pkg/payload's codec), rpki-client-csv (-c), rpki-client-openbgpd (-o),
// rpki-client-bird (-B, BIRD 2), rpki-client-bird1v4 and
// rpki-client-bird1v6 (-B, BIRD 1). They list each distinct item once with
// the latest expiry, in rpki-client's order (vrpcmp: per address, longer
// prefixes first), AS numbers as numbers in JSON.
//
// A Filter (Routinator's select-asn, select-prefix, include and exclude)
// applies to every format; Meta carries what some formats print about the
// run. delta.go writes Routinator's json-delta documents.
//
// May import: payload, the standard library.
package output
