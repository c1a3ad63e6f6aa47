// Package rtr implements the RPKI-to-Router protocol, cache side: the PDU
// codec and a server for
//
//   - version 0, RFC 6810;
//   - version 1, RFC 8210;
//   - version 2, draft-ietf-sidrops-8210bis-16 (ASPA PDU type 11 with
//     Flags, a zero byte, the customer AS and the provider ASes; the
//     per-AFI ASPA layout of drafts up to -10 is not implemented).
//
// The server reads a payload.State through a Source (payload.History) and
// encodes each response once per (serial, version): the full table and
// every delta the history holds are byte slices shared read-only by all
// sessions. Each connection has a reader goroutine (exact framing with
// io.ReadFull and a length cap) and a writer goroutine that writes one
// response at a time with progressive write deadlines, so a slow router
// never blocks another router or a table update. New serials are signalled
// to each session through a channel of capacity 1 (coalesced Serial
// Notify).
//
// May import: payload, the standard library and zap. Metrics go through the
// Observer hook, implemented in pkg/metrics.
package rtr
