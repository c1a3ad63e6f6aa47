// Package vrpgen generates synthetic, production-like VRP sets and an update
// of each, deterministically from a seed, as the JSON that StayRTR reads and
// `validator vrps --format json` writes. The tests and the RTR benchmark
// (pkg/rtr/internal/rtrbench) use them instead of stored multi-megabyte
// files.
//
// Two sets are defined: Full, 600,000 VRPs with an update of 1,000 removed
// and 1,000 added; Small, 5,000 VRPs with ±50. Their shape follows the
// production RPKI: 75 % IPv4 and 25 % IPv6; production prefix lengths
// (/24 and /48 dominate) and maxLength mostly equal to the length; about one
// origin AS per 12 VRPs, with heavy-tailed counts (a few ASes hold
// thousands); about 3 % of prefixes authorised for two or more origins;
// about 0.4 % AS0; each AS under one RIR's trust anchor, inside that RIR's
// address space.
//
// The generator uses its own splitmix64 stream and integer arithmetic only,
// so the same seed gives the same bytes on every platform and Go release.
//
// May import: the standard library only.
package vrpgen
