package rtr

import "time"

// Observer receives the server's events, for metrics. Methods use only
// standard types so that pkg/metrics can implement it without this package
// importing client_golang (STYLE habit 10). Methods are called from session
// goroutines concurrently and must not block.
type Observer interface {
	// SessionOpened is called when a connection is accepted.
	SessionOpened(remote string)
	// SessionNegotiated is called when the router's first query fixes the
	// session's protocol version (RFC 8210 §7).
	SessionNegotiated(remote string, version uint8)
	// SessionClosed is called when the session ends: version is the
	// negotiated one, -1 if the router never sent a query; err is nil on
	// a clean close.
	SessionClosed(remote string, version int, err error)
	// SessionRejected is called for a connection refused by the
	// allow-list ("not_allowed"), the session limit ("limit") or the
	// per-source limit ("source_limit").
	SessionRejected(remote, reason string)
	// SessionPanicked is called when a panic in a session's goroutine was
	// recovered: that session ended, the server carries on.
	SessionPanicked(remote string)
	// PDUReceived is called for each PDU read from a router.
	PDUReceived(remote string, version, pduType uint8)
	// ResponseSent is called after a response was written: kind is
	// "reset" (full table), "serial" (delta), "cache_reset", "notify" or
	// "error"; pdus and bytes count what was written.
	ResponseSent(remote string, version uint8, kind string, pdus, bytes int, took time.Duration)
	// ErrorReportSent is called for each Error Report sent.
	ErrorReportSent(remote string, code uint16)
	// Serial is called when a new serial is served.
	Serial(serial uint32)
	// Stale is called when the data crosses the maximum age, in either
	// direction; while stale the server answers No Data Available.
	Stale(stale bool, age time.Duration)
}

// NopObserver ignores every event.
type NopObserver struct{}

// SessionOpened implements Observer.
func (NopObserver) SessionOpened(string) {}

// SessionNegotiated implements Observer.
func (NopObserver) SessionNegotiated(string, uint8) {}

// SessionClosed implements Observer.
func (NopObserver) SessionClosed(string, int, error) {}

// SessionPanicked implements Observer.
func (NopObserver) SessionPanicked(string) {}

// SessionRejected implements Observer.
func (NopObserver) SessionRejected(string, string) {}

// PDUReceived implements Observer.
func (NopObserver) PDUReceived(string, uint8, uint8) {}

// ResponseSent implements Observer.
func (NopObserver) ResponseSent(string, uint8, string, int, int, time.Duration) {}

// ErrorReportSent implements Observer.
func (NopObserver) ErrorReportSent(string, uint16) {}

// Serial implements Observer.
func (NopObserver) Serial(uint32) {}

// Stale implements Observer.
func (NopObserver) Stale(bool, time.Duration) {}
