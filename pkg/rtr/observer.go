package rtr

import "time"

// Observer receives the server's events, for metrics. Methods use only
// standard types so that pkg/metrics can implement it without this package
// importing client_golang (STYLE habit 10). Methods are called from session
// goroutines concurrently and must not block.
type Observer interface {
	// SessionOpened is called when a connection is accepted.
	SessionOpened(remote string)
	// SessionClosed is called when it ends; err is nil on a clean close.
	SessionClosed(remote string, err error)
	// SessionRejected is called for a connection refused by the
	// allow-list ("not_allowed") or the session limit ("limit").
	SessionRejected(remote, reason string)
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

// SessionClosed implements Observer.
func (NopObserver) SessionClosed(string, error) {}

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
