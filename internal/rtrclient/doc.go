// Package rtrclient is a minimal router-side RTR client used by the rtr
// tests and the benchmark: it sends queries and applies responses to a
// table, checking the protocol rules a router checks (no duplicate
// announcement, no withdrawal of an unknown record; RFC 8210 §5.6). It is
// built on rtr's own codec; independent clients (gortr, rtrlib, BIRD,
// GoBGP) are exercised by the tests as well.
//
// May import: rtr, payload and the standard library.
package rtrclient
