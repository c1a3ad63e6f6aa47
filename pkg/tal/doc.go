// Package tal reads and writes Trust Anchor Locators (RFC 8630).
//
// A TAL names a trust anchor certificate by one or more URIs and pins its
// public key. Parse checks the RFC 8630 §2.2 syntax strictly, following
// rpki-client's reading where peers disagree: an optional block of "#"
// comment lines at the top, one or more rsync or https URIs (one per line,
// each naming a ".cer" file), one empty line, then the base64
// SubjectPublicKeyInfo of an RSA key, possibly wrapped over several lines.
// CRLF line ends are tolerated. Anything else (an http URI, leading
// whitespace, the RIPE "extended" key=value format) rejects the whole TAL, as
// rpki-client 8.2 does.
//
// LoadFile and LoadDir read TAL files from disk with a size cap; Marshal
// writes a TAL back out for the write side (pkg/ca and the lab generator).
// Nothing here touches the network.
//
// May import: the standard library only.
package tal
