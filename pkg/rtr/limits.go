package rtr

import "time"

// Limits and defaults, named so they can be found and tuned in one place.
const (
	// HeaderLen is the length of the common PDU header (RFC 8210 §5.1).
	HeaderLen = 8

	// MaxPDU is the longest PDU in any version: "This length MUST NOT
	// exceed 65,535 octets" (draft-ietf-sidrops-8210bis-27 §5.1). The
	// encoders never produce more, and the Reader refuses more before
	// reading any body. RFC 8210 set no bound; routers (BIRD's 64 KiB
	// receive buffer, for one) rely on this one.
	MaxPDU = 65535

	// MaxRouterPDU caps the length field of a PDU received from a router.
	// Routers send only Serial Query (12), Reset Query (8) and Error
	// Report, which may encapsulate one of our PDUs plus a text.
	MaxRouterPDU = MaxPDU

	// MaxCachePDU caps PDUs decoded by the client side of the codec
	// (tests, benchmark, interop tools): the protocol's bound.
	MaxCachePDU = MaxPDU

	// MaxASPAProviders is the most providers one ASPA PDU (12 + 4n
	// octets) can carry within MaxPDU: 16,380, payload.MaxProviders.
	MaxASPAProviders = (MaxPDU - lenASPAMin) / 4

	// MaxErrorText caps the diagnostic text we put in an Error Report.
	MaxErrorText = 1024

	// DefaultMaxSessions is the default cap on concurrent sessions.
	DefaultMaxSessions = 10000

	// DefaultWriteTimeout is how long one write chunk may take before the
	// session is dropped: a router that stops reading is disconnected
	// without holding anything but its own goroutines.
	DefaultWriteTimeout = 30 * time.Second

	// WriteChunk is the size of one write under one deadline, so that a
	// router reading slowly but steadily is not cut off by a deadline
	// meant for a full 14 MB table.
	WriteChunk = 256 << 10

	// DefaultIdleTimeout drops a session that sends nothing for this long.
	// Routers send a Serial Query every Refresh Interval (RFC 8210 §6), so
	// the default Expire Interval is a safe bound.
	DefaultIdleTimeout = 2 * time.Hour

	// DefaultFirstQueryTimeout drops a connection that sends no query
	// (or, over TLS, no handshake) within this time of connecting: a
	// router sends its first query at once (RFC 8210 §7), while a silent
	// peer only holds a session slot.
	DefaultFirstQueryTimeout = 30 * time.Second

	// DefaultMaxSessionsPerSource caps concurrent sessions from one source
	// address, so that silent or stuck connections from one host cannot
	// take every slot of MaxSessions and lock routers out. Routers open one
	// session per cache; 32 leaves room for NAT and test clients.
	DefaultMaxSessionsPerSource = 32

	// DefaultRefresh, DefaultRetry and DefaultExpire are the End of Data
	// timers, the defaults of RFC 8210 §6.
	DefaultRefresh = 3600 * time.Second
	DefaultRetry   = 600 * time.Second
	DefaultExpire  = 7200 * time.Second

	// MaxVersion is the highest protocol version implemented.
	MaxVersion = 2
)
