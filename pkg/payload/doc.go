// Package payload holds the validated RPKI payload that relying-party
// outputs are built from: Validated ROA Payloads (VRPs, RFC 6811 §2), ASPA
// records (draft-ietf-sidrops-aspa-profile) and BGPsec router keys (RFC 8209).
//
// A Set is what one validation run produces, in any order and with
// duplicates. NewSnapshot turns it into an immutable, sorted, deduplicated
// Snapshot of fixed-size values (no maps, no per-VRP pointers). A Delta is
// the set difference between two snapshots; deltas can be merged. A History
// keeps the current Snapshot and the last N deltas with their serials in an
// immutable State published through atomic.Pointer: one writer (the
// validation loop) calls Publish, any number of readers call Load and
// iterate without locks. A daemon publishes with PublishWeakly: its Table
// holds the same VRPs, so the State holds the snapshot weakly and builds it
// again from the table when a router resets after the collector took it.
//
// json.go reads and writes the rpki-client / StayRTR JSON format, so that
// `validator vrps` and `validator rtr` share one implementation.
//
// May import: the standard library only (enforced by internal/archtest).
package payload
