package rtr

import "time"

// Limits and defaults, named so they can be found and tuned in one place.
const (
	// HeaderLen is the length of the common PDU header (RFC 8210 §5.1).
	HeaderLen = 8

	// MaxRouterPDU caps the length field of a PDU received from a router.
	// Routers send only Serial Query (12), Reset Query (8) and Error
	// Report, which may encapsulate one of our PDUs (at most an ASPA or a
	// router key PDU) plus a text; 64 KiB is ample. Longer length fields
	// are rejected before any body is read.
	MaxRouterPDU = 64 << 10

	// MaxCachePDU caps PDUs decoded by the client side of the codec
	// (tests, benchmark): an ASPA with payload.MaxProviders providers.
	MaxCachePDU = 1 << 20

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

	// FirstQueryTimeout drops a connection that sends no query (or, over
	// TLS, no handshake) within this time of connecting.
	FirstQueryTimeout = 30 * time.Second

	// DefaultRefresh, DefaultRetry and DefaultExpire are the End of Data
	// timers, the defaults of RFC 8210 §6.
	DefaultRefresh = 3600 * time.Second
	DefaultRetry   = 600 * time.Second
	DefaultExpire  = 7200 * time.Second

	// MaxVersion is the highest protocol version implemented.
	MaxVersion = 2
)
