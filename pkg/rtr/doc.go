// Package rtr implements the RPKI-to-Router protocol, cache side: the PDU
// codec and a server for
//
//   - version 0, RFC 6810;
//   - version 1, RFC 8210;
//   - version 2, draft-ietf-sidrops-8210bis-27 (13 August 2026), the
//     newest draft found: the ASPA PDU (type 11) with the Flags octet in
//     the header, a zero octet, the customer AS and the providers in
//     increasing order (no AFI flag, no provider count: the per-AFI
//     layout of drafts up to -10 is not implemented); PDUs of at most
//     65,535 octets (§5.1); Error Codes 9 to 13 (§12); and the payload
//     PDU order of §11.2, used for every version.
//
// The server reads a payload.State through a Source (payload.History) and
// encodes each response once per (serial, version): the full table and
// every delta the history holds are byte slices shared read-only by all
// sessions. A record no PDU can carry is left out and logged, never sent.
// Each connection has one goroutine that reads a PDU (exact framing with
// io.ReadFull and a length cap), then writes its answer with progressive
// write deadlines, so a slow router never blocks another router or a
// table update. A new serial starts a short-lived goroutine per session
// that sends one Serial Notify after any answer being written (coalesced:
// at most one waits). A panic in either ends that session only.
// Connections are admitted by an allow-list, a global and a per-source
// session cap, and must send their first query within a short deadline.
// Sessions lists the connected routers.
//
// May import: payload, the standard library and zap. Metrics go through the
// Observer hook, implemented in pkg/metrics.
package rtr
